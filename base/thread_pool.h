// A fixed-size pool of worker threads shared by every scoring call of a process.
#ifndef VERDICT_BASE_THREAD_POOL_H_
#define VERDICT_BASE_THREAD_POOL_H_

#include <cstddef>
#include <deque>
#include <thread>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"

namespace verdict {

// Tasks run in FIFO order. Tasks must not block waiting for other tasks of the same pool (the
// Scorer's tasks never do: a group finishes in whichever task completes it last).
// Thread-safe. The destructor runs every task already scheduled, then joins the threads.
class ThreadPool {
 public:
  // `num_threads` 0 means std::thread::hardware_concurrency() (at least 1).
  explicit ThreadPool(size_t num_threads = 0);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  void Schedule(absl::AnyInvocable<void() &&> task);
  size_t num_threads() const { return threads_.size(); }
  // Tasks waiting to start (not those running).
  size_t queue_depth() const;

 private:
  void WorkLoop();
  bool HasWorkOrStopping() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stopping_ || !queue_.empty();
  }

  mutable absl::Mutex mu_;
  std::deque<absl::AnyInvocable<void() &&>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace verdict

#endif  // VERDICT_BASE_THREAD_POOL_H_
