// Cooperative cancellation of a scoring call: a client cancel, a deadline, or server shutdown.
#ifndef VERDICT_REWARDS_CANCEL_H_
#define VERDICT_REWARDS_CANCEL_H_

#include <atomic>
#include <functional>
#include <map>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace verdict {

// Thread-safe. Scoring checks it between samples; work not yet started is skipped and reported
// as a per-sample CANCELLED or DEADLINE_EXCEEDED error (never as a verdict).
class CancelToken {
 public:
  CancelToken() = default;
  explicit CancelToken(absl::Time deadline) : deadline_(deadline) {}

  void Cancel() {
    cancelled_.store(true, std::memory_order_relaxed);
    std::map<int, std::function<void()>> listeners;
    {
      absl::MutexLock lock(&mu_);
      listeners.swap(listeners_);
    }
    for (auto& [id, fn] : listeners) fn();
  }

  // Runs `fn` once when Cancel() is called, at once if it already was (e.g. to kill sandboxed
  // processes). Returns an id for RemoveListener. Thread-safe.
  int AddListener(std::function<void()> fn) const {
    {
      absl::MutexLock lock(&mu_);
      if (!cancelled_.load(std::memory_order_relaxed)) {
        listeners_.emplace(next_id_, std::move(fn));
        return next_id_++;
      }
    }
    fn();
    return -1;
  }
  void RemoveListener(int id) const {
    absl::MutexLock lock(&mu_);
    listeners_.erase(id);
  }

  // OK while work may go on; else CANCELLED or DEADLINE_EXCEEDED.
  absl::Status Check() const {
    if (cancelled_.load(std::memory_order_relaxed)) {
      return absl::CancelledError("the call was cancelled");
    }
    if (deadline_ != absl::InfiniteFuture() && absl::Now() > deadline_) {
      return absl::DeadlineExceededError("the call's deadline passed before this sample was checked");
    }
    return absl::OkStatus();
  }

 private:
  std::atomic<bool> cancelled_{false};
  absl::Time deadline_ = absl::InfiniteFuture();
  mutable absl::Mutex mu_;
  mutable std::map<int, std::function<void()>> listeners_ ABSL_GUARDED_BY(mu_);
  mutable int next_id_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace verdict

#endif  // VERDICT_REWARDS_CANCEL_H_
