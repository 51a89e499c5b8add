// The grammar of a math answer (parse.h; the parser's class is in parser.h): items and their
// separators, relations, unions, sums, products and implicit multiplication, unary signs,
// postfix operators, powers and scripts. Numbers, commands and brackets are in parse_numbers.cc,
// parse_commands.cc and parse_structure.cc.
#include "verifier/math/parser.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "verifier/math/labels.h"
#include "verifier/math/lexicon.h"

namespace verdict::math::parse_internal {

ParseResult Parser::Run() {
  ParseResult r;
  SkipWs();
  int32_t root = -1;
  if (p_ >= end_) {
    Fail("empty answer");
  } else {
    std::string choice = ChoicePrefix();
    bool is_or = false;
    std::vector<size_t> or_before;
    std::vector<int32_t> items = ParseItems(/*closers=*/"", &is_or, &or_before);
    SkipWs();
    if (!failed_ && p_ < end_ && !items.empty() && AtUniversalCondition() &&
        s_.substr(p_).find_first_of("=,;") == std::string_view::npos) {
      p_ = end_;  // `... \text{ for all } x > 0`; not `... for x > 0, f(x) = 2 otherwise`
    }
    if (!failed_ && p_ < end_) Fail(absl::StrCat("unexpected '", std::string(1, s_[p_]), "'"));
    if (!failed_) root = ItemList(std::move(items), is_or, or_before);
    if (!failed_ && !choice.empty()) {  // `(C) 12`: the choice C, whose value is 12
      root = Unary(Op::kUnit, root);
      if (root >= 0) tree_.nodes[static_cast<size_t>(root)].text = std::move(choice);
    }
  }
  if (failed_) {
    r.status = budget_ ? ParseResult::Status::kBudget : ParseResult::Status::kSyntaxError;
    r.error = absl::StrCat(error_, " at offset ", error_pos_);
    return r;
  }
  r.status = ParseResult::Status::kOk;
  tree_.root = root;
  r.tree = std::move(tree_);
  return r;
}

int32_t Parser::PlusMinus(std::vector<int32_t> kids, bool minus_plus) {
  for (int32_t k : kids) {
    if (k < 0) return -1;
  }
  if (tree_.plus_minus_count >= 6) return FailBudget("more than 6 \\pm signs");
  Node n;
  n.op = Op::kPlusMinus;
  n.flags = minus_plus ? kMinusPlus : 0;
  n.rows = tree_.plus_minus_count++;
  n.kids = std::move(kids);
  return Add(std::move(n));
}

// Braced content starting at `at` ('{'), balanced; returns the end (index of '}') or npos.
size_t Parser::MatchBrace(size_t at) const {
  int depth = 0;
  for (size_t j = at; j < end_; ++j) {
    char c = s_[j];
    if (c == '\\') {
      ++j;
      continue;
    }
    if (c == '{') ++depth;
    if (c == '}' && --depth == 0) return j;
  }
  return std::string_view::npos;
}

void Parser::SkipWs() {
  while (p_ < end_) {
    char c = s_[p_];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '~' ||
        (c == '&' && amp_is_space_)) {
      ++p_;
      continue;
    }
    if (c == '\\' && p_ + 1 < end_ && s_[p_ + 1] == ',') {
      p_ += 2;
      continue;
    }
    std::string_view cmd = CommandAt(p_);
    if (cmd == "quad" || cmd == "qquad") {
      p_ += cmd.size() + 1;
      continue;
    }
    // `\quadx_{2}`: spacing glued to the next letter by a stripped space (no such command).
    if (cmd.size() > 4 && cmd.substr(0, 4) == "quad") {
      p_ += 5;
      continue;
    }
    if (cmd.size() > 5 && cmd.substr(0, 5) == "qquad") {
      p_ += 6;
      continue;
    }
    if (IsTextCommand(cmd)) {  // \text{ } holding only spaces
      size_t open = p_ + cmd.size() + 1;
      if (open < end_ && s_[open] == '{') {
        size_t close = MatchBrace(open);
        if (close != std::string_view::npos &&
            Trimmed(s_.substr(open + 1, close - open - 1)).empty()) {
          p_ = close + 1;
          continue;
        }
      }
    }
    break;
  }
}

// `f(x) = 1 \text{ for all } x \in \mathbb{Q}`, `\forall x`: a condition that holds everywhere
// it is stated, so it selects nothing; what follows it is not part of the answer. (A condition
// that picks cases, "x = 1 for a > 0", is not dropped: it is read, and usually fails.)
bool Parser::AtUniversalCondition() const {
  std::string_view cmd = CommandAt(p_);
  if (cmd == "forall") return true;
  if (!IsTextCommand(cmd)) return false;
  size_t open = p_ + cmd.size() + 1;
  size_t close = open < end_ && s_[open] == '{' ? MatchBrace(open) : std::string_view::npos;
  if (close == std::string_view::npos) return false;
  std::string words = absl::AsciiStrToLower(ToAbsl(Trimmed(s_.substr(open + 1, close - open - 1))));
  for (std::string_view w : {"for all", "for every", "for each", "for any"}) {
    if (words.rfind(w, 0) == 0) return true;
  }
  return false;
}

// "and"/"or" between answers: bare or inside \text{}. Consumes it and says which.
bool Parser::AcceptSeparatorWord(bool* is_or) {
  size_t save = p_;
  SkipWs();
  std::string_view word;
  size_t after = p_;
  std::string_view cmd = CommandAt(p_);
  if (IsTextCommand(cmd) && p_ + cmd.size() + 1 < end_ && s_[p_ + cmd.size() + 1] == '{') {
    size_t open = p_ + cmd.size() + 1;
    size_t close = MatchBrace(open);
    if (close != std::string_view::npos) {
      word = Trimmed(s_.substr(open + 1, close - open - 1));
      after = close + 1;
    }
  } else if (IsAlpha(Peek())) {
    size_t j = p_;
    while (j < end_ && IsAlpha(s_[j])) ++j;
    word = s_.substr(p_, j - p_);
    after = j;
  }
  if (AnnotatedSeparator(word)) word = word.substr(word.rfind(' ') + 1);
  if (word == "and" || word == "or" || word == "," || word == "or," || word == ", or") {
    *is_or = word != "and";
    p_ = after;
    return true;
  }
  p_ = save;
  return false;
}

// items := relation ((',' | ';' | and | or) relation)*, up to one of `closers` or the end.
std::vector<int32_t> Parser::ParseItems(std::string_view closers, bool* is_or,
                                        std::vector<size_t>* or_before) {
  std::vector<int32_t> items;
  DepthGuard g(this);
  if (!g.ok()) {
    FailBudget("nesting deeper than the depth budget");
    return items;
  }
  // A brace group (`\frac{1,000}{3}`, `\boxed{1,000}`) reads commas as the top level does;
  // brackets and set braces hold elements.
  CommaScope comma_scope(this, closers.empty() || closers == "}");
  while (!failed_) {
    SkipWs();
    if (p_ >= end_ || AtCloser(closers)) break;
    int32_t item = ParseRelation();
    if (item < 0) break;
    SkipWs();
    if (AcceptCommand("pmod")) item = ModulusAnnotation(item);  // x \equiv 3 \pmod{7}
    if (item < 0) break;
    items.push_back(item);
    SkipWs();
    if (Peek() == ',' || Peek() == ';') {
      NoteSeparator();
      ++p_;
      bool after_comma_or = false;  // "19, 46, and 82", "1, 2, or 3"
      if (AcceptSeparatorWord(&after_comma_or)) *is_or = *is_or || after_comma_or;
      if (after_comma_or && or_before != nullptr) or_before->push_back(items.size());
      continue;
    }
    bool word_or = false;
    if (AcceptSeparatorWord(&word_or)) {
      *is_or = *is_or || word_or;
      if (word_or && or_before != nullptr) or_before->push_back(items.size());
      continue;
    }
    break;
  }
  return items;
}

// Items with "or" between them. "or" before the last item only ("1, 2, or 3", "x = 2 or
// x = -2", "1 or 2 or 3") joins one list: the solutions, read as a set. An "or" with more items
// after it in its group ("1, 2, 3 or 2, 2, 3", "2 or 2, 4"), or before an item already listed
// ("2, 4 or 2"), offers whole answers as alternatives, a hedge: an or-list of the groups, each
// group of several items a list of its own, which compares equal only where every alternative does
// (compare.cc). Groups that each assign the same variables once (`x = 1, y = 2 or x = 2, y = 1`)
// are the solutions of one system: one list.
int32_t Parser::ItemList(std::vector<int32_t> items, bool is_or,
                         const std::vector<size_t>& or_before) {
  if (items.size() == 1) return items[0];
  std::vector<std::vector<int32_t>> groups(1);
  for (size_t k = 0; k < items.size(); ++k) {
    if (k > 0 && std::find(or_before.begin(), or_before.end(), k) != or_before.end()) {
      groups.emplace_back();
    }
    groups.back().push_back(items[k]);
  }
  // After the first group, a group of several items, or an item the list already holds
  // (`2, 4 or 2`: no list of solutions names one twice), offers alternatives.
  bool alternatives = false;
  std::vector<std::string> before;
  for (size_t g = 0; g < groups.size() && !alternatives; ++g) {
    alternatives = g > 0 && groups[g].size() > 1;
    for (int32_t item : groups[g]) {
      std::string text = CanonicalForm(tree_, item);
      alternatives =
          alternatives || (g > 0 && std::find(before.begin(), before.end(), text) != before.end());
      before.push_back(std::move(text));
    }
  }
  if (!alternatives || SystemSolutions(groups)) return MakeList(std::move(items), is_or);
  std::vector<int32_t> kids;
  for (std::vector<int32_t>& group : groups) {
    kids.push_back(group.size() == 1 ? group[0] : MakeList(std::move(group), false));
    if (kids.back() < 0) return -1;
  }
  return MakeList(std::move(kids), true);
}

// Whether every group is `v = ...` for the same distinct variables v, each once.
bool Parser::SystemSolutions(const std::vector<std::vector<int32_t>>& groups) const {
  auto names = [this](const std::vector<int32_t>& group, std::vector<std::string>* out) {
    for (int32_t item : group) {
      const Node& n = At(item);
      if (n.op != Op::kRelation || n.rels.size() != 1 || n.rels[0] != Rel::kEq ||
          At(n.kids[0]).op != Op::kSymbol) {
        return false;
      }
      out->push_back(At(n.kids[0]).text);
    }
    std::sort(out->begin(), out->end());
    return std::adjacent_find(out->begin(), out->end()) == out->end();
  };
  std::vector<std::string> first;
  if (!names(groups[0], &first) || first.size() < 2) return false;
  for (size_t g = 1; g < groups.size(); ++g) {
    std::vector<std::string> other;
    if (!names(groups[g], &other) || other != first) return false;
  }
  return true;
}

bool Parser::AcceptRel(Rel* rel) {
  SkipWs();
  char c = Peek();
  if (c == '=') {
    ++p_;
    *rel = Rel::kEq;
    return true;
  }
  if (c == '<' && Peek(1) == '=') {
    p_ += 2;
    *rel = Rel::kLe;
    return true;
  }
  if (c == '>' && Peek(1) == '=') {
    p_ += 2;
    *rel = Rel::kGe;
    return true;
  }
  if (c == '!' && Peek(1) == '=') {
    p_ += 2;
    *rel = Rel::kNe;
    return true;
  }
  if (c == '<') {
    ++p_;
    *rel = Rel::kLt;
    return true;
  }
  if (c == '>') {
    ++p_;
    *rel = Rel::kGt;
    return true;
  }
  std::string_view cmd = CommandAt(p_);
  Rel r;
  if (cmd == "le" || cmd == "leq")
    r = Rel::kLe;
  else if (cmd == "ge" || cmd == "geq")
    r = Rel::kGe;
  else if (cmd == "lt")
    r = Rel::kLt;
  else if (cmd == "gt")
    r = Rel::kGt;
  else if (cmd == "ne" || cmd == "neq")
    r = Rel::kNe;
  else if (cmd == "in")
    r = Rel::kIn;
  else if (cmd == "approx" || cmd == "equiv" || cmd == "simeq")
    r = Rel::kApprox;
  else
    return false;
  p_ += cmd.size() + 1;
  *rel = r;
  return true;
}

int32_t Parser::ParseRelation() {
  DepthGuard g(this);
  if (!g.ok()) return FailBudget("nesting deeper than the depth budget");
  int32_t first = ParseUnion();
  if (first < 0) return -1;
  Node n;
  n.op = Op::kRelation;
  n.kids.push_back(first);
  Rel rel;
  while (AcceptRel(&rel)) {
    int32_t next = ParseUnion();
    if (next < 0) return -1;
    n.rels.push_back(rel);
    n.kids.push_back(next);
  }
  if (n.rels.empty()) return first;
  return Add(std::move(n));
}

int32_t Parser::ParseUnion() {
  int32_t a = ParseSum();
  while (a >= 0) {
    SkipWs();
    if (AcceptCommand("setminus") || AcceptCommand("backslash")) {  // [1,5] \setminus \{3\}
      int32_t b = ParseSum();
      if (b < 0) return -1;
      a = Binary(Op::kSetMinus, a, b);
      continue;
    }
    if (!AcceptCommand("cup")) break;
    int32_t b = ParseSum();
    if (b < 0) return -1;
    if (At(a).op == Op::kUnion) {
      tree_.nodes[static_cast<size_t>(a)].kids.push_back(b);
    } else {
      a = Binary(Op::kUnion, a, b);
    }
  }
  return a;
}

int32_t Parser::ParseSum() {
  DepthGuard g(this);
  if (!g.ok()) return FailBudget("nesting deeper than the depth budget");
  int32_t first = ParseTerm();
  if (first < 0) return -1;
  std::vector<int32_t> terms = {first};
  while (true) {
    SkipWs();
    char c = Peek();
    bool pm = false, mp = false, minus = false;
    if (c == '+') {
      ++p_;
    } else if (c == '-') {
      ++p_;
      minus = true;
    } else if (AcceptCommand("pm")) {
      pm = true;
    } else if (AcceptCommand("mp")) {
      mp = true;
    } else {
      break;
    }
    int32_t t = ParseTerm();
    if (t < 0) return -1;
    if (pm || mp) {
      int32_t sum = terms.size() == 1 ? terms[0] : AddNode(std::move(terms));
      terms = {PlusMinus({sum, t}, mp)};
      if (terms[0] < 0) return -1;
      continue;
    }
    terms.push_back(minus ? Unary(Op::kNeg, t) : t);
    if (terms.back() < 0) return -1;
  }
  return terms.size() == 1 ? terms[0] : AddNode(std::move(terms));
}

// Could a factor start here (implicit multiplication)?
bool Parser::StartsFactor() const {
  char c = Peek();
  if (IsDigit(c) || c == '(' || c == '{') return true;
  if (c == '|') return abs_depth_ == 0;
  if (c == '.' && IsDigit(Peek(1))) return true;
  if (IsAlpha(c)) {
    size_t j = p_;
    while (j < end_ && IsAlpha(s_[j])) ++j;
    std::string_view w = s_.substr(p_, j - p_);
    return !(w == "and" || w == "or" || w == "degrees" || w == "degree" || w == "percent" ||
             w == "pct");
  }
  if (c == '\\') {
    std::string_view cmd = CommandAt(p_);
    if (cmd.empty()) return Peek(1) == '{';  // \{ set
    if (IsTextCommand(cmd)) {
      size_t open = p_ + cmd.size() + 1;
      size_t close = open < end_ && s_[open] == '{' ? MatchBrace(open) : std::string_view::npos;
      if (close != std::string_view::npos) {
        std::string_view w = Trimmed(s_.substr(open + 1, close - open - 1));
        if (w == "and" || w == "or" || AnnotatedSeparator(w)) return false;
        if (AtUniversalCondition()) return false;
      }
      return true;
    }
    return cmd == "frac" || cmd == "sqrt" || cmd == "pi" || cmd == "infty" || cmd == "binom" ||
           cmd == "dbinom" || cmd == "tbinom" || cmd == "begin" || cmd == "boxed" ||
           cmd == "fbox" || cmd == "mathbb" || cmd == "emptyset" || cmd == "varnothing" ||
           cmd == "infin" || In(cmd, kFunctions) || In(cmd, kGreek) || cmd == "sum" ||
           cmd == "prod" || cmd == "lfloor" || cmd == "lceil" || cmd == "cdots" || cmd == "ldots" ||
           cmd == "dots" || cmd == "ell" || cmd == "angle" || cmd == "measuredangle" ||
           cmd == "triangle" || cmd == "overline" || cmd == "overrightarrow" || cmd == "vec" ||
           cmd == "overleftrightarrow" || cmd == "widehat" || cmd == "langle";
  }
  return false;
}

int32_t Parser::ParseTerm() {
  DepthGuard g(this);
  if (!g.ok()) return FailBudget("nesting deeper than the depth budget");
  size_t start = p_;
  int32_t first = ParseUnary();
  if (first < 0) return -1;
  std::vector<int32_t> factors = {first};
  while (true) {
    SkipWs();
    char c = Peek();
    std::string_view cmd = CommandAt(p_);
    if (c == '*' || cmd == "cdot" || cmd == "times" || cmd == "ast") {
      p_ += c == '*' ? 1 : cmd.size() + 1;
      int32_t f = ParseUnary();
      if (f < 0) return -1;
      factors.push_back(f);
      continue;
    }
    if (c == '/' || cmd == "div" || cmd == "over") {
      p_ += c == '/' ? 1 : cmd.size() + 1;
      int32_t f = ParseUnary();
      if (f < 0) return -1;
      int32_t num = factors.size() == 1 ? factors[0] : MulNode(std::move(factors));
      factors = {Binary(Op::kDiv, num, f)};
      if (factors[0] < 0) return -1;
      continue;
    }
    if (!StartsFactor()) break;
    bool starts_with_digit = IsDigit(Peek()) || Peek() == '.';
    int32_t f = ParsePostfix();
    if (f < 0) return -1;
    if (starts_with_digit && At(factors.back()).op == Op::kNumber) {
      return Fail("two numbers side by side");
    }
    factors.push_back(f);
  }
  // Text in a product: trailing text after math is a unit ("5 \text{cm}"); anything else with
  // text in it is prose, read as text as a whole.
  size_t first_text = factors.size();
  for (size_t k = 0; k < factors.size(); ++k) {
    const Node& f = At(factors[k]);
    if (f.op == Op::kText || (f.op == Op::kPow && At(f.kids[0]).op == Op::kText)) {
      first_text = k;
      break;
    }
  }
  if (first_text < factors.size()) {
    bool trailing = first_text > 0;
    for (size_t k = first_text; k < factors.size(); ++k) {
      const Node& f = At(factors[k]);
      bool unit_like = f.op == Op::kText || (f.op == Op::kPow && At(f.kids[0]).op == Op::kText);
      // A unit has no numbers and does not hedge: "5 \text{ or 6}", "5 \text{ (not sure)}"
      // are prose, not 5.
      if (unit_like && !IsUnitText(f.op == Op::kText ? f.text : At(f.kids[0]).text)) {
        unit_like = false;
      }
      if (!unit_like) trailing = false;
    }
    if (!trailing) return TextNode(s_.substr(start, p_ - start));
    std::string unit;
    for (size_t k = first_text; k < factors.size(); ++k) {
      const Node& f = At(factors[k]);
      absl::StrAppend(&unit, unit.empty() ? "" : " ",
                      f.op == Op::kText ? f.text : At(f.kids[0]).text);
    }
    factors.resize(first_text);
    int32_t value = factors.size() == 1 ? factors[0] : MulNode(std::move(factors));
    // Scale words multiply: `3 million` is 3000000, never 3 with a unit.
    if (int64_t scale = TakeScaleWords(&unit); scale > 0) {
      value = MulNode({value, NumberLeaf("1", scale, 0, false)});
      if (unit.empty()) return value;
    }
    int32_t u = Unary(Op::kUnit, value);
    if (u >= 0) tree_.nodes[static_cast<size_t>(u)].text = std::move(unit);
    return u;
  }
  return factors.size() == 1 ? factors[0] : MulNode(std::move(factors));
}

int32_t Parser::ParseUnary() {
  DepthGuard g(this);
  if (!g.ok()) return FailBudget("nesting deeper than the depth budget");
  SkipWs();
  char c = Peek();
  if (c == '-') {
    ++p_;
    return Unary(Op::kNeg, ParseUnary());
  }
  if (c == '+') {
    ++p_;
    return ParseUnary();
  }
  if (AcceptCommand("pm")) return PlusMinus({ParseUnary()}, false);
  if (AcceptCommand("mp")) return PlusMinus({ParseUnary()}, true);
  return ParsePostfix();
}

int32_t Parser::ParsePostfix() {
  int32_t base = ParsePower();
  while (base >= 0) {
    size_t save = p_;
    SkipWs();
    char c = Peek();
    if (c == '!' && Peek(1) != '=') {
      ++p_;
      base = Unary(Op::kFactorial, base);
      continue;
    }
    if (c == '%' || (c == '\\' && Peek(1) == '%')) {
      p_ += c == '%' ? 1 : 2;
      base = Unary(Op::kPercent, base);
      continue;
    }
    if (AcceptCommand("pmod")) {  // `3 \pmod{7}`: the residue as written, the modulus kept
      SkipWs();
      size_t close = Peek() == '{' ? MatchBrace(p_) : std::string_view::npos;
      std::string modulus;
      if (close != std::string_view::npos) {
        modulus = std::string(Trimmed(s_.substr(p_ + 1, close - p_ - 1)));
        p_ = close + 1;
      } else {
        while (p_ < end_ && IsDigit(s_[p_])) modulus.push_back(s_[p_++]);
      }
      if (modulus.empty()) return Fail("\\pmod without a modulus");
      base = Unary(Op::kUnit, base);
      if (base >= 0) tree_.nodes[static_cast<size_t>(base)].text = "mod " + modulus;
      continue;
    }
    if (AcceptCommand("degree") || AcceptCommand("circ")) {
      base = Unary(Op::kDegree, base);
      continue;
    }
    if (IsAlpha(c)) {
      size_t j = p_;
      while (j < end_ && IsAlpha(s_[j])) ++j;
      std::string_view w = s_.substr(p_, j - p_);
      if (w == "degrees" || w == "degree" || w == "deg") {
        p_ = j;
        base = Unary(Op::kDegree, base);
        continue;
      }
      if (w == "percent" || w == "pct") {
        p_ = j;
        base = Unary(Op::kPercent, base);
        continue;
      }
    }
    p_ = save;
    break;
  }
  return base;
}

int32_t Parser::ParsePower() {
  DepthGuard g(this);
  if (!g.ok()) return FailBudget("nesting deeper than the depth budget");
  int32_t base = ParsePrimary();
  while (base >= 0) {
    size_t save = p_;
    SkipWs();
    if (Peek() == '^' || (Peek() == '*' && Peek(1) == '*')) {
      p_ += Peek() == '^' ? 1 : 2;
      SkipWs();
      // ^\circ, ^{\circ}: degrees.
      if (AcceptCommand("circ")) {
        base = Unary(Op::kDegree, base);
        continue;
      }
      if (Peek() == '{') {
        size_t q = p_ + 1;
        while (q < end_ && s_[q] == ' ') ++q;
        if (CommandAt(q) == "circ") {
          size_t r = q + 5;
          while (r < end_ && s_[r] == ' ') ++r;
          if (r < end_ && s_[r] == '}') {
            p_ = r + 1;
            base = Unary(Op::kDegree, base);
            continue;
          }
        }
      }
      int32_t e = ParseScript();
      base = Binary(Op::kPow, base, e);
      continue;
    }
    p_ = save;
    break;
  }
  return base;
}

// A superscript or subscript: {group}, a signed digit run, a letter, or one command.
int32_t Parser::ParseScript(bool single_digit) {
  DepthGuard g(this);
  if (!g.ok()) return FailBudget("nesting deeper than the depth budget");
  SkipWs();
  char c = Peek();
  if (c == '{') return ParseGroup();
  if (c == '-') {
    ++p_;
    return Unary(Op::kNeg, ParseScript());
  }
  if (c == '+') {
    ++p_;
    return ParseScript();
  }
  if (IsDigit(c) && single_digit) {
    ++p_;
    return NumberLeaf(std::string(1, c), 0, 0, false);
  }
  if (IsDigit(c)) return ParseNumber(/*allow_mixed=*/false);
  if (IsAlpha(c)) {
    ++p_;
    if (c == 'e') return Leaf(Op::kE);
    if (c == 'i') return Leaf(Op::kI);
    return Leaf(Op::kSymbol, std::string(1, c));
  }
  if (c == '(') return ParsePrimary();
  if (c == '\\') return ParsePrimary();
  return Fail("missing exponent");
}

// A subscript and a superscript in either order (`\sum_{k=1}^{n}`, `\log^2_3`), each at most
// once, after a function or a big operator; `*sub`/`*sup` stay -1 when absent. A subscript of a
// function is one digit when unbraced (`\log_28` is log base 2 of 8). False when a script fails.
bool Parser::AcceptScripts(int32_t* sub, int32_t* sup, bool sub_single_digit) {
  for (int k = 0; k < 2; ++k) {
    SkipWs();
    if (Peek() == '_' && *sub < 0) {
      ++p_;
      *sub = ParseScript(sub_single_digit);
      if (*sub < 0) return false;
    } else if (Peek() == '^' && *sup < 0) {
      ++p_;
      *sup = ParseScript();
      if (*sup < 0) return false;
    }
  }
  return true;
}

}  // namespace verdict::math::parse_internal

namespace verdict::math {

ParseResult ParseAnswer(std::string_view text, const Limits& limits) {
  std::string cleaned = CleanAnswerText(text);
  // `V_{1}:V_{2}=11:21` states 11:21 (labels.h); the label is kept to tell ratios apart.
  std::string label;
  if (std::string_view rest = StripRatioLabel(cleaned); rest.size() != cleaned.size()) {
    for (char c : std::string_view(cleaned).substr(0, cleaned.size() - rest.size() - 1)) {
      if (c != ' ' && c != '{' && c != '}') label.push_back(c);
    }
    cleaned = std::string(rest);
  }
  parse_internal::Parser parser(cleaned, limits);
  ParseResult result = parser.Run();
  result.ratio_label = std::move(label);
  return result;
}

}  // namespace verdict::math
