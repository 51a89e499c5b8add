// Format rewards (DESIGN §5). Pure functions, safe from any thread.
#ifndef VERDICT_REWARDS_FORMAT_H_
#define VERDICT_REWARDS_FORMAT_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/strings.h"  // CountOccurrences
#include "rewards/types.h"

namespace verdict {

// True when the prompt ends (ignoring trailing white space) with "<think>": the chat template
// prefilled the opening tag and the completion starts inside the reasoning.
bool PromptPrefillsThink(std::string_view prompt);

// Checks the strict R1 template on `completion`: "<think>" reasoning "</think>" then "<answer>"
// final answer "</answer>"; each tag exactly once, in that order, non-blank bodies, nothing but
// white space (Unicode White_Space, rewards/utf8.h) before <think>, between </think> and
// <answer>, and after </answer>. With `think_prefilled`, the completion is read as the
// continuation of a prompt ending in "<think>". Linear in the input; a 10 MB completion is fine.
FormatResult CheckR1Format(std::string_view completion, bool think_prefilled);

// Think-only template: "<think>" reasoning "</think>" answer. <think> and </think> exactly once
// (<think> may be prefilled), nothing but white space before <think>, non-blank reasoning and a
// non-blank answer after </think>. `answer_region` receives the text after </think>.
FormatResult CheckThinkOnlyFormat(std::string_view completion, bool think_prefilled,
                                  std::string_view* answer_region);

// Custom template: `completion` (with "<think>" prepended when prefilled) must fully match
// `pattern` (RE2 syntax, '.' matches newlines). If the pattern has a group named "answer",
// `answer_region` receives it (else it is left empty). Patterns are compiled once per process
// and cached (bounded). An invalid pattern is INVALID_ARGUMENT naming it.
absl::StatusOr<FormatResult> CheckCustomFormat(std::string_view completion, bool think_prefilled,
                                               const std::string& pattern,
                                               std::string* answer_region);

// OK when `pattern` compiles as a custom format pattern; else INVALID_ARGUMENT naming it.
absl::Status ValidateFormatPattern(const std::string& pattern);

// The format component of one completion under a spec's template, and where its answer is read
// from: the one place that knows the templates' tags (the scorer asks, never re-derives).
struct FormatCheck {
  FormatResult format;  // value includes partial credit when the spec asks for it
  // The text the answer is searched in: the whole completion, or (think-only) the text after the
  // last "</think>", whether or not the template passed. Points into the completion.
  std::string_view answer_text;
  // R1: the answer is read from the <answer> block of `answer_text` (math::ExtractOptions).
  bool answer_tag = false;
  // Custom pattern with a group named "answer" that matched non-empty: the answer itself.
  std::string answer;
};

// Checks `completion` against `spec.format` (with `spec.format_partial_credit`). An invalid custom
// pattern is INVALID_ARGUMENT (ValidateSpec refuses such specs first).
absl::StatusOr<FormatCheck> CheckFormat(std::string_view completion, bool think_prefilled,
                                        const RewardSpec& spec);

// Partial credit for a failed template: 0.25 per template tag appearing exactly once.
double TagCountCredit(std::string_view text, FormatTemplate format);

}  // namespace verdict

#endif  // VERDICT_REWARDS_FORMAT_H_
