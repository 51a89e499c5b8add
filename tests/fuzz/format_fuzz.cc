// libFuzzer target for rewards/format: the R1, think-only and custom-pattern template checks and
// the tag counter read the model's untrusted completion. Checked: no crash; a passed template has
// every tag exactly once; an answer region is a piece of the completion; repeated calls agree.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "rewards/format.h"

namespace {

bool Within(std::string_view part, std::string_view whole) {
  return part.empty() ||
         (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace verdict;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)PromptPrefillsThink(text);
  for (bool prefilled : {false, true}) {
    const FormatResult r1 = CheckR1Format(text, prefilled);
    if (r1.ok != CheckR1Format(text, prefilled).ok) std::abort();
    if (r1.ok && !prefilled) {
      for (std::string_view tag : {"<think>", "</think>", "<answer>", "</answer>"}) {
        if (CountOccurrences(text, tag) != 1) std::abort();
      }
    }
    std::string_view answer;
    const FormatResult think = CheckThinkOnlyFormat(text, prefilled, &answer);
    if (think.ok && !prefilled && !Within(answer, text)) std::abort();
    std::string region;
    absl::StatusOr<FormatResult> custom = CheckCustomFormat(
        text, prefilled, "(?s)<think>.*</think>\\s*<answer>(?P<answer>.*)</answer>\\s*", &region);
    if (!custom.ok()) std::abort();  // the pattern is valid
    if (custom->ok && !prefilled && text.find(region) == std::string_view::npos) std::abort();
  }
  for (FormatTemplate f : {FormatTemplate::kR1, FormatTemplate::kThinkOnly}) {
    const double credit = TagCountCredit(text, f);
    if (!(credit >= 0 && credit <= 1)) std::abort();
  }
  // The input as a custom pattern: compiled or refused with a status, never a crash.
  const std::string pattern(text.substr(0, 256));
  if (ValidateFormatPattern(pattern).ok()) {
    std::string region;
    (void)CheckCustomFormat("<think>x</think><answer>4</answer>", false, pattern, &region);
  }
  return 0;
}
