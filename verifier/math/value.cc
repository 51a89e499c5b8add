#include "verifier/math/value.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"

namespace verdict::math {
namespace {

// ---------------------------------------------------------------------------------------------
// Exact arithmetic.

size_t Digits(const mpz_class& z) { return mpz_sizeinbase(z.get_mpz_t(), 10); }

bool TooBig(const ExactValue& v, Budget* b) {
  size_t d = std::max({Digits(v.re.get_num()), Digits(v.re.get_den()), Digits(v.im.get_num()),
                       Digits(v.im.get_den())});
  if (d > static_cast<size_t>(b->max_digits)) {
    b->Exceed(absl::StrCat("digits (an exact value with more than ", b->max_digits, " digits)"));
    return true;
  }
  return false;
}

void Mul(const ExactValue& a, const ExactValue& b, ExactValue* out) {
  mpq_class re = a.re * b.re - a.im * b.im;
  mpq_class im = a.re * b.im + a.im * b.re;
  out->re = re;
  out->im = im;
}

bool Div(const ExactValue& a, const ExactValue& b, ExactValue* out) {
  mpq_class d = b.re * b.re + b.im * b.im;
  if (sgn(d) == 0) return false;
  mpq_class re = (a.re * b.re + a.im * b.im) / d;
  mpq_class im = (a.im * b.re - a.re * b.im) / d;
  out->re = re;
  out->im = im;
  return true;
}

bool IsInteger(const ExactValue& v) { return v.is_real() && v.re.get_den() == 1; }

// q-th root of a non-negative integer if it is exact.
bool ExactRoot(const mpz_class& z, unsigned long q, mpz_class* out) {
  if (sgn(z) < 0) return false;
  return mpz_root(out->get_mpz_t(), z.get_mpz_t(), q) != 0;
}

EvalStatus PowExact(const ExactValue& base, const ExactValue& e, Budget* b, ExactValue* out) {
  if (!e.is_real()) return EvalStatus::kNotExact;
  const mpz_class& num = e.re.get_num();
  const mpz_class& den = e.re.get_den();
  if (!den.fits_ulong_p() || den > 64) return EvalStatus::kNotExact;
  if (!num.fits_slong_p()) {
    if (sgn(base.re) == 0 && base.is_real()) {
      if (sgn(num) > 0) {
        *out = ExactValue{};
        return EvalStatus::kOk;
      }
      return EvalStatus::kUndefined;
    }
    if (base.is_real() && abs(base.re) == 1 && den == 1) {
      out->re = (base.re < 0 && mpz_odd_p(num.get_mpz_t())) ? -1 : 1;
      out->im = 0;
      return EvalStatus::kOk;
    }
    b->Exceed("digits (an exponent too large to evaluate exactly)");
    return EvalStatus::kBudget;
  }
  long n = num.get_si();
  unsigned long q = den.get_ui();
  ExactValue x = base;
  if (q != 1) {  // rational exponent: exact only for perfect powers of a positive rational
    if (!base.is_real() || sgn(base.re) < 0) return EvalStatus::kNotExact;
    mpz_class rn, rd;
    if (!ExactRoot(base.re.get_num(), q, &rn) || !ExactRoot(base.re.get_den(), q, &rd)) {
      return EvalStatus::kNotExact;
    }
    x.re = mpq_class(rn, rd);
    x.re.canonicalize();
  }
  bool zero = sgn(x.re) == 0 && sgn(x.im) == 0;
  if (n == 0) {
    if (zero) return EvalStatus::kUndefined;  // 0^0
    out->re = 1;
    out->im = 0;
    return EvalStatus::kOk;
  }
  if (zero) {
    if (n < 0) return EvalStatus::kUndefined;
    *out = ExactValue{};
    return EvalStatus::kOk;
  }
  unsigned long m = static_cast<unsigned long>(n < 0 ? -n : n);
  // Size estimate before computing: bits(x) * m * log10(2) digits (at most 2x high).
  auto bits = [](const mpz_class& z) { return mpz_sizeinbase(z.get_mpz_t(), 2); };
  size_t width = std::max(
      {bits(x.re.get_num()), bits(x.re.get_den()), bits(x.im.get_num()), bits(x.im.get_den())});
  bool unit = x.is_real() && abs(x.re) == 1;
  if (!unit && width > 1 &&
      static_cast<double>(width - 1) * static_cast<double>(m) * 0.30103 > b->max_digits) {
    b->Exceed(absl::StrCat("digits (a power with more than ", b->max_digits, " digits)"));
    return EvalStatus::kBudget;
  }
  ExactValue result;
  result.re = 1;
  if (x.is_real()) {
    mpz_class rn, rd;
    mpz_pow_ui(rn.get_mpz_t(), x.re.get_num().get_mpz_t(), m);
    mpz_pow_ui(rd.get_mpz_t(), x.re.get_den().get_mpz_t(), m);
    result.re = mpq_class(rn, rd);
    result.re.canonicalize();
  } else {
    ExactValue acc = x;
    while (m > 0) {
      if (!b->Step()) return EvalStatus::kBudget;
      if (m & 1) Mul(result, acc, &result);
      m >>= 1;
      if (m) Mul(acc, acc, &acc);
      if (TooBig(result, b) || TooBig(acc, b)) return EvalStatus::kBudget;
    }
  }
  if (n < 0) {
    ExactValue one;
    one.re = 1;
    if (!Div(one, result, &result)) return EvalStatus::kUndefined;
  }
  if (TooBig(result, b)) return EvalStatus::kBudget;
  *out = result;
  return EvalStatus::kOk;
}

EvalStatus DetExact(std::vector<ExactValue> m, size_t n, Budget* b, ExactValue* out) {
  // Gaussian elimination over complex rationals.
  ExactValue det;
  det.re = 1;
  for (size_t c = 0; c < n; ++c) {
    size_t pivot = n;
    for (size_t r = c; r < n; ++r) {
      if (sgn(m[r * n + c].re) != 0 || sgn(m[r * n + c].im) != 0) {
        pivot = r;
        break;
      }
    }
    if (pivot == n) {
      *out = ExactValue{};
      return EvalStatus::kOk;
    }
    if (pivot != c) {
      for (size_t k = 0; k < n; ++k) std::swap(m[c * n + k], m[pivot * n + k]);
      det.re = -det.re;
      det.im = -det.im;
    }
    Mul(det, m[c * n + c], &det);
    for (size_t r = c + 1; r < n; ++r) {
      ExactValue f;
      if (!Div(m[r * n + c], m[c * n + c], &f)) return EvalStatus::kUndefined;
      for (size_t k = c; k < n; ++k) {
        if (!b->Step()) return EvalStatus::kBudget;
        ExactValue t;
        Mul(f, m[c * n + k], &t);
        m[r * n + k].re -= t.re;
        m[r * n + k].im -= t.im;
      }
    }
    if (TooBig(det, b)) return EvalStatus::kBudget;
  }
  *out = det;
  return EvalStatus::kOk;
}

bool PlusMinusSign(const Node& n, uint32_t pm_mask) {
  bool minus = (pm_mask >> n.rows) & 1u;
  if (n.flags & kMinusPlus) minus = !minus;
  return minus;
}

}  // namespace

EvalStatus EvalExact(const Tree& tree, int32_t node, uint32_t pm_mask, Budget* b, ExactValue* out) {
  if (!b->Step()) return EvalStatus::kBudget;
  const Node& n = tree.at(node);
  auto kid = [&](size_t k, ExactValue* v) { return EvalExact(tree, n.kids[k], pm_mask, b, v); };
  switch (n.op) {
    case Op::kNumber: {
      int64_t e = n.exp10;
      if (static_cast<int64_t>(n.text.size()) + std::max<int64_t>(e, -e) > b->max_digits) {
        b->Exceed(absl::StrCat("digits (a number with more than ", b->max_digits, " digits)"));
        return EvalStatus::kBudget;
      }
      mpz_class m(n.text, 10);
      mpz_class p;
      mpz_ui_pow_ui(p.get_mpz_t(), 10, static_cast<unsigned long>(e < 0 ? -e : e));
      if (e >= 0) {
        out->re = mpq_class(m * p);
      } else {
        out->re = mpq_class(m, p);
        out->re.canonicalize();
      }
      out->im = 0;
      return EvalStatus::kOk;
    }
    case Op::kI:
      out->re = 0;
      out->im = 1;
      return EvalStatus::kOk;
    case Op::kFunc:
      if (n.text == "floor" || n.text == "ceil") {  // exact on an exact real argument
        ExactValue v;
        EvalStatus s = kid(0, &v);
        if (s != EvalStatus::kOk) return s;
        if (!v.is_real()) return EvalStatus::kUndefined;
        mpz_class q;
        if (n.text == "floor") {
          mpz_fdiv_q(q.get_mpz_t(), v.re.get_num().get_mpz_t(), v.re.get_den().get_mpz_t());
        } else {
          mpz_cdiv_q(q.get_mpz_t(), v.re.get_num().get_mpz_t(), v.re.get_den().get_mpz_t());
        }
        out->re = mpq_class(q);
        out->im = 0;
        return EvalStatus::kOk;
      }
      return EvalStatus::kNotExact;
    case Op::kSymbol:
    case Op::kPi:
    case Op::kE:
    case Op::kInfinity: return EvalStatus::kNotExact;
    case Op::kAdd: {
      ExactValue sum;
      for (size_t k = 0; k < n.kids.size(); ++k) {
        ExactValue v;
        EvalStatus s = kid(k, &v);
        if (s != EvalStatus::kOk) return s;
        sum.re += v.re;
        sum.im += v.im;
        if (TooBig(sum, b)) return EvalStatus::kBudget;
      }
      *out = sum;
      return EvalStatus::kOk;
    }
    case Op::kMul: {
      ExactValue prod;
      prod.re = 1;
      for (size_t k = 0; k < n.kids.size(); ++k) {
        ExactValue v;
        EvalStatus s = kid(k, &v);
        if (s != EvalStatus::kOk) return s;
        Mul(prod, v, &prod);
        if (TooBig(prod, b)) return EvalStatus::kBudget;
      }
      *out = prod;
      return EvalStatus::kOk;
    }
    case Op::kNeg: {
      EvalStatus s = kid(0, out);
      if (s != EvalStatus::kOk) return s;
      out->re = -out->re;
      out->im = -out->im;
      return EvalStatus::kOk;
    }
    case Op::kDiv: {
      ExactValue a, c;
      EvalStatus s = kid(0, &a);
      if (s != EvalStatus::kOk) return s;
      s = kid(1, &c);
      if (s != EvalStatus::kOk) return s;
      if (!Div(a, c, out)) return EvalStatus::kUndefined;
      return TooBig(*out, b) ? EvalStatus::kBudget : EvalStatus::kOk;
    }
    case Op::kPow: {
      ExactValue a, e;
      EvalStatus s = kid(0, &a);
      if (s != EvalStatus::kOk) return s;
      s = kid(1, &e);
      if (s != EvalStatus::kOk) return s;
      return PowExact(a, e, b, out);
    }
    case Op::kMixed: {
      ExactValue w, p, q;
      if (kid(0, &w) != EvalStatus::kOk || kid(1, &p) != EvalStatus::kOk ||
          kid(2, &q) != EvalStatus::kOk) {
        return EvalStatus::kBudget;
      }
      ExactValue frac;
      if (!Div(p, q, &frac)) return EvalStatus::kUndefined;
      out->re = w.re + frac.re;
      out->im = 0;
      return EvalStatus::kOk;
    }
    case Op::kFactorial: {
      ExactValue v;
      EvalStatus s = kid(0, &v);
      if (s != EvalStatus::kOk) return s;
      if (!IsInteger(v) || sgn(v.re) < 0) return EvalStatus::kNotExact;
      if (!v.re.get_num().fits_ulong_p() || v.re.get_num() > 100000) {
        b->Exceed("digits (a factorial too large to evaluate exactly)");
        return EvalStatus::kBudget;
      }
      unsigned long k = v.re.get_num().get_ui();
      // log10(k!) ~ k log10(k/e): refuse before computing.
      if (k > 20 &&
          static_cast<double>(k) * (std::log10(static_cast<double>(k)) - 0.4343) > b->max_digits) {
        b->Exceed(absl::StrCat("digits (", k, "! has more than ", b->max_digits, " digits)"));
        return EvalStatus::kBudget;
      }
      if (!b->Step(static_cast<int64_t>(k))) return EvalStatus::kBudget;
      mpz_class f;
      mpz_fac_ui(f.get_mpz_t(), k);
      out->re = mpq_class(f);
      out->im = 0;
      return EvalStatus::kOk;
    }
    case Op::kBinom: {
      ExactValue a, c;
      EvalStatus s = kid(0, &a);
      if (s != EvalStatus::kOk) return s;
      s = kid(1, &c);
      if (s != EvalStatus::kOk) return s;
      if (!IsInteger(a) || !IsInteger(c) || sgn(a.re) < 0) return EvalStatus::kNotExact;
      if (sgn(c.re) < 0 || c.re > a.re) {
        *out = ExactValue{};
        return EvalStatus::kOk;
      }
      if (!a.re.get_num().fits_ulong_p() || a.re.get_num() > 1000000) {
        b->Exceed("digits (a binomial coefficient too large to evaluate exactly)");
        return EvalStatus::kBudget;
      }
      unsigned long nn = a.re.get_num().get_ui(), kk = c.re.get_num().get_ui();
      kk = std::min(kk, nn - kk);
      if (static_cast<double>(kk) * std::log10(static_cast<double>(nn) + 1) > b->max_digits) {
        b->Exceed("digits (a binomial coefficient too large to evaluate exactly)");
        return EvalStatus::kBudget;
      }
      if (!b->Step(static_cast<int64_t>(kk))) return EvalStatus::kBudget;
      mpz_class r;
      mpz_bin_uiui(r.get_mpz_t(), nn, kk);
      out->re = mpq_class(r);
      out->im = 0;
      return EvalStatus::kOk;
    }
    case Op::kAbs: {
      ExactValue v;
      EvalStatus s = kid(0, &v);
      if (s != EvalStatus::kOk) return s;
      if (!v.is_real()) return EvalStatus::kNotExact;
      out->re = abs(v.re);
      out->im = 0;
      return EvalStatus::kOk;
    }
    case Op::kPercent: {
      EvalStatus s = kid(0, out);
      if (s != EvalStatus::kOk) return s;
      out->re /= 100;
      out->im /= 100;
      return EvalStatus::kOk;
    }
    case Op::kDegree:
    case Op::kUnit: return kid(0, out);
    case Op::kPlusMinus: {
      bool minus = PlusMinusSign(n, pm_mask);
      if (n.kids.size() == 1) {
        EvalStatus s = kid(0, out);
        if (s == EvalStatus::kOk && minus) {
          out->re = -out->re;
          out->im = -out->im;
        }
        return s;
      }
      ExactValue a, c;
      EvalStatus s = kid(0, &a);
      if (s != EvalStatus::kOk) return s;
      s = kid(1, &c);
      if (s != EvalStatus::kOk) return s;
      if (minus) {
        out->re = a.re - c.re;
        out->im = a.im - c.im;
      } else {
        out->re = a.re + c.re;
        out->im = a.im + c.im;
      }
      return EvalStatus::kOk;
    }
    case Op::kDet: {
      const Node& m = tree.at(n.kids[0]);
      size_t rows = static_cast<size_t>(m.rows);
      if (rows == 0 || m.kids.size() != rows * rows) return EvalStatus::kNotScalar;
      std::vector<ExactValue> cells(m.kids.size());
      for (size_t k = 0; k < m.kids.size(); ++k) {
        EvalStatus s = EvalExact(tree, m.kids[k], pm_mask, b, &cells[k]);
        if (s != EvalStatus::kOk) return s;
      }
      return DetExact(std::move(cells), rows, b, out);
    }
    default: return EvalStatus::kNotScalar;
  }
}

// ---------------------------------------------------------------------------------------------
// Numeric arithmetic.

namespace {
thread_local mpfr_prec_t working_precision = Complex::kPrecision;
}  // namespace

NumericPrecision::NumericPrecision(mpfr_prec_t bits) : saved_(working_precision) {
  working_precision = bits;
}
NumericPrecision::~NumericPrecision() { working_precision = saved_; }
mpfr_prec_t NumericPrecision::Current() { return working_precision; }

Complex::Complex() {
  mpfr_init2(re_, working_precision);
  mpfr_init2(im_, working_precision);
  mpfr_set_zero(re_, 1);
  mpfr_set_zero(im_, 1);
}
Complex::~Complex() {
  mpfr_clear(re_);
  mpfr_clear(im_);
}
Complex::Complex(const Complex& other) : Complex() { *this = other; }
Complex& Complex::operator=(const Complex& other) {
  if (this != &other) {
    mpfr_set(re_, other.re_, MPFR_RNDN);
    mpfr_set(im_, other.im_, MPFR_RNDN);
  }
  return *this;
}

std::string Complex::ToString(int digits) const {
  auto one = [&](mpfr_srcptr x) {
    char buf[128];
    mpfr_snprintf(buf, sizeof buf, "%.*Rg", digits, x);
    return std::string(buf);
  };
  if (is_real()) return one(re_);
  return absl::StrCat(
      one(re_), mpfr_sgn(im_) < 0 ? " - " : " + ",
      [&] {
        Complex t(*this);
        mpfr_abs(t.im(), t.im(), MPFR_RNDN);
        return one(t.im());
      }(),
      "i");
}

namespace {

constexpr mpfr_rnd_t R = MPFR_RNDN;

struct Tmp {
  Tmp() { mpfr_init2(v, NumericPrecision::Current()); }
  ~Tmp() { mpfr_clear(v); }
  Tmp(const Tmp&) = delete;
  Tmp& operator=(const Tmp&) = delete;
  mpfr_t v;
};

void CMul(const Complex& a, const Complex& b, Complex* out) {
  Tmp t1, t2, t3, t4;
  mpfr_mul(t1.v, a.re(), b.re(), R);
  mpfr_mul(t2.v, a.im(), b.im(), R);
  mpfr_mul(t3.v, a.re(), b.im(), R);
  mpfr_mul(t4.v, a.im(), b.re(), R);
  mpfr_sub(out->re(), t1.v, t2.v, R);
  mpfr_add(out->im(), t3.v, t4.v, R);
}

bool CDiv(const Complex& a, const Complex& b, Complex* out) {
  if (b.is_real()) {
    if (mpfr_zero_p(b.re())) return false;
    mpfr_div(out->re(), a.re(), b.re(), R);
    mpfr_div(out->im(), a.im(), b.re(), R);
    return true;
  }
  Tmp d, t1, t2, t3, t4;
  mpfr_sqr(t1.v, b.re(), R);
  mpfr_sqr(t2.v, b.im(), R);
  mpfr_add(d.v, t1.v, t2.v, R);
  if (mpfr_zero_p(d.v)) return false;
  mpfr_mul(t1.v, a.re(), b.re(), R);
  mpfr_mul(t2.v, a.im(), b.im(), R);
  mpfr_mul(t3.v, a.im(), b.re(), R);
  mpfr_mul(t4.v, a.re(), b.im(), R);
  mpfr_add(t1.v, t1.v, t2.v, R);
  mpfr_sub(t3.v, t3.v, t4.v, R);
  mpfr_div(out->re(), t1.v, d.v, R);
  mpfr_div(out->im(), t3.v, d.v, R);
  return true;
}

// Principal logarithm; false at 0.
bool CLog(const Complex& z, Complex* out) {
  if (z.is_real() && mpfr_sgn(z.re()) > 0) {
    mpfr_log(out->re(), z.re(), R);
    mpfr_set_zero(out->im(), 1);
    return true;
  }
  Tmp m;
  mpfr_hypot(m.v, z.re(), z.im(), R);
  if (mpfr_zero_p(m.v)) return false;
  Tmp arg;
  mpfr_atan2(arg.v, z.im(), z.re(), R);
  mpfr_log(out->re(), m.v, R);
  mpfr_set(out->im(), arg.v, R);
  return true;
}

void CExp(const Complex& z, Complex* out) {
  Tmp e, c, s;
  mpfr_exp(e.v, z.re(), R);
  if (z.is_real()) {
    mpfr_set(out->re(), e.v, R);
    mpfr_set_zero(out->im(), 1);
    return;
  }
  mpfr_sin_cos(s.v, c.v, z.im(), R);
  mpfr_mul(out->re(), e.v, c.v, R);
  mpfr_mul(out->im(), e.v, s.v, R);
}

bool IsSmallInteger(const Complex& z, long* n) {
  if (!z.is_real() || !mpfr_integer_p(z.re())) return false;
  if (!mpfr_fits_slong_p(z.re(), R)) return false;
  long v = mpfr_get_si(z.re(), R);
  if (v > (1L << 24) || v < -(1L << 24)) return false;
  *n = v;
  return true;
}

EvalStatus CPow(const Complex& a, const Complex& e, Budget* b, Complex* out) {
  long n;
  if (IsSmallInteger(e, &n)) {
    if (a.is_real()) {
      if (mpfr_zero_p(a.re()) && n <= 0) return EvalStatus::kUndefined;
      mpfr_pow_si(out->re(), a.re(), n, R);
      mpfr_set_zero(out->im(), 1);
      return EvalStatus::kOk;
    }
    Complex result, acc(a);
    mpfr_set_ui(result.re(), 1, R);
    unsigned long m = static_cast<unsigned long>(n < 0 ? -n : n);
    while (m) {
      if (!b->Step()) return EvalStatus::kBudget;
      if (m & 1) CMul(result, acc, &result);
      m >>= 1;
      if (m) CMul(acc, acc, &acc);
    }
    if (n < 0) {
      Complex one;
      mpfr_set_ui(one.re(), 1, R);
      if (!CDiv(one, result, &result)) return EvalStatus::kUndefined;
    }
    *out = result;
    return EvalStatus::kOk;
  }
  if (a.is_real() && e.is_real() && mpfr_sgn(a.re()) > 0) {
    mpfr_pow(out->re(), a.re(), e.re(), R);
    mpfr_set_zero(out->im(), 1);
    return EvalStatus::kOk;
  }
  if (a.is_real() && mpfr_zero_p(a.re())) {
    if (e.is_real() && mpfr_sgn(e.re()) > 0) {
      *out = Complex();
      return EvalStatus::kOk;
    }
    return EvalStatus::kUndefined;
  }
  // Real odd roots of negative reals: (-8)^(1/3) = -2, as a reader of school math expects.
  if (a.is_real() && e.is_real() && mpfr_sgn(a.re()) < 0) {
    Tmp inv;
    mpfr_ui_div(inv.v, 1, e.re(), R);
    mpfr_round(inv.v, inv.v);
    Tmp back;
    mpfr_ui_div(back.v, 1, inv.v, R);
    if (mpfr_fits_slong_p(inv.v, R) && (mpfr_get_si(inv.v, R) & 1) &&
        mpfr_equal_p(back.v, e.re())) {
      Tmp m;
      mpfr_neg(m.v, a.re(), R);
      mpfr_pow(out->re(), m.v, e.re(), R);
      mpfr_neg(out->re(), out->re(), R);
      mpfr_set_zero(out->im(), 1);
      return EvalStatus::kOk;
    }
  }
  Complex l;
  if (!CLog(a, &l)) return EvalStatus::kUndefined;
  Complex w;
  CMul(e, l, &w);
  CExp(w, out);
  return EvalStatus::kOk;
}

EvalStatus Func(const std::string& name, const Complex& x, const Complex* base, Complex* out) {
  if (name == "sqrt") {
    if (x.is_real() && mpfr_sgn(x.re()) >= 0) {
      mpfr_sqrt(out->re(), x.re(), R);
      mpfr_set_zero(out->im(), 1);
      return EvalStatus::kOk;
    }
    if (x.is_real()) {
      mpfr_neg(out->im(), x.re(), R);
      mpfr_sqrt(out->im(), out->im(), R);
      mpfr_set_zero(out->re(), 1);
      return EvalStatus::kOk;
    }
    Complex l;
    if (!CLog(x, &l)) return EvalStatus::kUndefined;
    mpfr_div_ui(l.re(), l.re(), 2, R);
    mpfr_div_ui(l.im(), l.im(), 2, R);
    CExp(l, out);
    return EvalStatus::kOk;
  }
  if (name == "exp") {
    CExp(x, out);
    return EvalStatus::kOk;
  }
  if (name == "ln" || name == "log" || name == "log10") {
    if (!CLog(x, out)) return EvalStatus::kUndefined;
    Complex div;
    if (name == "log10") {
      mpfr_set_ui(div.re(), 10, R);
      mpfr_log(div.re(), div.re(), R);
    } else if (base != nullptr) {
      if (!CLog(*base, &div)) return EvalStatus::kUndefined;
    } else {
      return EvalStatus::kOk;  // \log without a base is the natural logarithm
    }
    if (!CDiv(*out, div, out)) return EvalStatus::kUndefined;
    return EvalStatus::kOk;
  }
  if (!x.is_real()) return EvalStatus::kUndefined;  // trigonometry on complex numbers: not read
  mpfr_srcptr v = x.re();
  mpfr_ptr o = out->re();
  mpfr_set_zero(out->im(), 1);
  if (name == "floor")
    mpfr_floor(o, v);
  else if (name == "ceil")
    mpfr_ceil(o, v);
  else if (name == "sin")
    mpfr_sin(o, v, R);
  else if (name == "cos")
    mpfr_cos(o, v, R);
  else if (name == "tan")
    mpfr_tan(o, v, R);
  else if (name == "sec")
    mpfr_sec(o, v, R);
  else if (name == "csc")
    mpfr_csc(o, v, R);
  else if (name == "cot")
    mpfr_cot(o, v, R);
  else if (name == "arcsin")
    mpfr_asin(o, v, R);
  else if (name == "arccos")
    mpfr_acos(o, v, R);
  else if (name == "arctan")
    mpfr_atan(o, v, R);
  else if (name == "sinh")
    mpfr_sinh(o, v, R);
  else if (name == "cosh")
    mpfr_cosh(o, v, R);
  else if (name == "tanh")
    mpfr_tanh(o, v, R);
  else if (name == "coth")
    mpfr_coth(o, v, R);
  else if (name == "sech")
    mpfr_sech(o, v, R);
  else if (name == "csch")
    mpfr_csch(o, v, R);
  else if (name == "arcsec" || name == "arccsc" || name == "arccot") {
    Tmp inv;
    mpfr_ui_div(inv.v, 1, v, R);
    if (name == "arcsec")
      mpfr_acos(o, inv.v, R);
    else if (name == "arccsc")
      mpfr_asin(o, inv.v, R);
    else
      mpfr_atan(o, inv.v, R);
  } else {
    return EvalStatus::kUndefined;
  }
  if (mpfr_nan_p(o)) return EvalStatus::kUndefined;
  return EvalStatus::kOk;
}

bool IsTrig(const std::string& name) {
  return name == "sin" || name == "cos" || name == "tan" || name == "sec" || name == "csc" ||
         name == "cot";
}

uint64_t SplitMix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

EvalStatus Numeric(const Tree& tree, int32_t node, uint32_t pm_mask, int point, Budget* b,
                   Complex* out) {
  if (!b->Step()) return EvalStatus::kBudget;
  const Node& n = tree.at(node);
  auto kid = [&](size_t k, Complex* v) { return Numeric(tree, n.kids[k], pm_mask, point, b, v); };
  switch (n.op) {
    case Op::kNumber: {
      if (n.exp10 > 100000000 || n.exp10 < -100000000) {
        b->Exceed("magnitude (an exponent beyond the numeric range)");
        return EvalStatus::kBudget;
      }
      std::string s = absl::StrCat(n.text, "e", n.exp10);
      mpfr_set_str(out->re(), s.c_str(), 10, R);
      mpfr_set_zero(out->im(), 1);
      return EvalStatus::kOk;
    }
    case Op::kSymbol:
      if (point < 0) return EvalStatus::kNotScalar;
      SymbolValue(n.text, point, out->re());
      mpfr_set_zero(out->im(), 1);
      return EvalStatus::kOk;
    case Op::kPi:
      mpfr_const_pi(out->re(), R);
      mpfr_set_zero(out->im(), 1);
      return EvalStatus::kOk;
    case Op::kE:
      mpfr_set_ui(out->re(), 1, R);
      mpfr_exp(out->re(), out->re(), R);
      mpfr_set_zero(out->im(), 1);
      return EvalStatus::kOk;
    case Op::kI:
      mpfr_set_zero(out->re(), 1);
      mpfr_set_ui(out->im(), 1, R);
      return EvalStatus::kOk;
    case Op::kInfinity:
      mpfr_set_inf(out->re(), 1);
      mpfr_set_zero(out->im(), 1);
      return EvalStatus::kOk;
    case Op::kAdd: {
      Complex sum, v;
      for (size_t k = 0; k < n.kids.size(); ++k) {
        EvalStatus s = kid(k, &v);
        if (s != EvalStatus::kOk) return s;
        mpfr_add(sum.re(), sum.re(), v.re(), R);
        mpfr_add(sum.im(), sum.im(), v.im(), R);
      }
      *out = sum;
      break;
    }
    case Op::kMul: {
      Complex prod, v;
      mpfr_set_ui(prod.re(), 1, R);
      for (size_t k = 0; k < n.kids.size(); ++k) {
        EvalStatus s = kid(k, &v);
        if (s != EvalStatus::kOk) return s;
        if (prod.is_real() && v.is_real()) {
          mpfr_mul(prod.re(), prod.re(), v.re(), R);
        } else {
          CMul(prod, v, &prod);
        }
      }
      *out = prod;
      break;
    }
    case Op::kNeg: {
      EvalStatus s = kid(0, out);
      if (s != EvalStatus::kOk) return s;
      mpfr_neg(out->re(), out->re(), R);
      mpfr_neg(out->im(), out->im(), R);
      break;
    }
    case Op::kDiv: {
      Complex a, c;
      EvalStatus s = kid(0, &a);
      if (s != EvalStatus::kOk) return s;
      s = kid(1, &c);
      if (s != EvalStatus::kOk) return s;
      if (!CDiv(a, c, out)) return EvalStatus::kUndefined;
      break;
    }
    case Op::kPow: {
      Complex a, e;
      EvalStatus s = kid(0, &a);
      if (s != EvalStatus::kOk) return s;
      s = kid(1, &e);
      if (s != EvalStatus::kOk) return s;
      s = CPow(a, e, b, out);
      if (s != EvalStatus::kOk) return s;
      break;
    }
    case Op::kFunc: {
      Complex x, base;
      EvalStatus s = kid(0, &x);
      if (s != EvalStatus::kOk) return s;
      if ((n.text == "floor" || n.text == "ceil") && x.is_real() && mpfr_number_p(x.re())) {
        // Numerically, a value within rounding error of an integer may be on either side of it
        // (floor of sqrt(2)^2, or of sqrt(2)^2 - 2 near 0): undecided rather than a guess.
        // Exact arguments never get here.
        Tmp r, d;
        mpfr_round(r.v, x.re());
        mpfr_sub(d.v, x.re(), r.v, R);
        mpfr_exp_t scale = std::max<mpfr_exp_t>(mpfr_zero_p(x.re()) ? 1 : mpfr_get_exp(x.re()), 1);
        if (mpfr_zero_p(d.v) || mpfr_get_exp(d.v) < scale - (NumericPrecision::Current() - 64)) {
          b->Exceed("magnitude (a floor or ceiling of a value too close to an integer to decide)");
          return EvalStatus::kBudget;
        }
      }
      if (IsTrig(n.text)) {
        // \sin 30^\circ: degrees inside trigonometry are converted to radians.
        const Node& arg = tree.at(n.kids[0]);
        if (arg.op == Op::kDegree && x.is_real()) {
          Tmp pi;
          mpfr_const_pi(pi.v, R);
          mpfr_mul(x.re(), x.re(), pi.v, R);
          mpfr_div_ui(x.re(), x.re(), 180, R);
        }
        // sin(10^{10^5}): the argument is only known to the working precision, so its
        // reduction modulo 2 pi is noise once its magnitude nears that precision.
        if (!x.is_real() || (!mpfr_zero_p(x.re()) && mpfr_number_p(x.re()) &&
                             mpfr_get_exp(x.re()) > NumericPrecision::Current() - 64)) {
          if (!x.is_real()) return EvalStatus::kUndefined;
          b->Exceed("magnitude (a trigonometric argument too large to reduce exactly)");
          return EvalStatus::kBudget;
        }
      }
      if (n.kids.size() > 1) {
        s = kid(1, &base);
        if (s != EvalStatus::kOk) return s;
      }
      s = Func(n.text, x, n.kids.size() > 1 ? &base : nullptr, out);
      if (s != EvalStatus::kOk) return s;
      break;
    }
    case Op::kFactorial: {
      Complex x;
      EvalStatus s = kid(0, &x);
      if (s != EvalStatus::kOk) return s;
      if (!x.is_real() || mpfr_cmp_si(x.re(), -1) <= 0) return EvalStatus::kUndefined;
      if (mpfr_cmp_ui(x.re(), 100000000) > 0) {
        b->Exceed("magnitude (a factorial beyond the numeric range)");
        return EvalStatus::kBudget;
      }
      mpfr_add_ui(out->re(), x.re(), 1, R);
      mpfr_gamma(out->re(), out->re(), R);
      mpfr_set_zero(out->im(), 1);
      break;
    }
    case Op::kBinom: {
      Complex a, c;
      EvalStatus s = kid(0, &a);
      if (s != EvalStatus::kOk) return s;
      s = kid(1, &c);
      if (s != EvalStatus::kOk) return s;
      if (!a.is_real() || !c.is_real()) return EvalStatus::kUndefined;
      Tmp g1, g2, g3;
      mpfr_add_ui(g1.v, a.re(), 1, R);
      mpfr_lngamma(g1.v, g1.v, R);
      mpfr_add_ui(g2.v, c.re(), 1, R);
      mpfr_lngamma(g2.v, g2.v, R);
      mpfr_sub(g3.v, a.re(), c.re(), R);
      mpfr_add_ui(g3.v, g3.v, 1, R);
      mpfr_lngamma(g3.v, g3.v, R);
      mpfr_sub(g1.v, g1.v, g2.v, R);
      mpfr_sub(g1.v, g1.v, g3.v, R);
      mpfr_exp(out->re(), g1.v, R);
      mpfr_set_zero(out->im(), 1);
      if (mpfr_nan_p(out->re())) return EvalStatus::kUndefined;
      break;
    }
    case Op::kAbs: {
      Complex x;
      EvalStatus s = kid(0, &x);
      if (s != EvalStatus::kOk) return s;
      mpfr_hypot(out->re(), x.re(), x.im(), R);
      mpfr_set_zero(out->im(), 1);
      break;
    }
    case Op::kPercent: {
      EvalStatus s = kid(0, out);
      if (s != EvalStatus::kOk) return s;
      mpfr_div_ui(out->re(), out->re(), 100, R);
      mpfr_div_ui(out->im(), out->im(), 100, R);
      break;
    }
    case Op::kDegree:
    case Op::kUnit: return kid(0, out);
    case Op::kMixed: {
      Complex w, p, q;
      EvalStatus s = kid(0, &w);
      if (s == EvalStatus::kOk) s = kid(1, &p);
      if (s == EvalStatus::kOk) s = kid(2, &q);
      if (s != EvalStatus::kOk) return s;
      if (!CDiv(p, q, out)) return EvalStatus::kUndefined;
      mpfr_add(out->re(), out->re(), w.re(), R);
      break;
    }
    case Op::kPlusMinus: {
      bool minus = PlusMinusSign(n, pm_mask);
      if (n.kids.size() == 1) {
        EvalStatus s = kid(0, out);
        if (s != EvalStatus::kOk) return s;
        if (minus) {
          mpfr_neg(out->re(), out->re(), R);
          mpfr_neg(out->im(), out->im(), R);
        }
        break;
      }
      Complex a, c;
      EvalStatus s = kid(0, &a);
      if (s == EvalStatus::kOk) s = kid(1, &c);
      if (s != EvalStatus::kOk) return s;
      if (minus) {
        mpfr_sub(out->re(), a.re(), c.re(), R);
        mpfr_sub(out->im(), a.im(), c.im(), R);
      } else {
        mpfr_add(out->re(), a.re(), c.re(), R);
        mpfr_add(out->im(), a.im(), c.im(), R);
      }
      break;
    }
    case Op::kDet: {
      const Node& m = tree.at(n.kids[0]);
      size_t rows = static_cast<size_t>(m.rows);
      if (rows == 0 || m.kids.size() != rows * rows) return EvalStatus::kNotScalar;
      std::vector<Complex> a(m.kids.size());
      for (size_t k = 0; k < m.kids.size(); ++k) {
        EvalStatus s = Numeric(tree, m.kids[k], pm_mask, point, b, &a[k]);
        if (s != EvalStatus::kOk) return s;
      }
      Complex det;
      mpfr_set_ui(det.re(), 1, R);
      for (size_t c = 0; c < rows; ++c) {
        size_t pivot = rows;
        for (size_t r = c; r < rows; ++r) {
          if (!mpfr_zero_p(a[r * rows + c].re()) || !mpfr_zero_p(a[r * rows + c].im())) {
            pivot = r;
            break;
          }
        }
        if (pivot == rows) {
          *out = Complex();
          return EvalStatus::kOk;
        }
        if (pivot != c) {
          for (size_t k = 0; k < rows; ++k) std::swap(a[c * rows + k], a[pivot * rows + k]);
          mpfr_neg(det.re(), det.re(), R);
          mpfr_neg(det.im(), det.im(), R);
        }
        CMul(det, a[c * rows + c], &det);
        for (size_t r = c + 1; r < rows; ++r) {
          Complex f;
          if (!CDiv(a[r * rows + c], a[c * rows + c], &f)) return EvalStatus::kUndefined;
          for (size_t k = c; k < rows; ++k) {
            if (!b->Step()) return EvalStatus::kBudget;
            Complex t;
            CMul(f, a[c * rows + k], &t);
            mpfr_sub(a[r * rows + k].re(), a[r * rows + k].re(), t.re(), R);
            mpfr_sub(a[r * rows + k].im(), a[r * rows + k].im(), t.im(), R);
          }
        }
      }
      *out = det;
      break;
    }
    default: return EvalStatus::kNotScalar;
  }
  if (out->is_nan()) return EvalStatus::kUndefined;
  return EvalStatus::kOk;
}

}  // namespace

void SymbolValue(const std::string& name, int point, mpfr_ptr out) {
  const bool wide = point >= kFirstWidePoint;
  if (wide) point -= kFirstWidePoint;
  bool negative = wide ? (point % 2) == 1 : point >= kFirstNegativePoint;
  if (!wide && negative) point -= kFirstNegativePoint;
  uint64_t h = 1469598103934665603ULL;
  for (char c : name) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  h = SplitMix(h ^ SplitMix(static_cast<uint64_t>(point) + 1));
  // 0.3 + 2.4 * m / 2^40, exactly representable at our precision.
  uint64_t m = h >> 24;  // 40 bits
  mpfr_set_ui_2exp(out, m, -40, R);
  mpfr_mul_ui(out, out, 24, R);
  mpfr_div_ui(out, out, 10, R);
  Tmp low;
  mpfr_set_ui(low.v, 3, R);
  mpfr_div_ui(low.v, low.v, 10, R);
  mpfr_add(out, out, low.v, R);
  if (wide) mpfr_mul_ui(out, out, 40, R);
  if (negative) mpfr_neg(out, out, R);
}

// MPFR caches constants (pi, log 2) per thread; free them when the thread ends, so that
// short-lived threads (a server's, a test's) leave nothing behind.
struct MpfrThreadCache {
  ~MpfrThreadCache() { mpfr_free_cache2(MPFR_FREE_LOCAL_CACHE); }
};

EvalStatus EvalNumeric(const Tree& tree, int32_t node, uint32_t pm_mask, int point, Budget* budget,
                       Complex* out) {
  thread_local MpfrThreadCache cache;
  (void)cache;
  EvalStatus s = Numeric(tree, node, pm_mask, point, budget, out);
  if (s == EvalStatus::kOk && out->is_inf() && !HasInfinity(tree, node)) {
    budget->Exceed("magnitude (a value beyond the numeric range)");
    return EvalStatus::kBudget;
  }
  return s;
}

double PrecisionDemandBits(const Tree& tree, int32_t node, uint32_t pm_mask, int point,
                           Budget* budget) {
  constexpr double kLog2Of10 = 3.3219280948873623;
  constexpr double kCap = 1e12;
  // log2 |v| of a real value, or NaN when there is none.
  auto log2_abs = [](const Complex& v) {
    if (!v.is_real() || mpfr_zero_p(v.re()) || !mpfr_number_p(v.re())) return std::nan("");
    Tmp t;
    mpfr_abs(t.v, v.re(), R);
    mpfr_log2(t.v, t.v, R);
    return mpfr_get_d(t.v, R);
  };
  auto abs_value = [](const Complex& v) {
    if (!v.is_real() || !mpfr_number_p(v.re())) return std::nan("");
    return std::fabs(mpfr_get_d(v.re(), R));
  };
  double bits = 0;
  std::vector<int32_t> stack = {node};
  while (!stack.empty() && bits < kCap) {
    const Node& n = tree.at(stack.back());
    stack.pop_back();
    stack.insert(stack.end(), n.kids.begin(), n.kids.end());
    if (!budget->Step()) return kCap;
    double add = 0;
    switch (n.op) {
      case Op::kNumber:
        add = (static_cast<double>(n.text.size()) + std::fabs(static_cast<double>(n.exp10))) *
              kLog2Of10;
        break;
      case Op::kPow: {
        Complex base, e;
        if (EvalNumeric(tree, n.kids[0], pm_mask, point, budget, &base) != EvalStatus::kOk ||
            EvalNumeric(tree, n.kids[1], pm_mask, point, budget, &e) != EvalStatus::kOk) {
          if (budget->exceeded) return kCap;
          break;
        }
        double lb = log2_abs(base), ae = abs_value(e);
        if (!std::isnan(lb) && !std::isnan(ae)) add = ae * std::fabs(lb);
        break;
      }
      case Op::kFactorial:
      case Op::kBinom:
      case Op::kFunc: {
        Complex x;
        if (EvalNumeric(tree, n.kids[0], pm_mask, point, budget, &x) != EvalStatus::kOk) {
          if (budget->exceeded) return kCap;
          break;
        }
        double ax = abs_value(x);
        if (std::isnan(ax)) break;
        if (n.op == Op::kFactorial)
          add = ax * std::log2(ax + 1);
        else if (n.op == Op::kBinom)
          add = ax;
        else if (n.text == "exp" || n.text == "sinh" || n.text == "cosh")
          add = ax * 1.4427;
        else if (n.text == "tanh" || n.text == "coth" || n.text == "sech" || n.text == "csch")
          add = ax * 2.8854;  // tanh(100) is 1 - 2e^-200
        else if (ax > 1)
          add = std::log2(ax);  // trigonometric reduction, arctan's tail
        break;
      }
      default: break;
    }
    if (std::isnan(add) || std::isinf(add)) return kCap;
    bits += add;
  }
  return std::min(bits, kCap);
}

bool Contains(const Tree& tree, int32_t node, Op op) {
  std::vector<int32_t> stack = {node};
  while (!stack.empty()) {
    const Node& n = tree.at(stack.back());
    stack.pop_back();
    if (n.op == op) return true;
    stack.insert(stack.end(), n.kids.begin(), n.kids.end());
  }
  return false;
}

bool HasSymbols(const Tree& tree, int32_t node) { return Contains(tree, node, Op::kSymbol); }
bool HasInfinity(const Tree& tree, int32_t node) { return Contains(tree, node, Op::kInfinity); }

}  // namespace verdict::math
