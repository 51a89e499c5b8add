#include "verifier/math/labels.h"

#include <string>
#include <string_view>
#include <vector>

#include "verifier/math/value.h"

namespace verdict::math {
namespace {

bool IsLoneSymbol(const Tree& t, int32_t n) { return t.at(n).op == Op::kSymbol; }

// Whether a symbol called `name` occurs in the subtree.
bool Mentions(const Tree& t, int32_t node, const std::string& name) {
  std::vector<int32_t> stack = {node};
  while (!stack.empty()) {
    const Node& n = t.at(stack.back());
    stack.pop_back();
    if (n.op == Op::kSymbol && n.text == name) return true;
    // `f(1)` (parse.cc: a function's value at a number) mentions `f`.
    if (n.op == Op::kSymbol && n.text.size() > name.size() + 1 && n.text.starts_with(name) &&
        n.text[name.size()] == '(') {
      return true;
    }
    stack.insert(stack.end(), n.kids.begin(), n.kids.end());
  }
  return false;
}

// The symbols of a label that may not appear in the value it states: all of them, except the
// argument of a function application `f(x) = x^2 - 1` (a product whose first factor is a
// symbol), where only the function's name may not.
std::vector<std::string> Names(const Tree& t, int32_t label) {
  const Node& l = t.at(label);
  if (l.op == Op::kMul && l.kids.size() == 2 && IsLoneSymbol(t, l.kids[0]) &&
      t.at(l.kids[1]).op != Op::kText) {
    return {t.at(l.kids[0]).text};
  }
  std::vector<std::string> names;
  std::vector<int32_t> stack = {label};
  while (!stack.empty()) {
    const Node& n = t.at(stack.back());
    stack.pop_back();
    if (n.op == Op::kSymbol) names.push_back(n.text);
    stack.insert(stack.end(), n.kids.begin(), n.kids.end());
  }
  return names;
}

// `f(2)`, `P(X=2)`, `g(x+1)`: a function name applied to an argument that does not mention it.
// The argument may hold numbers: the application still names one value. (`x(x+1)` mentions x:
// a product, not an application.)
bool IsApplication(const Tree& t, int32_t node) {
  const Node& n = t.at(node);
  if (n.op != Op::kMul || n.kids.size() != 2 || !IsLoneSymbol(t, n.kids[0])) return false;
  int32_t arg = n.kids[1];
  // "We", "Hi": two-letter words read as a letter times e or i, not applications.
  if (t.at(arg).op == Op::kE || t.at(arg).op == Op::kI) return false;
  return !Mentions(t, arg, t.at(n.kids[0]).text) && !Contains(t, arg, Op::kText);
}

// A word label names a quantity ("maximum", "area of ABC"): at most four words, none of which
// negates or hedges ("not x = 5" says x is not 5; "maybe" is no answer).
bool IsWordLabel(const std::string& text) {
  static constexpr std::string_view kNot[] = {"not",      "no",     "never", "wrong",  "incorrect",
                                              "false",    "isn't",  "isnt",  "cannot", "nor",
                                              "neither",  "except", "but",   "maybe",  "perhaps",
                                              "possibly", "unsure", "or",    "and",    "if"};
  size_t words = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t j = text.find(' ', i);
    if (j == std::string::npos) j = text.size();
    std::string_view w(text.data() + i, j - i);
    for (std::string_view bad : kNot) {
      if (w == bad) return false;
    }
    ++words;
    i = j + 1;
  }
  return words >= 1 && words <= 4;
}

}  // namespace

bool IsLabel(const Tree& tree, int32_t node) {
  if (IsApplication(tree, node)) return true;
  std::vector<int32_t> stack = {node};
  while (!stack.empty()) {
    const Node& n = tree.at(stack.back());
    stack.pop_back();
    switch (n.op) {
      case Op::kSymbol: break;
      case Op::kText:
        if (!IsWordLabel(n.text)) return false;
        break;
      case Op::kMul:
      case Op::kDiv:
      case Op::kTuple: stack.insert(stack.end(), n.kids.begin(), n.kids.end()); break;
      case Op::kAbs: {
        // |AB| and |\vec{a}| name lengths; |x| = 3 is an equation to solve.
        const Node& in = tree.at(n.kids[0]);
        bool vector = in.op == Op::kSymbol &&
                      (in.text.rfind("\\vec{", 0) == 0 || in.text.rfind("\\over", 0) == 0);
        if (in.op != Op::kMul && !vector) return false;
        stack.push_back(n.kids[0]);
        break;
      }
      default: return false;
    }
  }
  return true;
}

std::optional<Statement> StatedValue(const Tree& tree, int32_t node) {
  const Node& n = tree.at(node);
  if (n.op != Op::kRelation || n.rels.empty()) return std::nullopt;
  size_t last_eq = n.rels.size();
  for (size_t k = 0; k < n.rels.size(); ++k) {
    if (n.rels[k] != Rel::kEq && n.rels[k] != Rel::kApprox) return std::nullopt;
    if (n.rels[k] == Rel::kEq) last_eq = k;
  }
  // `x \approx 0.33` (no `=` at all) states its approximation, as `x = 0.33` would.
  size_t value_side = last_eq == n.rels.size() ? n.rels.size() : last_eq + 1;
  Statement s{n.kids[0], n.kids[value_side]};
  if (!IsLabel(tree, s.label)) return std::nullopt;
  // The name on any later side (`x = 6 = x = 5`, `x = 5 \approx -x = 5`) makes the chain several
  // statements about it, not one definition: no stated value.
  for (const std::string& name : Names(tree, s.label)) {
    for (size_t k = 1; k < n.kids.size(); ++k) {
      if (Mentions(tree, n.kids[k], name)) return std::nullopt;
    }
  }
  return s;
}

namespace {

// A name at text[*i]: a letter, or a backslash command of letters, then an optional subscript
// `_x` or `_{...}` (no nested braces). Advances *i past it.
bool SkipName(std::string_view text, size_t* i) {
  size_t j = *i;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (j < text.size() && text[j] == '\\') {
    ++j;
    size_t start = j;
    while (j < text.size() && alpha(text[j])) ++j;
    if (j == start) return false;
  } else if (j < text.size() && alpha(text[j])) {
    while (j < text.size() && alpha(text[j])) ++j;
  } else {
    return false;
  }
  if (j < text.size() && text[j] == '_') {
    ++j;
    if (j < text.size() && text[j] == '{') {
      size_t close = text.find('}', j);
      if (close == std::string_view::npos) return false;
      if (text.substr(j + 1, close - j - 1).find('{') != std::string_view::npos) return false;
      j = close + 1;
    } else if (j < text.size() && (alpha(text[j]) || (text[j] >= '0' && text[j] <= '9'))) {
      ++j;
    } else {
      return false;
    }
  }
  *i = j;
  return true;
}

void SkipSpaces(std::string_view text, size_t* i) {
  while (*i < text.size() && text[*i] == ' ') ++*i;
}

}  // namespace

std::string_view StripRatioLabel(std::string_view text) {
  size_t i = 0;
  SkipSpaces(text, &i);
  int names = 0;
  while (true) {
    if (!SkipName(text, &i)) return text;
    ++names;
    SkipSpaces(text, &i);
    if (i < text.size() && text[i] == ':') {
      ++i;
      SkipSpaces(text, &i);
      continue;
    }
    break;
  }
  if (names < 2 || i >= text.size() || text[i] != '=') return text;
  std::string_view rest = text.substr(i + 1);
  // `A:B = C:D = 1` or a relation after the label: leave those whole.
  if (rest.find('=') != std::string_view::npos) return text;
  return rest;
}

}  // namespace verdict::math
