// Extraction (extract.h), then parse (parse.h) and compare (compare.h).
#include "verifier/math/verify.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "base/strings.h"

namespace verdict::math {
namespace {

std::string_view Trim(std::string_view s) { return ToStd(absl::StripAsciiWhitespace(ToAbsl(s))); }

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
    if (!std::isspace(static_cast<unsigned char>(c)))
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

// `1,22`, `-1000,99`, `0,111` (dollar signs and spaces around allowed): two integers joined by
// one comma that cannot be a thousands separator (the digits after it are not exactly three, or
// the part before it is 0), read with a decimal point instead; nullopt for anything else. A
// comma with a space beside it separates a list (`9, 0` is two answers, never 9.0).
std::optional<std::string> DecimalCommaReading(std::string_view text) {
  for (size_t i = text.find(','); i != std::string_view::npos; i = text.find(',', i + 1)) {
    const bool space_before = i > 0 && std::isspace(static_cast<unsigned char>(text[i - 1]));
    const bool space_after =
        i + 1 < text.size() && std::isspace(static_cast<unsigned char>(text[i + 1]));
    if (space_before || space_after) return std::nullopt;
  }
  std::string t;
  for (char c : text) {
    if (c != '$' && !std::isspace(static_cast<unsigned char>(c))) t.push_back(c);
  }
  size_t i = t.empty() || t[0] != '-' ? 0 : 1;
  size_t comma = t.find(',');
  if (comma == std::string::npos || comma == i || comma + 1 == t.size()) return std::nullopt;
  for (size_t k = i; k < t.size(); ++k) {
    if (k != comma && !std::isdigit(static_cast<unsigned char>(t[k]))) return std::nullopt;
  }
  const bool thousands_shape = t.size() - comma - 1 == 3 && !(comma == i + 1 && t[i] == '0');
  if (thousands_shape) return std::nullopt;
  t[comma] = '.';
  return t;
}

// Appends the notes on how the answer and the gold were narrowed to a verdict's reason.
void AddNotes(std::string_view answer_note, std::string_view gold_note, std::string* reason) {
  if (answer_note.empty() && gold_note.empty()) return;
  reason->append(" (");
  if (!answer_note.empty()) reason->append("answer read as ").append(answer_note);
  if (!answer_note.empty() && !gold_note.empty()) reason->append("; ");
  reason->append(gold_note).append(")");
}

// CompareAnswers, unless both answers name their ratio and the names differ (`V_{2}:V_{1}=11:21`
// against `V_{1}:V_{2}=11:21`): the value alone would match. A bare value against a named one is
// compared by value.
Comparison CompareParsed(const ParseResult& gold, const ParseResult& pred,
                         const MathOptions& options) {
  if (!gold.ratio_label.empty() && !pred.ratio_label.empty() &&
      gold.ratio_label != pred.ratio_label) {
    return {Decision::kDifferent, absl::StrCat("ratios of different names: answer ",
                                               pred.ratio_label, ", gold ", gold.ratio_label)};
  }
  return CompareAnswers(gold.tree, pred.tree, options.compare, options.limits);
}

MathVerdict Compare(const Extraction& found, absl::Span<const std::string> golds,
                    const MathOptions& options) {
  MathVerdict v;
  v.source = found.source;
  if (!found.refusal.empty()) {
    v.outcome = Outcome::kUnparseable;
    v.reason = found.refusal;
    return v;
  }
  const std::string_view region = found.text;
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
  std::vector<Extraction> gold_found;
  gold_found.reserve(golds.size());
  for (const std::string& g : golds) gold_found.push_back(ExtractGold(g));
  ParseResult pred = ParseAnswer(region, options.limits);
  if (pred.status == ParseResult::Status::kOk) {
    v.canonical = Clip(CanonicalForm(pred.tree), 1024);
  }
  // Identical answers are equal even where neither parses (`12:00`, an unknown command).
  for (size_t i = 0; i < golds.size(); ++i) {
    if (SameAnswerText(gold_found[i].text, region)) {
      v.outcome = Outcome::kCorrect;
      v.matched_gold = static_cast<int>(i);
      v.reason = "the same answer text after normalisation";
      AddNotes(found.note, gold_found[i].note, &v.reason);
      return v;
    }
  }
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
  std::string undecided, first_difference, undecided_note, difference_note;
  for (size_t i = 0; i < golds.size(); ++i) {
    const std::string_view gold_text = gold_found[i].text;
    ParseResult gold = ParseAnswer(gold_text, options.limits);
    Comparison c;
    if (gold.status != ParseResult::Status::kOk) {
      // A gold answer that is not math (or not readable): compare the texts.
      bool same = CollapsedText(gold_text) == CollapsedText(region);
      c = {same ? Decision::kEqual : Decision::kDifferent,
           absl::StrCat("gold not readable as math (", gold.error, "); compared as text")};
    } else {
      c = CompareParsed(gold, pred, options);
    }
    if (c.decision == Decision::kEqual) {
      v.outcome = Outcome::kCorrect;
      v.matched_gold = static_cast<int>(i);
      v.reason = std::move(c.rule);
      AddNotes(found.note, gold_found[i].note, &v.reason);
      return v;
    }
    if (c.decision == Decision::kUndecided && undecided.empty()) {
      undecided = std::move(c.rule);
      undecided_note = gold_found[i].note;
    }
    if (c.decision == Decision::kDifferent && first_difference.empty()) {
      first_difference = std::move(c.rule);
      difference_note = gold_found[i].note;
    }
  }
  if (!undecided.empty()) {
    v.outcome = Outcome::kUndecided;
    v.reason = std::move(undecided);
    AddNotes(found.note, undecided_note, &v.reason);
    return v;
  }
  // The answer's decimal comma (`1000,99` against 1000.99), tried only once the plain reading
  // found no match, so an answer `1,2` still equals the list `1, 2`. Never on the gold's side:
  // a dataset's `1,2` is a list of two solutions far more often than 1.2.
  if (std::optional<std::string> decimal = DecimalCommaReading(region); decimal.has_value()) {
    ParseResult p = ParseAnswer(*decimal, options.limits);
    for (size_t i = 0; i < golds.size() && p.status == ParseResult::Status::kOk; ++i) {
      ParseResult g = ParseAnswer(gold_found[i].text, options.limits);
      if (g.status != ParseResult::Status::kOk) continue;
      Comparison c = CompareParsed(g, p, options);
      if (c.decision == Decision::kEqual) {
        v.outcome = Outcome::kCorrect;
        v.matched_gold = static_cast<int>(i);
        v.reason = absl::StrCat(c.rule, ", reading the answer's comma as a decimal comma");
        AddNotes(found.note, gold_found[i].note, &v.reason);
        return v;
      }
    }
  }
  v.outcome = Outcome::kWrong;
  v.reason = std::move(first_difference);
  AddNotes(found.note, difference_note, &v.reason);
  return v;
}

}  // namespace

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
  const Extraction found = ExtractAnswer(completion, options.extract);
  if (found.source != AnswerSource::kNone) return Compare(found, golds, options);
  MathVerdict v;
  v.outcome = Outcome::kNoAnswer;
  v.reason = options.extract.use_answer_tag
                 ? "no <answer> block, no \\boxed{}, no #### line and no final-answer phrase"
                 : "no \\boxed{}, no #### line and no final-answer phrase";
  // Reasoning is not searched (ExtractAnswer): say so where a box there may be what was meant.
  if (absl::StrContains(ToAbsl(completion), "<think>") ||
      absl::StrContains(ToAbsl(completion), "</think>")) {
    v.reason += " after the reasoning (<think> is not the answer)";
  }
  return v;
}

MathVerdict VerifyAnswer(std::string_view answer, absl::Span<const std::string> golds,
                         const MathOptions& options) {
  // A longer text is beyond max_answer_bytes as a whole too: its tail is enough to decide.
  if (answer.size() > options.max_completion_bytes) {
    answer = answer.substr(answer.size() - options.max_completion_bytes);
  }
  return Compare(ExtractBareAnswer(answer, options.extract), golds, options);
}

}  // namespace verdict::math
