// Finding the final answer: in a completion, in a bare answer, and in a gold answer
// (DESIGN.md §5 "Answer extraction"). How the answer is read is parse.h's job; this file only
// decides which part of the text is the answer.
//
// Contract: pure functions of their input and options, linear in the text (no input-driven
// recursion), safe to call from any thread. A region that was found but holds no single answer
// (several <answer> blocks, a box the text after it retracts) is reported, never guessed at.
#ifndef VERDICT_VERIFIER_MATH_EXTRACT_H_
#define VERDICT_VERIFIER_MATH_EXTRACT_H_

#include <string>
#include <string_view>

namespace verdict::math {

// Where the answer was found in the completion.
enum class AnswerSource {
  kNone,               // nothing that marks a final answer
  kAnswerTag,          // <answer> ... </answer>
  kBoxed,              // the last \boxed{...} or \fbox{...} (with the boxes listed beside it)
  kFinalAnswerPhrase,  // "The final answer is ...", "Answer: ...", "**Answer:** ..."
  kGsm8kMarker,        // a last line "#### 18" (GSM8K's answer marker)
  kWholeText,          // the text was given as a bare answer (VerifyAnswer)
};

// "answer_tag", "boxed", ... as used on the wire and in explanations.
std::string_view AnswerSourceName(AnswerSource source);

struct ExtractOptions {
  // Look for an <answer>...</answer> block first (R1 template). Default true.
  bool use_answer_tag = true;
  // Fall back to the last number anywhere in the text. Default false: it rewards guessing.
  bool last_number_fallback = false;
};

struct Extraction {
  AnswerSource source = AnswerSource::kNone;
  // The answer as found, narrowed to the math span or value its sentence states, with GSM8K
  // calculator notes (`<<9*2=18>>`) dropped. Empty for kNone and when `refusal` is set.
  std::string text;
  // Set when an answer region was found but holds no single answer: several <answer> blocks, or
  // a box that the text after it retracts without stating another value. The caller reports it
  // as unparseable with this reason.
  std::string refusal;
  // How the region was narrowed, for explanations; empty when the region was taken as found.
  std::string note;
};

// The final answer of a completion, never from its reasoning: text inside <think>...</think> or
// after an unclosed <think> is not searched (the answer follows the last "</think>"). Priority:
// the <answer> block (when `use_answer_tag`; several
// blocks are a refusal); else the last \boxed{} (adjacent boxes are one list; a later
// final-answer statement or a retraction after it wins); else a last "#### 18" line; else a
// final-answer phrase, narrowed to the math span or value of its sentence. kNone when nothing
// marks an answer.
Extraction ExtractAnswer(std::string_view completion, const ExtractOptions& options);

// A text given as the answer itself (`verdict check GOLD ANSWER`): its marked part if it has one
// (ExtractAnswer's rules, reasoning excluded), else the text outside <think> (kWholeText; a refusal
// when only reasoning is left), narrowed when it is one sentence stating one value
// ("Therefore $x \geq 5$ is the solution." -> `x \geq 5`).
Extraction ExtractBareAnswer(std::string_view answer, const ExtractOptions& options);

// A gold answer as datasets write it: GSM8K's "#### 42", a whole solution reduced to its boxed
// answer (boxes side by side are one list) or to its final-answer phrase, a one-sentence answer
// narrowed like a bare answer, else the text itself. `note` is set when prose was dropped.
Extraction ExtractGold(std::string_view gold);

}  // namespace verdict::math

#endif  // VERDICT_VERIFIER_MATH_EXTRACT_H_
