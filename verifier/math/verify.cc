// Extraction per DESIGN §5, then parse (parse.h) and compare (compare.h).
#include "verifier/math/verify.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace verdict::math {
namespace {

// Finds the content of the last \boxed{...} or \fbox{...} with balanced braces, or of `\boxed 5`.
bool LastBoxed(std::string_view text, std::string_view* out, size_t* command_start = nullptr,
               size_t* end = nullptr) {
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
        if (command_start != nullptr) *command_start = best;
        if (end != nullptr) *end = j + 1;
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
  if (command_start != nullptr) *command_start = best;
  if (end != nullptr) *end = j;
  return true;
}

// The last \boxed{} and, when it ends an enumeration of boxes ("\boxed{A}, \boxed{B} and
// \boxed{C}": only spaces, commas, dollars, "and", "or" between them), all of them as one list:
// several candidates, which never match a single gold answer.
bool BoxedRegion(std::string_view text, std::string* storage, std::string_view* out) {
  size_t start = 0;
  if (!LastBoxed(text, out, &start)) return false;
  std::vector<std::string_view> chain = {*out};
  for (int guard = 0; guard < 64; ++guard) {
    size_t k = start;
    while (true) {
      while (k > 0 && (text[k - 1] == ' ' || text[k - 1] == '\t' || text[k - 1] == '$' ||
                       text[k - 1] == ',' || text[k - 1] == ';' || text[k - 1] == '\n')) {
        --k;
      }
      if (k >= 3 && text.substr(k - 3, 3) == "and") {
        k -= 3;
        continue;
      }
      if (k >= 2 && text.substr(k - 2, 2) == "or") {
        k -= 2;
        continue;
      }
      break;
    }
    if (k == 0 || text[k - 1] != '}') break;
    std::string_view prev;
    size_t prev_start = 0, prev_end = 0;
    if (!LastBoxed(text.substr(0, k), &prev, &prev_start, &prev_end) || prev_end != k) break;
    chain.push_back(prev);
    start = prev_start;
  }
  if (chain.size() == 1) return true;
  storage->clear();
  for (size_t i = chain.size(); i-- > 0;) {
    absl::StrAppend(storage, storage->empty() ? "" : ", ", "{",
                    absl::string_view(chain[i].data(), chain[i].size()), "}");
  }
  *out = *storage;
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

// "The final answer is $x$. I hope it is correct." / "Answer: 42" / "the answer is **73**":
// the math span after the last such phrase, or the rest of its sentence.
bool FinalAnswerPhrase(std::string_view text, std::string_view* out) {
  static constexpr std::string_view kPhrases[] = {"final answer is", "final answer:",
                                                  "answer:", "answer is"};
  // Case-insensitive search over the tail, where final answers are.
  size_t base = text.size() > 8192 ? text.size() - 8192 : 0;
  std::string tail = absl::AsciiStrToLower(absl::string_view(text.data() + base, text.size() - base));
  size_t best = std::string::npos;
  size_t best_end = 0;
  for (std::string_view p : kPhrases) {
    size_t pos = tail.rfind(p);
    if (pos != std::string::npos && (best == std::string::npos || pos > best)) {
      best = pos;
      best_end = pos + p.size();
    }
  }
  if (best == std::string::npos) return false;
  std::string_view rest = text.substr(base + best_end);
  while (!rest.empty() && (rest.front() == ' ' || rest.front() == ':' || rest.front() == '\t')) {
    rest.remove_prefix(1);
  }
  while (!rest.empty() && rest.front() == '\n') rest.remove_prefix(1);
  if (!rest.empty() && rest.front() == '$') {  // $...$ or $$...$$
    size_t open = rest.size() > 1 && rest[1] == '$' ? 2 : 1;
    size_t close = rest.find('$', open);
    if (close != std::string_view::npos) {
      *out = rest.substr(open, close - open);
      return true;
    }
  }
  size_t nl = rest.find('\n');
  if (nl != std::string_view::npos) rest = rest.substr(0, nl);
  // End of the sentence: ". " or a final "." (a decimal point has a digit after it).
  for (size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '.' && (i + 1 == rest.size() || rest[i + 1] == ' ')) {
      rest = rest.substr(0, i);
      break;
    }
  }
  *out = rest;
  return !absl::StripAsciiWhitespace(absl::string_view(rest.data(), rest.size())).empty();
}

// The last number written anywhere (ExtractOptions::last_number_fallback).
bool LastNumber(std::string_view text, std::string_view* out) {
  size_t end = text.size();
  while (end > 0 && !std::isdigit(static_cast<unsigned char>(text[end - 1]))) --end;
  if (end == 0) return false;
  size_t start = end;
  while (start > 0 && (std::isdigit(static_cast<unsigned char>(text[start - 1])) ||
                       text[start - 1] == '.')) {
    --start;
  }
  if (start > 0 && text[start - 1] == '-') --start;
  *out = text.substr(start, end - start);
  return true;
}

std::string_view Trim(std::string_view s) {
  absl::string_view t = absl::StripAsciiWhitespace(absl::string_view(s.data(), s.size()));
  return std::string_view(t.data(), t.size());
}

// A gold answer as written in datasets: GSM8K's "#### 42", a boxed answer, or plain.
std::string_view GoldText(std::string_view gold) {
  size_t hashes = gold.rfind("####");
  if (hashes != std::string_view::npos) gold = gold.substr(hashes + 4);
  std::string_view boxed;
  if (LastBoxed(gold, &boxed)) gold = boxed;
  return Trim(gold);
}

std::string Clip(std::string s, size_t n) {
  if (s.size() > n) {
    s.resize(n);
    s += "...";
  }
  return s;
}

std::string CollapsedText(std::string_view s) {
  std::string out;
  for (char c : CleanAnswerText(s)) {
    if (!std::isspace(static_cast<unsigned char>(c))) out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
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
  v.extracted = std::string(Trim(region));
  if (golds.empty()) {
    v.outcome = Outcome::kUnparseable;
    v.reason = "no gold answer to compare with";
    return v;
  }
  if (v.extracted.empty()) {
    v.outcome = Outcome::kUnparseable;
    v.reason = "the answer region is empty";
    return v;
  }
  // Identical answers are equal even where neither parses (`12:00`, an unknown command).
  for (size_t i = 0; i < golds.size(); ++i) {
    if (SameAnswerText(GoldText(golds[i]), region)) {
      v.outcome = Outcome::kCorrect;
      v.matched_gold = static_cast<int>(i);
      v.reason = "the same answer text after normalisation";
      return v;
    }
  }
  ParseResult pred = ParseAnswer(region, options.limits);
  if (pred.status == ParseResult::Status::kBudget) {
    v.outcome = Outcome::kUndecided;
    v.reason = absl::StrCat("reading the answer ran out of budget: ", pred.error);
    return v;
  }
  if (pred.status != ParseResult::Status::kOk) {
    v.outcome = Outcome::kUnparseable;
    v.reason = absl::StrCat("could not read the answer: ", pred.error);
    return v;
  }
  v.canonical = Clip(CanonicalForm(pred.tree), 1024);
  std::string undecided;
  std::string first_difference;
  for (size_t i = 0; i < golds.size(); ++i) {
    std::string_view gold_text = GoldText(golds[i]);
    ParseResult gold = ParseAnswer(gold_text, options.limits);
    Comparison c;
    if (gold.status != ParseResult::Status::kOk) {
      // A gold answer that is not math (or not readable): compare the texts.
      bool same = CollapsedText(gold_text) == CollapsedText(region);
      c = {same ? Decision::kEqual : Decision::kDifferent,
           absl::StrCat("gold not readable as math (", gold.error, "); compared as text")};
    } else {
      c = CompareAnswers(gold.tree, pred.tree, options.compare, options.limits);
    }
    if (c.decision == Decision::kEqual) {
      v.outcome = Outcome::kCorrect;
      v.matched_gold = static_cast<int>(i);
      v.reason = std::move(c.rule);
      return v;
    }
    if (c.decision == Decision::kUndecided && undecided.empty()) undecided = std::move(c.rule);
    if (c.decision == Decision::kDifferent && first_difference.empty()) {
      first_difference = std::move(c.rule);
    }
  }
  if (!undecided.empty()) {
    v.outcome = Outcome::kUndecided;
    v.reason = std::move(undecided);
    return v;
  }
  v.outcome = Outcome::kWrong;
  v.reason = std::move(first_difference);
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
    std::string_view boxed;  // <answer>\boxed{6!}</answer>
    if (LastBoxed(region, &boxed)) region = boxed;
    return Compare(region, AnswerSource::kAnswerTag, golds, options);
  }
  std::string storage;
  if (BoxedRegion(completion, &storage, &region)) {
    return Compare(region, AnswerSource::kBoxed, golds, options);
  }
  if (FinalAnswerPhrase(completion, &region)) {
    return Compare(region, AnswerSource::kFinalAnswerPhrase, golds, options);
  }
  if (options.extract.last_number_fallback && LastNumber(completion, &region)) {
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
