// Structure (comparer.h): assignments read as tuples, vectors against tuples, tuple labels,
// lists and sets (in any order; with an ellipsis, in order), texts, multiple-choice letters.
#include "verifier/math/comparer.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "verifier/math/labels.h"
#include "verifier/math/rewrite.h"
#include "verifier/math/value.h"

namespace verdict::math::compare_internal {

// `x = v` or `v = x` with x a lone variable not in v: v. `x \in S`: S.
std::optional<Ref> Comparer::AssignedValue(Ref r) {
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
bool Comparer::AssignmentGroups(Ref r, std::vector<std::vector<Ref>>* groups) {
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
    items.emplace_back(Strip(kid.Kid(0)).node().text, Ref{kid.t, s->value, kid.mask, kid.pm_fixed});
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

std::optional<Comparison> Comparer::AssignmentsAgainstTuples(Ref a, Ref b) {
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
std::optional<Comparison> Comparer::VectorAgainstTuple(Ref a, Ref b) {
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

// Whole answers offered as alternatives, `1, 2, 3 or 2, 2, 3` (parse.cc ItemList): an or-list
// holding a list.
static bool IsAlternatives(Ref r) {
  r = Strip(r);
  const Node& n = r.node();
  if (n.op != Op::kList || !(n.flags & kOrList)) return false;
  return std::any_of(n.kids.begin(), n.kids.end(),
                     [&r](int32_t k) { return r.t->at(k).op == Op::kList; });
}

// A hedge is equal to an answer only where every alternative it offers is; two hedges are
// equal where they offer the same alternatives. nullopt when neither side offers alternatives.
std::optional<Comparison> Comparer::AlternativesEqual(Ref a, Ref b) {
  bool xa = IsAlternatives(a), xb = IsAlternatives(b);
  if (!xa && !xb) return std::nullopt;
  a = Strip(a);
  b = Strip(b);
  if (xa && xb) {
    std::vector<Ref> ea, eb;
    for (size_t k = 0; k < a.node().kids.size(); ++k) ea.push_back(a.Kid(k));
    for (size_t k = 0; k < b.node().kids.size(); ++k) eb.push_back(b.Kid(k));
    return Prefixed("answers offered as alternatives with \"or\": ", SetEqual(ea, eb));
  }
  Ref hedge = xa ? a : b;
  bool undecided = false;
  std::string undecided_rule;
  for (size_t k = 0; k < hedge.node().kids.size(); ++k) {
    Comparison c = xa ? Equal(a.Kid(k), b) : Equal(a, b.Kid(k));
    if (budget_.exceeded) return OutOfBudget();
    if (c.decision == Decision::kDifferent) {
      return Diff(absl::StrCat("answers offered as alternatives with \"or\" (a hedge), and ",
                               Short(CanonicalForm(*hedge.t, hedge.node().kids[k])),
                               " is not equal: ", c.rule));
    }
    if (c.decision == Decision::kUndecided) {
      undecided = true;
      undecided_rule = c.rule;
    }
  }
  if (undecided) return Und(undecided_rule);
  return Eq("every answer offered as an alternative with \"or\" is equal");
}

// `\text{stopped}` against "It stopped.": the same words once "it", articles, copulas and
// auxiliaries are dropped ("the", "is", "has", "there"). Every other word counts, in order, so
// "It never stopped", "The car stopped" and "she stopped" stay different from "stopped".
bool Comparer::SameStatement(std::string_view a, std::string_view b) {
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

// `(p,q) = (3,2)` against `(q,p) = (2,3)`: tuple labels of the same distinct variables in
// another order; each variable's value compared by name. nullopt when the labels are not such.
std::optional<Comparison> Comparer::TupleLabelsByName(Ref la, Ref va, Ref lb, Ref vb) {
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

bool Comparer::Mentions(Ref r, const std::string& name) {
  std::vector<int32_t> stack = {r.n};
  while (!stack.empty()) {
    const Node& n = r.t->at(stack.back());
    stack.pop_back();
    if (n.op == Op::kSymbol && n.text == name) return true;
    stack.insert(stack.end(), n.kids.begin(), n.kids.end());
  }
  return false;
}

// The elements of a list, a set, or a +- expression (each sign choice one element).
bool Comparer::Elements(Ref r, std::vector<Ref>* out) {
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

bool Comparer::Expand(Ref r, std::vector<Ref>* out) {
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

Comparison Comparer::SetEqual(const std::vector<Ref>& a, const std::vector<Ref>& b) {
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
Comparison Comparer::SequenceEqual(const std::vector<Ref>& a, const std::vector<Ref>& b) {
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

Comparison Comparer::InOrder(Ref a, Ref b, const std::string& what) {
  const Node& x = a.node();
  for (size_t k = 0; k < x.kids.size(); ++k) {
    Comparison c = Equal(a.Kid(k), b.Kid(k));
    if (c.decision != Decision::kEqual) {
      return {c.decision, absl::StrCat(what, " entry ", k + 1, ": ", c.rule)};
    }
  }
  return Eq(absl::StrCat("equal ", what, "s, entry by entry"));
}

// Annotations both sides must agree on. A multiple-choice answer with its value (`(C) 12`,
// read as a unit "choice C"): against a lone letter it is its letter; against another choice
// the letters must agree too; against anything else, its value (the unit is dropped as usual).
// Two residues (`3 \pmod{7}`) must have the same modulus.
std::optional<Comparison> Comparer::ChoiceLetters(Ref a, Ref b) {
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

}  // namespace verdict::math::compare_internal
