#include "verifier/math/rewrite.h"

#include <cstddef>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "verifier/math/value.h"

namespace verdict::math {
namespace {

class Rewriter {
 public:
  Rewriter(const Tree& in, const Limits& limits, Tree* out)
      : limits_(limits), t_(*out), budget_(limits) {
    t_ = in;
  }

  bool Run() {
    if (t_.root < 0) return false;
    // Post-order over the nodes reachable from the root, with an explicit stack. A node may be
    // reached twice where subtrees are shared; it is rewritten once.
    std::vector<std::pair<int32_t, bool>> stack = {{t_.root, false}};
    std::vector<bool> done(t_.nodes.size(), false);
    while (!stack.empty() && !over_budget_) {
      auto [n, expanded] = stack.back();
      stack.pop_back();
      if (done[static_cast<size_t>(n)]) continue;
      if (!expanded) {
        stack.push_back({n, true});
        for (int32_t k : t_.at(n).kids) stack.push_back({k, false});
        continue;
      }
      done[static_cast<size_t>(n)] = true;
      Visit(n);
    }
    return changed_ && !over_budget_;
  }

 private:
  Node& At(int32_t i) { return t_.nodes[static_cast<size_t>(i)]; }

  int32_t Add(Node n) {
    if (static_cast<int>(t_.nodes.size()) >= limits_.max_nodes) {
      over_budget_ = true;
      return -1;
    }
    t_.nodes.push_back(std::move(n));
    return static_cast<int32_t>(t_.nodes.size() - 1);
  }
  int32_t Make(Op op, std::vector<int32_t> kids, uint8_t flags = 0) {
    Node n;
    n.op = op;
    n.flags = flags;
    n.kids = std::move(kids);
    return Add(std::move(n));
  }

  bool IsMatrix(int32_t n) { return At(n).op == Op::kMatrix; }
  int32_t Cols(int32_t m) {
    return static_cast<int32_t>(At(m).kids.size()) / std::max(1, At(m).rows);
  }

  // Replaces node `n` in place (parents keep their index) with a matrix of `entries`.
  void SetMatrix(int32_t n, int32_t rows, std::vector<int32_t> entries) {
    Node m;
    m.op = Op::kMatrix;
    m.rows = rows;
    m.kids = std::move(entries);
    At(n) = std::move(m);
    changed_ = true;
  }

  void Visit(int32_t n) {
    switch (At(n).op) {
      case Op::kAdd: return FoldSum(n);
      case Op::kMul: return FoldProduct(n);
      case Op::kNeg: {
        int32_t m = At(n).kids[0];
        if (!IsMatrix(m)) return;
        std::vector<int32_t> entries;
        for (int32_t e : std::vector<int32_t>(At(m).kids)) entries.push_back(Make(Op::kNeg, {e}));
        if (!over_budget_) SetMatrix(n, At(m).rows, std::move(entries));
        return;
      }
      case Op::kRelation: return AbsoluteInequality(n);
      case Op::kFunc: return ExpandBigOperator(n);
      default: return;
    }
  }

  // A + B (- C): entries summed; every term a matrix of one shape.
  void FoldSum(int32_t n) {
    std::vector<int32_t> terms = At(n).kids;
    std::vector<int32_t> matrices;
    for (int32_t t : terms) {
      int32_t m = t;
      bool neg = At(t).op == Op::kNeg;
      if (neg) m = At(t).kids[0];
      if (!IsMatrix(m)) return;  // a matrix plus a scalar is left alone (and compares as such)
      matrices.push_back(t);
    }
    int32_t first = At(matrices[0]).op == Op::kNeg ? At(matrices[0]).kids[0] : matrices[0];
    int32_t rows = At(first).rows;
    size_t size = At(first).kids.size();
    for (int32_t t : matrices) {
      int32_t m = At(t).op == Op::kNeg ? At(t).kids[0] : t;
      if (At(m).rows != rows || At(m).kids.size() != size) return;
    }
    std::vector<int32_t> entries;
    for (size_t e = 0; e < size && !over_budget_; ++e) {
      std::vector<int32_t> parts;
      for (int32_t t : matrices) {
        bool neg = At(t).op == Op::kNeg;
        int32_t m = neg ? At(t).kids[0] : t;
        int32_t x = At(m).kids[e];
        parts.push_back(neg ? Make(Op::kNeg, {x}) : x);
      }
      entries.push_back(Make(Op::kAdd, std::move(parts)));
    }
    if (!over_budget_) SetMatrix(n, rows, std::move(entries));
  }

  // Scalars times matrices, and matrix products with matching inner sizes, left to right.
  void FoldProduct(int32_t n) {
    std::vector<int32_t> factors = At(n).kids;
    bool any = false;
    for (int32_t f : factors) any = any || IsMatrix(f);
    if (!any) return;
    std::vector<int32_t> scalars;
    int32_t acc = -1;  // the product of the matrices so far, as a kMatrix node
    for (int32_t f : factors) {
      if (!IsMatrix(f)) {
        if (Contains(t_, f, Op::kMatrix) || Contains(t_, f, Op::kTuple)) return;
        scalars.push_back(f);
        continue;
      }
      if (acc < 0) {
        acc = f;
        continue;
      }
      int32_t r = At(acc).rows, inner = Cols(acc), c = Cols(f);
      if (At(f).rows != inner) return;  // shapes that do not multiply: left as written
      std::vector<int32_t> entries;
      for (int32_t i = 0; i < r && !over_budget_; ++i) {
        for (int32_t j = 0; j < c && !over_budget_; ++j) {
          std::vector<int32_t> terms;
          for (int32_t k = 0; k < inner && !over_budget_; ++k) {
            terms.push_back(Make(Op::kMul, {At(acc).kids[static_cast<size_t>(i * inner + k)],
                                            At(f).kids[static_cast<size_t>(k * c + j)]}));
          }
          entries.push_back(terms.size() == 1 ? terms[0] : Make(Op::kAdd, std::move(terms)));
        }
      }
      if (over_budget_) return;
      Node m;
      m.op = Op::kMatrix;
      m.rows = r;
      m.kids = std::move(entries);
      acc = Add(std::move(m));
      if (acc < 0) return;
    }
    std::vector<int32_t> entries;
    for (int32_t e : std::vector<int32_t>(At(acc).kids)) {
      if (scalars.empty()) {
        entries.push_back(e);
        continue;
      }
      std::vector<int32_t> parts = scalars;
      parts.push_back(e);
      entries.push_back(Make(Op::kMul, std::move(parts)));
    }
    if (!over_budget_) SetMatrix(n, At(acc).rows, std::move(entries));
  }

  // Whether `n` is a constant known exactly to be > 0.
  bool Positive(int32_t n) {
    if (HasSymbols(t_, n)) return false;
    ExactValue v;
    if (EvalExact(t_, n, 0, &budget_, &v) != EvalStatus::kOk) return false;
    return v.is_real() && sgn(v.re) > 0;
  }
  // |x| with x a variable: x's index, else -1.
  int32_t AbsOfSymbol(int32_t n) {
    if (At(n).op != Op::kAbs) return -1;
    int32_t x = At(n).kids[0];
    return At(x).op == Op::kSymbol ? x : -1;
  }

  void AbsoluteInequality(int32_t n) {
    std::vector<Rel> rels = At(n).rels;
    std::vector<int32_t> kids = At(n).kids;
    auto less = [](Rel r) { return r == Rel::kLt || r == Rel::kLe; };
    auto more = [](Rel r) { return r == Rel::kGt || r == Rel::kGe; };
    if (rels.size() == 1) {
      Rel rel = rels[0];
      int32_t x = AbsOfSymbol(kids[0]), b = kids[1];
      if (x < 0) {  // b > |x| is |x| < b
        x = AbsOfSymbol(kids[1]);
        b = kids[0];
        rel = FlipRelation(rel);
      }
      if (x < 0 || !(less(rel) || more(rel)) || !Positive(b)) return;
      int32_t neg_b = Make(Op::kNeg, {b});
      if (over_budget_) return;
      Node r;
      r.op = Op::kRelation;
      if (less(rel)) {  // -b < x < b
        r.kids = {neg_b, x, b};
        r.rels = {rel, rel};
        At(n) = std::move(r);
      } else {  // x < -b or x > b
        Rel below = rel == Rel::kGt ? Rel::kLt : Rel::kLe;
        Node lo;
        lo.op = Op::kRelation;
        lo.kids = {x, neg_b};
        lo.rels = {below};
        Node hi;
        hi.op = Op::kRelation;
        hi.kids = {x, b};
        hi.rels = {rel};
        int32_t l = Add(std::move(lo)), h = Add(std::move(hi));
        if (over_budget_) return;
        Node list;
        list.op = Op::kList;
        list.flags = kOrList;
        list.kids = {l, h};
        At(n) = std::move(list);
      }
      changed_ = true;
      return;
    }
    // a <= |x| <= b (or b >= |x| >= a), 0 < a: two closed-or-open intervals.
    if (rels.size() != 2) return;
    int32_t x = AbsOfSymbol(kids[1]);
    if (x < 0) return;
    int32_t a = kids[0], b = kids[2];
    Rel ra = rels[0], rb = rels[1];
    if (more(ra) && more(rb)) {
      std::swap(a, b);
      std::swap(ra, rb);
      ra = FlipRelation(ra);
      rb = FlipRelation(rb);
    }
    if (!less(ra) || !less(rb) || !Positive(a) || !Positive(b)) return;
    uint8_t lo_closed = ra == Rel::kLe, hi_closed = rb == Rel::kLe;
    // [-b, -a] and [a, b] as tuples: '[' / ']' flags say closed.
    uint8_t neg_flags =
        static_cast<uint8_t>((hi_closed ? 0 : kParenOpen) | (lo_closed ? 0 : kParenClose));
    uint8_t pos_flags =
        static_cast<uint8_t>((lo_closed ? 0 : kParenOpen) | (hi_closed ? 0 : kParenClose));
    int32_t neg_a = Make(Op::kNeg, {a});
    int32_t neg_b = Make(Op::kNeg, {b});
    int32_t left = Make(Op::kTuple, {neg_b, neg_a}, neg_flags);
    int32_t right = Make(Op::kTuple, {a, b}, pos_flags);
    int32_t both = Make(Op::kUnion, {left, right});
    if (over_budget_) return;
    Node r;
    r.op = Op::kRelation;
    r.kids = {x, both};
    r.rels = {Rel::kIn};
    At(n) = std::move(r);
    changed_ = true;
  }

  // The exact integer value of a constant tree (a bound), if it is one.
  bool IntegerValue(const Tree& t, int32_t node, mpz_class* out) {
    if (HasSymbols(t, node)) return false;
    ExactValue v;
    if (EvalExact(t, node, 0, &budget_, &v) != EvalStatus::kOk || !v.is_real()) return false;
    if (v.re.get_den() != 1) return false;
    *out = v.re.get_num();
    return true;
  }

  // A copy of the subtree at `src` with the symbol `var` replaced by the integer `value`.
  int32_t CopyWith(int32_t src, const std::string& var, const mpz_class& value) {
    std::unordered_map<int32_t, int32_t> copied;  // source node -> its copy
    std::vector<std::pair<int32_t, bool>> stack = {{src, false}};
    while (!stack.empty() && !over_budget_) {
      auto [n, expanded] = stack.back();
      stack.pop_back();
      if (copied.count(n) != 0) continue;
      if (!expanded) {
        stack.push_back({n, true});
        for (int32_t k : At(n).kids) stack.push_back({k, false});
        continue;
      }
      Node c = At(n);
      if (c.op == Op::kSymbol && c.text == var) {
        bool negative = sgn(value) < 0;
        Node num;
        num.op = Op::kNumber;
        num.text = mpz_class(abs(value)).get_str();
        int32_t leaf = Add(std::move(num));
        copied[n] = negative ? Make(Op::kNeg, {leaf}) : leaf;
        continue;
      }
      for (int32_t& k : c.kids) k = copied[k];
      copied[n] = Add(std::move(c));
    }
    return over_budget_ ? -1 : copied[src];
  }

  // `\sum_{k=1}^{10} k^2`, `\prod_{k=1}^{5} k`: with integer constant bounds (and at most
  // kMaxTerms terms), the sum or product written out, so it has a value. The parser keeps the
  // bounds in the node's name ("sum[k = 1..10]", parse.cc ParseBigOperator).
  void ExpandBigOperator(int32_t n) {
    static constexpr int kMaxTerms = 1000;
    const std::string name = At(n).text;
    bool sum = name.rfind("sum[", 0) == 0;
    if (!sum && name.rfind("prod[", 0) != 0) return;
    size_t open = name.find('['), dots = name.find("..");
    if (dots == std::string::npos || name.back() != ']') return;
    ParseResult lo = ParseAnswer(name.substr(open + 1, dots - open - 1), limits_);
    ParseResult hi = ParseAnswer(name.substr(dots + 2, name.size() - dots - 3), limits_);
    if (lo.status != ParseResult::Status::kOk || hi.status != ParseResult::Status::kOk) return;
    const Node& rel = lo.tree.at(lo.tree.root);
    if (rel.op != Op::kRelation || rel.rels.size() != 1 || rel.rels[0] != Rel::kEq) return;
    const Node& index = lo.tree.at(rel.kids[0]);
    std::string var;  // an index i or e reads as the constant here; the body has it as a variable
    if (index.op == Op::kSymbol) var = index.text;
    if (index.op == Op::kI) var = "i";
    if (index.op == Op::kE) var = "e";
    if (var.empty()) return;
    mpz_class from, to;
    if (!IntegerValue(lo.tree, rel.kids[1], &from) || !IntegerValue(hi.tree, hi.tree.root, &to)) {
      return;
    }
    if (to - from + 1 > kMaxTerms) return;
    int32_t body = At(n).kids[0];
    std::vector<int32_t> terms;
    for (mpz_class k = from; k <= to && !over_budget_; ++k) terms.push_back(CopyWith(body, var, k));
    if (over_budget_) return;
    if (terms.empty()) {  // an empty sum is 0, an empty product 1
      Node unit;
      unit.op = Op::kNumber;
      unit.text = sum ? "0" : "1";
      At(n) = std::move(unit);
    } else {
      Node whole;
      whole.op = sum ? Op::kAdd : Op::kMul;
      whole.kids = std::move(terms);
      At(n) = std::move(whole);
    }
    changed_ = true;
  }

  const Limits& limits_;
  Tree& t_;
  Budget budget_;
  bool changed_ = false;
  bool over_budget_ = false;
};

}  // namespace

// Whether any node is a \sum or \prod (a kFunc named "sum[...]"/"prod[...]").
bool HasBigOperator(const Tree& t) {
  for (const Node& n : t.nodes) {
    if (n.op == Op::kFunc && (n.text.rfind("sum[", 0) == 0 || n.text.rfind("prod[", 0) == 0)) {
      return true;
    }
  }
  return false;
}

bool RewriteForComparison(const Tree& in, const Limits& limits, Tree* out) {
  if (!Contains(in, in.root, Op::kMatrix) && !Contains(in, in.root, Op::kAbs) &&
      !HasBigOperator(in)) {
    return false;
  }
  Rewriter r(in, limits, out);
  return r.Run();
}

}  // namespace verdict::math
