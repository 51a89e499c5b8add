// Values of scalar expressions: exact complex rationals (GMP) where the expression allows, and
// high-precision complex floating point (MPFR) otherwise, with free symbols bound to
// deterministic pseudo-random points. Every evaluation counts its work against a `Budget`.
//
// Thread safety: no global state is written. MPFR keeps its exponent range and flags per thread
// (Debian builds it thread-safe); this code reads neither and never changes them.
#ifndef VERDICT_VERIFIER_MATH_VALUE_H_
#define VERDICT_VERIFIER_MATH_VALUE_H_

#include <gmpxx.h>
#include <mpfr.h>

#include <cstdint>
#include <string>

#include "verifier/math/ast.h"
#include "verifier/math/parse.h"

namespace verdict::math {

struct Budget {
  explicit Budget(const Limits& l) : steps_left(l.max_steps), max_digits(l.max_digits) {}
  int64_t steps_left;
  int max_digits;
  bool exceeded = false;
  std::string what;  // first budget that ran out

  bool Step(int64_t n = 1) {
    steps_left -= n;
    if (steps_left < 0 && !exceeded) {
      exceeded = true;
      what = "evaluation steps";
    }
    return !exceeded;
  }
  void Exceed(std::string w) {
    if (!exceeded) {
      exceeded = true;
      what = std::move(w);
    }
  }
};

enum class EvalStatus {
  kOk,
  kNotExact,   // exact evaluation: the value is irrational, transcendental or symbolic
  kNotScalar,  // a tuple, set, relation, text... (the comparison handles those)
  kUndefined,  // division by zero, log of 0, outside a function's domain
  kBudget,     // a budget ran out (digits, steps, magnitude beyond MPFR's range)
};

struct ExactValue {
  mpq_class re, im;
  bool is_real() const { return sgn(im) == 0; }
};

// Evaluates `node` exactly. `pm_mask` picks the sign of each +- (bit k for the k-th +-: 0 is +).
EvalStatus EvalExact(const Tree& tree, int32_t node, uint32_t pm_mask, Budget* budget,
                     ExactValue* out);

// A complex number in MPFR, at the working precision of this thread when it is made (256 bits,
// or a NumericPrecision's while one is alive).
class Complex {
 public:
  static constexpr mpfr_prec_t kPrecision = 256;
  // The second, much higher precision a numeric equality must survive (compare.h).
  static constexpr mpfr_prec_t kHighPrecision = 2048;
  Complex();
  ~Complex();
  Complex(const Complex& other);
  Complex& operator=(const Complex& other);
  mpfr_ptr re() { return re_; }
  mpfr_ptr im() { return im_; }
  mpfr_srcptr re() const { return re_; }
  mpfr_srcptr im() const { return im_; }
  bool is_real() const { return mpfr_zero_p(im_) != 0; }
  bool is_nan() const { return mpfr_nan_p(re_) || mpfr_nan_p(im_); }
  bool is_inf() const { return mpfr_inf_p(re_) || mpfr_inf_p(im_); }
  std::string ToString(int digits = 12) const;

 private:
  mpfr_t re_, im_;
};

// Sets this thread's working precision for the values made while it is alive (scoped; the
// previous precision comes back on destruction). Not shared between threads.
class NumericPrecision {
 public:
  explicit NumericPrecision(mpfr_prec_t bits);
  ~NumericPrecision();
  NumericPrecision(const NumericPrecision&) = delete;
  NumericPrecision& operator=(const NumericPrecision&) = delete;
  static mpfr_prec_t Current();

 private:
  mpfr_prec_t saved_;
};

// Bits of precision the written magnitudes of `node` may need for a numeric comparison to see
// every term: the digits of each literal, log2 of each power's size (10^{-100}: 333 bits),
// of each exp, factorial and binomial, and of each trigonometric argument (reduced modulo pi).
// A perturbation written as such a term is visible when evaluated at more bits than this.
// Evaluates subterms at the working precision; symbols at `point`.
double PrecisionDemandBits(const Tree& tree, int32_t node, uint32_t pm_mask, int point,
                           Budget* budget);

// Evaluates `node` numerically. Free symbols take the value of evaluation point `point`
// (SymbolValue); with point < 0 a symbol is kNotScalar.
EvalStatus EvalNumeric(const Tree& tree, int32_t node, uint32_t pm_mask, int point, Budget* budget,
                       Complex* out);

// The value a symbol takes at evaluation point `point`: a rational in (0.3, 2.7) derived from a
// hash of the name and the point, the same in every tree, on every machine. Points from
// kFirstNegativePoint on take the negated value of point - kFirstNegativePoint (in (-2.7, -0.3)).
// Points from kFirstWidePoint on lie far out: 40 times point - kFirstWidePoint's value, negated
// on odd points (|x| in (12, 108)), where `|x - 3|` and `3 - x` part.
inline constexpr int kFirstNegativePoint = 1 << 20;
inline constexpr int kFirstWidePoint = 1 << 21;
void SymbolValue(const std::string& name, int point, mpfr_ptr out);

// Whether the subtree holds a node of kind `op`; free symbols; infinity.
bool Contains(const Tree& tree, int32_t node, Op op);
bool HasSymbols(const Tree& tree, int32_t node);
bool HasInfinity(const Tree& tree, int32_t node);

}  // namespace verdict::math

#endif  // VERDICT_VERIFIER_MATH_VALUE_H_
