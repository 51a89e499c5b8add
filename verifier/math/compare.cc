// Comparing two parsed answers (compare.h): the dispatch by kind of answer. The rules for each
// kind are in compare_structure.cc, compare_numbers.cc and compare_relations.cc (comparer.h).
#include "verifier/math/compare.h"

#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "verifier/math/comparer.h"
#include "verifier/math/rewrite.h"
#include "verifier/math/value.h"

namespace verdict::math::compare_internal {

Comparison Comparer::Equal(Ref a, Ref b) {
  if (!budget_.Step()) return OutOfBudget();
  if (std::optional<Comparison> c = AlternativesEqual(a, b)) return *c;
  if (DegreesEqualRadians(a, b)) {
    return Eq("an angle in degrees equal to the same angle in radians");
  }
  if (std::optional<Comparison> c = ChoiceLetters(a, b)) return *c;
  if (std::optional<Comparison> c = ApproximationEqual(a, b)) return *c;
  a = Strip(a);
  b = Strip(b);
  const Node& x = a.node();
  const Node& y = b.node();

  if (x.op == Op::kText || y.op == Op::kText) {
    if (x.op == Op::kText && y.op == Op::kText) {
      if (x.text == y.text) return Eq("equal as text");
      return SameStatement(x.text, y.text)
                 ? Eq("equal as text, without the words around the answer (\"it\", \"is\")")
                 : Diff("different text");
    }
    // `\emptyset` against `\text{no solution}`.
    const Node& other = x.op == Op::kText ? y : x;
    if (other.op == Op::kSet && other.kids.empty() &&
        NamesTheEmptySet(x.op == Op::kText ? x.text : y.text)) {
      return Eq("the empty set, in words");
    }
    return Diff("text against a mathematical answer");
  }

  // x = 5 against 5; x \in S against S.
  if (x.op == Op::kRelation && y.op != Op::kRelation) {
    if (auto v = AssignedValue(a))
      return Prefixed("reading the equation as its value: ", Equal(*v, b));
    if (auto c = SideOfTrueRelation(a, b, /*relation_is_gold=*/true)) return *c;
  }
  if (y.op == Op::kRelation && x.op != Op::kRelation) {
    if (auto v = AssignedValue(b))
      return Prefixed("reading the equation as its value: ", Equal(a, *v));
    if (auto c = SideOfTrueRelation(b, a, /*relation_is_gold=*/false)) return *c;
  }

  if (IntervalLike(a) || IntervalLike(b)) {
    std::vector<Interval> ia, ib;
    if (ToIntervals(a, &ia) && ToIntervals(b, &ib)) return CompareIntervals(ia, ib);
    if (!(x.op == Op::kRelation && y.op == Op::kRelation)) {
      return Diff("an interval or inequality against an answer of another kind");
    }
  }
  if (x.op == Op::kRelation && y.op == Op::kRelation) return RelationEqual(a, b);
  if (x.op == Op::kRelation || y.op == Op::kRelation) {
    return Diff("a relation against a value (an equation is not its right-hand side)");
  }

  if (auto c = AssignmentsAgainstTuples(a, b)) return *c;
  bool ca = IsCollection(a), cb = IsCollection(b);
  if (ca || cb) {
    if (!(ca && cb)) return Diff("several answers against one");
    std::vector<Ref> ea, eb;
    if (!Elements(a, &ea) || !Elements(b, &eb)) return OutOfBudget();
    if (std::any_of(ea.begin(), ea.end(), HasEllipsis) ||
        std::any_of(eb.begin(), eb.end(), HasEllipsis)) {
      return SequenceEqual(ea, eb);
    }
    return SetEqual(ea, eb);
  }
  if (auto c = VectorAgainstTuple(a, b)) return *c;
  if (x.op == Op::kTuple || y.op == Op::kTuple) {
    if (x.op != y.op) return Diff("a tuple against an answer of another kind");
    if (x.kids.size() != y.kids.size()) return Diff("tuples of different lengths");
    return InOrder(a, b, "tuple");
  }
  if (x.op == Op::kMatrix || y.op == Op::kMatrix) {
    if (x.op != y.op) return Diff("a matrix against an answer of another kind");
    if (x.rows != y.rows || x.kids.size() != y.kids.size())
      return Diff("matrices of different shapes");
    return InOrder(a, b, "matrix");
  }
  if ((x.op == Op::kPercent) != (y.op == Op::kPercent)) return PercentEqual(a, b);
  return ScalarEqual(a, b);
}

}  // namespace verdict::math::compare_internal

namespace verdict::math {

using compare_internal::Comparer;
using compare_internal::Ref;

Comparison CompareAnswers(const Tree& gold, const Tree& pred, const CompareOptions& options,
                          const Limits& limits) {
  Comparer c(options, limits);
  // Matrix arithmetic and |x| inequalities read as plain matrices and intervals (rewrite.h).
  Tree gold_rewritten, pred_rewritten;
  const Tree* g = RewriteForComparison(gold, limits, &gold_rewritten) ? &gold_rewritten : &gold;
  const Tree* p = RewriteForComparison(pred, limits, &pred_rewritten) ? &pred_rewritten : &pred;
  return c.Equal(Ref{g, g->root}, Ref{p, p->root});
}

bool SameAnswerText(std::string_view gold, std::string_view pred) {
  auto squeezed = [](std::string_view s) {
    std::string out;
    for (char c : CleanAnswerText(s)) {
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') out.push_back(c);
    }
    return out;
  };
  std::string g = squeezed(gold);
  return !g.empty() && g == squeezed(pred);
}

}  // namespace verdict::math
