#include "rewards/format.h"

#include <array>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "re2/re2.h"

namespace verdict {
namespace {

constexpr std::string_view kThinkOpen = "<think>";
constexpr std::string_view kThinkClose = "</think>";
constexpr std::string_view kAnswerOpen = "<answer>";
constexpr std::string_view kAnswerClose = "</answer>";

size_t CountOf(std::string_view text, std::string_view needle) {
  size_t n = 0;
  for (size_t pos = text.find(needle); pos != std::string_view::npos;
       pos = text.find(needle, pos + needle.size())) {
    ++n;
  }
  return n;
}

bool IsBlank(std::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isspace(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Abseil 20220623 as built by Debian has its own string_view type.
absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

const RE2& R1Pattern() {
  // (?s): '.' matches newlines. The tag counts are checked first, so the bodies cannot contain
  // tags and the match is unambiguous.
  static const RE2* const kPattern = [] {
    RE2::Options options;
    options.set_max_mem(64 << 20);
    options.set_log_errors(false);
    return new RE2(R"((?s)\s*<think>(.*)</think>\s*<answer>(.*)</answer>\s*)", options);
  }();
  return *kPattern;
}

// Says which structural rule a text with each tag exactly once breaks.
std::string ExplainMismatch(std::string_view text) {
  size_t to = text.find(kThinkOpen), tc = text.find(kThinkClose);
  size_t ao = text.find(kAnswerOpen), ac = text.find(kAnswerClose);
  if (!(to < tc && tc < ao && ao < ac)) return "tags out of order";
  if (!IsBlank(text.substr(0, to))) return "text before <think>";
  size_t between = tc + kThinkClose.size();
  if (!IsBlank(text.substr(between, ao - between))) return "text between </think> and <answer>";
  if (!IsBlank(text.substr(ac + kAnswerClose.size()))) return "text after </answer>";
  return "does not match the R1 template";
}

}  // namespace

bool PromptPrefillsThink(std::string_view prompt) {
  absl::string_view trimmed = absl::StripTrailingAsciiWhitespace(Absl(prompt));
  return absl::EndsWith(trimmed, Absl(kThinkOpen));
}

FormatResult CheckR1Format(std::string_view completion, bool think_prefilled) {
  FormatResult result;
  result.template_name = "r1";
  result.think_prefilled = think_prefilled;
  std::string with_prefill;
  std::string_view text = completion;
  if (think_prefilled) {
    with_prefill = absl::StrCat(Absl(kThinkOpen), Absl(completion));
    text = with_prefill;
  }

  constexpr std::array<std::string_view, 4> kTags = {kThinkOpen, kThinkClose, kAnswerOpen,
                                                     kAnswerClose};
  for (std::string_view tag : kTags) {
    size_t n = CountOf(text, tag);
    if (n == 0) {
      result.problem = absl::StrCat("missing ", Absl(tag));
      return result;
    }
    if (n > 1) {
      result.problem = absl::StrCat(Absl(tag), " appears ", n, " times");
      return result;
    }
  }
  re2::StringPiece think, answer;
  if (!RE2::FullMatch(text, R1Pattern(), &think, &answer)) {
    result.problem = ExplainMismatch(text);
    return result;
  }
  if (IsBlank(std::string_view(think.data(), think.size()))) {
    result.problem = "empty <think> block";
    return result;
  }
  if (IsBlank(std::string_view(answer.data(), answer.size()))) {
    result.problem = "empty <answer> block";
    return result;
  }
  result.ok = true;
  return result;
}

}  // namespace verdict
