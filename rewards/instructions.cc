#include "rewards/instructions.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "rewards/language.h"
#include "verifier/instruct/text.h"

namespace verdict {

std::optional<std::string_view> InstructionAnswerRegion(std::string_view completion,
                                                        FormatTemplate format, bool think_prefilled,
                                                        std::string_view custom_region) {
  if (format == FormatTemplate::kR1) {
    const size_t open = completion.find("<answer>");
    const size_t close = completion.rfind("</answer>");
    if (open == std::string_view::npos || close == std::string_view::npos || close < open ||
        completion.find("<answer>", open + 1) != std::string_view::npos ||
        completion.find("</answer>") != close) {
      return std::nullopt;
    }
    return completion.substr(open + 8, close - open - 8);
  }
  if (format == FormatTemplate::kCustom && !custom_region.empty()) return custom_region;
  if (size_t close = completion.rfind("</think>"); close != std::string_view::npos) {
    return completion.substr(close + 8);
  }
  if (think_prefilled || completion.find("<think>") != std::string_view::npos) {
    return std::nullopt;  // all reasoning, no answer
  }
  return completion;
}

absl::Status ScoreInstructions(const InstructionReference& ref,
                               std::optional<std::string_view> region, const RewardSpec& spec,
                               SampleResult* r, double* accuracy) {
  instruct::CheckOptions options;
  options.loose = spec.instructions_loose;
  options.detect_language = [](std::string_view text) { return DetectLanguageIfReliable(text); };
  absl::StatusOr<std::vector<instruct::ConstraintOutcome>> outcomes =
      instruct::CheckConstraints(region.value_or(""), ref.constraints, options);
  if (!outcomes.ok()) return outcomes.status();
  InstructionDetails details;
  details.loose = spec.instructions_loose;
  details.constraints = *std::move(outcomes);
  for (const auto& o : details.constraints) details.followed += o.followed ? 1 : 0;
  const int total = static_cast<int>(details.constraints.size());
  const bool blank = !region || instruct::StripSpace(*region).empty();
  if (blank) {
    r->verdict = Verdict::kNoAnswer;
    r->reason =
        region ? "the answer region is empty" : "no answer region (see the format template)";
  } else {
    r->verdict = details.followed == total ? Verdict::kCorrect
                 : details.followed == 0   ? Verdict::kWrongAnswer
                                           : Verdict::kPartial;
    r->reason = absl::StrCat(details.followed, " of ", total, " instruction constraints followed",
                             spec.instructions_loose ? " (loose)" : "");
  }
  *accuracy = spec.instructions_all_or_nothing ? (details.followed == total && !blank ? 1.0 : 0.0)
                                               : static_cast<double>(details.followed) / total;
  r->instructions = std::move(details);
  return absl::OkStatus();
}

}  // namespace verdict
