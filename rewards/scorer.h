// The group Scorer: turns one group of completions into per-sample rewards, verdicts and
// advantages (DESIGN §2). Used in-process by the CLI and behind the gRPC server.
#ifndef VERDICT_REWARDS_SCORER_H_
#define VERDICT_REWARDS_SCORER_H_

#include <cstddef>
#include <memory>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "base/cancel.h"
#include "base/thread_pool.h"
#include "rewards/types.h"
#include "verifier/code/judge.h"
#include "verifier/math/verify.h"

namespace verdict {

struct ScorerOptions {
  // Runs code for groups with a code reference; null = such groups fail with
  // FAILED_PRECONDITION (no usable sandbox). Not owned; must outlive the Scorer.
  sandbox::Runner* runner = nullptr;
  // How code is judged (extraction, parallelism, toolchains, compile cache); `all_pass` comes
  // from each group's spec.
  code::JudgeOptions judge;
  // Options of the math verifier (extraction, budgets).
  math::MathOptions math;
  // Completions longer than this (bytes) are not checked: the sample gets an INVALID_ARGUMENT
  // error. Default 64 MiB.
  size_t max_completion_bytes = 64u << 20;
  // Groups with more completions than this are rejected with INVALID_ARGUMENT. Default 1<<20.
  size_t max_completions_per_group = 1u << 20;
  // A group is split into at most this many tasks per pool thread, so a large group uses every
  // core and a small one is not chopped finer than needed. Default 4.
  size_t tasks_per_thread = 4;
};

// Thread-safe; one Scorer serves every call of a process. Does not own the pool.
class Scorer {
 public:
  using Done = absl::AnyInvocable<void(GroupResult) &&>;

  // One group of a batch. A group the caller could not build (a bad spec, say) comes with
  // `error` set: it is not scored, and its result carries that error and `group->id`.
  struct BatchGroup {
    std::shared_ptr<const Group> group;
    absl::Status error;
  };
  // One result per group of the batch, in order.
  using BatchDone = absl::AnyInvocable<void(std::vector<GroupResult>) &&>;

  Scorer(ThreadPool* pool, ScorerOptions options = {});

  // Scores `group` with its completions checked in parallel on the pool. `done` runs exactly
  // once, on a pool thread (or inline, before returning, when the group is rejected without any
  // checking). `cancel` may be null. Never blocks. Batch-scaled advantages (REINFORCE++) are
  // left baseline-subtracted: score batches with ScoreBatch.
  void ScoreAsync(std::shared_ptr<const Group> group, std::shared_ptr<const Cancellation> cancel,
                  Done done) const;

  // Scores a batch (one request, one CLI chunk): every group concurrently, then batch-scaled
  // advantages whitened across the batch. `done` runs exactly once, on a pool thread (or inline
  // when no group was queued). Once `cancel` fires, groups not yet queued are not: their
  // results carry its status. `cancel` may be null. Never blocks.
  void ScoreBatch(std::vector<BatchGroup> groups, std::shared_ptr<const Cancellation> cancel,
                  BatchDone done) const;

  // Blocking convenience over ScoreAsync. Do not call from a task of the same pool.
  GroupResult Score(const Group& group, const Cancellation* cancel = nullptr) const;

  const ScorerOptions& options() const { return options_; }

 private:
  ThreadPool* pool_;
  ScorerOptions options_;
};

}  // namespace verdict

#endif  // VERDICT_REWARDS_SCORER_H_
