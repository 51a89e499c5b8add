// The comparison behind compare.h, shared by its files: compare.cc (the dispatch by kind of
// answer), compare_structure.cc (assignments, tuples, vectors, lists and sets, texts, choices),
// compare_numbers.cc (scalars, constants, decimals, percents, degrees, approximations) and
// compare_relations.cc (equations, inequalities, intervals, true relations).
// Internal to verifier/math: include compare.h instead.
#ifndef VERDICT_VERIFIER_MATH_COMPARER_H_
#define VERDICT_VERIFIER_MATH_COMPARER_H_

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "verifier/math/ast.h"
#include "verifier/math/compare.h"
#include "verifier/math/labels.h"
#include "verifier/math/value.h"

namespace verdict::math::compare_internal {

inline constexpr int kPoints = 8;            // random evaluation points for free variables
inline constexpr int kMinPoints = 6;         // points where both sides must be defined
inline constexpr size_t kMaxElements = 256;  // elements of a set compared pairwise
// A numeric equality at 256 bits (tolerance 2^-200) is trusted as it stands when the written
// magnitudes need at most this many bits (PrecisionDemandBits); above, both sides are evaluated
// again at Complex::kHighPrecision, and above what that can resolve the answer is UNDECIDED.
inline constexpr double kDirectDemandBits = 150;

// A node of one of the two trees, with the signs chosen for its +- nodes.
struct Ref {
  const Tree* t;
  int32_t n;
  uint32_t mask = 0;
  bool pm_fixed = false;  // the +- signs are chosen: this is one element of an expansion
  const Node& node() const { return t->at(n); }
  Ref Kid(size_t k) const { return Ref{t, node().kids[k], mask, pm_fixed}; }
};

inline Ref Strip(Ref r) {
  while (r.node().op == Op::kUnit || r.node().op == Op::kDegree) r = r.Kid(0);
  return r;
}

inline void PlusMinusIndices(const Tree& t, int32_t node, std::vector<int>* out) {
  std::vector<int32_t> stack = {node};
  while (!stack.empty()) {
    const Node& n = t.at(stack.back());
    stack.pop_back();
    if (n.op == Op::kPlusMinus) out->push_back(n.rows);
    stack.insert(stack.end(), n.kids.begin(), n.kids.end());
  }
}

inline bool HasPlusMinus(Ref r) { return Contains(*r.t, r.n, Op::kPlusMinus); }

// Whether the subtree holds |.|, a square root or a fractional power (`\sqrt[4]{x^4}` is
// x^(1/4) of x^4), whose values differ from the argument's for negative arguments.
inline bool HasAbsOrSqrt(Ref r) {
  auto fractional = [&r](int32_t e) {
    const Node* n = &r.t->at(e);
    if (n->op == Op::kNeg) n = &r.t->at(n->kids[0]);
    return n->op == Op::kDiv || (n->op == Op::kNumber && (n->flags & kDecimal) != 0);
  };
  std::vector<int32_t> stack = {r.n};
  while (!stack.empty()) {
    const Node& n = r.t->at(stack.back());
    stack.pop_back();
    if (n.op == Op::kAbs || (n.op == Op::kFunc && n.text == "sqrt")) return true;
    if (n.op == Op::kPow && n.kids.size() == 2 && fractional(n.kids[1])) return true;
    stack.insert(stack.end(), n.kids.begin(), n.kids.end());
  }
  return false;
}

inline bool IsLoneSymbol(Ref r) { return Strip(r).node().op == Op::kSymbol; }

// Whether the subtree holds an ellipsis (`\cdots`, `\ldots`, `...`: parse.cc's `\dots` symbol).
// It stands for terms that are not written, so it is never a variable to evaluate or cancel.
inline bool HasEllipsis(Ref r) {
  std::vector<int32_t> stack = {r.n};
  while (!stack.empty()) {
    const Node& n = r.t->at(stack.back());
    stack.pop_back();
    if (n.op == Op::kSymbol && n.text == "\\dots") return true;
    stack.insert(stack.end(), n.kids.begin(), n.kids.end());
  }
  return false;
}

// +1 for infinity, -1 for minus infinity, 0 otherwise.
inline int InfinitySign(Ref r) {
  r = Strip(r);
  int sign = 1;
  while (r.node().op == Op::kNeg) {
    sign = -sign;
    r = Strip(r.Kid(0));
  }
  return r.node().op == Op::kInfinity ? sign : 0;
}

inline bool IsInequality(Rel r) {
  return r == Rel::kLt || r == Rel::kLe || r == Rel::kGt || r == Rel::kGe || r == Rel::kNe;
}

inline Comparison Eq(std::string rule) { return {Decision::kEqual, std::move(rule)}; }
inline Comparison Diff(std::string rule) { return {Decision::kDifferent, std::move(rule)}; }
inline Comparison Und(std::string rule) { return {Decision::kUndecided, std::move(rule)}; }

struct Interval {
  Ref lo, hi;
  int lo_inf = 0, hi_inf = 0;  // InfinitySign of the ends
  bool lo_closed = false, hi_closed = false;
};

inline std::string ExactText(const ExactValue& v) {
  if (v.is_real()) return v.re.get_str();
  return absl::StrCat(v.re.get_str(), " + ", v.im.get_str(), "i");
}

class Comparer {
 public:
  Comparer(const CompareOptions& options, const Limits& limits)
      : options_(options), budget_(limits) {}

  Comparison Equal(Ref a, Ref b);

  Comparison OutOfBudget() {
    return Und(absl::StrCat("budget exhausted: ",
                            budget_.what.empty() ? "evaluation steps" : budget_.what));
  }

 private:
  static Comparison Prefixed(const std::string& prefix, Comparison c) {
    c.rule = absl::StrCat(prefix, c.rule);
    return c;
  }

  static bool IsFunctionWord(std::string_view w) {
    // Not "he", "she", "this", "that": they can be what tells two answers apart.
    for (std::string_view f : {"it", "it's", "its", "the", "a", "an", "is", "was", "are", "were",
                               "be", "been", "has", "have", "had", "there", "answer", "final"}) {
      if (w == f) return true;
    }
    return false;
  }

  static bool NamesTheEmptySet(const std::string& text) {
    for (const char* words :
         {"no solution", "no solutions", "no real solution", "no real solutions", "none",
          "empty set", "the empty set", "no real roots", "no roots"}) {
      if (text == words) return true;
    }
    return false;
  }

  bool IsCollection(Ref r) {
    Op op = r.node().op;
    if (op == Op::kList || op == Op::kSet) return true;
    return !r.pm_fixed && op != Op::kTuple && op != Op::kMatrix && HasPlusMinus(r);
  }

  static std::string Short(std::string s) {
    if (s.size() > 60) s = absl::StrCat(s.substr(0, 28), "...", s.substr(s.size() - 28));
    return s;
  }

  int MinDigits(bool irrational) const {
    return irrational ? std::max(options_.min_significant_digits,
                                 options_.min_significant_digits_irrational)
                      : options_.min_significant_digits;
  }
  std::string DecimalRule(bool irrational) const {
    return absl::StrCat("the exact value rounds to the decimal written (at least ",
                        MinDigits(irrational), " significant digits against ",
                        irrational ? "an irrational or decimal" : "a rational", " value)");
  }

  static bool IsDecimalLiteral(Ref r) {
    r = Strip(r);
    while (r.node().op == Op::kNeg) r = Strip(r.Kid(0));
    return r.node().op == Op::kNumber && (r.node().flags & kDecimal);
  }

  // The real value of a constant end or point, for ordering; false where there is none.
  bool RealValue(Ref r, Complex* v) {
    if (HasSymbols(*r.t, r.n)) return false;
    return EvalNumeric(*r.t, r.n, r.mask, -1, &budget_, v) == EvalStatus::kOk && v->is_real() &&
           !v->is_inf();
  }

  // The quantity an inequality bounds: a variable, or a name of one (`0 < f(x) < 1` is the
  // interval of values of f(x)); not `|x|` (`|x| < 3` is a condition on x).
  static bool IsBoundedName(Ref r) {
    if (r.node().op == Op::kUnit) return false;  // "We find that x": prose, not a name
    r = Strip(r);
    if (r.node().op == Op::kSymbol) return true;
    Op op = r.node().op;
    return op != Op::kAbs && op != Op::kTuple && op != Op::kText && IsLabel(*r.t, r.n);
  }

  // compare_structure.cc: assignments, tuples, vectors, lists and sets, texts, choices.
  std::optional<Ref> AssignedValue(Ref r);
  bool AssignmentGroups(Ref r, std::vector<std::vector<Ref>>* groups);
  std::optional<Comparison> AssignmentsAgainstTuples(Ref a, Ref b);
  std::optional<Comparison> VectorAgainstTuple(Ref a, Ref b);
  std::optional<Comparison> AlternativesEqual(Ref a, Ref b);
  static bool SameStatement(std::string_view a, std::string_view b);
  std::optional<Comparison> TupleLabelsByName(Ref la, Ref va, Ref lb, Ref vb);
  static bool Mentions(Ref r, const std::string& name);
  bool Elements(Ref r, std::vector<Ref>* out);
  bool Expand(Ref r, std::vector<Ref>* out);
  Comparison SetEqual(const std::vector<Ref>& a, const std::vector<Ref>& b);
  Comparison SequenceEqual(const std::vector<Ref>& a, const std::vector<Ref>& b);
  Comparison InOrder(Ref a, Ref b, const std::string& what);
  static std::optional<Comparison> ChoiceLetters(Ref a, Ref b);

  // compare_numbers.cc: scalars, constants, decimals, percents, degrees, approximations.
  bool RoundsTo(Ref exact, Ref approx);
  Comparison PercentEqual(Ref a, Ref b);
  std::optional<Comparison> ApproximationEqual(Ref a, Ref b);
  bool DegreesEqualRadians(Ref a, Ref b);
  Comparison ScalarEqual(Ref a, Ref b);
  Comparison HighPrecisionEqual(Ref a, Ref b, const std::vector<int>& points,
                                const std::string& rule);
  Comparison ConstantEqual(Ref a, Ref b);
  static bool Close(const Complex& a, const Complex& b);
  bool DecimalMatches(Ref a, Ref b, bool irrational);

  // compare_relations.cc: equations, inequalities, intervals, true relations.
  std::optional<Comparison> SideOfTrueRelation(Ref rel, Ref value, bool relation_is_gold);
  Comparison RelationEqual(Ref a, Ref b);
  Comparison Proportional(Ref la, Ref ra, Ref lb, Ref rb, bool positive);
  bool IntervalLike(Ref r);
  bool ToIntervals(Ref r, std::vector<Interval>* out);
  bool SetMinusIntervals(Ref r, std::vector<Interval>* out);
  bool RelationIntervals(Ref r, std::vector<Interval>* out);
  Comparison IntervalEqual(const Interval& a, const Interval& b);
  Comparison CompareIntervals(const std::vector<Interval>& a, const std::vector<Interval>& b);

  const CompareOptions& options_;
  Budget budget_;
};

}  // namespace verdict::math::compare_internal

#endif  // VERDICT_VERIFIER_MATH_COMPARER_H_
