// FOUNDATION PLACEHOLDER: extraction per DESIGN §5 and exact comparison of normalised text.
// The math-verifier issue replaces the comparison (and hardens extraction) behind verify.h.
#include "verifier/math/verify.h"

#include <algorithm>
#include <cctype>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"

namespace verdict::math {
namespace {

// Finds the content of the last \boxed{...} or \fbox{...} with balanced braces, or of `\boxed 5`.
bool LastBoxed(std::string_view text, std::string_view* out) {
  size_t best = std::string_view::npos;
  size_t best_len = 0;
  for (std::string_view cmd : {std::string_view("\\boxed"), std::string_view("\\fbox")}) {
    size_t pos = text.rfind(cmd);
    if (pos == std::string_view::npos) continue;
    if (best != std::string_view::npos && pos < best) continue;
    best = pos;
    best_len = cmd.size();
  }
  if (best == std::string_view::npos) return false;
  size_t i = best + best_len;
  while (i < text.size() && text[i] == ' ') ++i;
  if (i < text.size() && text[i] == '{') {
    int depth = 0;
    for (size_t j = i; j < text.size(); ++j) {
      if (text[j] == '\\' && j + 1 < text.size()) {
        ++j;  // an escaped brace does not count
        continue;
      }
      if (text[j] == '{') ++depth;
      if (text[j] == '}' && --depth == 0) {
        *out = text.substr(i + 1, j - i - 1);
        return true;
      }
    }
    return false;  // unbalanced
  }
  // \boxed 5: the next run of non-space characters.
  size_t j = i;
  while (j < text.size() && !std::isspace(static_cast<unsigned char>(text[j])) && text[j] != '$') ++j;
  if (j == i || i == best + best_len) return false;  // "\boxedfoo" is another command
  *out = text.substr(i, j - i);
  return true;
}

bool AnswerTag(std::string_view text, std::string_view* out) {
  size_t open = text.rfind("<answer>");
  if (open == std::string_view::npos) return false;
  size_t start = open + 8;
  size_t close = text.find("</answer>", start);
  *out = text.substr(start, close == std::string_view::npos ? text.size() - start : close - start);
  return true;
}

bool FinalAnswerPhrase(std::string_view text, std::string_view* out) {
  static constexpr std::string_view kPhrases[] = {"final answer is", "Final Answer:",
                                                  "final answer:", "Answer:", "answer is"};
  size_t best = std::string_view::npos;
  size_t best_end = 0;
  for (std::string_view p : kPhrases) {
    size_t pos = text.rfind(p);
    if (pos != std::string_view::npos && (best == std::string_view::npos || pos > best)) {
      best = pos;
      best_end = pos + p.size();
    }
  }
  if (best == std::string_view::npos) return false;
  std::string_view rest = text.substr(best_end);
  size_t nl = rest.find('\n');
  if (nl != std::string_view::npos) rest = rest.substr(0, nl);
  *out = rest;
  return true;
}

// Normalises answer text for the placeholder's exact comparison: strips $, \left/\right, spaces,
// a trailing period, \text{}, and a surrounding \boxed{}.
std::string Normalise(std::string_view in) {
  std::string_view boxed;
  std::string s(LastBoxed(in, &boxed) ? boxed : in);
  s = absl::StrReplaceAll(s, {{"$", ""}, {"\\left", ""}, {"\\right", ""}, {"\\!", ""},
                              {"\\,", ""}, {"\\dfrac", "\\frac"}, {"\\tfrac", "\\frac"},
                              {"\\text{", "{"}, {"\\mathrm{", "{"}});
  s.erase(std::remove_if(s.begin(), s.end(),
                         [](unsigned char c) { return std::isspace(c) != 0; }),
          s.end());
  while (!s.empty() && (s.back() == '.')) s.pop_back();
  if (s.size() >= 2 && s.front() == '{' && s.back() == '}') s = s.substr(1, s.size() - 2);
  return s;
}

MathVerdict Compare(std::string_view region, AnswerSource source,
                    absl::Span<const std::string> golds, const MathOptions& options) {
  MathVerdict v;
  v.source = source;
  if (region.size() > options.max_answer_bytes) {
    v.outcome = Outcome::kUndecided;
    v.extracted = std::string(region.substr(0, 256));
    v.reason = absl::StrCat("answer region of ", region.size(), " bytes exceeds the ",
                            options.max_answer_bytes, "-byte budget");
    return v;
  }
  v.extracted = std::string(absl::StripAsciiWhitespace(absl::string_view(region.data(), region.size())));
  if (golds.empty()) {
    v.outcome = Outcome::kUnparseable;
    v.reason = "no gold answer to compare with";
    return v;
  }
  v.canonical = Normalise(region);
  if (v.canonical.empty()) {
    v.outcome = Outcome::kUnparseable;
    v.reason = "answer region is empty";
    return v;
  }
  for (size_t i = 0; i < golds.size(); ++i) {
    std::string_view gold = golds[i];
    size_t hashes = gold.rfind("####");  // GSM8K style: the answer follows "####"
    if (hashes != std::string_view::npos) gold = gold.substr(hashes + 4);
    if (Normalise(gold) == v.canonical) {
      v.outcome = Outcome::kCorrect;
      v.matched_gold = static_cast<int>(i);
      v.reason = "equal after text normalisation (placeholder comparison)";
      return v;
    }
  }
  v.outcome = Outcome::kWrong;
  v.reason = "differs from every gold answer after text normalisation (placeholder comparison)";
  return v;
}

}  // namespace

std::string_view AnswerSourceName(AnswerSource source) {
  switch (source) {
    case AnswerSource::kNone: return "none";
    case AnswerSource::kAnswerTag: return "answer_tag";
    case AnswerSource::kBoxed: return "boxed";
    case AnswerSource::kFinalAnswerPhrase: return "final_answer_phrase";
    case AnswerSource::kWholeText: return "whole_text";
  }
  return "none";
}

std::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kCorrect: return "correct";
    case Outcome::kWrong: return "wrong";
    case Outcome::kNoAnswer: return "no_answer";
    case Outcome::kUnparseable: return "unparseable";
    case Outcome::kUndecided: return "undecided";
  }
  return "undecided";
}

MathVerdict VerifyCompletion(std::string_view completion, absl::Span<const std::string> golds,
                             const MathOptions& options) {
  if (completion.size() > options.max_completion_bytes) {
    completion = completion.substr(completion.size() - options.max_completion_bytes);
  }
  std::string_view region;
  if (options.extract.use_answer_tag && AnswerTag(completion, &region)) {
    return Compare(region, AnswerSource::kAnswerTag, golds, options);
  }
  if (LastBoxed(completion, &region)) return Compare(region, AnswerSource::kBoxed, golds, options);
  if (FinalAnswerPhrase(completion, &region)) {
    return Compare(region, AnswerSource::kFinalAnswerPhrase, golds, options);
  }
  MathVerdict v;
  v.outcome = Outcome::kNoAnswer;
  v.reason = options.extract.use_answer_tag
                 ? "no <answer> block, no \\boxed{} and no final-answer phrase"
                 : "no \\boxed{} and no final-answer phrase";
  return v;
}

MathVerdict VerifyAnswer(std::string_view answer, absl::Span<const std::string> golds,
                         const MathOptions& options) {
  MathVerdict marked = VerifyCompletion(answer, golds, options);
  if (marked.outcome != Outcome::kNoAnswer) return marked;
  return Compare(answer, AnswerSource::kWholeText, golds, options);
}

}  // namespace verdict::math
