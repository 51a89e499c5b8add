// The group Scorer: turns one group of completions into per-sample rewards, verdicts and
// advantages (DESIGN §2). Used in-process by the CLI and behind the gRPC server.
#ifndef VERDICT_REWARDS_SCORER_H_
#define VERDICT_REWARDS_SCORER_H_

#include <cstddef>
#include <memory>

#include "absl/functional/any_invocable.h"
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

// What every sample of a group shares, worked out once per group.
struct GroupContext {
  bool use_tokens = false;   // lengths in tokens: every completion has a token count
  std::string language;      // target language for the language component ("" if off)
};

// Thread-safe; one Scorer serves every call of a process. Does not own the pool.
class Scorer {
 public:
  using Done = absl::AnyInvocable<void(GroupResult) &&>;

  Scorer(ThreadPool* pool, ScorerOptions options = {});

  // Scores `group` with its completions checked in parallel on the pool. `done` runs exactly
  // once, on a pool thread (or inline, before returning, when the group is rejected without any
  // checking). `cancel` may be null. Never blocks.
  void ScoreAsync(std::shared_ptr<const Group> group, std::shared_ptr<const Cancellation> cancel,
                  Done done) const;

  // Blocking convenience over ScoreAsync. Do not call from a task of the same pool.
  GroupResult Score(const Group& group, const Cancellation* cancel = nullptr) const;

  // Checks one completion of `group`: format, accuracy, the per-sample shaping terms and their
  // weighted sum. Group-relative terms, truncation, clipping and advantages come in FinishGroup.
  SampleResult ScoreSample(const Group& group, size_t index, const GroupContext& context) const;

  static GroupContext ContextOf(const Group& group);

  // Runs the group's programs (JudgeGroup: identical programs once) and puts the code accuracy,
  // verdict and test details on the samples already scored for format and shaping.
  void ScoreCode(const Group& group, const Cancellation* cancel, GroupResult* result) const;

  // Majority vote over the samples' extracted answers, clustered by math equivalence; fills the
  // majority fields of `result->stats`.
  static void MajorityVote(GroupResult* result, const math::MathOptions& options);

  // Finishes per-sample results in place: the Kimi length term (relative to the group),
  // truncation, clipping, group statistics and advantages. Batch-scaled
  // advantages (EffectiveScale() == kBatchStd) are left baseline-subtracted: see FinishBatch.
  static void FinishGroup(GroupResult* result);

  // Whitens the advantages of the batch-scaled groups among `results` together (one Score call
  // is one batch), with the std kind and epsilon of the first such group. Other groups are left
  // as they are.
  static void FinishBatch(std::vector<GroupResult*> results);

  const ScorerOptions& options() const { return options_; }

 private:
  ThreadPool* pool_;
  ScorerOptions options_;
};

}  // namespace verdict

#endif  // VERDICT_REWARDS_SCORER_H_
