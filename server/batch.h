// Scoring of one batch (a ScoreRequest), shared by the gRPC Score call and the HTTP routes:
// admission against the in-flight budget, every group scored concurrently, batch-scaled
// advantages finished across the batch, results put on the wire form in request order.
#ifndef VERDICT_SERVER_BATCH_H_
#define VERDICT_SERVER_BATCH_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "base/cancel.h"
#include "rewards/scorer.h"
#include "server/metrics.h"
#include "verdict/v1/verdict.pb.h"

namespace verdict {

// Admission control: a counter of samples in flight. Thread-safe.
class InflightBudget {
 public:
  explicit InflightBudget(int64_t limit) : limit_(limit) {}
  bool TryAcquire(int64_t n);
  void Release(int64_t n) { used_.fetch_sub(n, std::memory_order_acq_rel); }
  int64_t used() const { return used_.load(std::memory_order_relaxed); }
  int64_t limit() const { return limit_; }

 private:
  const int64_t limit_;
  std::atomic<int64_t> used_{0};
};

struct BatchContext {
  const Scorer* scorer;
  InflightBudget* budget;
  Metrics* metrics;  // may be null
  RewardSpec default_spec;
};

// Scores `request` into `*response`; `done` runs exactly once (on a pool thread, or inline when
// the batch is refused) with OK, INVALID_ARGUMENT (bad request spec), RESOURCE_EXHAUSTED (over
// the budget), or CANCELLED / DEADLINE_EXCEEDED from `cancel`. `request` and `response` must
// stay alive until `done` has run; nothing is touched after it.
void ScoreBatch(const BatchContext& context, const v1::ScoreRequest& request,
                std::shared_ptr<const Cancellation> cancel, v1::ScoreResponse* response,
                absl::AnyInvocable<void(absl::Status) &&> done);
// The same, but the completion texts are moved out of `*request` (TakeGroupFromProto), which
// the caller no longer reads: a request's bytes are copied once fewer.
void ScoreBatch(const BatchContext& context, v1::ScoreRequest* request,
                std::shared_ptr<const Cancellation> cancel, v1::ScoreResponse* response,
                absl::AnyInvocable<void(absl::Status) &&> done);
// The same, the results written as a ScoreResponse's wire bytes into `*wire` (replacing what it
// held; AppendGroupResultWire) instead of built as a message: for a caller that only sends them.
void ScoreBatchToWire(const BatchContext& context, v1::ScoreRequest* request,
                      std::shared_ptr<const Cancellation> cancel, std::string* wire,
                      absl::AnyInvocable<void(absl::Status) &&> done);

}  // namespace verdict

#endif  // VERDICT_SERVER_BATCH_H_
