#include "verifier/math/compare.h"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "verifier/math/labels.h"
#include "verifier/math/rewrite.h"
#include "verifier/math/value.h"

namespace verdict::math {
namespace {

constexpr int kPoints = 8;           // random evaluation points for free variables
constexpr int kMinPoints = 6;        // points where both sides must be defined
constexpr size_t kMaxElements = 256; // elements of a set compared pairwise
// A numeric equality at 256 bits (tolerance 2^-200) is trusted as it stands when the written
// magnitudes need at most this many bits (PrecisionDemandBits); above, both sides are evaluated
// again at Complex::kHighPrecision, and above what that can resolve the answer is UNDECIDED.
constexpr double kDirectDemandBits = 150;

// A node of one of the two trees, with the signs chosen for its +- nodes.
struct Ref {
  const Tree* t;
  int32_t n;
  uint32_t mask = 0;
  bool pm_fixed = false;  // the +- signs are chosen: this is one element of an expansion
  const Node& node() const { return t->at(n); }
  Ref Kid(size_t k) const { return Ref{t, node().kids[k], mask, pm_fixed}; }
};

Ref Strip(Ref r) {
  while (r.node().op == Op::kUnit || r.node().op == Op::kDegree) r = r.Kid(0);
  return r;
}

void PlusMinusIndices(const Tree& t, int32_t node, std::vector<int>* out) {
  std::vector<int32_t> stack = {node};
  while (!stack.empty()) {
    const Node& n = t.at(stack.back());
    stack.pop_back();
    if (n.op == Op::kPlusMinus) out->push_back(n.rows);
    stack.insert(stack.end(), n.kids.begin(), n.kids.end());
  }
}

bool HasPlusMinus(Ref r) { return Contains(*r.t, r.n, Op::kPlusMinus); }

// Whether the subtree holds |.| or a square root (whose values differ from the argument's
// for negative arguments).
bool HasAbsOrSqrt(Ref r) {
  std::vector<int32_t> stack = {r.n};
  while (!stack.empty()) {
    const Node& n = r.t->at(stack.back());
    stack.pop_back();
    if (n.op == Op::kAbs || (n.op == Op::kFunc && n.text == "sqrt")) return true;
    stack.insert(stack.end(), n.kids.begin(), n.kids.end());
  }
  return false;
}

bool IsLoneSymbol(Ref r) { return Strip(r).node().op == Op::kSymbol; }

// Whether the subtree holds an ellipsis (`\cdots`, `\ldots`, `...`: parse.cc's `\dots` symbol).
// It stands for terms that are not written, so it is never a variable to evaluate or cancel.
bool HasEllipsis(Ref r) {
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
int InfinitySign(Ref r) {
  r = Strip(r);
  int sign = 1;
  while (r.node().op == Op::kNeg) {
    sign = -sign;
    r = Strip(r.Kid(0));
  }
  return r.node().op == Op::kInfinity ? sign : 0;
}

bool IsInequality(Rel r) {
  return r == Rel::kLt || r == Rel::kLe || r == Rel::kGt || r == Rel::kGe || r == Rel::kNe;
}

Comparison Eq(std::string rule) { return {Decision::kEqual, std::move(rule)}; }
Comparison Diff(std::string rule) { return {Decision::kDifferent, std::move(rule)}; }
Comparison Und(std::string rule) { return {Decision::kUndecided, std::move(rule)}; }

struct Interval {
  Ref lo, hi;
  int lo_inf = 0, hi_inf = 0;  // InfinitySign of the ends
  bool lo_closed = false, hi_closed = false;
};

std::string ExactText(const ExactValue& v) {
  if (v.is_real()) return v.re.get_str();
  return absl::StrCat(v.re.get_str(), " + ", v.im.get_str(), "i");
}

class Comparer {
 public:
  Comparer(const CompareOptions& options, const Limits& limits)
      : options_(options), budget_(limits) {}

  Comparison Equal(Ref a, Ref b) {
    if (!budget_.Step()) return OutOfBudget();
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
      if (auto v = AssignedValue(a)) return Prefixed("reading the equation as its value: ", Equal(*v, b));
      if (auto c = SideOfTrueRelation(a, b, /*relation_is_gold=*/true)) return *c;
    }
    if (y.op == Op::kRelation && x.op != Op::kRelation) {
      if (auto v = AssignedValue(b)) return Prefixed("reading the equation as its value: ", Equal(a, *v));
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
      if (x.rows != y.rows || x.kids.size() != y.kids.size()) return Diff("matrices of different shapes");
      return InOrder(a, b, "matrix");
    }
    if ((x.op == Op::kPercent) != (y.op == Op::kPercent)) return PercentEqual(a, b);
    return ScalarEqual(a, b);
  }

  Comparison OutOfBudget() {
    return Und(absl::StrCat("budget exhausted: ", budget_.what.empty() ? "evaluation steps" : budget_.what));
  }

 private:
  static Comparison Prefixed(const std::string& prefix, Comparison c) {
    c.rule = absl::StrCat(prefix, c.rule);
    return c;
  }

  // `x = v` or `v = x` with x a lone variable not in v: v. `x \in S`: S.
  std::optional<Ref> AssignedValue(Ref r) {
    const Node& n = r.node();
    if (n.op != Op::kRelation) return std::nullopt;
    if (n.rels.size() != 1) {
      // A chain `x = 5+5+1 = 11`, `(p,q) = (3,2)`: labels.h.
      if (auto s = StatedValue(*r.t, r.n)) return Ref{r.t, s->value, r.mask, r.pm_fixed};
      return std::nullopt;
    }
    Rel rel = n.rels[0];
    if (rel == Rel::kIn && IsLoneSymbol(r.Kid(0))) return r.Kid(1);
    if (auto s = StatedValue(*r.t, r.n)) return Ref{r.t, s->value, r.mask, r.pm_fixed};
    if (rel != Rel::kEq && rel != Rel::kApprox) return std::nullopt;
    for (int side = 0; side < 2; ++side) {
      Ref var = r.Kid(static_cast<size_t>(side));
      Ref value = r.Kid(static_cast<size_t>(1 - side));
      if (!IsLoneSymbol(var)) continue;
      if (Mentions(value, Strip(var).node().text)) continue;
      return value;
    }
    return std::nullopt;
  }

  // `x=3, y=-4` against `(3,-4)`; `p=5,q=2; p=7,q=2` against `(5,2),(7,2)`: a list of
  // assignments to variables, in groups that each assign the same variables once, read as
  // tuples in the order the variables are first written. Nothing else is grouped: `x=1, x=2` is
  // two solutions, not the tuple (1,2).
  bool AssignmentGroups(Ref r, std::vector<std::vector<Ref>>* groups) {
    const Node& n = r.node();
    if (n.op != Op::kList || n.kids.size() < 2 || n.kids.size() > kMaxElements) return false;
    std::vector<std::pair<std::string, Ref>> items;
    for (size_t k = 0; k < n.kids.size(); ++k) {
      Ref kid = r.Kid(k);
      const Node& rel = kid.node();
      if (rel.op != Op::kRelation || rel.rels.size() != 1 || rel.rels[0] != Rel::kEq ||
          !IsLoneSymbol(kid.Kid(0))) {
        return false;
      }
      auto s = StatedValue(*kid.t, kid.n);
      if (!s) return false;
      items.emplace_back(Strip(kid.Kid(0)).node().text,
                         Ref{kid.t, s->value, kid.mask, kid.pm_fixed});
    }
    auto seen_before = [&](size_t end, const std::string& name, size_t begin) {
      for (size_t k = begin; k < end; ++k) {
        if (items[k].first == name) return true;
      }
      return false;
    };
    size_t g = 0;
    while (g < items.size() && !seen_before(g, items[g].first, 0)) ++g;
    if (g < 2 || items.size() % g != 0) return false;
    for (size_t start = 0; start < items.size(); start += g) {
      std::vector<Ref> values;
      for (size_t v = 0; v < g; ++v) {
        int found = -1;
        for (size_t k = start; k < start + g; ++k) {
          if (items[k].first != items[v].first) continue;
          if (found >= 0) return false;
          found = static_cast<int>(k);
        }
        if (found < 0) return false;
        values.push_back(items[static_cast<size_t>(found)].second);
      }
      groups->push_back(std::move(values));
    }
    return true;
  }

  std::optional<Comparison> AssignmentsAgainstTuples(Ref a, Ref b) {
    for (int side = 0; side < 2; ++side) {
      Ref list = side == 0 ? a : b;
      Ref other = side == 0 ? b : a;
      std::vector<std::vector<Ref>> groups;
      if (!AssignmentGroups(list, &groups)) continue;
      std::vector<Ref> tuples;
      if (other.node().op == Op::kTuple) {
        tuples.push_back(other);
      } else if (other.node().op == Op::kList || other.node().op == Op::kSet) {
        for (size_t k = 0; k < other.node().kids.size(); ++k) {
          Ref t = Strip(other.Kid(k));
          if (t.node().op != Op::kTuple) return std::nullopt;
          tuples.push_back(t);
        }
      } else {
        return std::nullopt;
      }
      if (tuples.size() != groups.size()) return Diff("a different number of solutions");
      // found[i]: group i has an equal tuple; matched[j]: tuple j has an equal group.
      std::vector<Decision> found(groups.size(), Decision::kDifferent);
      std::vector<Decision> matched(tuples.size(), Decision::kDifferent);
      auto better = [](Decision have, Decision d) {
        if (have == Decision::kEqual || d == Decision::kEqual) return Decision::kEqual;
        if (have == Decision::kUndecided || d == Decision::kUndecided) return Decision::kUndecided;
        return Decision::kDifferent;
      };
      for (size_t i = 0; i < groups.size(); ++i) {
        for (size_t j = 0; j < tuples.size(); ++j) {
          if (tuples[j].node().kids.size() != groups[i].size()) continue;
          Decision d = Decision::kEqual;
          for (size_t k = 0; k < groups[i].size() && d == Decision::kEqual; ++k) {
            Comparison c = side == 0 ? Equal(groups[i][k], tuples[j].Kid(k))
                                     : Equal(tuples[j].Kid(k), groups[i][k]);
            d = c.decision;
            if (budget_.exceeded) return OutOfBudget();
          }
          found[i] = better(found[i], d);
          matched[j] = better(matched[j], d);
        }
      }
      Decision all = Decision::kEqual;
      for (const auto* v : {&found, &matched}) {
        for (Decision d : *v) {
          if (d == Decision::kDifferent) {
            return Diff("the assignments, read as tuples, differ from the tuples given");
          }
          if (d == Decision::kUndecided) all = Decision::kUndecided;
        }
      }
      if (all == Decision::kUndecided) return Und("an assignment could not be compared");
      return Eq("assignments to variables, read as tuples in the order written");
    }
    return std::nullopt;
  }

  // A column or row vector `\begin{pmatrix}1\\2\end{pmatrix}` against a tuple in round brackets
  // `(1, 2)`: the same coordinates, in order (a vector is often written either way).
  std::optional<Comparison> VectorAgainstTuple(Ref a, Ref b) {
    const Node& x = a.node();
    const Node& y = b.node();
    bool ab = x.op == Op::kMatrix && y.op == Op::kTuple;
    bool ba = x.op == Op::kTuple && y.op == Op::kMatrix;
    if (!ab && !ba) return std::nullopt;
    const Node& m = ab ? x : y;
    const Node& t = ab ? y : x;
    size_t cols = m.kids.size() / static_cast<size_t>(std::max(1, m.rows));
    if ((m.rows != 1 && cols != 1) || t.flags != (kParenOpen | kParenClose)) return std::nullopt;
    if (m.kids.size() != t.kids.size()) return Diff("a vector and a tuple of different lengths");
    return Prefixed("a vector read as its coordinates; ", InOrder(a, b, "coordinate"));
  }

  // `4! = 24`, `5\sqrt2 \approx 7.07`: a relation between constants that holds states each of
  // its sides, and a bare answer equal to any side matches it. It holds when every `=` joins
  // equal sides and every `\approx` joins a value to a decimal that the value rounds to at the
  // decimal's written precision. A false one (`\boxed{9=2}`) states nothing: nullopt, as for
  // any relation this rule does not cover.
  std::optional<Comparison> SideOfTrueRelation(Ref rel, Ref value, bool relation_is_gold) {
    const Node& n = rel.node();
    // Two sides only: a chain of approximations could drift (`1 \approx 1.0 \approx 1.04`).
    if (n.rels.size() != 1 || (n.rels[0] != Rel::kEq && n.rels[0] != Rel::kApprox)) {
      return std::nullopt;
    }
    for (size_t k = 0; k < n.kids.size(); ++k) {
      Ref side = Strip(rel.Kid(k));
      Op op = side.node().op;
      if (HasSymbols(*side.t, side.n) || HasPlusMinus(side) || op == Op::kTuple ||
          op == Op::kList || op == Op::kSet || op == Op::kMatrix || op == Op::kText) {
        return std::nullopt;
      }
    }
    for (size_t k = 0; k + 1 < n.kids.size(); ++k) {
      Comparison c = Equal(rel.Kid(k), rel.Kid(k + 1));
      if (budget_.exceeded) return OutOfBudget();
      if (c.decision == Decision::kEqual) continue;
      if (n.rels[k] == Rel::kApprox && RoundsTo(rel.Kid(k), rel.Kid(k + 1))) continue;
      return std::nullopt;
    }
    Comparison last = Diff("no side of the relation equals the other answer");
    for (size_t k = 0; k < n.kids.size(); ++k) {
      Comparison c = relation_is_gold ? Equal(rel.Kid(k), value) : Equal(value, rel.Kid(k));
      if (c.decision == Decision::kEqual) {
        return Prefixed("a true relation between constants; one side: ", c);
      }
      if (budget_.exceeded) return OutOfBudget();
      if (c.decision == Decision::kUndecided) last = c;
    }
    return last;
  }

  // Whether `approx` is a decimal literal (possibly negated) that `exact`'s value rounds to at the
  // decimal's written precision (`\pi \approx 3.14`), at any number of digits. `exact` must not
  // itself be a decimal: `2.0 \approx 2.04` would state two different values.
  bool RoundsTo(Ref exact, Ref approx) {
    auto is_decimal = [](Ref r) {
      r = Strip(r);
      while (r.node().op == Op::kNeg) r = Strip(r.Kid(0));
      return r.node().op == Op::kNumber && (r.node().flags & kDecimal);
    };
    if (is_decimal(exact) || !is_decimal(approx)) return false;
    Ref d = Strip(approx);
    while (d.node().op == Op::kNeg) d = Strip(d.Kid(0));
    Complex vd, vo;
    if (EvalNumeric(*approx.t, approx.n, approx.mask, -1, &budget_, &vd) != EvalStatus::kOk ||
        EvalNumeric(*exact.t, exact.n, exact.mask, -1, &budget_, &vo) != EvalStatus::kOk ||
        !vo.is_real() || vo.is_inf()) {
      return false;
    }
    Complex diff, half;  // |approx - exact| <= half a unit in the last written place
    mpfr_sub(diff.re(), vd.re(), vo.re(), MPFR_RNDN);
    mpfr_abs(diff.re(), diff.re(), MPFR_RNDN);
    mpfr_set_si(half.re(), 10, MPFR_RNDN);
    mpfr_pow_si(half.re(), half.re(), d.node().exp10, MPFR_RNDN);
    mpfr_div_ui(half.re(), half.re(), 2, MPFR_RNDN);
    return mpfr_lessequal_p(diff.re(), half.re()) != 0;
  }

  // `\text{stopped}` against "It stopped.": the same words once pronouns, articles, copulas and
  // auxiliaries are dropped ("it", "the", "is", "has", "there"). Every other word counts, in
  // order, so "It never stopped" and "The car stopped" stay different from "stopped".
  static bool SameStatement(std::string_view a, std::string_view b) {
    auto content = [](std::string_view t) {
      std::vector<std::string_view> words;
      for (absl::string_view w : absl::StrSplit(absl::string_view(t.data(), t.size()),
                                                absl::ByAnyChar(" ,.;:!"), absl::SkipEmpty())) {
        if (!IsFunctionWord(std::string_view(w.data(), w.size()))) {
          words.emplace_back(w.data(), w.size());
        }
      }
      return words;
    };
    const std::vector<std::string_view> wa = content(a), wb = content(b);
    return !wa.empty() && wa == wb;
  }

  static bool IsFunctionWord(std::string_view w) {
    for (std::string_view f : {"it", "it's", "its", "the", "a", "an", "is", "was", "are", "were",
                               "be", "been", "has", "have", "had", "there", "this", "that",
                               "they", "he", "she", "we", "answer", "final"}) {
      if (w == f) return true;
    }
    return false;
  }

  static bool NamesTheEmptySet(const std::string& text) {
    for (const char* words : {"no solution", "no solutions", "no real solution",
                              "no real solutions", "none", "empty set", "the empty set",
                              "no real roots", "no roots"}) {
      if (text == words) return true;
    }
    return false;
  }

  // `(p,q) = (3,2)` against `(q,p) = (2,3)`: tuple labels of the same distinct variables in
  // another order; each variable's value compared by name. nullopt when the labels are not such.
  std::optional<Comparison> TupleLabelsByName(Ref la, Ref va, Ref lb, Ref vb) {
    const Node& x = la.node();
    const Node& y = lb.node();
    if (x.op != Op::kTuple || y.op != Op::kTuple || x.kids.size() != y.kids.size()) {
      return std::nullopt;
    }
    if (va.node().op != Op::kTuple || vb.node().op != Op::kTuple ||
        va.node().kids.size() != x.kids.size() || vb.node().kids.size() != y.kids.size()) {
      return std::nullopt;
    }
    std::vector<size_t> where(x.kids.size());  // position in b of a's k-th variable
    for (size_t k = 0; k < x.kids.size(); ++k) {
      if (!IsLoneSymbol(la.Kid(k))) return std::nullopt;
      const std::string& name = Strip(la.Kid(k)).node().text;
      size_t found = y.kids.size();
      for (size_t j = 0; j < y.kids.size(); ++j) {
        if (IsLoneSymbol(lb.Kid(j)) && Strip(lb.Kid(j)).node().text == name) {
          if (found != y.kids.size()) return std::nullopt;  // a name twice
          found = j;
        }
      }
      if (found == y.kids.size()) return std::nullopt;
      for (size_t m = 0; m < k; ++m) {
        if (where[m] == found) return std::nullopt;
      }
      where[k] = found;
    }
    for (size_t k = 0; k < where.size(); ++k) {
      Comparison c = Equal(va.Kid(k), vb.Kid(where[k]));
      if (c.decision != Decision::kEqual) {
        return Prefixed(absl::StrCat("the value of ", Strip(la.Kid(k)).node().text, ": "), c);
      }
    }
    return Eq("the same variables, each with an equal value");
  }

  static bool Mentions(Ref r, const std::string& name) {
    std::vector<int32_t> stack = {r.n};
    while (!stack.empty()) {
      const Node& n = r.t->at(stack.back());
      stack.pop_back();
      if (n.op == Op::kSymbol && n.text == name) return true;
      stack.insert(stack.end(), n.kids.begin(), n.kids.end());
    }
    return false;
  }

  bool IsCollection(Ref r) {
    Op op = r.node().op;
    if (op == Op::kList || op == Op::kSet) return true;
    return !r.pm_fixed && op != Op::kTuple && op != Op::kMatrix && HasPlusMinus(r);
  }

  // The elements of a list, a set, or a +- expression (each sign choice one element).
  bool Elements(Ref r, std::vector<Ref>* out) {
    Op op = r.node().op;
    if (op == Op::kList || op == Op::kSet) {
      for (size_t k = 0; k < r.node().kids.size(); ++k) {
        Ref kid = Strip(r.Kid(k));
        if (!kid.pm_fixed && kid.node().op != Op::kList && kid.node().op != Op::kSet &&
            kid.node().op != Op::kTuple && kid.node().op != Op::kMatrix && HasPlusMinus(kid)) {
          if (!Expand(kid, out)) return false;
        } else {
          out->push_back(kid);
        }
        if (out->size() > kMaxElements) return false;
      }
      return true;
    }
    return Expand(r, out);
  }

  bool Expand(Ref r, std::vector<Ref>* out) {
    std::vector<int> idx;
    PlusMinusIndices(*r.t, r.n, &idx);
    std::sort(idx.begin(), idx.end());
    idx.erase(std::unique(idx.begin(), idx.end()), idx.end());
    uint32_t combos = 1u << idx.size();
    for (uint32_t c = 0; c < combos; ++c) {
      Ref e = r;
      for (size_t k = 0; k < idx.size(); ++k) {
        if (c & (1u << k)) e.mask |= 1u << idx[k];
      }
      e.pm_fixed = true;
      out->push_back(e);
      if (out->size() > kMaxElements) return false;
    }
    return true;
  }

  Comparison SetEqual(const std::vector<Ref>& a, const std::vector<Ref>& b) {
    bool undecided = false;
    std::string undecided_rule;
    for (int pass = 0; pass < 2; ++pass) {
      const auto& from = pass == 0 ? a : b;
      const auto& to = pass == 0 ? b : a;
      for (const Ref& e : from) {
        bool found = false, maybe = false;
        for (const Ref& f : to) {
          Comparison c = pass == 0 ? Equal(e, f) : Equal(f, e);
          if (c.decision == Decision::kEqual) {
            found = true;
            break;
          }
          if (c.decision == Decision::kUndecided) {
            maybe = true;
            undecided_rule = c.rule;
          }
          if (budget_.exceeded) return OutOfBudget();
        }
        if (!found && !maybe) {
          return Diff(absl::StrCat(pass == 0 ? "the gold answer " : "the answer ",
                                   CanonicalForm(*e.t, e.n), " has no equal on the other side"));
        }
        if (!found) undecided = true;
      }
    }
    if (undecided) return Und(undecided_rule);
    if (a.empty() && b.empty()) return Eq("both empty sets");
    return Eq(absl::StrCat("equal as sets of ", a.size() == b.size() ? "" : "distinct ",
                           "answers, in any order"));
  }

  // A list with an ellipsis (`1, 3, 5, \ldots`, `1, 2, \ldots, n`) is a pattern: its entries
  // are compared in the order written (or all reversed: `n, \ldots, 2, 1`), never as a set.
  Comparison SequenceEqual(const std::vector<Ref>& a, const std::vector<Ref>& b) {
    if (a.size() != b.size()) return Diff("lists with an ellipsis of different lengths");
    Comparison last;
    for (bool reversed : {false, true}) {
      bool all = true;
      for (size_t k = 0; k < a.size() && all; ++k) {
        last = Equal(a[k], b[reversed ? b.size() - 1 - k : k]);
        if (budget_.exceeded) return OutOfBudget();
        all = last.decision == Decision::kEqual;
      }
      if (all) {
        return Eq(reversed ? "equal lists with an ellipsis, entry by entry, one reversed"
                           : "equal lists with an ellipsis, entry by entry");
      }
    }
    return Diff("lists with an ellipsis differ entry by entry (a pattern, not a set)");
  }

  Comparison InOrder(Ref a, Ref b, const std::string& what) {
    const Node& x = a.node();
    for (size_t k = 0; k < x.kids.size(); ++k) {
      Comparison c = Equal(a.Kid(k), b.Kid(k));
      if (c.decision != Decision::kEqual) {
        return {c.decision, absl::StrCat(what, " entry ", k + 1, ": ", c.rule)};
      }
    }
    return Eq(absl::StrCat("equal ", what, "s, entry by entry"));
  }

  Comparison PercentEqual(Ref a, Ref b) {
    bool a_pct = a.node().op == Op::kPercent;
    Ref pct = a_pct ? a : b;
    Ref other = a_pct ? b : a;
    auto cmp = [&](Ref p) { return a_pct ? ScalarEqual(p, other) : ScalarEqual(other, p); };
    if (options_.percent != PercentPolicy::kFraction) {
      Comparison c = cmp(pct.Kid(0));
      if (c.decision == Decision::kEqual) return Eq(absl::StrCat("a percentage read as its number: ", c.rule));
      if (budget_.exceeded) return OutOfBudget();
    }
    if (options_.percent != PercentPolicy::kNumber) {
      Comparison c = cmp(pct);
      if (c.decision == Decision::kEqual) return Eq(absl::StrCat("a percentage read as a fraction: ", c.rule));
      return c;
    }
    return Diff("a percentage against a different number");
  }

  // --- scalars --------------------------------------------------------------------------------

  // Annotations both sides must agree on. A multiple-choice answer with its value (`(C) 12`,
  // read as a unit "choice C"): against a lone letter it is its letter; against another choice
  // the letters must agree too; against anything else, its value (the unit is dropped as usual).
  // Two residues (`3 \pmod{7}`) must have the same modulus.
  static std::optional<Comparison> ChoiceLetters(Ref a, Ref b) {
    auto letter = [](Ref r) -> char {
      const Node& n = r.node();
      if (n.op == Op::kUnit && n.text.size() == 8 && n.text.rfind("choice ", 0) == 0) {
        return n.text[7];
      }
      return 0;
    };
    auto lone_letter = [](Ref r) -> char {
      r = Strip(r);
      const Node& n = r.node();
      return n.op == Op::kSymbol && n.text.size() == 1 && n.text[0] >= 'A' && n.text[0] <= 'E'
                 ? n.text[0]
                 : 0;
    };
    // Two residues `\pmod{n}`: the moduli must agree as written.
    const Node& ua = a.node();
    const Node& ub = b.node();
    if (ua.op == Op::kUnit && ub.op == Op::kUnit && ua.text.rfind("mod ", 0) == 0 &&
        ub.text.rfind("mod ", 0) == 0 && ua.text != ub.text) {
      return Diff("different moduli");
    }
    char ca = letter(a), cb = letter(b);
    if (ca == 0 && cb == 0) return std::nullopt;
    if (ca != 0 && cb != 0) {
      if (ca != cb) return Diff("different choices");
      return std::nullopt;  // same letter: compare the values
    }
    char other = ca != 0 ? lone_letter(b) : lone_letter(a);
    if (other == 0) return std::nullopt;
    return (ca != 0 ? ca : cb) == other ? Eq("the same choice letter")
                                        : Diff("different choice letters");
  }

  // `5\sqrt{2} \approx 7.07` against a value: a true approximation (the decimal is the constant
  // rounded at the precision written) stands for either side, so it equals `5\sqrt{2}` and
  // `7.07`; a false one (`\pi \approx 3.2`) equals nothing. Only a constant against a decimal
  // literal: `x \approx 7.07` is a variable's value (AssignedValue).
  std::optional<Comparison> ApproximationEqual(Ref a, Ref b) {
    Ref sa = Strip(a), sb = Strip(b);
    bool ra = sa.node().op == Op::kRelation, rb = sb.node().op == Op::kRelation;
    if (ra == rb) return std::nullopt;
    Ref rel = ra ? sa : sb;
    Ref value = ra ? b : a;
    const Node& n = rel.node();
    if (n.rels.size() != 1 || n.rels[0] != Rel::kApprox || n.kids.size() != 2) return std::nullopt;
    for (int side = 0; side < 2; ++side) {
      Ref exact = rel.Kid(static_cast<size_t>(side));
      Ref decimal = rel.Kid(static_cast<size_t>(1 - side));
      if (!IsDecimalLiteral(decimal) || IsDecimalLiteral(exact)) continue;
      if (HasSymbols(*exact.t, exact.n) || HasPlusMinus(exact) || HasPlusMinus(decimal)) continue;
      Ref d = Strip(decimal);
      while (d.node().op == Op::kNeg) d = Strip(d.Kid(0));
      Complex ve, vd;
      if (EvalNumeric(*exact.t, exact.n, exact.mask, -1, &budget_, &ve) != EvalStatus::kOk ||
          EvalNumeric(*decimal.t, decimal.n, decimal.mask, -1, &budget_, &vd) != EvalStatus::kOk ||
          !ve.is_real() || ve.is_inf()) {
        return budget_.exceeded ? std::optional<Comparison>(OutOfBudget()) : std::nullopt;
      }
      Complex diff, half;
      mpfr_sub(diff.re(), ve.re(), vd.re(), MPFR_RNDN);
      mpfr_abs(diff.re(), diff.re(), MPFR_RNDN);
      mpfr_set_si(half.re(), 10, MPFR_RNDN);
      mpfr_pow_si(half.re(), half.re(), d.node().exp10, MPFR_RNDN);
      mpfr_div_ui(half.re(), half.re(), 2, MPFR_RNDN);
      if (!mpfr_lessequal_p(diff.re(), half.re())) {
        return Diff("a false approximation (the decimal is not the value rounded)");
      }
      for (Ref side_value : {exact, decimal}) {
        Comparison c = ra ? Equal(side_value, value) : Equal(value, side_value);
        if (c.decision == Decision::kEqual) return Prefixed("a true approximation: ", c);
        if (budget_.exceeded) return OutOfBudget();
      }
      return Diff("neither side of the approximation equals the other answer");
    }
    return std::nullopt;
  }

  // `30^\circ` against `\frac{\pi}{6}`: one side in degrees, the other a constant multiple of
  // pi (radians are written with pi; `30^\circ` against 0.5236 stays different).
  bool DegreesEqualRadians(Ref a, Ref b) {
    auto unit_stripped = [](Ref r) {
      while (r.node().op == Op::kUnit) r = r.Kid(0);
      return r;
    };
    Ref x = unit_stripped(a), y = unit_stripped(b);
    if ((x.node().op == Op::kDegree) == (y.node().op == Op::kDegree)) return false;
    Ref deg = x.node().op == Op::kDegree ? x.Kid(0) : y.Kid(0);
    Ref rad = x.node().op == Op::kDegree ? y : x;
    if (!Contains(*rad.t, rad.n, Op::kPi) || HasSymbols(*rad.t, rad.n) ||
        HasSymbols(*deg.t, deg.n) || HasPlusMinus(rad) || HasPlusMinus(deg)) {
      return false;
    }
    if (PrecisionDemandBits(*rad.t, rad.n, rad.mask, -1, &budget_) > kDirectDemandBits ||
        PrecisionDemandBits(*deg.t, deg.n, deg.mask, -1, &budget_) > kDirectDemandBits) {
      return false;
    }
    Complex vd, vr;
    if (EvalNumeric(*deg.t, deg.n, deg.mask, -1, &budget_, &vd) != EvalStatus::kOk ||
        EvalNumeric(*rad.t, rad.n, rad.mask, -1, &budget_, &vr) != EvalStatus::kOk ||
        !vd.is_real() || !vr.is_real() || vd.is_inf() || vr.is_inf()) {
      return false;
    }
    Complex pi;
    mpfr_const_pi(pi.re(), MPFR_RNDN);
    mpfr_mul(vd.re(), vd.re(), pi.re(), MPFR_RNDN);
    mpfr_div_ui(vd.re(), vd.re(), 180, MPFR_RNDN);
    return Close(vd, vr);
  }

  Comparison ScalarEqual(Ref a, Ref b) {
    bool symbolic = HasSymbols(*a.t, a.n) || HasSymbols(*b.t, b.n);
    if (!symbolic) return ConstantEqual(a, b);
    if (!HasPlusMinus(a) && !HasPlusMinus(b) &&
        CanonicalForm(*a.t, a.n) == CanonicalForm(*b.t, b.n)) {
      return Eq("the same canonical form");
    }
    // `1 + 2 + \cdots + n` against `3 + \cdots + n`: evaluating the ellipsis as a variable would
    // cancel terms across it.
    if (HasEllipsis(a) || HasEllipsis(b)) {
      return Diff("an ellipsis stands for terms not written: equal only in the same canonical form");
    }
    int agreed = 0;
    for (int point = 0; point < kPoints; ++point) {
      Complex va, vb;
      EvalStatus sa = EvalNumeric(*a.t, a.n, a.mask, point, &budget_, &va);
      EvalStatus sb = EvalNumeric(*b.t, b.n, b.mask, point, &budget_, &vb);
      if (sa == EvalStatus::kBudget || sb == EvalStatus::kBudget) return OutOfBudget();
      if (sa == EvalStatus::kNotScalar || sb == EvalStatus::kNotScalar) {
        return Diff("not a single value");
      }
      if (sa != EvalStatus::kOk || sb != EvalStatus::kOk) continue;
      if (!Close(va, vb)) {
        return Diff(absl::StrCat("differ at a random point: gold ", va.ToString(8), ", answer ",
                                 vb.ToString(8)));
      }
      ++agreed;
    }
    if (agreed < kMinPoints) {
      return Und(absl::StrCat("defined at only ", agreed, " of ", kPoints, " random points"));
    }
    // Symbols take positive values, where |x| = x and \sqrt{x^2} = x: when an absolute value or a
    // square root stands on one side only, the sides must also agree at negative points (those
    // where both are real; `\sqrt{xy}` against `\sqrt{x}\sqrt{y}` is not checked there).
    if (HasAbsOrSqrt(a) != HasAbsOrSqrt(b)) {
      for (int point = 0; point < kPoints; ++point) {
        Complex va, vb;
        EvalStatus sa = EvalNumeric(*a.t, a.n, a.mask, kFirstNegativePoint + point, &budget_, &va);
        EvalStatus sb = EvalNumeric(*b.t, b.n, b.mask, kFirstNegativePoint + point, &budget_, &vb);
        if (sa == EvalStatus::kBudget || sb == EvalStatus::kBudget) return OutOfBudget();
        if (sa != EvalStatus::kOk || sb != EvalStatus::kOk || !va.is_real() || !vb.is_real()) {
          continue;
        }
        if (!Close(va, vb)) {
          return Diff(absl::StrCat("differ at a negative point: gold ", va.ToString(8),
                                   ", answer ", vb.ToString(8)));
        }
      }
    }
    std::vector<int> points(kPoints);
    for (int point = 0; point < kPoints; ++point) points[static_cast<size_t>(point)] = point;
    return HighPrecisionEqual(
        a, b, points, absl::StrCat("equal at ", agreed, " random points (256-bit evaluation)"));
  }

  // Two sides found equal at 256 bits: equal (with `rule`) if nothing written is below what 256
  // bits resolve; otherwise only if they stay equal at Complex::kHighPrecision, so that a
  // perturbation written into the answer (`+ 10^{-100}`) is never inside the tolerance.
  Comparison HighPrecisionEqual(Ref a, Ref b, const std::vector<int>& points,
                                const std::string& rule) {
    double demand = std::max(PrecisionDemandBits(*a.t, a.n, a.mask, points[0], &budget_),
                             PrecisionDemandBits(*b.t, b.n, b.mask, points[0], &budget_));
    if (budget_.exceeded) return OutOfBudget();
    if (demand <= kDirectDemandBits) return Eq(rule);
    constexpr mpfr_prec_t kHigh = Complex::kHighPrecision;
    if (demand > static_cast<double>(kHigh - 64)) {
      return Und(absl::StrCat("equal at 256 bits, but the written magnitudes need about ",
                              static_cast<int64_t>(demand), " bits, more than the ", kHigh,
                              "-bit check resolves"));
    }
    NumericPrecision high(kHigh);
    for (int point : points) {
      Complex va, vb;
      EvalStatus sa = EvalNumeric(*a.t, a.n, a.mask, point, &budget_, &va);
      EvalStatus sb = EvalNumeric(*b.t, b.n, b.mask, point, &budget_, &vb);
      if (sa == EvalStatus::kBudget || sb == EvalStatus::kBudget) return OutOfBudget();
      if (sa != EvalStatus::kOk || sb != EvalStatus::kOk) continue;
      if (!Close(va, vb)) {
        return Diff(absl::StrCat("equal at 256 bits but different at ", kHigh,
                                 " bits (a term below the first precision): gold ",
                                 va.ToString(12), ", answer ", vb.ToString(12)));
      }
    }
    return Eq(absl::StrCat(rule, "; still equal at ", kHigh, " bits"));
  }

  Comparison ConstantEqual(Ref a, Ref b) {
    ExactValue ea, eb;
    EvalStatus xa = EvalExact(*a.t, a.n, a.mask, &budget_, &ea);
    if (xa == EvalStatus::kBudget) return OutOfBudget();
    EvalStatus xb = EvalExact(*b.t, b.n, b.mask, &budget_, &eb);
    if (xb == EvalStatus::kBudget) return OutOfBudget();
    if (xa == EvalStatus::kNotScalar || xb == EvalStatus::kNotScalar) {
      return Diff("answers of different kinds");
    }
    if (xa == EvalStatus::kOk && xb == EvalStatus::kOk) {
      if (ea.re == eb.re && ea.im == eb.im) {
        return Eq(ea.is_real() ? "equal as exact rationals" : "equal as exact complex numbers");
      }
      if (DecimalMatches(a, b, /*irrational=*/false)) {
        return Eq(DecimalRule(IsDecimalLiteral(a) && IsDecimalLiteral(b)));
      }
      return Diff(absl::StrCat("different exact values: answer ", Short(ExactText(eb)), ", gold ",
                               Short(ExactText(ea))));
    }
    Complex va, vb;
    EvalStatus sa = EvalNumeric(*a.t, a.n, a.mask, -1, &budget_, &va);
    if (sa == EvalStatus::kBudget) return OutOfBudget();
    EvalStatus sb = EvalNumeric(*b.t, b.n, b.mask, -1, &budget_, &vb);
    if (sb == EvalStatus::kBudget) return OutOfBudget();
    if (sa == EvalStatus::kUndefined && sb == EvalStatus::kUndefined) {
      return Und("neither side has a defined value");
    }
    if (sa != EvalStatus::kOk || sb != EvalStatus::kOk) return Diff("one side has no defined value");
    if (Close(va, vb)) {
      if (va.is_inf()) return Eq("both infinite with the same sign");
      return HighPrecisionEqual(a, b, {-1}, "equal to 60 significant digits (256-bit evaluation)");
    }
    if (DecimalMatches(a, b, /*irrational=*/true)) return Eq(DecimalRule(true));
    return Diff(absl::StrCat("different values: answer ", vb.ToString(10), ", gold ",
                             va.ToString(10)));
  }

  static std::string Short(std::string s) {
    if (s.size() > 60) s = absl::StrCat(s.substr(0, 28), "...", s.substr(s.size() - 28));
    return s;
  }

  static bool Close(const Complex& a, const Complex& b) {
    if (a.is_inf() || b.is_inf()) {
      return mpfr_equal_p(a.re(), b.re()) && mpfr_equal_p(a.im(), b.im());
    }
    Complex d;
    mpfr_sub(d.re(), a.re(), b.re(), MPFR_RNDN);
    mpfr_sub(d.im(), a.im(), b.im(), MPFR_RNDN);
    Complex m;
    mpfr_hypot(m.re(), d.re(), d.im(), MPFR_RNDN);  // |a - b|
    mpfr_hypot(m.im(), a.re(), a.im(), MPFR_RNDN);  // |a|
    Complex n;
    mpfr_hypot(n.re(), b.re(), b.im(), MPFR_RNDN);  // |b|
    mpfr_max(n.re(), n.re(), m.im(), MPFR_RNDN);
    // At 256 bits: 2^-200 * max(|a|, |b|), absolute floor 2^-230; the same margins at a higher
    // working precision.
    const long prec = static_cast<long>(NumericPrecision::Current());
    mpfr_mul_2si(n.re(), n.re(), -(prec - 56), MPFR_RNDN);
    mpfr_set_ui_2exp(n.im(), 1, -(prec - 26), MPFR_RNDN);
    mpfr_max(n.re(), n.re(), n.im(), MPFR_RNDN);
    return mpfr_lessequal_p(m.re(), n.re()) != 0;
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

  // A decimal literal (possibly negated) with enough significant digits whose rounding interval
  // holds the other side's value. Against another decimal (itself perhaps rounded) it needs the
  // irrational threshold: 0.333333 = 0.3333333, but 85.71 != 85.714.
  bool DecimalMatches(Ref a, Ref b, bool irrational) {
    if (options_.decimal != DecimalPolicy::kRoundedAtWrittenPrecision) return false;
    for (int side = 0; side < 2; ++side) {
      Ref d = Strip(side == 0 ? a : b);
      Ref other = side == 0 ? b : a;
      bool strict = irrational || IsDecimalLiteral(other);
      while (d.node().op == Op::kNeg) d = Strip(d.Kid(0));
      const Node& n = d.node();
      if (n.op != Op::kNumber || !(n.flags & kDecimal)) continue;
      if (static_cast<int>(n.text.size()) < MinDigits(strict)) continue;
      Ref whole = Strip(side == 0 ? a : b);
      Complex vd, vo;
      if (EvalNumeric(*whole.t, whole.n, whole.mask, -1, &budget_, &vd) != EvalStatus::kOk) continue;
      if (EvalNumeric(*other.t, other.n, other.mask, -1, &budget_, &vo) != EvalStatus::kOk) continue;
      if (!vo.is_real() || vo.is_inf()) continue;
      Complex diff, half;
      mpfr_sub(diff.re(), vd.re(), vo.re(), MPFR_RNDN);
      mpfr_abs(diff.re(), diff.re(), MPFR_RNDN);
      // half a unit in the last written place: 0.5 * 10^exp10
      mpfr_set_si(half.re(), 10, MPFR_RNDN);
      mpfr_pow_si(half.re(), half.re(), n.exp10, MPFR_RNDN);
      mpfr_div_ui(half.re(), half.re(), 2, MPFR_RNDN);
      if (mpfr_lessequal_p(diff.re(), half.re())) return true;
    }
    return false;
  }

  // --- relations ------------------------------------------------------------------------------

  Comparison RelationEqual(Ref a, Ref b) {
    const Node& x = a.node();
    const Node& y = b.node();
    // Two definitions of the same name (`(p,q) = (3,2)`, `z = 3+3 = 2`, `\text{max} = 2`):
    // their stated values. Different names fall through to the rules below (`y = 2x + 1` and
    // `x = (y - 1)/2` are still the same line).
    if (auto sa = StatedValue(*a.t, a.n)) {
      if (auto sb = StatedValue(*b.t, b.n)) {
        if (CanonicalForm(*a.t, sa->label) == CanonicalForm(*b.t, sb->label)) {
          return Prefixed("the same name; ", Equal(Ref{a.t, sa->value, a.mask, a.pm_fixed},
                                                   Ref{b.t, sb->value, b.mask, b.pm_fixed}));
        }
        Ref la{a.t, sa->label, a.mask, a.pm_fixed}, lb{b.t, sb->label, b.mask, b.pm_fixed};
        Ref va{a.t, sa->value, a.mask, a.pm_fixed}, vb{b.t, sb->value, b.mask, b.pm_fixed};
        if (auto c = TupleLabelsByName(la, va, lb, vb)) return *c;
        if (!IsLoneSymbol(la) || !IsLoneSymbol(lb)) {
          return Diff("definitions of different names");
        }
      }
    }
    // x = c against y = d: same variable, equal values.
    if (x.rels.size() == 1 && y.rels.size() == 1 && x.rels[0] == Rel::kEq && y.rels[0] == Rel::kEq &&
        IsLoneSymbol(a.Kid(0)) && IsLoneSymbol(b.Kid(0)) && !HasSymbols(*a.t, a.Kid(1).n) &&
        !HasSymbols(*b.t, b.Kid(1).n)) {
      if (Strip(a.Kid(0)).node().text != Strip(b.Kid(0)).node().text) {
        return Diff("equations for different variables");
      }
      return Prefixed("same variable; ", Equal(a.Kid(1), b.Kid(1)));
    }
    if (x.rels.size() != y.rels.size()) return Diff("relations of different lengths");
    // Variables are sampled in (0.3, 2.7), where |x| = x: `|x| = 3` would pass for `x = 3`.
    if (Contains(*a.t, a.n, Op::kAbs) != Contains(*b.t, b.n, Op::kAbs)) {
      return Und("an absolute value on one side only (sample points are positive)");
    }
    for (size_t k = 0; k < x.rels.size(); ++k) {
      Rel ra = x.rels[k], rb = y.rels[k];
      bool eq_a = ra == Rel::kEq || ra == Rel::kApprox, eq_b = rb == Rel::kEq || rb == Rel::kApprox;
      if (eq_a != eq_b) return Diff("an equation against an inequality");
      if (ra == Rel::kIn || rb == Rel::kIn) return Diff("different relations");
    }
    for (size_t k = 0; k < x.rels.size(); ++k) {
      Rel ra = x.rels[k], rb = y.rels[k];
      // Each relation as f op 0 with f = smaller side - larger side.
      Ref la = a.Kid(k), lra = a.Kid(k + 1), lb = b.Kid(k), lrb = b.Kid(k + 1);
      bool flip_a = ra == Rel::kGt || ra == Rel::kGe;
      bool flip_b = rb == Rel::kGt || rb == Rel::kGe;
      if (flip_a) std::swap(la, lra);
      if (flip_b) std::swap(lb, lrb);
      bool strict_a = ra == Rel::kLt || ra == Rel::kGt, strict_b = rb == Rel::kLt || rb == Rel::kGt;
      bool ne_a = ra == Rel::kNe, ne_b = rb == Rel::kNe;
      bool eq = ra == Rel::kEq || ra == Rel::kApprox;
      if (strict_a != strict_b || ne_a != ne_b) {
        return Diff("strict and non-strict inequalities differ");
      }
      Comparison c = Proportional(la, lra, lb, lrb, /*positive=*/!eq && !ne_a);
      if (c.decision != Decision::kEqual) return c;
    }
    return Eq(x.rels[0] == Rel::kEq ? "equivalent equations (lhs - rhs equal up to a constant factor)"
                                    : "equivalent inequalities (equal up to a positive factor)");
  }

  // Whether La - Ra = c (Lb - Rb) for a constant c != 0 (c > 0 when `positive`).
  Comparison Proportional(Ref la, Ref ra, Ref lb, Ref rb, bool positive) {
    Complex c;
    bool have_c = false;
    int agreed = 0;
    for (int point = 0; point < kPoints; ++point) {
      Complex v1, v2, v3, v4;
      EvalStatus s1 = EvalNumeric(*la.t, la.n, la.mask, point, &budget_, &v1);
      EvalStatus s2 = EvalNumeric(*ra.t, ra.n, ra.mask, point, &budget_, &v2);
      EvalStatus s3 = EvalNumeric(*lb.t, lb.n, lb.mask, point, &budget_, &v3);
      EvalStatus s4 = EvalNumeric(*rb.t, rb.n, rb.mask, point, &budget_, &v4);
      if (budget_.exceeded) return OutOfBudget();
      if (s1 == EvalStatus::kNotScalar || s2 == EvalStatus::kNotScalar ||
          s3 == EvalStatus::kNotScalar || s4 == EvalStatus::kNotScalar) {
        return Diff("a relation between values of different kinds");
      }
      if (s1 != EvalStatus::kOk || s2 != EvalStatus::kOk || s3 != EvalStatus::kOk ||
          s4 != EvalStatus::kOk) {
        continue;
      }
      if (!v1.is_real() || !v2.is_real() || !v3.is_real() || !v4.is_real() || v1.is_inf() ||
          v2.is_inf() || v3.is_inf() || v4.is_inf()) {
        continue;
      }
      Complex fa, fb, zero;
      mpfr_sub(fa.re(), v1.re(), v2.re(), MPFR_RNDN);
      mpfr_sub(fb.re(), v3.re(), v4.re(), MPFR_RNDN);
      bool za = Close(fa, zero), zb = Close(fb, zero);
      if (!have_c) {
        if (za && zb) {
          ++agreed;
          continue;
        }
        if (za != zb) return Diff("the relations hold at different points");
        mpfr_div(c.re(), fa.re(), fb.re(), MPFR_RNDN);
        if (positive && mpfr_sgn(c.re()) <= 0) return Diff("the inequality points the other way");
        have_c = true;
        ++agreed;
        continue;
      }
      Complex scaled;
      mpfr_mul(scaled.re(), fb.re(), c.re(), MPFR_RNDN);
      if (!Close(fa, scaled)) return Diff("the relations differ at a random point");
      ++agreed;
    }
    if (agreed < kMinPoints) {
      return Und(absl::StrCat("relation defined at only ", agreed, " of ", kPoints, " points"));
    }
    return Eq("proportional");
  }

  // --- intervals ------------------------------------------------------------------------------

  bool IntervalLike(Ref r) {
    r = Strip(r);
    const Node& n = r.node();
    switch (n.op) {
      case Op::kUnion:
      case Op::kReals:
      case Op::kSetMinus:
        return true;
      case Op::kTuple:
        return n.kids.size() == 2 &&
               ((n.flags & (kParenOpen | kParenClose)) != (kParenOpen | kParenClose) ||
                InfinitySign(r.Kid(0)) != 0 || InfinitySign(r.Kid(1)) != 0);
      case Op::kRelation: {
        bool ineq = false;
        for (Rel rel : n.rels) ineq = ineq || IsInequality(rel) || rel == Rel::kIn;
        std::vector<Interval> tmp;
        return ineq && ToIntervals(r, &tmp);
      }
      case Op::kList: {
        if (!(n.flags & kOrList)) return false;
        for (size_t k = 0; k < n.kids.size(); ++k) {
          if (!IntervalLike(r.Kid(k))) return false;
        }
        return true;
      }
      default:
        return false;
    }
  }

  bool ToIntervals(Ref r, std::vector<Interval>* out) {
    r = Strip(r);
    const Node& n = r.node();
    switch (n.op) {
      case Op::kTuple: {
        if (n.kids.size() != 2) return false;
        Interval iv{r.Kid(0), r.Kid(1)};
        iv.lo_inf = InfinitySign(iv.lo);
        iv.hi_inf = InfinitySign(iv.hi);
        iv.lo_closed = !(n.flags & kParenOpen);
        iv.hi_closed = !(n.flags & kParenClose);
        out->push_back(iv);
        return true;
      }
      case Op::kReals: {
        Interval iv{r, r};
        iv.lo_inf = -1;
        iv.hi_inf = 1;
        out->push_back(iv);
        return true;
      }
      case Op::kSet:
        // A finite set of numbers is a union of points: `\{-1\} \cup [0,7)`.
        for (size_t k = 0; k < n.kids.size(); ++k) {
          Ref e = Strip(r.Kid(k));
          Op op = e.node().op;
          if (op == Op::kTuple || op == Op::kSet || op == Op::kList || op == Op::kMatrix ||
              op == Op::kRelation || op == Op::kText || op == Op::kUnion || op == Op::kReals ||
              HasPlusMinus(e) || InfinitySign(e) != 0) {
            return false;
          }
          Interval point{e, e};
          point.lo_closed = point.hi_closed = true;
          out->push_back(point);
        }
        return true;
      case Op::kUnion:
      case Op::kList:
        if (n.op == Op::kList && !(n.flags & kOrList)) return false;
        for (size_t k = 0; k < n.kids.size(); ++k) {
          if (!ToIntervals(r.Kid(k), out)) return false;
        }
        return true;
      case Op::kRelation:
        return RelationIntervals(r, out);
      case Op::kSetMinus:
        return SetMinusIntervals(r, out);
      default:
        return false;
    }
  }

  // The real value of a constant end or point, for ordering; false where there is none.
  bool RealValue(Ref r, Complex* v) {
    if (HasSymbols(*r.t, r.n)) return false;
    return EvalNumeric(*r.t, r.n, r.mask, -1, &budget_, v) == EvalStatus::kOk && v->is_real() &&
           !v->is_inf();
  }

  // `[1,5] \setminus \{3\}`, `\mathbb{R} \setminus \{0\}`: intervals with finitely many constant
  // points taken out. A point inside an interval splits it into two open at the point; a point at
  // a closed end opens that end; a point interval at the point goes. Anything else subtracted
  // (an interval, a symbolic point) is not read.
  bool SetMinusIntervals(Ref r, std::vector<Interval>* out) {
    std::vector<Interval> from, points;
    if (!ToIntervals(r.Kid(0), &from)) return false;
    Ref removed = Strip(r.Kid(1));
    if (removed.node().op != Op::kSet || !ToIntervals(removed, &points)) return false;
    for (const Interval& p : points) {
      Complex pv;
      if (!RealValue(p.lo, &pv)) return false;
      std::vector<Interval> next;
      for (const Interval& iv : from) {
        // cmp_lo: sign of p - lo (+1 when lo is -infinity); cmp_hi: sign of p - hi.
        int cmp_lo = 1, cmp_hi = -1;
        Complex v;
        if (iv.lo_inf == 0) {
          if (!RealValue(iv.lo, &v)) return false;
          cmp_lo = Close(pv, v) ? 0 : mpfr_cmp(pv.re(), v.re());
        }
        if (iv.hi_inf == 0) {
          if (!RealValue(iv.hi, &v)) return false;
          cmp_hi = Close(pv, v) ? 0 : mpfr_cmp(pv.re(), v.re());
        }
        if (cmp_lo < 0 || cmp_hi > 0) {
          next.push_back(iv);  // outside
        } else if (cmp_lo == 0 && cmp_hi == 0) {
          // a point interval at p: removed
        } else if (cmp_lo == 0) {
          Interval cut = iv;
          cut.lo_closed = false;
          next.push_back(cut);
        } else if (cmp_hi == 0) {
          Interval cut = iv;
          cut.hi_closed = false;
          next.push_back(cut);
        } else {
          Interval below = iv, above = iv;
          below.hi = p.lo;
          below.hi_inf = 0;
          below.hi_closed = false;
          above.lo = p.lo;
          above.lo_inf = 0;
          above.lo_closed = false;
          next.push_back(below);
          next.push_back(above);
        }
        if (next.size() > kMaxElements) return false;
      }
      from = std::move(next);
    }
    out->insert(out->end(), from.begin(), from.end());
    return true;
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

  bool RelationIntervals(Ref r, std::vector<Interval>* out) {
    const Node& n = r.node();
    if (n.rels.size() == 1 && n.rels[0] == Rel::kIn && IsBoundedName(r.Kid(0))) {
      return ToIntervals(r.Kid(1), out);
    }
    auto constant = [&](Ref x) { return !HasSymbols(*x.t, x.n); };
    if (n.rels.size() == 1) {
      Rel rel = n.rels[0];
      Ref var = r.Kid(0), bound = r.Kid(1);
      if (!(IsBoundedName(var) && constant(bound))) {
        if (!(IsBoundedName(bound) && constant(var))) return false;
        std::swap(var, bound);
        switch (rel) {  // c < x is x > c
          case Rel::kLt: rel = Rel::kGt; break;
          case Rel::kLe: rel = Rel::kGe; break;
          case Rel::kGt: rel = Rel::kLt; break;
          case Rel::kGe: rel = Rel::kLe; break;
          default: break;
        }
      }
      Interval below{bound, bound}, above{bound, bound};
      below.lo_inf = -1;
      above.hi_inf = 1;
      switch (rel) {
        case Rel::kLt: out->push_back(below); return true;
        case Rel::kLe: below.hi_closed = true; out->push_back(below); return true;
        case Rel::kGt: out->push_back(above); return true;
        case Rel::kGe: above.lo_closed = true; out->push_back(above); return true;
        case Rel::kNe: out->push_back(below); out->push_back(above); return true;
        default: return false;
      }
    }
    if (n.rels.size() == 2 && IsBoundedName(r.Kid(1)) && constant(r.Kid(0)) &&
        constant(r.Kid(2))) {
      Rel r1 = n.rels[0], r2 = n.rels[1];
      bool up = (r1 == Rel::kLt || r1 == Rel::kLe) && (r2 == Rel::kLt || r2 == Rel::kLe);
      bool down = (r1 == Rel::kGt || r1 == Rel::kGe) && (r2 == Rel::kGt || r2 == Rel::kGe);
      if (!up && !down) return false;
      Interval iv{up ? r.Kid(0) : r.Kid(2), up ? r.Kid(2) : r.Kid(0)};
      Rel lo_rel = up ? r1 : r2, hi_rel = up ? r2 : r1;
      iv.lo_closed = lo_rel == Rel::kLe || lo_rel == Rel::kGe;
      iv.hi_closed = hi_rel == Rel::kLe || hi_rel == Rel::kGe;
      iv.lo_inf = InfinitySign(iv.lo);
      iv.hi_inf = InfinitySign(iv.hi);
      out->push_back(iv);
      return true;
    }
    return false;
  }

  Comparison IntervalEqual(const Interval& a, const Interval& b) {
    if (a.lo_inf != b.lo_inf || a.hi_inf != b.hi_inf) return Diff("interval ends differ (infinite vs finite)");
    if (a.lo_inf == 0 && a.lo_closed != b.lo_closed) return Diff("interval ends differ: open vs closed");
    if (a.hi_inf == 0 && a.hi_closed != b.hi_closed) return Diff("interval ends differ: open vs closed");
    if (a.lo_inf == 0) {
      Comparison c = Equal(a.lo, b.lo);
      if (c.decision != Decision::kEqual) return Prefixed("lower ends: ", c);
    }
    if (a.hi_inf == 0) {
      Comparison c = Equal(a.hi, b.hi);
      if (c.decision != Decision::kEqual) return Prefixed("upper ends: ", c);
    }
    return Eq("equal intervals");
  }

  Comparison CompareIntervals(const std::vector<Interval>& a, const std::vector<Interval>& b) {
    if (a.size() != b.size()) return Diff("different numbers of intervals");
    std::vector<bool> used(b.size(), false);
    Comparison last;
    for (const Interval& x : a) {
      bool found = false;
      for (size_t k = 0; k < b.size(); ++k) {
        if (used[k]) continue;
        Comparison c = IntervalEqual(x, b[k]);
        if (c.decision == Decision::kEqual) {
          used[k] = true;
          found = true;
          break;
        }
        last = c;
        if (budget_.exceeded) return OutOfBudget();
      }
      if (!found) return a.size() == 1 ? last : Prefixed("an interval has no equal: ", last);
    }
    return Eq(a.size() == 1 ? "equal intervals (as sets of numbers)" : "equal unions of intervals");
  }

  const CompareOptions& options_;
  Budget budget_;
};

}  // namespace

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
