// Numbers (comparer.h): scalars at random points, exact constants, a second precision for
// numeric equality, decimals against exact values, percents, degrees, approximations.
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

// Whether `approx` is a decimal literal (possibly negated) that `exact`'s value rounds to at the
// decimal's written precision (`\pi \approx 3.14`), at any number of digits. `exact` must not
// itself be a decimal: `2.0 \approx 2.04` would state two different values.
bool Comparer::RoundsTo(Ref exact, Ref approx) {
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

Comparison Comparer::PercentEqual(Ref a, Ref b) {
  bool a_pct = a.node().op == Op::kPercent;
  Ref pct = a_pct ? a : b;
  Ref other = a_pct ? b : a;
  auto cmp = [&](Ref p) { return a_pct ? ScalarEqual(p, other) : ScalarEqual(other, p); };
  if (options_.percent != PercentPolicy::kFraction) {
    Comparison c = cmp(pct.Kid(0));
    if (c.decision == Decision::kEqual)
      return Eq(absl::StrCat("a percentage read as its number: ", c.rule));
    if (budget_.exceeded) return OutOfBudget();
  }
  if (options_.percent != PercentPolicy::kNumber) {
    Comparison c = cmp(pct);
    if (c.decision == Decision::kEqual)
      return Eq(absl::StrCat("a percentage read as a fraction: ", c.rule));
    return c;
  }
  return Diff("a percentage against a different number");
}

// `5\sqrt{2} \approx 7.07` against a value: a true approximation (the decimal is the constant
// rounded at the precision written) stands for either side, so it equals `5\sqrt{2}` and
// `7.07`; a false one (`\pi \approx 3.2`) equals nothing. Only a constant against a decimal
// literal: `x \approx 7.07` is a variable's value (AssignedValue).
std::optional<Comparison> Comparer::ApproximationEqual(Ref a, Ref b) {
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
bool Comparer::DegreesEqualRadians(Ref a, Ref b) {
  auto unit_stripped = [](Ref r) {
    while (r.node().op == Op::kUnit) r = r.Kid(0);
    return r;
  };
  Ref x = unit_stripped(a), y = unit_stripped(b);
  if ((x.node().op == Op::kDegree) == (y.node().op == Op::kDegree)) return false;
  Ref deg = x.node().op == Op::kDegree ? x.Kid(0) : y.Kid(0);
  Ref rad = x.node().op == Op::kDegree ? y : x;
  if (!Contains(*rad.t, rad.n, Op::kPi) || HasSymbols(*rad.t, rad.n) || HasSymbols(*deg.t, deg.n) ||
      HasPlusMinus(rad) || HasPlusMinus(deg)) {
    return false;
  }
  if (PrecisionDemandBits(*rad.t, rad.n, rad.mask, -1, &budget_) > kDirectDemandBits ||
      PrecisionDemandBits(*deg.t, deg.n, deg.mask, -1, &budget_) > kDirectDemandBits) {
    return false;
  }
  Complex vd, vr;
  if (EvalNumeric(*deg.t, deg.n, deg.mask, -1, &budget_, &vd) != EvalStatus::kOk ||
      EvalNumeric(*rad.t, rad.n, rad.mask, -1, &budget_, &vr) != EvalStatus::kOk || !vd.is_real() ||
      !vr.is_real() || vd.is_inf() || vr.is_inf()) {
    return false;
  }
  Complex pi;
  mpfr_const_pi(pi.re(), MPFR_RNDN);
  mpfr_mul(vd.re(), vd.re(), pi.re(), MPFR_RNDN);
  mpfr_div_ui(vd.re(), vd.re(), 180, MPFR_RNDN);
  return Close(vd, vr);
}

namespace {

// Whether `r` holds a floor or ceiling of an expression in a variable: a step function, so the
// sample points (all in (0.3, 2.7)) may all land on one step (`x^2 + 1 + \lfloor x/3 \rfloor`
// would pass for `x^2 + 1`).
bool HasStepInAVariable(Ref r) {
  std::vector<int32_t> stack = {r.n};
  while (!stack.empty()) {
    const int32_t id = stack.back();
    stack.pop_back();
    const Node& n = r.t->at(id);
    if (n.op == Op::kFunc && (n.text == "floor" || n.text == "ceil") && HasSymbols(*r.t, id)) {
      return true;
    }
    stack.insert(stack.end(), n.kids.begin(), n.kids.end());
  }
  return false;
}

}  // namespace

Comparison Comparer::ScalarEqual(Ref a, Ref b) {
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
  if (HasStepInAVariable(a) || HasStepInAVariable(b)) {
    return Und(
        "a floor or ceiling of a variable: random points may all land on one step, so "
        "only the same canonical form is equal");
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
  // And at wide points (|x| in (12, 108)): `|x - 3|` equals `3 - x` at every point below 3.
  if (HasAbsOrSqrt(a) != HasAbsOrSqrt(b)) {
    for (int first : {kFirstNegativePoint, kFirstWidePoint}) {
      for (int point = 0; point < kPoints; ++point) {
        Complex va, vb;
        EvalStatus sa = EvalNumeric(*a.t, a.n, a.mask, first + point, &budget_, &va);
        EvalStatus sb = EvalNumeric(*b.t, b.n, b.mask, first + point, &budget_, &vb);
        if (sa == EvalStatus::kBudget || sb == EvalStatus::kBudget) return OutOfBudget();
        if (sa != EvalStatus::kOk || sb != EvalStatus::kOk || !va.is_real() || !vb.is_real()) {
          continue;
        }
        if (!Close(va, vb)) {
          return Diff(absl::StrCat("differ at a ", first == kFirstWidePoint ? "wide" : "negative",
                                   " point: gold ", va.ToString(8), ", answer ", vb.ToString(8)));
        }
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
Comparison Comparer::HighPrecisionEqual(Ref a, Ref b, const std::vector<int>& points,
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
                               " bits (a term below the first precision): gold ", va.ToString(12),
                               ", answer ", vb.ToString(12)));
    }
  }
  return Eq(absl::StrCat(rule, "; still equal at ", kHigh, " bits"));
}

Comparison Comparer::ConstantEqual(Ref a, Ref b) {
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
  return Diff(
      absl::StrCat("different values: answer ", vb.ToString(10), ", gold ", va.ToString(10)));
}

bool Comparer::Close(const Complex& a, const Complex& b) {
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

// A decimal literal (possibly negated) with enough significant digits whose rounding interval
// holds the other side's value. Against another decimal (itself perhaps rounded) it needs the
// irrational threshold: 0.333333 = 0.3333333, but 85.71 != 85.714.
bool Comparer::DecimalMatches(Ref a, Ref b, bool irrational) {
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
    if (!mpfr_lessequal_p(diff.re(), half.re())) continue;
    // Closer than 10^-12 of the rounding interval yet not equal (exact values differ, or the
    // sides were not close at 256 bits): a perturbation written into the other side
    // (`1234.5 + 10^{-50}`), which no rounding produces.
    mpfr_div_ui(half.re(), half.re(), 1000000, MPFR_RNDN);
    mpfr_div_ui(half.re(), half.re(), 1000000, MPFR_RNDN);
    if (mpfr_less_p(diff.re(), half.re())) continue;
    return true;
  }
  return false;
}

}  // namespace verdict::math::compare_internal
