// Words and commands (parser.h): primaries, prose words and units, functions, LaTeX commands,
// floor and ceiling, big operators, \text{}.
#include "verifier/math/parser.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "verifier/math/lexicon.h"

namespace verdict::math::parse_internal {

// Removes the scale words (`hundred`, `thousand`, `million`, `billion`, `trillion`) that open
// `unit` and returns the power of ten they make together (0 when there are none).
int64_t Parser::TakeScaleWords(std::string* unit) {
  int64_t exp10 = 0;
  while (true) {
    std::string_view u = Trimmed(*unit);
    size_t end = 0;
    while (end < u.size() && IsAlpha(u[end])) ++end;
    std::string_view w = u.substr(0, end);
    int64_t e = w == "hundred"    ? 2
                : w == "thousand" ? 3
                : w == "million"  ? 6
                : w == "billion"  ? 9
                : w == "trillion" ? 12
                                  : 0;
    if (e == 0) return exp10;
    exp10 += e;
    *unit = std::string(Trimmed(u.substr(end)));
  }
}

bool Parser::IsUnitText(std::string_view text) {
  for (char c : text) {
    if (IsDigit(c)) return false;
  }
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !IsAlpha(text[i])) ++i;
    size_t j = i;
    while (j < text.size() && IsAlpha(text[j])) ++j;
    std::string_view w = text.substr(i, j - i);
    if (In(w, {"or", "not", "maybe", "wrong", "incorrect", "either", "unsure", "possibly",
               "perhaps", "and", "but", "except", "no", "none"})) {
      return false;
    }
    // Words that change the value: `6 squared` is 36, never 6 with a unit "squared".
    if (In(w, {"squared",    "cubed",     "root",      "roots",      "times",      "plus",
               "minus",      "over",      "divided",   "power",      "powers",     "half",
               "halves",     "twice",     "double",    "triple",     "thrice",     "factorial",
               "reciprocal", "inverse",   "negative",  "opposite",   "less",       "more",
               "fewer",      "than",      "dozen",     "dozens",     "gross",      "score",
               "third",      "thirds",    "quarter",   "quarters",   "fourths",    "fifths",
               "tenth",      "tenths",    "hundredth", "hundredths", "thousandth", "thousandths",
               "millionth",  "millionths"})) {
      return false;
    }
    i = j;
  }
  return true;
}

int32_t Parser::TextNode(std::string_view raw) {
  std::string t;
  bool space = false;
  for (char c : raw) {
    if (c == '{' || c == '}' || c == '\\') continue;
    if (c == ' ' || c == '\t' || c == '\n' || c == '~') {
      space = !t.empty() && t.back() != ':';  // `3 : 4` is `3:4`
      continue;
    }
    if (c == ':') space = false;
    if (space) t.push_back(' ');
    space = false;
    t.push_back(static_cast<char>(absl::ascii_tolower(static_cast<unsigned char>(c))));
  }
  // "text", "mathrm"... command names left in raw prose are dropped with the backslash above;
  // strip the common ones so "\text{Evelyn}" and "Evelyn" read the same.
  for (std::string_view cmd : {"textbf", "textrm", "mathrm", "text", "mbox", "mathbf"}) {
    if (t.rfind(cmd, 0) == 0 && t.size() > cmd.size()) t.erase(0, cmd.size());
  }
  while (!t.empty() && (t.back() == '.' || t.back() == ' ')) t.pop_back();
  if (t == "dne") t = "does not exist";  // the usual abbreviation, same answer
  return Leaf(Op::kText, std::move(t));
}

int32_t Parser::ParsePrimary() {
  DepthGuard g(this);
  if (!g.ok()) return FailBudget("nesting deeper than the depth budget");
  SkipWs();
  char c = Peek();
  if (IsDigit(c) || (c == '.' && IsDigit(Peek(1)))) return ParseNumber(/*allow_mixed=*/true);
  if (c == '(' || c == '[') return ParseBracket();
  if (c == '{') return ParseGroup();
  if (c == '|') {
    ++p_;
    ++abs_depth_;
    int32_t x = ParseSum();
    --abs_depth_;
    if (x < 0) return -1;
    SkipWs();
    if (Peek() != '|') return Fail("unbalanced '|'");
    ++p_;
    return Unary(Op::kAbs, x);
  }
  if (IsAlpha(c)) return ParseWord();
  if (c == '\\') return ParseCommand();
  if (c == '\0') return Fail("unexpected end");
  return Fail(absl::StrCat("unexpected '", std::string(1, c), "'"));
}

int32_t Parser::ParseWord() {
  size_t j = p_;
  while (j < end_ && IsAlpha(s_[j])) ++j;
  std::string_view w = s_.substr(p_, j - p_);
  if (int32_t n = NumberWord(w, j); n != kNoNode) return n;
  if (w.size() == 1) {
    ++p_;
    // `f(2)`, `g(-1)`: a function's value at a number is a quantity of its own, not f times 2
    // (read as products, `f(2)<f(1)<f(5)` and `f(2)<f(1)<f(4)` both say f < 0 < f).
    if (w == "f" || w == "g") {
      size_t k = p_;
      if (k < end_ && s_[k] == '(') {
        ++k;
        if (k < end_ && s_[k] == '-') ++k;
        size_t digits = k;
        while (k < end_ && (IsDigit(s_[k]) || s_[k] == '.')) ++k;
        if (k > digits && k < end_ && s_[k] == ')') {
          std::string name(s_.substr(p_ - 1, k + 1 - (p_ - 1)));
          p_ = k + 1;
          return Leaf(Op::kSymbol, std::move(name));
        }
      }
    }
    if (w == "e") return Leaf(Op::kE);
    if (w == "i") return Leaf(Op::kI);
    return SymbolWithSubscript(std::string(w));
  }
  if (w == "pi") {
    p_ = j;
    return Leaf(Op::kPi);
  }
  if (w == "infinity" || w == "infty" || w == "inf" || w == "oo") {
    p_ = j;
    return Leaf(Op::kInfinity);
  }
  if (In(w, kFunctions)) {
    p_ = j;
    return ParseFunction(w);
  }
  // A capitalised short word ("The", "Yes") is the word; all capitals ("ABC", "AM") stay letters.
  std::string title =
      w.size() > 1 && w[0] >= 'A' && w[0] <= 'Z' &&
              std::all_of(w.begin() + 1, w.end(), [](char ch) { return ch >= 'a' && ch <= 'z'; })
          ? absl::AsciiStrToLower(ToAbsl(w))
          : std::string(w);
  if (w.size() <= 3 && !In(std::string_view(title), kShortWords)) {
    // "xy", "abc": products of one-letter variables; read the first, the rest follows.
    ++p_;
    char c = w[0];
    if (c == 'e') return Leaf(Op::kE);
    if (c == 'i') return Leaf(Op::kI);
    return Leaf(Op::kSymbol, std::string(1, c));
  }
  // Text: words separated by single spaces, up to a separator word or a non-letter.
  size_t start = p_;
  p_ = j;
  while (p_ < end_) {
    size_t q = p_;
    while (q < end_ && (s_[q] == ' ' || s_[q] == '-' || s_[q] == '\'')) ++q;
    size_t r = q;
    while (r < end_ && IsAlpha(s_[r])) ++r;
    if (r == q) break;
    std::string_view next = s_.substr(q, r - q);
    if (next == "and" || next == "or" || next == "degrees" || next == "percent" || next == "pct") {
      break;
    }
    p_ = r;
  }
  return TextNode(s_.substr(start, p_ - start));
}

// \lfloor x \rfloor, \lceil x \rceil (after `\lfloor` was read): the floor and ceiling
// functions, exact on exact values.
int32_t Parser::ParseFloorCeil(bool floor) {
  int32_t x = ParseSum();
  if (x < 0) return -1;
  SkipWs();
  if (!AcceptCommand(floor ? "rfloor" : "rceil")) {
    return Fail(floor ? "\\lfloor without \\rfloor" : "\\lceil without \\rceil");
  }
  Node n;
  n.op = Op::kFunc;
  n.text = floor ? "floor" : "ceil";
  n.kids = {x};
  return Add(std::move(n));
}

int32_t Parser::SymbolWithSubscript(std::string name) {
  if (Peek() == '_') {
    size_t q = p_ + 1;
    if (q < end_ && s_[q] == '{') {
      size_t close = MatchBrace(q);
      if (close == std::string_view::npos) return Fail("unbalanced '{'");
      absl::StrAppend(&name, "_", ToAbsl(s_.substr(q + 1, close - q - 1)));
      p_ = close + 1;
    } else if (q < end_ && (IsDigit(s_[q]) || IsAlpha(s_[q]))) {
      size_t r = q + 1;
      absl::StrAppend(&name, "_", ToAbsl(s_.substr(q, r - q)));
      p_ = r;
    }
  }
  return Leaf(Op::kSymbol, std::move(name));
}

int32_t Parser::ParseFunction(std::string_view name) {
  std::string fname(name == "lg" ? "log10" : name);
  int32_t power = -1;
  int32_t base = -1;
  if (!AcceptScripts(&base, &power, /*sub_single_digit=*/true)) return -1;
  SkipWs();
  int32_t arg;
  if (Peek() == '(') {
    ++p_;
    bool is_or = false;
    std::vector<int32_t> items = ParseItems(")", &is_or);
    if (failed_) return -1;
    SkipWs();
    if (Peek() != ')' || items.size() != 1) return Fail("bad function argument");
    ++p_;
    arg = items[0];
  } else if (Peek() == '{') {
    arg = ParseGroup();
  } else {
    // \sin 2x: the argument runs over implicitly multiplied factors, up to an operator or the
    // next function.
    arg = ParsePostfix();
    std::vector<int32_t> factors = {arg};
    while (arg >= 0) {
      SkipWs();
      if (!StartsFactor()) break;
      std::string_view cmd = CommandAt(p_);
      if (In(cmd, kFunctions)) break;
      int32_t f = ParsePostfix();
      if (f < 0) return -1;
      factors.push_back(f);
    }
    if (arg >= 0 && factors.size() > 1) arg = MulNode(std::move(factors));
  }
  if (arg < 0) return -1;
  // \sin^{-1}: the inverse function.
  if (power >= 0 && At(power).op == Op::kNeg && At(At(power).kids[0]).op == Op::kNumber &&
      At(At(power).kids[0]).text == "1" && At(At(power).kids[0]).exp10 == 0 &&
      In(fname, {"sin", "cos", "tan", "sec", "csc", "cot"})) {
    fname = "arc" + fname;
    power = -1;
  }
  Node n;
  n.op = Op::kFunc;
  n.text = fname;
  n.kids = {arg};
  if (base >= 0) n.kids.push_back(base);
  int32_t f = Add(std::move(n));
  if (power >= 0) f = Binary(Op::kPow, f, power);
  return f;
}

int32_t Parser::ParseCommand() {
  if (Peek(1) == '{') {  // \{ ... \}
    p_ += 2;
    if (int32_t cond = ParseSetBuilder(); cond != -2) return cond;
    if (int32_t sys = ParseBracedSystem(); sys != -2) return sys;
    std::vector<int32_t> items;
    if (!ItemsToBraceClose(&items)) return -1;
    Node n;
    n.op = Op::kSet;
    n.kids = std::move(items);
    return Add(std::move(n));
  }
  std::string_view cmd = CommandAt(p_);
  if (cmd.empty()) return Fail(absl::StrCat("unexpected '\\", std::string(1, Peek(1)), "'"));
  p_ += cmd.size() + 1;
  if (cmd == "frac") {
    int32_t a = ParseArg();
    if (a < 0) return -1;
    int32_t b = ParseArg();
    return Binary(Op::kDiv, a, b);
  }
  if (cmd == "sqrt") {
    SkipWs();
    int32_t index = -1;
    if (Peek() == '[') {
      ++p_;
      bool is_or = false;
      std::vector<int32_t> items = ParseItems("]", &is_or);
      if (failed_) return -1;
      if (Peek() != ']' || items.size() != 1) return Fail("bad root index");
      ++p_;
      index = items[0];
    }
    SkipWs();
    int32_t x;
    if (Peek() == '(') {
      x = ParseBracket();
    } else {
      x = ParseArg();
    }
    if (x < 0) return -1;
    if (index < 0) {
      Node n;
      n.op = Op::kFunc;
      n.text = "sqrt";
      n.kids = {x};
      return Add(std::move(n));
    }
    int32_t one = NumberLeaf("1", 0, 0, false);
    return Binary(Op::kPow, x, Binary(Op::kDiv, one, index));
  }
  if (cmd == "binom" || cmd == "dbinom" || cmd == "tbinom") {
    int32_t a = ParseArg();
    if (a < 0) return -1;
    int32_t b = ParseArg();
    return Binary(Op::kBinom, a, b);
  }
  if (cmd == "lfloor" || cmd == "lceil") return ParseFloorCeil(cmd == "lfloor");
  if (cmd == "pi") return Leaf(Op::kPi);
  if (cmd == "infty" || cmd == "infin") return Leaf(Op::kInfinity);
  if (cmd == "sum" || cmd == "prod") return ParseBigOperator(cmd);
  if (cmd == "ell") return SymbolWithSubscript("\\ell");
  if (cmd == "langle") return ParseAngleVector();
  // Geometric names: `\angle ABC = 30^\circ`, `|\overrightarrow{AB}| = 2` (labels.h).
  if (cmd == "angle" || cmd == "measuredangle" || cmd == "triangle") {
    return Leaf(Op::kSymbol, absl::StrCat("\\", ToAbsl(cmd)));
  }
  if (In(cmd, {"overline", "overrightarrow", "vec", "overleftrightarrow", "widehat"})) {
    SkipWs();
    size_t close = Peek() == '{' ? MatchBrace(p_) : std::string_view::npos;
    std::string_view name;
    if (close != std::string_view::npos) {
      name = Trimmed(s_.substr(p_ + 1, close - p_ - 1));
    } else if (IsAlpha(Peek())) {
      name = s_.substr(p_, 1);
      close = p_;
    }
    bool letters = !name.empty();
    for (char ch : name) letters = letters && IsAlpha(ch);
    if (!letters) return Fail(absl::StrCat("\\", ToAbsl(cmd), " over something other than a name"));
    p_ = close + 1;
    return SymbolWithSubscript(absl::StrCat("\\", ToAbsl(cmd), "{", ToAbsl(name), "}"));
  }
  if (cmd == "lfloor" || cmd == "lceil") {
    int32_t x = ParseSum();
    if (x < 0) return -1;
    SkipWs();
    if (!AcceptCommand(cmd == "lfloor" ? "rfloor" : "rceil")) {
      return Fail(absl::StrCat("\\", ToAbsl(cmd), " without its closing bracket"));
    }
    Node n;
    n.op = Op::kFunc;
    n.text = cmd == "lfloor" ? "floor" : "ceil";
    n.kids = {x};
    return Add(std::move(n));
  }
  // An ellipsis is one opaque term: `1 + 2 + \cdots + n` equals itself and nothing else.
  if (In(cmd, {"cdots", "ldots", "dots", "dotsc", "dotsb", "dotsm"})) {
    return Leaf(Op::kSymbol, "\\dots");
  }
  if (cmd == "emptyset" || cmd == "varnothing") {
    Node n;
    n.op = Op::kSet;
    return Add(std::move(n));
  }
  if (cmd == "boxed" || cmd == "fbox" || cmd == "framebox") {
    SkipWs();
    if (Peek() == '{') return ParseGroup();
    return ParsePostfix();
  }
  if (cmd == "mathbb") {
    SkipWs();
    size_t close = Peek() == '{' ? MatchBrace(p_) : std::string_view::npos;
    std::string_view name;
    if (close != std::string_view::npos) {
      name = Trimmed(s_.substr(p_ + 1, close - p_ - 1));
      p_ = close + 1;
    } else if (IsAlpha(Peek())) {
      name = s_.substr(p_++, 1);
    }
    if (name == "R") return Leaf(Op::kReals);
    return Leaf(Op::kSymbol, absl::StrCat("\\mathbb{", ToAbsl(name), "}"));
  }
  if (IsTextCommand(cmd)) return ParseTextCommand(cmd);
  if (cmd == "begin") return ParseEnvironment();
  if (In(cmd, kFunctions)) return ParseFunction(cmd);
  if (In(cmd, kGreek)) return SymbolWithSubscript(absl::StrCat("\\", ToAbsl(cmd)));
  if (cmd == "circ") return Fail("a degree sign without a number");
  return Fail(absl::StrCat("unknown command \\", ToAbsl(cmd)));
}

// Turns every `constant` (kI or kE) node under `root` into the variable of the same letter.
void Parser::RenameConstant(int32_t root, Op constant) {
  std::vector<int32_t> stack = {root};
  while (!stack.empty()) {
    Node& n = tree_.nodes[static_cast<size_t>(stack.back())];
    stack.pop_back();
    if (n.op == constant) {
      n.op = Op::kSymbol;
      n.text = constant == Op::kI ? "i" : "e";
    }
    stack.insert(stack.end(), n.kids.begin(), n.kids.end());
  }
}

// \sum_{k=0}^{n-1} body, \prod...: one opaque function of the body whose name holds the
// bounds, so two sums compare equal when bounds and body have the same canonical form (the
// body's factors in any order) and are otherwise not decided by value.
int32_t Parser::ParseBigOperator(std::string_view cmd) {
  int32_t lo = -1, hi = -1;
  if (!AcceptScripts(&lo, &hi, /*sub_single_digit=*/false)) return -1;
  int32_t body = ParseTerm();
  if (body < 0) return -1;
  // `\sum_{i=1}^{n} i^2`: an index named i or e is a variable there, not the constant.
  if (lo >= 0 && At(lo).op == Op::kRelation) {
    Op index = At(At(lo).kids[0]).op;
    if (index == Op::kI || index == Op::kE) {
      for (int32_t root : {At(lo).kids[0], body}) RenameConstant(root, index);
    }
  }
  Node n;
  n.op = Op::kFunc;
  n.text = absl::StrCat(ToAbsl(cmd), "[", lo >= 0 ? CanonicalForm(tree_, lo) : "", "..",
                        hi >= 0 ? CanonicalForm(tree_, hi) : "", "]");
  n.kids = {body};
  return Add(std::move(n));
}

// \text{...}: prose or a unit when it holds words; otherwise its content is read as math
// (\text{B}, \textbf{(D)}, \mathrm{e}).
int32_t Parser::ParseTextCommand(std::string_view cmd) {
  SkipWs();
  if (Peek() != '{') {
    if (IsAlpha(Peek())) return Leaf(Op::kSymbol, std::string(1, s_[p_++]));
    return Fail(absl::StrCat("\\", ToAbsl(cmd), " without an argument"));
  }
  size_t close = MatchBrace(p_);
  if (close == std::string_view::npos) return Fail("unbalanced '{'");
  std::string_view content = s_.substr(p_ + 1, close - p_ - 1);
  // Words, or more than one letter ("m/s"), or a leading space ("\text{ m}") make text.
  int letters = 0;
  for (char ch : content) letters += IsAlpha(ch) ? 1 : 0;
  bool has_word = letters > 1 || (!content.empty() && content[0] == ' ' && letters > 0);
  std::string_view trimmed = Trimmed(content);
  if (int value = NumberWordValue(absl::AsciiStrToLower(ToAbsl(trimmed))); value >= 0) {
    p_ = close + 1;  // \text{three}
    return NumberLeaf(std::to_string(value), 0, 0, false);
  }
  if (has_word || Trimmed(content).empty()) {
    p_ = close + 1;
    return TextNode(content);
  }
  // Read the content as math, in place.
  size_t saved_end = end_;
  end_ = close;
  ++p_;
  bool is_or = false;
  std::vector<size_t> or_before;
  std::vector<int32_t> items = ParseItems("", &is_or, &or_before);
  SkipWs();
  bool complete = !failed_ && p_ == close;
  end_ = saved_end;
  if (failed_) return -1;
  if (!complete || items.empty()) {
    p_ = close + 1;
    return TextNode(content);
  }
  p_ = close + 1;
  return ItemList(std::move(items), is_or, or_before);
}

}  // namespace verdict::math::parse_internal
