// Cooperative cancellation of a scoring call: a client cancel, a deadline, or server shutdown.
#ifndef VERDICT_REWARDS_CANCEL_H_
#define VERDICT_REWARDS_CANCEL_H_

#include <atomic>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace verdict {

// Thread-safe. Scoring checks it between samples; work not yet started is skipped and reported
// as a per-sample CANCELLED or DEADLINE_EXCEEDED error (never as a verdict).
class CancelToken {
 public:
  CancelToken() = default;
  explicit CancelToken(absl::Time deadline) : deadline_(deadline) {}

  void Cancel() { cancelled_.store(true, std::memory_order_relaxed); }

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
};

}  // namespace verdict

#endif  // VERDICT_REWARDS_CANCEL_H_
