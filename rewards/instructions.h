// Instruction-following accuracy (verifier/instruct) of one completion: the answer region is
// checked against the group's constraints, never the chain of thought. Pure, thread-safe.
#ifndef VERDICT_REWARDS_INSTRUCTIONS_H_
#define VERDICT_REWARDS_INSTRUCTIONS_H_

#include <optional>
#include <string_view>

#include "absl/status/status.h"
#include "rewards/types.h"

namespace verdict {

// The text the constraints are checked on:
//  - R1 template: the body of the one <answer> block (none, or several: no answer region);
//  - custom template: its "answer" group when the pattern has one and matched;
//  - otherwise the text after the last </think>; a completion that opened reasoning (<think>,
//    or a prefilled prompt) and never closed it has no answer region; one with no reasoning
//    tags at all is all answer.
std::optional<std::string_view> InstructionAnswerRegion(std::string_view completion,
                                                        FormatTemplate format, bool think_prefilled,
                                                        std::string_view custom_region);

// Checks `region` (nullopt: none) against `ref` with the spec's options and the CLD2 language
// detector; fills r->instructions, r->verdict (CORRECT: all followed, PARTIAL: some,
// WRONG_ANSWER: none, NO_ANSWER: no or a blank answer region), r->reason, and sets *accuracy.
// A constraint that fails validation is INVALID_ARGUMENT (Scorer validates groups first).
absl::Status ScoreInstructions(const InstructionReference& ref,
                               std::optional<std::string_view> region, const RewardSpec& spec,
                               SampleResult* r, double* accuracy);

}  // namespace verdict

#endif  // VERDICT_REWARDS_INSTRUCTIONS_H_
