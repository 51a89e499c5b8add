// Checks a response against instruction constraints (constraint.h). Pure functions of their
// input and options, thread-safe when `detect_language` is.
//
// Strict mode reads the response as it is. Loose mode is IFEval's "loose" accuracy: a constraint
// is followed when any of eight variants follows it (the response; without its first line,
// last line, or both; each of those with every '*' removed). A blank response follows nothing.
#ifndef VERDICT_VERIFIER_INSTRUCT_CHECK_H_
#define VERDICT_VERIFIER_INSTRUCT_CHECK_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "verifier/instruct/constraint.h"

namespace verdict::instruct {

// The language of a text as an ISO 639-1 code, or "" when the detector cannot place it reliably
// (no letters, too short, gibberish, no clear majority): such a text follows no language
// constraint. The scorer passes rewards' DetectLanguageIfReliable (CLD2).
using LanguageDetector = std::function<std::string(std::string_view)>;

struct CheckOptions {
  bool loose = false;  // IFEval loose variants (see above). Default strict.
  // Needed by language:response_language and change_case:english_*; when null, a constraint
  // of those ids is FAILED_PRECONDITION. Default null.
  LanguageDetector detect_language;
};

struct ConstraintOutcome {
  std::string id;
  bool followed = false;
  std::string detail;  // what was measured, e.g. "212 words, needs less than 300"
};

// One outcome per constraint, in order. INVALID_ARGUMENT for the first constraint that fails
// ValidateConstraint; FAILED_PRECONDITION as above. Never a pass for a constraint not checked.
absl::StatusOr<std::vector<ConstraintOutcome>> CheckConstraints(
    std::string_view response, const std::vector<Constraint>& constraints,
    const CheckOptions& options);

// ValidateConstraint over a list, plus: a list must hold at least one constraint.
absl::Status ValidateConstraints(const std::vector<Constraint>& constraints);

}  // namespace verdict::instruct

#endif  // VERDICT_VERIFIER_INSTRUCT_CHECK_H_
