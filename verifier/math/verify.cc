// Extraction (extract.h), then parse (parse.h) and compare (compare.h).
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

std::string_view Trim(std::string_view s) {
  absl::string_view t = absl::StripAsciiWhitespace(absl::string_view(s.data(), s.size()));
  return std::string_view(t.data(), t.size());
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

// Appends the notes on how the answer and the gold were narrowed to a verdict's reason.
void AddNotes(std::string_view answer_note, std::string_view gold_note, std::string* reason) {
  if (answer_note.empty() && gold_note.empty()) return;
  reason->append(" (");
  if (!answer_note.empty()) reason->append("answer read as ").append(answer_note);
  if (!answer_note.empty() && !gold_note.empty()) reason->append("; ");
  reason->append(gold_note).append(")");
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
  std::string undecided, first_difference, undecided_note, difference_note;
  for (size_t i = 0; i < golds.size(); ++i) {
    const Extraction gold_found = ExtractGold(golds[i]);
    const std::string_view gold_text = gold_found.text;
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
      AddNotes(found.note, gold_found.note, &v.reason);
      return v;
    }
    if (c.decision == Decision::kUndecided && undecided.empty()) {
      undecided = std::move(c.rule);
      undecided_note = gold_found.note;
    }
    if (c.decision == Decision::kDifferent && first_difference.empty()) {
      first_difference = std::move(c.rule);
      difference_note = gold_found.note;
    }
  }
  if (!undecided.empty()) {
    v.outcome = Outcome::kUndecided;
    v.reason = std::move(undecided);
    AddNotes(found.note, undecided_note, &v.reason);
    return v;
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
