// Expression trees for math answers: what the parser (parse.h) produces and the comparison
// (compare.h) reads. Nodes live in one arena per parse (`Tree`), referenced by index, so a tree
// is a flat vector: no recursion on destruction, no per-node ownership.
#ifndef VERDICT_VERIFIER_MATH_AST_H_
#define VERDICT_VERIFIER_MATH_AST_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace verdict::math {

enum class Op : uint8_t {
  kNumber,    // a literal: `text` holds the digits, `exp10` the power of ten (1.25 = 125e-2)
  kSymbol,    // a variable: `text` is its name ("x", "x_1", "\alpha")
  kPi,        // the constant pi
  kE,         // Euler's number
  kI,         // the imaginary unit
  kInfinity,  // +infinity (negative infinity is kNeg of it)
  kAdd,       // n-ary sum
  kMul,       // n-ary product
  kNeg,       // unary minus
  kDiv,       // a / b (also \frac)
  kPow,       // a ^ b
  kFunc,      // `text` names the function; kids: argument (and base for log)
  kFactorial,
  kBinom,      // \binom{n}{k}
  kAbs,        // |a|
  kPercent,    // a% (kid: a)
  kDegree,     // a degrees (kid: a); read as a
  kUnit,       // a with a unit written after it (`text` = the unit); read as a
  kMixed,      // mixed number a b/c: kids a, b, c
  kPlusMinus,  // a +- b (two kids) or +- a (one kid); `flags` holds kMinusPlus for \mp
  kTuple,      // ordered (a, b, ...); flags: kParenOpen/kParenClose say the brackets used
  kSet,        // \{ a, b \}: order-free; no kids is the empty set
  kList,       // a, b, c at the top level or inside braces: several answers; flags kOrList
  kInterval,   // [a, b): kids lo, hi; flags kLoClosed, kHiClosed
  kUnion,      // A \cup B
  kSetMinus,   // A \setminus B: kids A, B (the comparison reads B as a finite set of points)
  kMatrix,     // rows x cols kids in row order; `rows` holds the row count
  kDet,        // a determinant (vmatrix): kid is a kMatrix
  kRelation,   // a op b op c...: kids are the sides, `rels` the operators between them
  kText,       // plain text; `text` holds it lower-cased with spaces collapsed
  kReals,      // the real line (\mathbb{R})
};

// Relation operators for kRelation.
enum class Rel : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe, kIn, kApprox };

// The relation read from the right: `a < b` is `b > a`; =, \neq, \approx and \in unchanged.
inline Rel FlipRelation(Rel r) {
  switch (r) {
    case Rel::kLt: return Rel::kGt;
    case Rel::kLe: return Rel::kGe;
    case Rel::kGt: return Rel::kLt;
    case Rel::kGe: return Rel::kLe;
    default: return r;
  }
}

// Flag bits for Node::flags.
inline constexpr uint8_t kMinusPlus = 1;
inline constexpr uint8_t kParenOpen = 1;   // kTuple: written with '(' (else '[')
inline constexpr uint8_t kParenClose = 2;  // kTuple: written with ')' (else ']')
inline constexpr uint8_t kLoClosed = 1;    // kInterval
inline constexpr uint8_t kHiClosed = 2;    // kInterval
inline constexpr uint8_t kOrList = 1;      // kList: joined by "or"
inline constexpr uint8_t kDecimal = 1;     // kNumber: written with a decimal point or exponent

struct Node {
  Op op = Op::kNumber;
  uint8_t flags = 0;
  // kNumber: digits written after the decimal point (precision of a decimal literal).
  int32_t decimals = 0;
  // kNumber: value = digits * 10^exp10.
  int64_t exp10 = 0;
  // kMatrix: number of rows. kPlusMinus: index of this +- among the tree's +- nodes.
  int32_t rows = 0;
  std::string text;
  std::vector<int32_t> kids;
  std::vector<Rel> rels;  // kRelation only
};

struct Tree {
  std::vector<Node> nodes;
  int32_t root = -1;
  int32_t plus_minus_count = 0;  // number of kPlusMinus nodes

  const Node& at(int32_t i) const { return nodes[static_cast<size_t>(i)]; }
};

// An S-expression of the tree, for golden tests and debugging: (add (num 1) (sym x)).
std::string DumpTree(const Tree& tree, int32_t node);
inline std::string DumpTree(const Tree& tree) { return DumpTree(tree, tree.root); }

// A readable canonical form for explanations: plain-text math with sorted sums and products,
// e.g. "1/2*sqrt(3) + x^2". Two trees with the same canonical form are equal.
std::string CanonicalForm(const Tree& tree, int32_t node);
inline std::string CanonicalForm(const Tree& tree) { return CanonicalForm(tree, tree.root); }

std::string_view RelName(Rel rel);

}  // namespace verdict::math

#endif  // VERDICT_VERIFIER_MATH_AST_H_
