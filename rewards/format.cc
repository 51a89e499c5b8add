#include "rewards/format.h"

#include <algorithm>
#include <array>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "base/strings.h"
#include "re2/re2.h"
#include "rewards/white_space.h"

namespace verdict {
namespace {

constexpr std::string_view kThinkOpen = "<think>";
constexpr std::string_view kThinkClose = "</think>";
constexpr std::string_view kAnswerOpen = "<answer>";
constexpr std::string_view kAnswerClose = "</answer>";

size_t CountOf(std::string_view text, std::string_view needle) {
  return CountOccurrences(text, needle);
}

// The structural rule a text with each tag exactly once breaks, or "" when it has none: tags in
// order, nothing but white space (rewards/white_space.h) around and between the blocks.
std::string StructureProblem(std::string_view text) {
  size_t to = text.find(kThinkOpen), tc = text.find(kThinkClose);
  size_t ao = text.find(kAnswerOpen), ac = text.find(kAnswerClose);
  if (!(to < tc && tc < ao && ao < ac)) return "tags out of order";
  if (!IsBlank(text.substr(0, to))) return "text before <think>";
  size_t between = tc + kThinkClose.size();
  if (!IsBlank(text.substr(between, ao - between))) return "text between </think> and <answer>";
  if (!IsBlank(text.substr(ac + kAnswerClose.size()))) return "text after </answer>";
  return "";
}

// The text a template is checked on: the completion, after "<think>" when the prompt prefilled
// it (`storage` holds the joined copy).
std::string_view WithPrefill(std::string_view completion, bool think_prefilled,
                             std::string* storage) {
  if (!think_prefilled) return completion;
  *storage = absl::StrCat(ToAbsl(kThinkOpen), ToAbsl(completion));
  return *storage;
}

}  // namespace

bool PromptPrefillsThink(std::string_view prompt) {
  return absl::EndsWith(ToAbsl(StripTrailingWhiteSpace(prompt)), ToAbsl(kThinkOpen));
}

FormatResult CheckR1Format(std::string_view completion, bool think_prefilled) {
  FormatResult result;
  result.template_name = "r1";
  result.think_prefilled = think_prefilled;
  std::string with_prefill;
  const std::string_view text = WithPrefill(completion, think_prefilled, &with_prefill);

  constexpr std::array<std::string_view, 4> kTags = {kThinkOpen, kThinkClose, kAnswerOpen,
                                                     kAnswerClose};
  for (std::string_view tag : kTags) {
    size_t n = CountOf(text, tag);
    if (n == 0) {
      result.problem = absl::StrCat("missing ", ToAbsl(tag));
      return result;
    }
    if (n > 1) {
      result.problem = absl::StrCat(ToAbsl(tag), " appears ", n, " times");
      return result;
    }
  }
  // Each tag is known to occur once, so the bodies lie between them.
  result.problem = StructureProblem(text);
  if (!result.problem.empty()) return result;
  const size_t think_start = text.find(kThinkOpen) + kThinkOpen.size();
  const size_t answer_start = text.find(kAnswerOpen) + kAnswerOpen.size();
  if (IsBlank(text.substr(think_start, text.find(kThinkClose) - think_start))) {
    result.problem = "empty <think> block";
    return result;
  }
  if (IsBlank(text.substr(answer_start, text.find(kAnswerClose) - answer_start))) {
    result.problem = "empty <answer> block";
    return result;
  }
  result.ok = true;
  result.value = 1.0;
  return result;
}

FormatResult CheckThinkOnlyFormat(std::string_view completion, bool think_prefilled,
                                  std::string_view* answer_region) {
  FormatResult result;
  result.template_name = "think_only";
  result.think_prefilled = think_prefilled;
  *answer_region = {};
  const size_t opens = CountOf(completion, kThinkOpen) + (think_prefilled ? 1 : 0);
  const size_t closes = CountOf(completion, kThinkClose);
  if (opens != 1) {
    result.problem =
        opens == 0 ? "missing <think>" : absl::StrCat("<think> appears ", opens, " times");
    return result;
  }
  if (closes != 1) {
    result.problem =
        closes == 0 ? "missing </think>" : absl::StrCat("</think> appears ", closes, " times");
    return result;
  }
  const size_t close = completion.find(kThinkClose);
  size_t reasoning_start = 0;
  if (!think_prefilled) {
    const size_t open = completion.find(kThinkOpen);
    if (open > close) {
      result.problem = "tags out of order";
      return result;
    }
    if (!IsBlank(completion.substr(0, open))) {
      result.problem = "text before <think>";
      return result;
    }
    reasoning_start = open + kThinkOpen.size();
  }
  if (IsBlank(completion.substr(reasoning_start, close - reasoning_start))) {
    result.problem = "empty <think> block";
    return result;
  }
  *answer_region = completion.substr(close + kThinkClose.size());
  if (IsBlank(*answer_region)) {
    result.problem = "no answer after </think>";
    return result;
  }
  result.ok = true;
  result.value = 1.0;
  return result;
}

namespace {

// Compiled custom patterns, shared by every thread. Bounded: past kMaxPatterns distinct
// patterns the cache is cleared (patterns come from requests; a client cycling through
// patterns must not grow memory without bound).
class PatternCache {
 public:
  absl::StatusOr<std::shared_ptr<const RE2>> Get(const std::string& pattern) {
    {
      absl::MutexLock lock(&mu_);
      auto it = cache_.find(pattern);
      if (it != cache_.end()) return it->second;
    }
    RE2::Options options;
    options.set_dot_nl(true);
    options.set_log_errors(false);
    options.set_max_mem(8 << 20);
    auto re = std::make_shared<const RE2>(pattern, options);
    if (!re->ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "reward spec: format_pattern '", pattern, "' is not a valid RE2 pattern: ", re->error()));
    }
    absl::MutexLock lock(&mu_);
    if (cache_.size() >= kMaxPatterns) cache_.clear();
    cache_.emplace(pattern, re);
    return re;
  }

 private:
  static constexpr size_t kMaxPatterns = 256;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<const RE2>> cache_ ABSL_GUARDED_BY(mu_);
};

PatternCache& Patterns() {
  static PatternCache* const kCache = new PatternCache();
  return *kCache;
}

}  // namespace

absl::Status ValidateFormatPattern(const std::string& pattern) {
  return Patterns().Get(pattern).status();
}

absl::StatusOr<FormatResult> CheckCustomFormat(std::string_view completion, bool think_prefilled,
                                               const std::string& pattern,
                                               std::string* answer_region) {
  absl::StatusOr<std::shared_ptr<const RE2>> re = Patterns().Get(pattern);
  if (!re.ok()) return re.status();
  FormatResult result;
  result.template_name = "custom";
  result.think_prefilled = think_prefilled;
  std::string with_prefill;
  const std::string_view text = WithPrefill(completion, think_prefilled, &with_prefill);
  answer_region->clear();
  const auto& names = (*re)->NamedCapturingGroups();
  auto it = names.find("answer");
  const int groups = (*re)->NumberOfCapturingGroups();
  std::vector<re2::StringPiece> captures(groups + 1);
  if (!(*re)->Match(text, 0, text.size(), RE2::ANCHOR_BOTH, captures.data(), groups + 1)) {
    result.problem = "does not match the custom pattern";
    return result;
  }
  if (it != names.end())
    answer_region->assign(captures[it->second].data(), captures[it->second].size());
  result.ok = true;
  result.value = 1.0;
  return result;
}

absl::StatusOr<FormatCheck> CheckFormat(std::string_view completion, bool think_prefilled,
                                        const RewardSpec& spec) {
  FormatCheck check;
  check.answer_text = completion;
  switch (spec.format) {
    case FormatTemplate::kR1:
      check.format = CheckR1Format(completion, think_prefilled);
      check.answer_tag = true;
      break;
    case FormatTemplate::kThinkOnly: {
      std::string_view region;
      check.format = CheckThinkOnlyFormat(completion, think_prefilled, &region);
      // The answer follows the reasoning; without a well-formed </think>, after the last one.
      if (size_t close = completion.rfind(kThinkClose); close != std::string_view::npos) {
        check.answer_text = completion.substr(close + kThinkClose.size());
      }
      break;
    }
    case FormatTemplate::kCustom: {
      absl::StatusOr<FormatResult> f =
          CheckCustomFormat(completion, think_prefilled, spec.format_pattern, &check.answer);
      if (!f.ok()) return f.status();
      check.format = *std::move(f);
      if (!check.format.ok) check.answer.clear();
      break;
    }
    case FormatTemplate::kNone:
      check.format.template_name = "none";
      check.format.ok = true;
      check.format.value = 1.0;
      return check;
  }
  if (!check.format.ok && spec.format_partial_credit) {
    check.format.value = TagCountCredit(completion, spec.format);
  }
  return check;
}

double TagCountCredit(std::string_view text, FormatTemplate format) {
  if (format == FormatTemplate::kThinkOnly) {
    return 0.25 * ((CountOf(text, kThinkOpen) == 1) + (CountOf(text, kThinkClose) == 1));
  }
  double credit = 0.0;
  for (std::string_view tag : {kThinkOpen, kThinkClose, kAnswerOpen, kAnswerClose}) {
    credit += CountOf(text, tag) == 1 ? 0.25 : 0.0;
  }
  return std::min(credit, 0.75);
}

}  // namespace verdict
