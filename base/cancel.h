// Cooperative cancellation of one call (a client cancel, a deadline, or server shutdown), built on
// C++20's std::stop_source / std::stop_token / std::stop_callback. Whoever may cancel holds the
// std::stop_source; the work holds a Cancellation, polls Check() between steps, and registers a
// std::stop_callback where it must react at once (e.g. to kill sandboxed processes: the Scorer
// signals the sandbox's CancelFlag eventfd from one).
#ifndef VERDICT_BASE_CANCEL_H_
#define VERDICT_BASE_CANCEL_H_

#include <stop_token>
#include <utility>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace verdict {

// A stop token and the call's deadline. Cheap to copy; thread-safe (std::stop_token is).
// A default-constructed Cancellation never stops.
struct Cancellation {
  Cancellation() = default;
  explicit Cancellation(std::stop_token stop, absl::Time deadline = absl::InfiniteFuture())
      : stop(std::move(stop)), deadline(deadline) {}

  std::stop_token stop;
  absl::Time deadline = absl::InfiniteFuture();

  // OK while work may go on; else CANCELLED (stop requested) or DEADLINE_EXCEEDED. Work not yet
  // started when this fails is skipped and reported as a per-sample error (never as a verdict).
  absl::Status Check() const {
    if (stop.stop_requested()) return absl::CancelledError("the call was cancelled");
    if (deadline != absl::InfiniteFuture() && absl::Now() > deadline) {
      return absl::DeadlineExceededError(
          "the call's deadline passed before this sample was checked");
    }
    return absl::OkStatus();
  }
};

}  // namespace verdict

#endif  // VERDICT_BASE_CANCEL_H_
