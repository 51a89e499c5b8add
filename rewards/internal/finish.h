// Internal steps of the Scorer (rewards/scorer.h), for the Scorer itself and for tests that
// check these steps against an independent oracle (tests/rewards/advantages_tool.cc). Not for
// the edges: they call Scorer::ScoreBatch.
#ifndef VERDICT_REWARDS_INTERNAL_FINISH_H_
#define VERDICT_REWARDS_INTERNAL_FINISH_H_

#include <vector>

#include "rewards/types.h"

namespace verdict::internal {

// Finishes per-sample results in place: the Kimi length term (relative to the group),
// truncation, clipping, group statistics and advantages (GDPO-style per component, weighted by
// ComponentWeight, when the spec asks). Batch-scaled advantages (EffectiveScale() == kBatchStd)
// are left baseline-subtracted: see FinishBatch.
void FinishGroup(GroupResult* result);

// Whitens the advantages of the batch-scaled groups among `results` together (one batch), with
// the std kind and epsilon of the first such group. Other groups are left as they are.
void FinishBatch(const std::vector<GroupResult*>& results);

}  // namespace verdict::internal

#endif  // VERDICT_REWARDS_INTERNAL_FINISH_H_
