// Format rewards (DESIGN §5). Pure functions, safe from any thread.
#ifndef VERDICT_REWARDS_FORMAT_H_
#define VERDICT_REWARDS_FORMAT_H_

#include <string_view>

#include "rewards/types.h"

namespace verdict {

// True when the prompt ends (ignoring trailing whitespace) with "<think>": the chat template
// prefilled the opening tag and the completion starts inside the reasoning.
bool PromptPrefillsThink(std::string_view prompt);

// Checks the strict R1 template on `completion`: "<think>" reasoning "</think>" then "<answer>"
// final answer "</answer>"; each tag exactly once, in that order, non-blank bodies, nothing but
// whitespace before <think>, between </think> and <answer>, and after </answer>. With
// `think_prefilled`, the completion is read as the continuation of a prompt ending in "<think>".
// Linear in the input (RE2); a 10 MB completion is fine.
FormatResult CheckR1Format(std::string_view completion, bool think_prefilled);

}  // namespace verdict

#endif  // VERDICT_REWARDS_FORMAT_H_
