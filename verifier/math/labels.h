// What a written relation answers when its left side only names a quantity (DESIGN §5: "A named
// left side is a label, not part of the answer").
//
// `(p,q)=(3,2)`, `f(x)=1`, `|AB|=1`, `\frac{NO}{BO}=\frac{1}{\sqrt6}`, `AB=4` state the values
// `(3,2)`, `1`, `1`, `\frac{1}{\sqrt6}`, `4`: the left side holds no number, it is a name. A
// chain `x = 5+5+1 = 11` states its last side reached by `=`; sides after it written with
// `\approx` are approximations of it (`x = 1/3 \approx 0.33` states 1/3). Equations that are not
// definitions keep their meaning: `\boxed{9=2}`, `x^2+y^2=1`, `2x = 6` state no value, and
// neither does `x = 2x - 5` (the name appears in the value), nor `x = 6 = x = 5` (the name on a
// later side: several statements), nor `|x| = 3` (a lone variable under `| |` is an equation to
// solve, not the name of a length).
//
// Pure functions of the tree; no recursion (explicit stacks), so any tree the parser accepts is
// safe. Thread-safe.
#ifndef VERDICT_VERIFIER_MATH_LABELS_H_
#define VERDICT_VERIFIER_MATH_LABELS_H_

#include <cstdint>
#include <optional>
#include <string_view>

#include "verifier/math/ast.h"

namespace verdict::math {

// Whether `node` names a quantity and holds no number: a variable (`x`, `x_1`, `\alpha`), a
// product or quotient of names (`AB`, `f(x)`, `\frac{NO}{BO}`), a tuple of names (`(p,q)`), the
// absolute value of a product of names (`|AB|`), or a word (`\text{Maximum}`). Also a function
// applied to an argument that does not mention it, numbers allowed (`f(2)`, `P(X=2)`): it names
// one value.
bool IsLabel(const Tree& tree, int32_t node);

// A definition `label = ... = value`: the label side and the value it states.
struct Statement {
  int32_t label = -1;
  int32_t value = -1;
};

// The statement a relation makes when its first side is a label and every operator is `=` or
// `\approx` (see the file comment); nullopt for any other relation or node.
std::optional<Statement> StatedValue(const Tree& tree, int32_t node);

// A ratio of names on the left of `=` is a label too (`V_{1}:V_{2}=11:21`, `S_{MBCN}:S=7:32`,
// `A:B=1`): returns the text after that `=`, or `text` itself when it does not start with such a
// label. Works on the cleaned text (CleanAnswerText) before parsing, since `:` between names is
// not an expression the parser reads. Linear in the text's length.
std::string_view StripRatioLabel(std::string_view text);

}  // namespace verdict::math

#endif  // VERDICT_VERIFIER_MATH_LABELS_H_
