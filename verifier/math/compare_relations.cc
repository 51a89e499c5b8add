// Relations (comparer.h): equations up to a factor, inequalities and intervals as sets of
// numbers, set differences, true relations read as either side.
#include "verifier/math/comparer.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "verifier/math/labels.h"
#include "verifier/math/rewrite.h"
#include "verifier/math/value.h"

namespace verdict::math::compare_internal {

// `4! = 24`, `5\sqrt2 \approx 7.07`: a relation between constants that holds states each of
// its sides, and a bare answer equal to any side matches it. It holds when every `=` joins
// equal sides and every `\approx` joins a value to a decimal that the value rounds to at the
// decimal's written precision. A false one (`\boxed{9=2}`) states nothing: nullopt, as for
// any relation this rule does not cover.
std::optional<Comparison> Comparer::SideOfTrueRelation(Ref rel, Ref value, bool relation_is_gold) {
  const Node& n = rel.node();
  // Two sides only: a chain of approximations could drift (`1 \approx 1.0 \approx 1.04`).
  if (n.rels.size() != 1 || (n.rels[0] != Rel::kEq && n.rels[0] != Rel::kApprox)) {
    return std::nullopt;
  }
  for (size_t k = 0; k < n.kids.size(); ++k) {
    Ref side = Strip(rel.Kid(k));
    Op op = side.node().op;
    if (HasSymbols(*side.t, side.n) || HasPlusMinus(side) || op == Op::kTuple || op == Op::kList ||
        op == Op::kSet || op == Op::kMatrix || op == Op::kText) {
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

Comparison Comparer::RelationEqual(Ref a, Ref b) {
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
  // `\pm x = 5` states two equations, `x = 5` one of them: never equal.
  if (!a.pm_fixed && !b.pm_fixed && HasPlusMinus(a) != HasPlusMinus(b)) {
    return Diff("a \\pm on one side only (it states several relations)");
  }
  if (x.rels.size() != y.rels.size()) return Diff("relations of different lengths");
  // Variables are sampled in (0.3, 2.7), where |x| = x: `|x| = 3` would pass for `x = 3`.
  if (Contains(*a.t, a.n, Op::kAbs) != Contains(*b.t, b.n, Op::kAbs)) {
    return Und("an absolute value on one side only (sample points are positive)");
  }
  // Relation k of `b`, read left to right or, `reversed`, from its last side back: `4 > x > 1`
  // read backwards is `1 < x < 4`, the same statement.
  const size_t m = y.rels.size();
  const auto rel_b = [&](size_t k, bool reversed) {
    return reversed ? FlipRelation(y.rels[m - 1 - k]) : y.rels[k];
  };
  const auto side_b = [&](size_t k, bool reversed) {
    return reversed ? b.Kid(static_cast<int32_t>(m - k)) : b.Kid(static_cast<int32_t>(k));
  };
  const auto same_shape = [&](bool reversed) -> std::optional<Comparison> {
    for (size_t k = 0; k < x.rels.size(); ++k) {
      Rel ra = x.rels[k], rb = rel_b(k, reversed);
      bool eq_a = ra == Rel::kEq || ra == Rel::kApprox;
      bool eq_b = rb == Rel::kEq || rb == Rel::kApprox;
      if (eq_a != eq_b) return Diff("an equation against an inequality");
      if (ra == Rel::kIn || rb == Rel::kIn) return Diff("different relations");
    }
    return std::nullopt;
  };
  if (std::optional<Comparison> c = same_shape(false)) {
    if (m < 2 || same_shape(true)) return *c;
  }
  const auto each_relation_proportional = [&](bool reversed) -> std::optional<Comparison> {
    if (std::optional<Comparison> c = same_shape(reversed)) return c;
    for (size_t k = 0; k < x.rels.size(); ++k) {
      Rel ra = x.rels[k], rb = rel_b(k, reversed);
      // Each relation as f op 0 with f = smaller side - larger side.
      Ref la = a.Kid(k), lra = a.Kid(k + 1);
      Ref lb = side_b(k, reversed), lrb = side_b(k + 1, reversed);
      bool flip_a = ra == Rel::kGt || ra == Rel::kGe;
      bool flip_b = rb == Rel::kGt || rb == Rel::kGe;
      if (flip_a) std::swap(la, lra);
      if (flip_b) std::swap(lb, lrb);
      bool strict_a = ra == Rel::kLt || ra == Rel::kGt;
      bool strict_b = rb == Rel::kLt || rb == Rel::kGt;
      bool ne_a = ra == Rel::kNe, ne_b = rb == Rel::kNe;
      bool eq = ra == Rel::kEq || ra == Rel::kApprox;
      if (strict_a != strict_b || ne_a != ne_b) {
        return Diff("strict and non-strict inequalities differ");
      }
      Comparison c = Proportional(la, lra, lb, lrb, /*positive=*/!eq && !ne_a);
      if (c.decision != Decision::kEqual) return c;
    }
    return std::nullopt;
  };
  // A chain read forwards, else backwards; the orientation that holds is re-checked below.
  bool reversed = false;
  if (std::optional<Comparison> c = each_relation_proportional(false)) {
    if (m < 2 || budget_.exceeded) return *c;
    if (each_relation_proportional(true)) return *c;
    reversed = true;
  }
  // As for numbers (HighPrecisionEqual): a term written below what 256 bits resolve
  // (`x - 2y + z - 1 = 0 + \frac{1}{10^{100}}`) must survive the much higher precision.
  const double demand = std::max(PrecisionDemandBits(*a.t, a.n, a.mask, 0, &budget_),
                                 PrecisionDemandBits(*b.t, b.n, b.mask, 0, &budget_));
  if (budget_.exceeded) return OutOfBudget();
  if (demand > kDirectDemandBits) {
    constexpr mpfr_prec_t kHigh = Complex::kHighPrecision;
    if (demand > static_cast<double>(kHigh - 64)) {
      return Und(
          "proportional at 256 bits, but the written magnitudes need more bits than the "
          "high-precision check resolves");
    }
    NumericPrecision high(kHigh);
    if (std::optional<Comparison> c = each_relation_proportional(reversed)) {
      return Prefixed("at 2048 bits (a term below the first precision): ", *c);
    }
  }
  if (reversed) return Eq("the same chain read from its other end");
  return Eq(x.rels[0] == Rel::kEq ? "equivalent equations (lhs - rhs equal up to a constant factor)"
                                  : "equivalent inequalities (equal up to a positive factor)");
}

// Whether La - Ra = c (Lb - Rb) for a constant c != 0 (c > 0 when `positive`).
Comparison Comparer::Proportional(Ref la, Ref ra, Ref lb, Ref rb, bool positive) {
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

bool Comparer::IntervalLike(Ref r) {
  r = Strip(r);
  const Node& n = r.node();
  switch (n.op) {
    case Op::kUnion:
    case Op::kReals:
    case Op::kSetMinus: return true;
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
    default: return false;
  }
}

bool Comparer::ToIntervals(Ref r, std::vector<Interval>* out) {
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
    case Op::kRelation: return RelationIntervals(r, out);
    case Op::kSetMinus: return SetMinusIntervals(r, out);
    default: return false;
  }
}

// `[1,5] \setminus \{3\}`, `\mathbb{R} \setminus \{0\}`: intervals with finitely many constant
// points taken out. A point inside an interval splits it into two open at the point; a point at
// a closed end opens that end; a point interval at the point goes. Anything else subtracted
// (an interval, a symbolic point) is not read.
bool Comparer::SetMinusIntervals(Ref r, std::vector<Interval>* out) {
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

bool Comparer::RelationIntervals(Ref r, std::vector<Interval>* out) {
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
      rel = FlipRelation(rel);  // c < x is x > c
    }
    Interval below{bound, bound}, above{bound, bound};
    below.lo_inf = -1;
    above.hi_inf = 1;
    switch (rel) {
      case Rel::kLt: out->push_back(below); return true;
      case Rel::kLe:
        below.hi_closed = true;
        out->push_back(below);
        return true;
      case Rel::kGt: out->push_back(above); return true;
      case Rel::kGe:
        above.lo_closed = true;
        out->push_back(above);
        return true;
      case Rel::kNe:
        out->push_back(below);
        out->push_back(above);
        return true;
      default: return false;
    }
  }
  if (n.rels.size() == 2 && IsBoundedName(r.Kid(1)) && constant(r.Kid(0)) && constant(r.Kid(2))) {
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

Comparison Comparer::IntervalEqual(const Interval& a, const Interval& b) {
  if (a.lo_inf != b.lo_inf || a.hi_inf != b.hi_inf)
    return Diff("interval ends differ (infinite vs finite)");
  if (a.lo_inf == 0 && a.lo_closed != b.lo_closed)
    return Diff("interval ends differ: open vs closed");
  if (a.hi_inf == 0 && a.hi_closed != b.hi_closed)
    return Diff("interval ends differ: open vs closed");
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

Comparison Comparer::CompareIntervals(const std::vector<Interval>& a,
                                      const std::vector<Interval>& b) {
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

}  // namespace verdict::math::compare_internal
