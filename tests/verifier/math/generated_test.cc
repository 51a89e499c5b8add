// Generated equivalence test (issue 3 acceptance; labelled slow). A fixed-seed generator builds
// expressions in x from integers, fractions, square roots, pi, powers, products and sums, renders
// each in several LaTeX forms that are equal by construction (\frac, \dfrac, a/b, reordered terms
// and factors, \cdot vs juxtaposition, redundant parentheses, split or combined coefficients,
// m\sqrt{k} vs \sqrt{m^2 k}, factored vs expanded polynomials) and asserts they verify equal; then
// perturbs them (a constant +1, a sign flipped, an exponent changed, a coefficient changed),
// which always changes the value, and asserts they verify unequal.
//
// Set VERDICT_GENERATED_DUMP=FILE to also write every pair as JSONL (gold, pred, expected), e.g.
// to cross-check the generator against another grader.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "verifier/math/verify.h"

namespace verdict::math {
namespace {

constexpr uint64_t kSeed = 20240603;

// c * sqrt(k) * pi^[pi] * x^e with c = num/den in lowest terms, den > 0, num != 0, k squarefree.
struct Term {
  int64_t num = 1;
  int64_t den = 1;
  int sqrt_k = 1;  // 1: no root
  bool pi = false;
  int e = 0;
};

using Sum = std::vector<Term>;

void Reduce(Term* t) {
  const int64_t g = std::gcd(t->num, t->den);
  t->num /= g;
  t->den /= g;
  if (t->den < 0) {
    t->num = -t->num;
    t->den = -t->den;
  }
}

class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {}

  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Coin(double p = 0.5) { return std::bernoulli_distribution(p)(rng_); }
  template <typename T>
  void Shuffle(std::vector<T>* v) {
    std::shuffle(v->begin(), v->end(), rng_);
  }

  Term RandomTerm() {
    Term t;
    do {
      t.num = Uniform(-9, 9);
    } while (t.num == 0);
    t.den = Coin(0.6) ? 1 : Uniform(2, 7);
    static constexpr int kRoots[] = {1, 1, 1, 2, 3, 5, 6, 7};
    t.sqrt_k = kRoots[Uniform(0, 7)];
    t.pi = Coin(0.2);
    t.e = Uniform(0, 3);
    Reduce(&t);
    return t;
  }

  Sum RandomSum() {
    Sum s;
    const int n = Uniform(1, 4);
    for (int i = 0; i < n; ++i) s.push_back(RandomTerm());
    return s;
  }

 private:
  std::mt19937_64 rng_;
};

// Rendering styles for one term.
enum class Style {
  kFrac,        // \frac{p}{q}\sqrt{k}\pi x^{e}
  kMergedFrac,  // \frac{p\sqrt{k}\pi x^{e}}{q}
  kDfracCdot,   // \dfrac{p}{q} \cdot \sqrt{k} \cdot \pi \cdot x^e
  kSlash,       // (p/q)\sqrt{k}\pi x^e
  kReversed,    // x^{e} \cdot \pi \cdot \sqrt{k} \cdot \frac{p}{q}
  kAbsorbRoot,  // \sqrt{m^2 k} for an integer coefficient m
};
constexpr Style kAllStyles[] = {Style::kFrac,  Style::kMergedFrac, Style::kDfracCdot,
                                Style::kSlash, Style::kReversed,   Style::kAbsorbRoot};

std::string XPower(int e, bool braces) {
  if (e == 1) return "x";
  return braces ? absl::StrCat("x^{", e, "}") : absl::StrCat("x^", e);
}

// The term's absolute value in `style`; the caller writes the sign.
std::string RenderMagnitude(const Term& t, Style style) {
  const int64_t p = t.num < 0 ? -t.num : t.num;
  const int64_t q = t.den;
  std::vector<std::string> symbolic;  // factors other than the rational coefficient
  if (t.sqrt_k > 1) symbolic.push_back(absl::StrCat("\\sqrt{", t.sqrt_k, "}"));
  if (t.pi) symbolic.push_back("\\pi");
  if (t.e > 0) symbolic.push_back(XPower(t.e, style != Style::kSlash));
  const std::string rest = absl::StrJoin(symbolic, " ");
  switch (style) {
    case Style::kAbsorbRoot:
      if (q == 1 && t.sqrt_k > 1) {
        std::vector<std::string> f = {absl::StrCat("\\sqrt{", p * p * t.sqrt_k, "}")};
        if (t.pi) f.push_back("\\pi");
        if (t.e > 0) f.push_back(XPower(t.e, true));
        return absl::StrJoin(f, " ");
      }
      [[fallthrough]];
    case Style::kFrac: {
      std::string coef = q == 1 ? absl::StrCat(p) : absl::StrCat("\\frac{", p, "}{", q, "}");
      if (rest.empty()) return coef;
      if (coef == "1") return rest;
      return absl::StrCat(coef, " ", rest);
    }
    case Style::kMergedFrac: {
      std::string top = rest.empty() ? absl::StrCat(p) : p == 1 ? rest : absl::StrCat(p, " ", rest);
      return q == 1 ? top : absl::StrCat("\\frac{", top, "}{", q, "}");
    }
    case Style::kDfracCdot: {
      std::vector<std::string> f;
      f.push_back(q == 1 ? absl::StrCat(p) : absl::StrCat("\\dfrac{", p, "}{", q, "}"));
      f.insert(f.end(), symbolic.begin(), symbolic.end());
      return absl::StrJoin(f, " \\cdot ");
    }
    case Style::kSlash: {
      std::string coef = q == 1 ? absl::StrCat(p) : absl::StrCat("(", p, "/", q, ")");
      if (rest.empty()) return coef;
      if (coef == "1") return rest;
      return absl::StrCat(coef, rest);
    }
    case Style::kReversed: {
      std::vector<std::string> f(symbolic.rbegin(), symbolic.rend());
      if (p != 1 || q != 1 || f.empty()) {
        f.push_back(q == 1 ? absl::StrCat(p) : absl::StrCat("\\frac{", p, "}{", q, "}"));
      }
      return absl::StrJoin(f, " \\cdot ");
    }
  }
  return "";
}

struct RenderOptions {
  Style style = Style::kFrac;
  bool paren_terms = false;    // (term) + (term)
  bool left_right = false;     // \left( sum \right)
  bool minus_as_plus = false;  // + (-term) instead of - term
};

std::string Render(const Sum& sum, const RenderOptions& o) {
  std::string out;
  for (size_t i = 0; i < sum.size(); ++i) {
    const Term& t = sum[i];
    const std::string mag = RenderMagnitude(t, o.style);
    const bool neg = t.num < 0;
    std::string piece = o.paren_terms ? absl::StrCat("(", neg ? "-" : "", mag, ")")
                                      : absl::StrCat(neg ? "-" : "", mag);
    if (i == 0) {
      out = piece;
    } else if (o.paren_terms) {
      absl::StrAppend(&out, " + ", piece);
    } else if (neg && o.minus_as_plus) {
      absl::StrAppend(&out, " + (-", mag, ")");
    } else {
      absl::StrAppend(&out, neg ? " - " : " + ", mag);
    }
  }
  if (o.left_right) out = absl::StrCat("\\left(", out, "\\right)");
  return out;
}

// Splits term i into two terms whose coefficients sum to the original.
Sum SplitTerm(const Sum& sum, size_t i, Generator& g) {
  Sum out = sum;
  Term a = sum[i];
  Term b = sum[i];
  // a = c - d, b = d for a d that leaves both parts nonzero.
  int64_t dn;
  do {
    dn = g.Uniform(-5, 5);
  } while (dn == 0 || dn * a.den == a.num * 1);
  b.num = dn;
  b.den = 1;
  a.num = a.num - dn * a.den;
  Reduce(&a);
  Reduce(&b);
  out[i] = a;
  out.push_back(b);
  return out;
}

// Combines all plain rational constants (no root, no pi, no x) into one reduced term.
Sum CombineConstants(const Sum& sum) {
  Sum out;
  int64_t num = 0, den = 1;
  int constants = 0;
  for (const Term& t : sum) {
    if (t.sqrt_k == 1 && !t.pi && t.e == 0) {
      num = num * t.den + t.num * den;
      den *= t.den;
      const int64_t g = std::gcd(num, den);
      if (g != 0) {
        num /= g;
        den /= g;
      }
      ++constants;
    } else {
      out.push_back(t);
    }
  }
  if (constants < 2 || num == 0) return {};
  Term c;
  c.num = num;
  c.den = den;
  Reduce(&c);
  out.insert(out.begin(), c);
  return out;
}

// Integer polynomials for factored vs expanded forms; coefficient i multiplies x^i.
using Poly = std::vector<int64_t>;

Poly Multiply(const Poly& a, const Poly& b) {
  Poly out(a.size() + b.size() - 1, 0);
  for (size_t i = 0; i < a.size(); ++i) {
    for (size_t j = 0; j < b.size(); ++j) out[i + j] += a[i] * b[j];
  }
  return out;
}

std::string RenderPoly(const Poly& p, bool ascending, bool cdot) {
  std::vector<std::string> terms;
  for (size_t k = 0; k < p.size(); ++k) {
    const size_t i = ascending ? k : p.size() - 1 - k;
    const int64_t c = p[i];
    if (c == 0) continue;
    const int64_t m = c < 0 ? -c : c;
    std::string mag;
    if (i == 0) {
      mag = absl::StrCat(m);
    } else if (m == 1) {
      mag = XPower(static_cast<int>(i), true);
    } else {
      mag = absl::StrCat(m, cdot ? " \\cdot " : "", XPower(static_cast<int>(i), true));
    }
    terms.push_back(absl::StrCat(c < 0 ? "-" : "+", mag));
  }
  if (terms.empty()) return "0";
  std::string out = terms[0][0] == '+' ? terms[0].substr(1) : terms[0];
  for (size_t k = 1; k < terms.size(); ++k)
    absl::StrAppend(&out, " ", terms[k].substr(0, 1), " ", terms[k].substr(1));
  return out;
}

// a x + b
struct Linear {
  int64_t a;
  int64_t b;
};

std::string RenderLinear(const Linear& l, bool b_first) {
  const int64_t abs_a = l.a < 0 ? -l.a : l.a;
  const std::string abs_ax = abs_a == 1 ? "x" : absl::StrCat(abs_a, "x");
  if (b_first) return absl::StrCat("(", l.b, l.a < 0 ? " - " : " + ", abs_ax, ")");
  const int64_t abs_b = l.b < 0 ? -l.b : l.b;
  return absl::StrCat("(", l.a < 0 ? "-" : "", abs_ax, l.b < 0 ? " - " : " + ", abs_b, ")");
}

struct Tally {
  int pairs = 0;
  int failures = 0;
  std::vector<std::string> examples;
};

// The dump file named by VERDICT_GENERATED_DUMP, shared by all tests of this binary; or null.
std::ofstream* Dump() {
  static std::ofstream* dump = [] {
    const char* path = std::getenv("VERDICT_GENERATED_DUMP");
    return path != nullptr && *path ? new std::ofstream(path, std::ios::trunc) : nullptr;
  }();
  return dump;
}

void Check(const std::string& gold, const std::string& pred, bool equal, Tally* tally) {
  ++tally->pairs;
  const MathVerdict v = VerifyAnswer(pred, std::vector<std::string>{gold});
  const bool ok = equal ? v.outcome == Outcome::kCorrect : v.outcome == Outcome::kWrong;
  if (std::ofstream* dump = Dump(); dump != nullptr) {
    auto quote = [](const std::string& s) {
      std::string q = "\"";
      for (char c : s) {
        if (c == '\\' || c == '"') q += '\\';
        q += c;
      }
      return q + "\"";
    };
    *dump << "{\"gold\": " << quote(gold) << ", \"pred\": " << quote(pred)
          << ", \"expected\": " << (equal ? "true" : "false") << "}" << std::endl;
  }
  if (ok) return;
  ++tally->failures;
  if (tally->examples.size() < 25) {
    tally->examples.push_back(absl::StrCat(equal ? "want correct" : "want wrong", ", got ",
                                           std::string(OutcomeName(v.outcome)), ": gold ", gold,
                                           "  pred ", pred, "  (", v.reason, ")"));
  }
}

void Report(const char* what, const Tally& t) {
  std::printf("%-28s %6d pairs, %d failures\n", what, t.pairs, t.failures);
  for (const std::string& e : t.examples) std::printf("    %s\n", e.c_str());
}

TEST(Generated, SumsOfTermsInEquivalentFormsVerifyEqualAndPerturbationsDoNot) {
  Generator g(kSeed);
  Tally equal, perturbed;
  for (int n = 0; n < 700; ++n) {
    const Sum sum = g.RandomSum();
    const std::string gold = Render(sum, {});
    std::vector<std::string> forms;
    for (Style style : kAllStyles) {
      Sum shuffled = sum;
      g.Shuffle(&shuffled);
      RenderOptions o;
      o.style = style;
      o.paren_terms = g.Coin(0.2);
      o.left_right = g.Coin(0.15);
      o.minus_as_plus = g.Coin(0.2);
      forms.push_back(Render(shuffled, o));
    }
    forms.push_back(Render(SplitTerm(sum, g.Uniform(0, sum.size() - 1), g), {}));
    if (Sum c = CombineConstants(sum); !c.empty()) forms.push_back(Render(c, {}));
    for (const std::string& f : forms) {
      if (f == gold) continue;
      Check(gold, f, true, &equal);
      if (g.Coin(0.3)) Check(f, gold, true, &equal);
    }

    // Perturbations, each rendered in a random style so they are not caught by the text alone.
    const size_t i = g.Uniform(0, sum.size() - 1);
    RenderOptions o;
    o.style = kAllStyles[g.Uniform(0, std::size(kAllStyles) - 1)];
    Sum plus_one = sum;
    plus_one.push_back(Term{});  // + 1
    Sum flipped = sum;
    flipped[i].num = -flipped[i].num;
    Sum exponent = sum;
    exponent[i].e += 1;
    Sum coefficient = sum;
    coefficient[i].num += coefficient[i].num == -1 ? -1 : 1;
    Reduce(&coefficient[i]);
    for (const Sum* p : {&plus_one, &flipped, &exponent, &coefficient}) {
      Sum shuffled = *p;
      g.Shuffle(&shuffled);
      Check(gold, Render(shuffled, o), false, &perturbed);
    }
  }
  Report("sums: equivalent forms", equal);
  Report("sums: perturbations", perturbed);
  EXPECT_GE(equal.pairs, 3000);
  EXPECT_EQ(equal.failures, 0);
  EXPECT_EQ(perturbed.failures, 0);
}

TEST(Generated, FactoredAndExpandedPolynomialsVerifyEqualAndPerturbationsDoNot) {
  Generator g(kSeed + 1);
  Tally equal, perturbed;
  auto random_linear = [&g] {
    Linear l;
    l.a = g.Coin(0.6) ? 1 : g.Uniform(2, 3) * (g.Coin(0.2) ? -1 : 1);
    do {
      l.b = g.Uniform(-6, 6);
    } while (l.b == 0);
    return l;
  };
  for (int n = 0; n < 500; ++n) {
    std::vector<Linear> factors;
    const int count = g.Uniform(1, 3);
    for (int k = 0; k < count; ++k) factors.push_back(random_linear());
    const bool square = count == 1 || g.Coin(0.3);  // the first factor squared
    int64_t scale = g.Coin(0.25) ? g.Uniform(2, 4) : 1;

    auto expand = [&](const std::vector<Linear>& fs, bool sq, int64_t s) {
      Poly p = {s};
      for (size_t k = 0; k < fs.size(); ++k) {
        const Poly f = {fs[k].b, fs[k].a};
        p = Multiply(p, f);
        if (k == 0 && sq) p = Multiply(p, f);
      }
      return p;
    };
    auto factored = [&](const std::vector<Linear>& fs, bool sq, int64_t s, bool cdot,
                        bool shuffle) {
      std::vector<std::string> parts;
      for (size_t k = 0; k < fs.size(); ++k) {
        std::string f = RenderLinear(fs[k], g.Coin(0.2));
        if (k == 0 && sq) f = g.Coin(0.7) ? absl::StrCat(f, "^2") : absl::StrCat(f, f);
        parts.push_back(f);
      }
      if (shuffle) g.Shuffle(&parts);
      std::string out = absl::StrJoin(parts, cdot ? " \\cdot " : "");
      if (s != 1) out = absl::StrCat(s, cdot ? " \\cdot " : "", out);
      return out;
    };

    const Poly expanded = expand(factors, square, scale);
    const std::string gold = RenderPoly(expanded, false, false);
    Check(gold, factored(factors, square, scale, false, false), true, &equal);
    Check(gold, factored(factors, square, scale, true, true), true, &equal);
    Check(factored(factors, square, scale, false, true), RenderPoly(expanded, true, g.Coin()), true,
          &equal);

    // Perturbations: a factor's constant +1, the scale changed, the square dropped or cubed,
    // the expansion's constant +1.
    std::vector<Linear> moved = factors;
    moved[g.Uniform(0, moved.size() - 1)].b += 1;
    Check(gold, factored(moved, square, scale, g.Coin(), true), false, &perturbed);
    Check(gold, factored(factors, square, scale + 1, g.Coin(), true), false, &perturbed);
    if (square) {
      Check(gold, factored(factors, false, scale, g.Coin(), true), false, &perturbed);
    }
    Poly off = expanded;
    off[0] += 1;
    Check(factored(factors, square, scale, g.Coin(), true), RenderPoly(off, g.Coin(), false), false,
          &perturbed);
    Poly sign = expanded;
    const size_t top = sign.size() - 1;
    sign[top] = -sign[top];
    Check(gold, RenderPoly(sign, g.Coin(), g.Coin()), false, &perturbed);
  }
  Report("polynomials: equivalent", equal);
  Report("polynomials: perturbations", perturbed);
  EXPECT_GE(equal.pairs, 1500);
  EXPECT_EQ(equal.failures, 0);
  EXPECT_EQ(perturbed.failures, 0);
}

// Exact rationals: sums of fractions against their reduced value, and off-by-one numerators.
TEST(Generated, SumsOfFractionsVerifyAgainstTheirReducedValue) {
  Generator g(kSeed + 2);
  Tally equal, perturbed;
  for (int n = 0; n < 800; ++n) {
    const int count = g.Uniform(2, 4);
    int64_t num = 0, den = 1;
    std::vector<std::string> parts;
    for (int k = 0; k < count; ++k) {
      int64_t p;
      do {
        p = g.Uniform(-12, 12);
      } while (p == 0);
      const int64_t q = g.Uniform(2, 12);
      num = num * q + p * den;
      den *= q;
      const int64_t d = std::gcd(num, den);
      num /= d;
      den /= d;
      const std::string mag = g.Coin() ? absl::StrCat("\\frac{", p < 0 ? -p : p, "}{", q, "}")
                                       : absl::StrCat("\\dfrac{", p < 0 ? -p : p, "}{", q, "}");
      parts.push_back(k == 0 ? absl::StrCat(p < 0 ? "-" : "", mag)
                             : absl::StrCat(p < 0 ? " - " : " + ", mag));
    }
    const std::string sum = absl::StrJoin(parts, "");
    const std::string value = den == 1 ? absl::StrCat(num)
                                       : absl::StrCat(num < 0 ? "-" : "", "\\frac{",
                                                      num < 0 ? -num : num, "}{", den, "}");
    const std::string slash = den == 1 ? absl::StrCat(num) : absl::StrCat(num, "/", den);
    Check(value, sum, true, &equal);
    Check(sum, slash, true, &equal);
    Check(value, absl::StrCat("\\frac{", 2 * num, "}{", 2 * den, "}"), true, &equal);
    Check(value, absl::StrCat(sum, " + 1"), false, &perturbed);
    Check(value, absl::StrCat("\\frac{", num + 1, "}{", den, "}"), false, &perturbed);
    if (num != 0) Check(sum, absl::StrCat(num, "/", den + 1), false, &perturbed);
  }
  Report("fractions: equivalent", equal);
  Report("fractions: perturbations", perturbed);
  EXPECT_EQ(equal.failures, 0);
  EXPECT_EQ(perturbed.failures, 0);
}

}  // namespace
}  // namespace verdict::math
