// Structural rewrites applied to a parsed answer before comparison (compare.h), each reading a
// written form as the plain form the comparison rules know:
//  - matrix arithmetic: `2\begin{pmatrix}1&2\end{pmatrix}`, `A + B`, `A - B`, `-A` and
//    products `A B` of matrices with matching shapes become one matrix whose entries are the
//    scalar expressions (`A + B` = the matrix of `a_ij + b_ij`), compared entry by entry;
//  - absolute-value inequalities in one variable with constant bounds: `|x| < b` is
//    `-b < x < b`, `|x| > b` is `x < -b or x > b`, `a \le |x| \le b` is
//    `x \in [-b, -a] \cup [a, b]` (for constant a, b > 0; other bounds are left as written).
//  - sums and products with integer constant bounds, at most 1000 terms: written out
//    (`\sum_{k=1}^{10} k` is 1 + 2 + ... + 10); others stay opaque (parse.cc ParseBigOperator).
// The result is a copy with nodes added, its size bounded by Limits::max_nodes; no recursion.
// Pure and thread-safe.
#ifndef VERDICT_VERIFIER_MATH_REWRITE_H_
#define VERDICT_VERIFIER_MATH_REWRITE_H_

#include "verifier/math/ast.h"
#include "verifier/math/parse.h"

namespace verdict::math {

// Writes the rewritten tree to `out` and returns true when any rewrite applied; returns false
// (and leaves `out` unspecified) when none did or the node budget would be exceeded.
bool RewriteForComparison(const Tree& in, const Limits& limits, Tree* out);

}  // namespace verdict::math

#endif  // VERDICT_VERIFIER_MATH_REWRITE_H_
