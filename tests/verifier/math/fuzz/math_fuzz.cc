// libFuzzer target for math answer checking: extraction + parsing + comparison (issue 3).
// The input is split at the first '\n' or '\0' into a gold answer and a completion; both entry
// points run on it, and the contract in verifier/math/verify.h is checked: a verdict for every
// input (no crash, no hang), matched_gold consistent with the outcome, and the same verdict when
// the call is repeated (budgets are counts, not timers).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "verifier/math/verify.h"

namespace {

void CheckContract(const verdict::math::MathVerdict& v) {
  using verdict::math::Outcome;
  switch (v.outcome) {
    case Outcome::kCorrect:
      if (v.matched_gold != 0) std::abort();  // one gold: index 0
      break;
    case Outcome::kWrong:
    case Outcome::kNoAnswer:
    case Outcome::kUnparseable:
    case Outcome::kUndecided:
      if (v.matched_gold != -1) std::abort();
      break;
    default: std::abort();  // not an Outcome
  }
  if (v.outcome == Outcome::kNoAnswer && !v.extracted.empty()) std::abort();
}

bool SameVerdict(const verdict::math::MathVerdict& a, const verdict::math::MathVerdict& b) {
  return a.outcome == b.outcome && a.source == b.source && a.extracted == b.extracted &&
         a.canonical == b.canonical && a.matched_gold == b.matched_gold && a.reason == b.reason;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using verdict::math::MathVerdict;
  using verdict::math::VerifyAnswer;
  using verdict::math::VerifyCompletion;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t cut = input.find_first_of(std::string_view("\n\0", 2));
  const std::vector<std::string> golds = {
      std::string(cut == std::string_view::npos ? input : input.substr(0, cut))};
  const std::string_view completion =
      cut == std::string_view::npos ? std::string_view() : input.substr(cut + 1);

  CheckContract(VerifyCompletion(completion, golds));
  const MathVerdict by_answer = VerifyAnswer(completion, golds);
  CheckContract(by_answer);
  if (!SameVerdict(by_answer, VerifyAnswer(completion, golds))) std::abort();
  // The completion as a gold and the gold as an answer: gold parsing sees hostile text too.
  CheckContract(VerifyAnswer(golds[0], std::vector<std::string>{std::string(completion)}));
  return 0;
}
