// Math answer checking: extract the final answer from a completion, read it, and decide whether it
// is equivalent to one of the gold answers.
//
// Contract (DESIGN.md §4, §5):
//  - Pure functions of their inputs and options: no I/O, no globals, no signals or timers; safe to
//    call from any number of threads at once.
//  - Every call is bounded by the deterministic budgets in `MathOptions`: the same input gets the
//    same verdict on any machine, from any thread. Running out of budget is `kUndecided`, never a
//    crash or a hang.
//  - A wrong, missing or unreadable answer is a verdict (an `Outcome`), not an error.
//
// Finding the answer: extract.h. Reading and comparing answers: parse.h (LaTeX and plain text to
// an expression tree, with budgets), compare.h (the equivalence rules), value.h (exact GMP and
// 256-bit MPFR arithmetic).
#ifndef VERDICT_VERIFIER_MATH_VERIFY_H_
#define VERDICT_VERIFIER_MATH_VERIFY_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/types/span.h"
#include "verifier/math/compare.h"
#include "verifier/math/extract.h"
#include "verifier/math/parse.h"

namespace verdict::math {

enum class Outcome {
  kCorrect,      // equivalent to a gold answer
  kWrong,        // read and judged different from every gold answer
  kNoAnswer,     // no answer region in the completion
  kUnparseable,  // an answer region was found but could not be read
  kUndecided,    // the budget ran out before a decision
};

std::string_view OutcomeName(Outcome outcome);

struct MathOptions {
  ExtractOptions extract;
  // Longest answer region read, in bytes; longer ones are kUndecided. Default 64 KiB.
  size_t max_answer_bytes = 64 * 1024;
  // Longest completion searched for an answer, in bytes. A longer completion is searched only in
  // its last `max_completion_bytes` (final answers are at the end). Default 16 MiB.
  size_t max_completion_bytes = 16 * 1024 * 1024;
  // Depth, node, digit and step budgets for reading and comparing (parse.h).
  Limits limits;
  // Decimal and percentage policies (compare.h).
  CompareOptions compare;
};

struct MathVerdict {
  Outcome outcome = Outcome::kNoAnswer;
  AnswerSource source = AnswerSource::kNone;
  // The answer text as found in the completion (ExtractAnswer: narrowed to the value its
  // sentence states, boxes side by side as "{a}, {b}"); empty for kNoAnswer and for a refused
  // region (several <answer> blocks, a retracted or hedged answer).
  std::string extracted;
  // How the answer was read (canonical form); empty when it could not be read.
  std::string canonical;
  // Index of the gold answer that matched, -1 if none.
  int matched_gold = -1;
  // One line for a person: the rule that decided.
  std::string reason;
};

// Finds the final answer in `completion` (ExtractAnswer: <answer> block, last \boxed{}, "####"
// line, final-answer phrase) and compares it with `golds`, each reduced to its answer
// (ExtractGold). Empty `golds` is kUnparseable with a reason (the caller validates references
// before calling). Several <answer> blocks, or a box the text after it takes back, are
// kUnparseable.
MathVerdict VerifyCompletion(std::string_view completion, absl::Span<const std::string> golds,
                             const MathOptions& options = {});

// Compares a bare answer (already extracted, e.g. from `verdict check GOLD ANSWER`) with `golds`.
// If `answer` is itself a whole response containing an answer marker, the marked part is used,
// by the same rules as VerifyCompletion; else the whole text, narrowed when it is one sentence
// that states one value (ExtractBareAnswer).
MathVerdict VerifyAnswer(std::string_view answer, absl::Span<const std::string> golds,
                         const MathOptions& options = {});

}  // namespace verdict::math

#endif  // VERDICT_VERIFIER_MATH_VERIFY_H_
