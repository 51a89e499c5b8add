#include "verifier/math/parse.h"

#include <algorithm>
#include <array>
#include <optional>
#include <cctype>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/strings.h"
#include "verifier/math/labels.h"
#include "verifier/math/lexicon.h"

namespace verdict::math {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

template <typename Set>
bool In(std::string_view x, const Set& set) {
  return std::find(std::begin(set), std::end(set), x) != std::end(set);
}
bool In(std::string_view x, std::initializer_list<std::string_view> set) {
  return std::find(set.begin(), set.end(), x) != set.end();
}

std::string_view Trimmed(std::string_view s) {
  while (!s.empty() && absl::ascii_isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && absl::ascii_isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

constexpr std::string_view kFunctions[] = {
    "sin",  "cos",    "tan",    "sec",    "csc",  "cot",  "arcsin", "arccos", "arctan",
    "sinh", "cosh",   "tanh",   "ln",     "log",  "exp",  "lg",     "sqrt",   "arcsec",
    "arccsc", "arccot", "coth", "sech", "csch"};

constexpr std::string_view kGreek[] = {
    "alpha", "beta",  "gamma", "delta", "epsilon", "varepsilon", "zeta",   "eta",
    "theta", "vartheta", "iota", "kappa", "lambda", "mu",        "nu",     "xi",
    "rho",   "sigma", "tau",   "upsilon", "phi",   "varphi",     "chi",    "psi",
    "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi",          "Sigma",  "Phi",
    "Psi",   "Omega", "ell"};

// Short words that are text, not products of one-letter variables ("yes" is not y*e*s).
constexpr std::string_view kShortWords[] = {
    "yes", "no", "odd", "all", "any", "the", "not", "one", "two", "six", "ten", "red", "blue",
    "cm", "mm", "km", "kg", "mg", "ml", "hr", "hrs", "min", "sec", "ft", "in", "yd", "mph",
    "lb", "lbs", "oz", "am", "pm", "is", "are", "it", "of", "to", "by", "cm2", "ok", "off",
    "on", "now", "up", "out", "box", "day", "way", "men", "boy", "cat", "dog", "car", "bus"};

// A run of Unicode superscript digits (and minus) at `at` appended as `^{...}`; returns the bytes
// read, 0 if none is there (`10⁸` is `10^{8}`, `m²` is `m^{2}`).
size_t AppendSuperscripts(std::string_view in, size_t at, std::string* out) {
  static constexpr std::pair<std::string_view, char> kSup[] = {
      {"\u2070", '0'}, {"\u00b9", '1'}, {"\u00b2", '2'}, {"\u00b3", '3'}, {"\u2074", '4'},
      {"\u2075", '5'}, {"\u2076", '6'}, {"\u2077", '7'}, {"\u2078", '8'}, {"\u2079", '9'},
      {"\u207b", '-'}};
  std::string digits;
  size_t i = at;
  while (i < in.size()) {
    bool found = false;
    for (const auto& [from, to] : kSup) {
      if (in.substr(i, from.size()) == from) {
        digits.push_back(to);
        i += from.size();
        found = true;
        break;
      }
    }
    if (!found) break;
  }
  if (digits.empty()) return 0;
  absl::StrAppend(out, "^{", digits, "}");
  return i - at;
}

// Drops markup that carries no meaning and maps Unicode math symbols to their LaTeX commands.
void AppendCleaned(std::string_view in, std::string* out) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 16> kUnicode = {{
      {"\u2212", "-"},        {"\u00d7", "\\times "}, {"\u00b7", "\\cdot "},
      {"\u03c0", "\\pi "},    {"\u221e", "\\infty "}, {"\u221a", "\\sqrt "},
      {"\u2264", "\\le "},    {"\u2265", "\\ge "},    {"\u2260", "\\ne "},
      {"\u00b0", "^\\circ "}, {"\u222a", "\\cup "},   {"\u2205", "\\emptyset "},
      {"\u00b1", "\\pm "},    {"\u2213", "\\mp "},    {"\u00f7", "\\div "},
      {"\u2208", "\\in "},
  }};
  // More Unicode (issue 14): vulgar fractions, superscript digits, currency signs, thin spaces.
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 17> kUnicodeMore = {{
      {"\u00bd", "\\frac{1}{2}"}, {"\u2153", "\\frac{1}{3}"}, {"\u2154", "\\frac{2}{3}"},
      {"\u00bc", "\\frac{1}{4}"}, {"\u00be", "\\frac{3}{4}"}, {"\u215b", "\\frac{1}{8}"},
      {"\u2248", "\\approx "},    {"\u22c5", "\\cdot "},      {"\u20ac", ""},
      {"\u00a3", ""},              {"\u00a5", ""},              {"\u00a0", " "},
      {"\u2009", "\\,"},          {"\u202f", "\\,"},          {"\u2217", "*"},
      {"\u2192", "\\to "},        {"\u2026", "\\ldots "},
  }};
  size_t i = 0;
  while (i < in.size()) {
    char c = in[i];
    if (c == '$') {
      ++i;
      continue;
    }
    if (c == '*' && i + 1 < in.size() && in[i + 1] == '*') {  // markdown bold
      i += 2;
      continue;
    }
    if (static_cast<unsigned char>(c) >= 0x80) {
      if (size_t n = AppendSuperscripts(in, i, out); n > 0) {
        i += n;
        continue;
      }
      auto map = [&](const auto& table) {
        for (const auto& [from, to] : table) {
          if (in.substr(i, from.size()) != from) continue;
          out->append(to);
          i += from.size();
          return true;
        }
        return false;
      };
      if (!map(kUnicode) && !map(kUnicodeMore)) out->push_back(in[i++]);
      continue;
    }
    if (c != '\\') {
      out->push_back(c);
      ++i;
      continue;
    }
    // A command.
    size_t j = i + 1;
    while (j < in.size() && IsAlpha(in[j])) ++j;
    if (j == i + 1) {  // one-character command
      char d = i + 1 < in.size() ? in[i + 1] : '\0';
      if (d == '!' && !out->empty() && out->back() == ',') {
        // `11,\! 111`: a comma followed by a negative space is a thousands separator, never a
        // list comma; written as `{,}` so the number reader knows.
        out->back() = '{';
        out->append(",}");
        i += 2;
        while (i < in.size() && in[i] == ' ') ++i;
        continue;
      }
      if (d == '!' || d == '$' || d == '[' || d == ']' || d == '(' || d == ')') {
        i += 2;  // negative space, currency, display-math delimiters
        continue;
      }
      if (d == ';' || d == ':' || d == ' ' || d == '>') {
        out->push_back(' ');
        i += 2;
        continue;
      }
      out->append(in.substr(i, d == '\0' ? 1 : 2));
      i += d == '\0' ? 1 : 2;
      continue;
    }
    std::string_view name = in.substr(i + 1, j - i - 1);
    if (name == "left" || name == "right" || name == "bigl" || name == "bigr" || name == "Bigl" ||
        name == "Bigr" || name == "big" || name == "Big" || name == "biggl" || name == "biggr") {
      i = j;
      if (i < in.size() && in[i] == '.') ++i;  // \left. and \right. are invisible
      continue;
    }
    if (name == "displaystyle" || name == "textstyle" || name == "limits" || name == "nolimits") {
      i = j;
      continue;
    }
    // Spellings read as one command.
    static constexpr std::pair<std::string_view, std::string_view> kRenamed[] = {
        {"dfrac", "\\frac"}, {"tfrac", "\\frac"}, {"cfrac", "\\frac"}, {"lbrace", "\\{"},
        {"rbrace", "\\}"},   {"lvert", "|"},        {"rvert", "|"},        {"vert", "|"},
        {"leqslant", "\\le"}, {"leq", "\\le"},    {"geqslant", "\\ge"}, {"geq", "\\ge"},
        {"neq", "\\ne"}};
    auto renamed = std::find_if(std::begin(kRenamed), std::end(kRenamed),
                                [&](const auto& r) { return r.first == name; });
    if (renamed != std::end(kRenamed)) {
      out->append(renamed->second);
      i = j;
      continue;
    }
    out->append(in.substr(i, j - i));
    i = j;
  }
}

class Parser {
 public:
  Parser(std::string_view text, const Limits& limits) : s_(text), end_(text.size()), limits_(limits) {}

  ParseResult Run() {
    ParseResult r;
    SkipWs();
    int32_t root = -1;
    if (p_ >= end_) {
      Fail("empty answer");
    } else {
      std::string choice = ChoicePrefix();
      bool is_or = false;
      std::vector<int32_t> items = ParseItems(/*closers=*/"", &is_or);
      SkipWs();
      if (!failed_ && p_ < end_ && !items.empty() && AtUniversalCondition() &&
          s_.substr(p_).find_first_of("=,;") == std::string_view::npos) {
        p_ = end_;  // `... \text{ for all } x > 0`; not `... for x > 0, f(x) = 2 otherwise`
      }
      if (!failed_ && p_ < end_) Fail(absl::StrCat("unexpected '", std::string(1, s_[p_]), "'"));
      if (!failed_) root = items.size() == 1 ? items[0] : MakeList(std::move(items), is_or);
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

 private:
  // --- errors and budgets -------------------------------------------------------------------
  int32_t Fail(std::string message) {
    if (!failed_) {
      failed_ = true;
      error_ = std::move(message);
      error_pos_ = p_;
    }
    return -1;
  }
  int32_t FailBudget(std::string message) {
    if (!failed_) budget_ = true;
    return Fail(std::move(message));
  }

  struct DepthGuard {
    explicit DepthGuard(Parser* parser) : p(parser) { ++p->depth_; }
    ~DepthGuard() { --p->depth_; }
    bool ok() const { return p->depth_ <= p->limits_.max_depth; }
    Parser* p;
  };

  int32_t Add(Node n) {
    if (static_cast<int>(tree_.nodes.size()) >= limits_.max_nodes) {
      return FailBudget(absl::StrCat("more than ", limits_.max_nodes, " nodes"));
    }
    tree_.nodes.push_back(std::move(n));
    return static_cast<int32_t>(tree_.nodes.size() - 1);
  }
  int32_t Leaf(Op op, std::string text = {}) {
    Node n;
    n.op = op;
    n.text = std::move(text);
    return Add(std::move(n));
  }
  int32_t Unary(Op op, int32_t kid, uint8_t flags = 0) {
    if (kid < 0) return -1;
    Node n;
    n.op = op;
    n.flags = flags;
    n.kids = {kid};
    return Add(std::move(n));
  }
  int32_t Binary(Op op, int32_t a, int32_t b) {
    if (a < 0 || b < 0) return -1;
    Node n;
    n.op = op;
    n.kids = {a, b};
    return Add(std::move(n));
  }
  int32_t MakeList(std::vector<int32_t> items, bool is_or) {
    Node n;
    n.op = Op::kList;
    n.flags = is_or ? kOrList : 0;
    n.kids = std::move(items);
    return Add(std::move(n));
  }
  int32_t PlusMinus(std::vector<int32_t> kids, bool minus_plus) {
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
  const Node& At(int32_t i) const { return tree_.at(i); }

  // --- characters -----------------------------------------------------------------------------
  char Peek(size_t k = 0) const { return p_ + k < end_ ? s_[p_ + k] : '\0'; }
  bool StartsWith(std::string_view w) const {
    return end_ - p_ >= w.size() && s_.substr(p_, w.size()) == w;
  }
  // The command name at p_ ("frac" for "\frac"), empty if p_ is not at a letter command.
  std::string_view CommandAt(size_t at) const {
    if (at >= end_ || s_[at] != '\\') return {};
    size_t j = at + 1;
    while (j < end_ && IsAlpha(s_[j])) ++j;
    return s_.substr(at + 1, j - at - 1);
  }
  // Consumes the command `name` (not a longer one) at p_.
  bool AcceptCommand(std::string_view name) {
    if (CommandAt(p_) != name) return false;
    p_ += name.size() + 1;
    return true;
  }
  // Braced content starting at `at` ('{'), balanced; returns the end (index of '}') or npos.
  size_t MatchBrace(size_t at) const {
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
  static bool IsTextCommand(std::string_view cmd) {
    return In(cmd, {"text", "textrm", "textbf", "textit", "textsf", "texttt", "mbox", "mathrm",
                    "mathbf", "mathit", "mathsf", "mathtt", "textnormal", "operatorname", "hbox",
                    "mathrm", "boldsymbol", "bm"});
  }

  void SkipWs() {
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
  bool AtUniversalCondition() const {
    std::string_view cmd = CommandAt(p_);
    if (cmd == "forall") return true;
    if (!IsTextCommand(cmd)) return false;
    size_t open = p_ + cmd.size() + 1;
    size_t close = open < end_ && s_[open] == '{' ? MatchBrace(open) : std::string_view::npos;
    if (close == std::string_view::npos) return false;
    std::string words =
        absl::AsciiStrToLower(ToAbsl(Trimmed(s_.substr(open + 1, close - open - 1))));
    for (std::string_view w : {"for all", "for every", "for each", "for any"}) {
      if (words.rfind(w, 0) == 0) return true;
    }
    return false;
  }

  // `(3, 3) \text{ for part (a) and } (1, 1)`: a note on the answer before it, then the separator.
  static bool AnnotatedSeparator(std::string_view words) {
    // Only a part name: "for x > 0 and" would drop a condition.
    if (words.substr(0, 9) != "for part ") return false;
    size_t last = words.rfind(' ');
    std::string_view tail = words.substr(last + 1);
    return tail == "and" || tail == "or";
  }

  // "and"/"or" between answers: bare or inside \text{}. Consumes it and says which.
  bool AcceptSeparatorWord(bool* is_or) {
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

  // --- grammar ----------------------------------------------------------------------------------

  // items := relation ((',' | ';' | and | or) relation)*, up to one of `closers` or the end.
  std::vector<int32_t> ParseItems(std::string_view closers, bool* is_or) {
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
        continue;
      }
      bool word_or = false;
      if (AcceptSeparatorWord(&word_or)) {
        *is_or = *is_or || word_or;
        continue;
      }
      break;
    }
    return items;
  }

  // `3 \pmod{7}` (p_ after \pmod): the residue, with the modulus kept as an annotation the
  // comparison drops like a unit (3 (mod 7) equals 3, not 10).
  int32_t ModulusAnnotation(int32_t item) {
    SkipWs();
    int32_t m = Peek() == '{' ? ParseGroup() : ParseArg();
    if (m < 0) return -1;
    int32_t u = Unary(Op::kUnit, item);
    if (u >= 0) {
      tree_.nodes[static_cast<size_t>(u)].text = absl::StrCat("mod ", CanonicalForm(tree_, m));
    }
    return u;
  }

  bool AtCloser(std::string_view closers) const {
    if (closers.empty()) return false;
    char c = Peek();
    if (closers == "}") return c == '}';
    if (closers == "\\}") return c == '\\' && Peek(1) == '}';
    if (closers == "|") return c == '|';
    return closers.find(c) != std::string_view::npos;
  }

  bool AcceptRel(Rel* rel) {
    SkipWs();
    char c = Peek();
    if (c == '=' ) { ++p_; *rel = Rel::kEq; return true; }
    if (c == '<' && Peek(1) == '=') { p_ += 2; *rel = Rel::kLe; return true; }
    if (c == '>' && Peek(1) == '=') { p_ += 2; *rel = Rel::kGe; return true; }
    if (c == '!' && Peek(1) == '=') { p_ += 2; *rel = Rel::kNe; return true; }
    if (c == '<') { ++p_; *rel = Rel::kLt; return true; }
    if (c == '>') { ++p_; *rel = Rel::kGt; return true; }
    std::string_view cmd = CommandAt(p_);
    Rel r;
    if (cmd == "le" || cmd == "leq") r = Rel::kLe;
    else if (cmd == "ge" || cmd == "geq") r = Rel::kGe;
    else if (cmd == "lt") r = Rel::kLt;
    else if (cmd == "gt") r = Rel::kGt;
    else if (cmd == "ne" || cmd == "neq") r = Rel::kNe;
    else if (cmd == "in") r = Rel::kIn;
    else if (cmd == "approx" || cmd == "equiv" || cmd == "simeq") r = Rel::kApprox;
    else return false;
    p_ += cmd.size() + 1;
    *rel = r;
    return true;
  }

  int32_t ParseRelation() {
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

  int32_t ParseUnion() {
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

  int32_t ParseSum() {
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
  int32_t AddNode(std::vector<int32_t> terms) {
    Node n;
    n.op = Op::kAdd;
    n.kids = std::move(terms);
    return Add(std::move(n));
  }

  // Could a factor start here (implicit multiplication)?
  bool StartsFactor() const {
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
             cmd == "prod" || cmd == "lfloor" || cmd == "lceil" || cmd == "cdots" ||
             cmd == "ldots" || cmd == "dots" || cmd == "ell" || cmd == "angle" ||
             cmd == "measuredangle" || cmd == "triangle" || cmd == "overline" ||
             cmd == "overrightarrow" || cmd == "vec" || cmd == "overleftrightarrow" ||
             cmd == "widehat" || cmd == "langle";
    }
    return false;
  }

  int32_t ParseTerm() {
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
        bool unit_like = f.op == Op::kText ||
                         (f.op == Op::kPow && At(f.kids[0]).op == Op::kText);
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
  // Removes the scale words (`hundred`, `thousand`, `million`, `billion`, `trillion`) that open
  // `unit` and returns the power of ten they make together (0 when there are none).
  static int64_t TakeScaleWords(std::string* unit) {
    int64_t exp10 = 0;
    while (true) {
      std::string_view u = Trimmed(*unit);
      size_t end = 0;
      while (end < u.size() && IsAlpha(u[end])) ++end;
      std::string_view w = u.substr(0, end);
      int64_t e = w == "hundred" ? 2 : w == "thousand" ? 3 : w == "million" ? 6
                  : w == "billion" ? 9 : w == "trillion" ? 12 : 0;
      if (e == 0) return exp10;
      exp10 += e;
      *unit = std::string(Trimmed(u.substr(end)));
    }
  }
  static bool IsUnitText(std::string_view text) {
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
      i = j;
    }
    return true;
  }

  int32_t MulNode(std::vector<int32_t> factors) {
    Node n;
    n.op = Op::kMul;
    n.kids = std::move(factors);
    return Add(std::move(n));
  }
  int32_t TextNode(std::string_view raw) {
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

  int32_t ParseUnary() {
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

  int32_t ParsePostfix() {
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

  int32_t ParsePower() {
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
  int32_t ParseScript(bool single_digit = false) {
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

  // {items}: one item is itself; several are a list.
  int32_t ParseGroup() {
    if (Peek() != '{') return Fail("expected '{'");
    ++p_;
    bool is_or = false;
    std::vector<int32_t> items = ParseItems("}", &is_or);
    if (failed_) return -1;
    SkipWs();
    if (Peek() != '}') return Fail("unbalanced '{'");
    ++p_;
    if (items.empty()) return Fail("empty group");
    return items.size() == 1 ? items[0] : MakeList(std::move(items), is_or);
  }

  // An argument of \frac, \sqrt, \binom: {group}, or one character/command (\frac12).
  int32_t ParseArg() {
    SkipWs();
    char c = Peek();
    if (c == '{') return ParseGroup();
    if (IsDigit(c)) {
      ++p_;
      return NumberLeaf(std::string(1, c), 0, 0, false);
    }
    if (IsAlpha(c)) {
      ++p_;
      if (c == 'e') return Leaf(Op::kE);
      if (c == 'i') return Leaf(Op::kI);
      return Leaf(Op::kSymbol, std::string(1, c));
    }
    if (c == '\\') return ParsePrimary();
    return Fail("missing argument");
  }

  int32_t NumberLeaf(std::string digits, int64_t exp10, int32_t decimals, bool decimal) {
    // Normalise: strip leading zeros (keep one), so "004" reads as 4.
    size_t nz = digits.find_first_not_of('0');
    digits = nz == std::string::npos ? "0" : digits.substr(nz);
    Node n;
    n.op = Op::kNumber;
    n.text = std::move(digits);
    n.exp10 = exp10;
    n.decimals = decimals;
    n.flags = decimal ? kDecimal : 0;
    return Add(std::move(n));
  }

  // --- numbers (number-level reading: numbers.md in README's math table) ---------------------

  // How the commas of one item list (the top level, or one bracket) are used, for thousands
  // separators: `(1,7,103, 105)` separates with tight commas, so `7,103` is two elements there.
  struct CommaContext {
    bool top_level = false;
    bool tight_separator = false;   // a separator comma not followed by a space was read
    bool spaced_separator = false;  // a separator comma followed by a space was read
    int scanned = -1;               // the rest of the list: -1 not scanned, 0 no, 1 thousands ok
  };
  struct CommaScope {
    CommaScope(Parser* parser, bool top_level) : p(parser) {
      p->commas_.emplace_back();
      p->commas_.back().top_level = top_level;
    }
    ~CommaScope() { p->commas_.pop_back(); }
    Parser* p;
  };
  // Called at a separator comma (or semicolon) of the current item list.
  void NoteSeparator() {
    if (commas_.empty() || Peek() != ',') return;
    char next = Peek(1);
    if (next == ' ' || next == '\t' || next == '\n' || next == '~' || next == '\\') {
      commas_.back().spaced_separator = true;
    } else {
      commas_.back().tight_separator = true;
    }
  }
  // Whether a plain comma at p_ (followed by exactly three digits) may be a thousands separator:
  // no tight comma of this list separates elements, and inside brackets the elements are
  // separated by spaced commas (`(1,000, 2)` is (1000, 2); `[1,100]` is an interval; `1,000`
  // alone is one thousand, as is `{1,000}`). The rest of the list is scanned once, at its depth
  // only.
  bool PlainThousandsCommaAllowed() {
    if (commas_.empty()) return true;
    CommaContext& c = commas_.back();
    if (c.tight_separator) return false;
    if (c.scanned < 0) {
      bool tight_ok = true, spaced = false;
      for (size_t q = p_; q < end_ && tight_ok; ++q) {
        char ch = s_[q];
        if (ch == '(' || ch == '[' || ch == '{') {  // a nested group: jump over it
          size_t close = CloseOf(q);
          if (close == std::string_view::npos) break;
          q = close;
          continue;
        }
        if (ch == ')' || ch == ']' || ch == '}') break;  // the end of this list
        if (ch != ',') continue;
        size_t k = 0;
        while (q + 1 + k < end_ && IsDigit(s_[q + 1 + k])) ++k;
        if (k == 0) {
          spaced = spaced || (q + 1 < end_ && s_[q + 1] == ' ');
        } else if (k != 3) {
          tight_ok = false;
        }
      }
      c.scanned = tight_ok && (c.top_level || spaced || c.spaced_separator) ? 1 : 0;
    }
    return c.scanned == 1;
  }

  // `(C) 12`, `\textbf{(C) }12`, `(C) \ 12` opening the answer: a multiple-choice letter A-E
  // with its value after it. Consumes the letter and returns "choice C"; empty (nothing read)
  // when the answer does not open that way or nothing follows the letter.
  std::string ChoicePrefix() {
    size_t q = p_;
    std::string_view cmd = CommandAt(q);
    size_t close_brace = std::string_view::npos;
    if (cmd == "textbf" || cmd == "text" || cmd == "mathbf" || cmd == "textrm") {
      q += cmd.size() + 1;
      if (q >= end_ || s_[q] != '{') return {};
      close_brace = MatchBrace(q);
      if (close_brace == std::string_view::npos) return {};
      ++q;
    }
    while (q < end_ && s_[q] == ' ') ++q;
    if (q + 2 >= end_ || s_[q] != '(' || s_[q + 1] < 'A' || s_[q + 1] > 'E' || s_[q + 2] != ')') {
      return {};
    }
    char letter = s_[q + 1];
    q += 3;
    if (close_brace != std::string_view::npos) {
      while (q < close_brace && s_[q] == ' ') ++q;
      if (q != close_brace) return {};
      ++q;
    }
    if (q >= end_ || s_[q] != ' ') {
      if (close_brace == std::string_view::npos) return {};  // `(C)12`, `(C)x`: not this form
    }
    size_t rest = q;
    while (rest < end_ && s_[rest] == ' ') ++rest;
    if (rest >= end_) return {};
    // The value is a number or a simple expression; `(A) and (C)` stays a list of letters.
    char c = s_[rest];
    std::string_view value_cmd = CommandAt(rest);
    if (!(IsDigit(c) || c == '-' || c == '.' || value_cmd == "frac" || value_cmd == "sqrt" ||
          value_cmd == "pi")) {
      return {};
    }
    p_ = rest;
    return absl::StrCat("choice ", std::string(1, letter));
  }

  // The length of a braced comma `{,}` at `at` (spaces allowed around and inside: `14 {, }916`),
  // 0 if there is none.
  size_t BracedCommaAt(size_t at) const {
    size_t q = at;
    while (q < end_ && s_[q] == ' ') ++q;
    if (q + 2 >= end_ || s_[q] != '{' || s_[q + 1] != ',') return 0;
    q += 2;
    while (q < end_ && s_[q] == ' ') ++q;
    if (q >= end_ || s_[q] != '}') return 0;
    return q + 1 - at;
  }

  // The matching close of the bracket or brace opening at `at` (any of ([{ with any of )]}, as
  // the grammar pairs `[2,5)`), npos if unmatched. One table per parse, built on first use, so
  // the comma scans above stay linear in the input.
  size_t CloseOf(size_t at) {
    if (close_of_.empty()) {
      close_of_.assign(s_.size(), -1);
      std::vector<int32_t> open;
      for (size_t q = 0; q < s_.size(); ++q) {
        char ch = s_[q];
        if (ch == '(' || ch == '[' || ch == '{') open.push_back(static_cast<int32_t>(q));
        if ((ch == ')' || ch == ']' || ch == '}') && !open.empty()) {
          close_of_[static_cast<size_t>(open.back())] = static_cast<int32_t>(q);
          open.pop_back();
        }
      }
    }
    int32_t c = close_of_[at];
    return c < 0 ? std::string_view::npos : static_cast<size_t>(c);
  }

  // Digits with thousands separators (1,000  1\,000  1{,}000  1 000), a decimal part, an
  // exponent (6.02e23), a repeating part (0.\overline{3}, 0.777\ldots), and after an integer: a
  // mixed-number fraction (2\frac12, 7 3/4), an ordinal suffix (15th, 12^{th}), a base subscript
  // (204_5, read as the text of the numeral) or a ratio or time (7:32, 12:00, read as text).
  int32_t ParseNumber(bool allow_mixed) {
    std::string digits;
    size_t group_start = p_;
    while (p_ < end_ && IsDigit(s_[p_])) digits.push_back(s_[p_++]);
    size_t first_group = p_ - group_start;
    if (allow_mixed && first_group > 0) {
      if (int32_t t = RatioOrBase(group_start); t != kNoNode) return t;
    }
    // Thousands separators: the first group has 1-3 digits, every later group exactly 3.
    bool grouped = false;
    if (first_group >= 1 && first_group <= 3) {
      while (true) {
        size_t sep = 0;
        bool plain_comma = false;
        if (Peek() == ',' && !comma_separates_) {
          sep = 1;
          plain_comma = true;
        } else if (size_t n = BracedCommaAt(p_); n > 0) {
          sep = n;  // `{,}`, also spaced: `14 {, }916`
        } else if (StartsWith("\\,")) {
          sep = 2;
        } else if (StartsWith("\\ ")) {
          sep = 2;
        } else if (Peek() == ' ' && IsDigit(Peek(1)) && allow_mixed) {
          sep = 1;  // `1 000`: one space between groups of three
        }
        if (sep == 0) break;
        size_t q = p_ + sep;
        while (q < end_ && s_[q] == ' ' && s_[q - 1] == '}') ++q;
        size_t k = 0;
        while (q + k < end_ && IsDigit(s_[q + k])) ++k;
        if (k != 3) break;
        if (Peek() == ' ' && q + 3 < end_ && (s_[q + 3] == '/' || s_[q + 3] == '.')) break;
        if (plain_comma && !PlainThousandsCommaAllowed()) break;
        if (plain_comma) ++plain_group_commas_;
        digits.append(s_.substr(q, 3));
        p_ = q + 3;
        grouped = true;
      }
    }
    int32_t decimals = 0;
    bool decimal = false;
    if (Peek() == '.' && (IsDigit(Peek(1)) || (allow_mixed && CommandAt(p_ + 1) == "overline"))) {
      decimal = true;
      ++p_;
      while (p_ < end_ && IsDigit(s_[p_])) {
        digits.push_back(s_[p_++]);
        ++decimals;
      }
      if (allow_mixed && !digits.empty()) {
        if (int32_t r = RepeatingDecimal(digits, decimals); r != kNoNode) return r;
      }
    } else if (Peek() == '.' && !digits.empty() && !IsDigit(Peek(1))) {
      // "5." at the end of a sentence: a period, not a decimal point.
    }
    if (digits.empty()) return Fail("expected a number");
    if (static_cast<int>(digits.size()) > limits_.max_digits) {
      return FailBudget(absl::StrCat("a number with more than ", limits_.max_digits, " digits"));
    }
    int64_t exp10 = -decimals;
    // Scientific notation: e/E, optional sign, digits (6.02e23, 1.2E-5).
    if ((Peek() == 'e' || Peek() == 'E') &&
        (IsDigit(Peek(1)) || ((Peek(1) == '-' || Peek(1) == '+') && IsDigit(Peek(2))))) {
      size_t q = p_ + 1;
      bool neg = false;
      if (s_[q] == '-' || s_[q] == '+') {
        neg = s_[q] == '-';
        ++q;
      }
      int64_t e = 0;
      size_t k = 0;
      while (q < end_ && IsDigit(s_[q])) {
        if (++k > 9) return FailBudget("an exponent with more than 9 digits");
        e = e * 10 + (s_[q] - '0');
        ++q;
      }
      p_ = q;
      exp10 += neg ? -e : e;
      decimal = true;
    }
    int32_t number = NumberLeaf(std::move(digits), exp10, decimals, decimal);
    if (number >= 0 && allow_mixed && (decimals > 0 || grouped)) {
      if (int32_t u = LetterUnit(number); u != kNoNode) return u;
    }
    if (number < 0 || !allow_mixed || decimal) return number;
    if (int32_t o = Ordinal(number); o != kNoNode) return o;
    // Mixed numbers.
    size_t save = p_;
    size_t q = p_;
    while (q < end_ && s_[q] == ' ') ++q;
    if (CommandAt(q) == "frac") {
      p_ = q + 5;
      size_t args = p_;
      int32_t a = ParseArg();
      int32_t b = a >= 0 ? ParseArg() : -1;
      if (a >= 0 && b >= 0 && At(a).op == Op::kNumber && At(b).op == Op::kNumber &&
          !(At(a).flags & kDecimal) && !(At(b).flags & kDecimal)) {
        return MixedNode(number, a, b);
      }
      if (failed_) return -1;
      (void)args;
      p_ = save;
      return number;
    }
    if (q > p_ && q < end_ && IsDigit(s_[q])) {  // "7 3/4"
      size_t r = q;
      while (r < end_ && IsDigit(s_[r])) ++r;
      if (r < end_ && s_[r] == '/' && r + 1 < end_ && IsDigit(s_[r + 1])) {
        size_t t = r + 1;
        while (t < end_ && IsDigit(s_[t])) ++t;
        char after = t < end_ ? s_[t] : '\0';
        if (after == '\0' || after == ' ' || after == ',' || after == ')' || after == ';' ||
            after == '}' || after == '.') {
          int32_t a = NumberLeaf(std::string(s_.substr(q, r - q)), 0, 0, false);
          int32_t b = NumberLeaf(std::string(s_.substr(r + 1, t - r - 1)), 0, 0, false);
          p_ = t;
          return MixedNode(number, a, b);
        }
      }
    }
    return number;
  }
  static constexpr int32_t kNoNode = -2;  // "not this form": the caller reads on

  // After the integer digits from `start` to p_: a ratio or time `7:32`, `3 : 4`, `12:00`
  // (compared as written: equal to the same ratio, never to a fraction or a scaled ratio) or a
  // base subscript `204_5`, `1011_{2}` (equal to the same numeral only, not to its value).
  int32_t RatioOrBase(size_t start) {
    size_t q = p_;
    if (q < end_ && s_[q] == '_') {
      size_t r = q + 1;
      bool brace = r < end_ && s_[r] == '{';
      if (brace) ++r;
      size_t k = r;
      while (k < end_ && IsDigit(s_[k])) ++k;
      if (k == r || (brace && (k >= end_ || s_[k] != '}'))) return kNoNode;
      std::string text = absl::StrCat(ToAbsl(s_.substr(start, p_ - start)), "_",
                                      ToAbsl(s_.substr(r, k - r)));
      p_ = brace ? k + 1 : k;
      return Leaf(Op::kText, std::move(text));
    }
    std::string text(s_.substr(start, p_ - start));
    bool ratio = false;
    while (true) {
      while (q < end_ && s_[q] == ' ') ++q;
      if (q >= end_ || s_[q] != ':') break;
      size_t r = q + 1;
      while (r < end_ && s_[r] == ' ') ++r;
      size_t k = r;
      while (k < end_ && IsDigit(s_[k])) ++k;
      if (k == r) break;
      absl::StrAppend(&text, ":", ToAbsl(s_.substr(r, k - r)));
      ratio = true;
      p_ = k;
      q = k;
    }
    if (!ratio) return kNoNode;
    return Leaf(Op::kText, std::move(text));
  }

  // `0.\overline{3}`, `0.1\overline{6}`: exact. `0.777\ldots` (`\dots`, `...`): the digits
  // before the ellipsis end in a repeated block (one digit three times, or a block of 2-6 digits
  // twice), which repeats; otherwise not a repeating decimal. `digits` holds the integer and
  // decimal digits read, the last `decimals` of them after the point.
  int32_t RepeatingDecimal(const std::string& digits, int32_t decimals) {
    std::string repeat;
    size_t fixed = digits.size();  // digits before the repeating block
    if (CommandAt(p_) == "overline") {
      size_t q = p_ + 9;
      while (q < end_ && s_[q] == ' ') ++q;
      if (q >= end_ || s_[q] != '{') return kNoNode;
      size_t k = q + 1;
      while (k < end_ && IsDigit(s_[k])) ++k;
      if (k == q + 1 || k >= end_ || s_[k] != '}') return kNoNode;
      repeat = std::string(s_.substr(q + 1, k - q - 1));
      p_ = k + 1;
    } else {
      size_t q = p_;
      while (q < end_ && s_[q] == ' ') ++q;
      std::string_view cmd = CommandAt(q);
      size_t after = 0;
      if (cmd == "ldots" || cmd == "dots" || cmd == "cdots") after = q + cmd.size() + 1;
      else if (s_.substr(q, 3) == "...") after = q + 3;
      if (after == 0) return kNoNode;
      std::string_view d = std::string_view(digits).substr(digits.size() - decimals);
      size_t period = 0;
      for (size_t per = 1; per <= 6 && period == 0; ++per) {
        size_t reps = per == 1 ? 3 : 2;
        if (d.size() < reps * per) break;
        bool periodic = true;
        for (size_t k = d.size() - (reps - 1) * per; k < d.size() && periodic; ++k) {
          periodic = d[k] == d[k - per];
        }
        if (periodic) period = per;
      }
      if (period == 0) {
        // `3.14159\ldots` closing the answer: a truncated decimal, read as written.
        size_t e = after;
        while (e < end_ && s_[e] == ' ') ++e;
        if (e == end_) p_ = after;
        return kNoNode;
      }
      size_t begin = d.size() - period;
      while (begin > 0 && d[begin - 1] == d[begin - 1 + period]) --begin;
      repeat = std::string(d.substr(begin, period));
      fixed = digits.size() - d.size() + begin;
      p_ = after;
    }
    // x = (fixed digits then one block - fixed digits) / (9...9 * 10^(decimals before block)).
    std::string head = digits.substr(0, fixed);
    int64_t shift = static_cast<int64_t>(fixed) - static_cast<int64_t>(digits.size() - decimals);
    int32_t full = NumberLeaf(head + repeat, 0, 0, false);
    int32_t part = NumberLeaf(head.empty() ? "0" : head, 0, 0, false);
    int32_t num = AddNode({full, Unary(Op::kNeg, part)});
    int32_t den = NumberLeaf(std::string(repeat.size(), '9'), shift, 0, false);
    for (int32_t k : {full, part, num, den}) {
      if (k < 0) return -1;
    }
    return Binary(Op::kDiv, num, den);
  }

  // `2.653 m`, `1,000.99 m²` closing the answer: a one-letter unit after a decimal (or grouped)
  // number and a space. Only m, g, s, L, and only there: `4m` and `4 m` stay products.
  int32_t LetterUnit(int32_t number) {
    size_t q = p_;
    if (q >= end_ || s_[q] != ' ') return kNoNode;
    while (q < end_ && s_[q] == ' ') ++q;
    if (q >= end_ || !(s_[q] == 'm' || s_[q] == 'g' || s_[q] == 's' || s_[q] == 'L')) {
      return kNoNode;
    }
    std::string unit(1, s_[q]);
    size_t r = q + 1;
    if (s_.substr(r, 4) == "^{2}" || s_.substr(r, 4) == "^{3}") {
      absl::StrAppend(&unit, "^", ToAbsl(s_.substr(r + 2, 1)));
      r += 4;
    } else if (s_.substr(r, 2) == "^2" || s_.substr(r, 2) == "^3") {
      absl::StrAppend(&unit, ToAbsl(s_.substr(r, 2)));
      r += 2;
    }
    size_t e = r;
    while (e < end_ && s_[e] == ' ') ++e;
    if (e != end_) return kNoNode;
    p_ = r;
    int32_t u = Unary(Op::kUnit, number);
    if (u >= 0) tree_.nodes[static_cast<size_t>(u)].text = std::move(unit);
    return u;
  }

  // An ordinal suffix after an integer, and the words after it: `15th`, `15th Day`, `12^{th}`,
  // `2^{\text{nd}}`. Read as the number with a unit.
  int32_t Ordinal(int32_t number) {
    size_t q = p_;
    bool script = q < end_ && s_[q] == '^';
    size_t closers = 0;
    if (script) {
      ++q;
      if (q < end_ && s_[q] == '{') {
        ++q;
        ++closers;
      }
      std::string_view cmd = CommandAt(q);
      if (cmd == "text" || cmd == "mathrm" || cmd == "textrm") {
        q += cmd.size() + 1;
        if (q >= end_ || s_[q] != '{') return kNoNode;
        ++q;
        ++closers;
      }
    }
    size_t r = q;
    while (r < end_ && IsAlpha(s_[r])) ++r;
    std::string w = absl::AsciiStrToLower(ToAbsl(s_.substr(q, r - q)));
    if (!IsOrdinalSuffix(w)) return kNoNode;
    for (; closers > 0; --closers) {
      if (r >= end_ || s_[r] != '}') return kNoNode;
      ++r;
    }
    p_ = r;
    // Words after it name what is counted: "15th Day" is the 15th.
    while (p_ + 1 < end_ && s_[p_] == ' ' && IsAlpha(s_[p_ + 1])) {
      size_t k = p_ + 1;
      while (k < end_ && IsAlpha(s_[k])) ++k;
      std::string_view next = s_.substr(p_ + 1, k - p_ - 1);
      if (next == "and" || next == "or") break;
      absl::StrAppend(&w, " ", absl::AsciiStrToLower(ToAbsl(next)));
      p_ = k;
    }
    int32_t u = Unary(Op::kUnit, number);
    if (u >= 0) tree_.nodes[static_cast<size_t>(u)].text = std::move(w);
    return u;
  }

  int32_t MixedNode(int32_t whole, int32_t num, int32_t den) {
    if (whole < 0 || num < 0 || den < 0) return -1;
    Node n;
    n.op = Op::kMixed;
    n.kids = {whole, num, den};
    return Add(std::move(n));
  }

  int32_t ParsePrimary() {
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

  // ( ... ) or [ ... ]: grouping, tuple, or interval.
  int32_t ParseBracket() {
    size_t start = p_;
    int commas_before = plain_group_commas_;
    char open = s_[p_++];
    bool is_or = false;
    std::vector<int32_t> items = ParseItems(")]", &is_or);
    if (failed_) return -1;
    SkipWs();
    char close = Peek();
    if (close != ')' && close != ']') return Fail(absl::StrCat("unbalanced '", std::string(1, open), "'"));
    ++p_;
    if (items.empty()) return Fail("empty brackets");
    // Inside a tuple, a comma separates elements: `(1,7,103, 105)` is four numbers, not
    // (1, 7103, 105). So does it in `(12,102) \cup ...` and `[1,500)`, one number only by a
    // thousands comma where an interval is meant. Read such brackets again with every comma a
    // separator. Once per bracket: nested brackets read under the flag are not read again, and a
    // bracket read again takes back its commas, so its parents do not re-read for them.
    bool read_group_commas = plain_group_commas_ > commas_before;
    if (read_group_commas && !comma_separates_ &&
        (items.size() >= 2 ||
         (At(items[0]).op == Op::kNumber &&
          ((open == '(') != (close == ')') || NextToUnion(start, p_))))) {
      p_ = start;
      comma_separates_ = true;
      int32_t again = ParseBracket();
      comma_separates_ = false;
      plain_group_commas_ = commas_before;
      return again;
    }
    if (items.size() == 1) {
      if ((open == '(') != (close == ')')) return Fail("mismatched brackets around one value");
      return items[0];
    }
    Node n;
    n.op = Op::kTuple;
    n.flags = static_cast<uint8_t>((open == '(' ? kParenOpen : 0) | (close == ')' ? kParenClose : 0));
    n.kids = std::move(items);
    return Add(std::move(n));
  }

  // Whether the bracket at [begin, end) is an operand of \cup.
  bool NextToUnion(size_t begin, size_t end) const {
    size_t q = end;
    while (q < end_ && s_[q] == ' ') ++q;
    if (CommandAt(q) == "cup") return true;
    size_t b = begin;
    while (b > 0 && s_[b - 1] == ' ') --b;
    return b >= 4 && s_.substr(b - 4, 4) == "\\cup";
  }

  int32_t ParseWord() {
    size_t j = p_;
    while (j < end_ && IsAlpha(s_[j])) ++j;
    std::string_view w = s_.substr(p_, j - p_);
    if (int32_t n = NumberWord(w, j); n != kNoNode) return n;
    if (w.size() == 1) {
      ++p_;
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
    std::string title = w.size() > 1 && w[0] >= 'A' && w[0] <= 'Z' &&
                                std::all_of(w.begin() + 1, w.end(),
                                            [](char ch) { return ch >= 'a' && ch <= 'z'; })
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
      if (next == "and" || next == "or" || next == "degrees" || next == "percent" ||
          next == "pct") {
        break;
      }
      p_ = r;
    }
    return TextNode(s_.substr(start, p_ - start));
  }

  // \lfloor x \rfloor, \lceil x \rceil (after `\lfloor` was read): the floor and ceiling
  // functions, exact on exact values.
  int32_t ParseFloorCeil(bool floor) {
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

  // A number word standing alone ("two", "Twelve"; not "one solution"): the number.
  int32_t NumberWord(std::string_view w, size_t end) {
    if (w.size() < 3) return kNoNode;
    int value = NumberWordValue(absl::AsciiStrToLower(ToAbsl(w)));
    if (value < 0) return kNoNode;
    if (end + 1 < end_ && s_[end] == ' ' && IsAlpha(s_[end + 1])) return kNoNode;
    if (end < end_ && (s_[end] == '-' || s_[end] == '\'')) return kNoNode;
    p_ = end;
    return NumberLeaf(std::to_string(value), 0, 0, false);
  }

  int32_t SymbolWithSubscript(std::string name) {
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

  int32_t ParseFunction(std::string_view name) {
    std::string fname(name == "lg" ? "log10" : name);
    int32_t power = -1;
    int32_t base = -1;
    for (int k = 0; k < 2; ++k) {
      SkipWs();
      if (Peek() == '^' && power < 0) {
        ++p_;
        power = ParseScript();
        if (power < 0) return -1;
      } else if (Peek() == '_' && base < 0) {
        ++p_;
        base = ParseScript(/*single_digit=*/true);
        if (base < 0) return -1;
      }
    }
    SkipWs();
    int32_t arg;
    if (Peek() == '(' ) {
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

  int32_t ParseCommand() {
    if (Peek(1) == '{') {  // \{ ... \}
      p_ += 2;
      if (int32_t cond = ParseSetBuilder(); cond != -2) return cond;
      if (int32_t sys = ParseBracedSystem(); sys != -2) return sys;
      bool is_or = false;
      std::vector<int32_t> items = ParseItems("\\}", &is_or);
      if (failed_) return -1;
      SkipWs();
      if (!(Peek() == '\\' && Peek(1) == '}')) return Fail("unbalanced '\\{'");
      p_ += 2;
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
      if (!letters) {
        return Fail(absl::StrCat("\\", ToAbsl(cmd), " over something other than a name"));
      }
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

  // `\{x \mid -1 < x < 1\}`, `\{x : x > 3\}`, `\{x | ...\}` (p_ after `\{`): the condition, which
  // the comparison reads as the set it describes. -2 (nothing read) when this is not set-builder.
  int32_t ParseSetBuilder() {
    size_t save = p_;
    SkipWs();
    if (!IsAlpha(Peek())) return -2;
    size_t q = p_ + 1;
    while (q < end_ && s_[q] == ' ') ++q;
    if (q < end_ && (s_[q] == '|' || s_[q] == ':')) {
      ++q;
    } else if (CommandAt(q) == "mid") {
      q += 4;
    } else {
      p_ = save;
      return -2;
    }
    p_ = q;
    bool is_or = false;
    std::vector<int32_t> items = ParseItems("\\}", &is_or);
    if (failed_) return -1;
    SkipWs();
    if (!(Peek() == '\\' && Peek(1) == '}')) return Fail("unbalanced '\\{'");
    p_ += 2;
    if (items.size() != 1) return Fail("a set-builder condition in several parts");
    return items[0];
  }

  // `\left\{\begin{array}{l} x=1 \\ y=2 \end{array}\right.` (p_ after `\{`; `\right.` is gone by
  // now, so no `\}` follows): the system's equations, as a list. -2 when no environment follows.
  int32_t ParseBracedSystem() {
    size_t save = p_;
    SkipWs();
    if (!StartsWith("\\begin")) {
      p_ = save;
      return -2;
    }
    int32_t item = ParseRelation();
    if (item < 0) return -1;
    SkipWs();
    bool closed = Peek() == '\\' && Peek(1) == '}';
    if (closed) p_ += 2;
    const Node& m = At(item);
    bool equations = m.op == Op::kMatrix && m.rows >= 1 &&
                     static_cast<int32_t>(m.kids.size()) == m.rows;
    for (size_t k = 0; equations && k < m.kids.size(); ++k) {
      equations = At(m.kids[k]).op == Op::kRelation;
    }
    if (equations) {
      std::vector<int32_t> rows = m.kids;
      return rows.size() == 1 ? rows[0] : MakeList(std::move(rows), false);
    }
    if (!closed) return Fail("unbalanced '\\{'");
    Node set;
    set.op = Op::kSet;
    set.kids = {item};
    return Add(std::move(set));
  }

  // `\langle 1, -2, 3 \rangle` (p_ after \langle): a vector, read as the tuple of its coordinates.
  // Inside, a comma always separates coordinates.
  int32_t ParseAngleVector() {
    bool saved = comma_separates_;
    comma_separates_ = true;
    std::vector<int32_t> items;
    while (true) {
      int32_t item = ParseRelation();
      if (item < 0) break;
      items.push_back(item);
      SkipWs();
      if (Peek() == ',') {
        ++p_;
        continue;
      }
      if (!AcceptCommand("rangle")) Fail("unbalanced '\\langle'");
      break;
    }
    comma_separates_ = saved;
    if (failed_) return -1;
    if (items.size() < 2) return Fail("\\langle with fewer than two coordinates");
    Node n;
    n.op = Op::kTuple;
    n.flags = kParenOpen | kParenClose;
    n.kids = std::move(items);
    return Add(std::move(n));
  }

  // Turns every `constant` (kI or kE) node under `root` into the variable of the same letter.
  void RenameConstant(int32_t root, Op constant) {
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
  int32_t ParseBigOperator(std::string_view cmd) {
    int32_t lo = -1, hi = -1;
    for (int k = 0; k < 2; ++k) {
      SkipWs();
      if (Peek() == '_' && lo < 0) {
        ++p_;
        lo = ParseScript();
        if (lo < 0) return -1;
      } else if (Peek() == '^' && hi < 0) {
        ++p_;
        hi = ParseScript();
        if (hi < 0) return -1;
      }
    }
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
  int32_t ParseTextCommand(std::string_view cmd) {
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
    std::vector<int32_t> items = ParseItems("", &is_or);
    SkipWs();
    bool complete = !failed_ && p_ == close;
    end_ = saved_end;
    if (failed_) return -1;
    if (!complete || items.empty()) {
      p_ = close + 1;
      return TextNode(content);
    }
    p_ = close + 1;
    return items.size() == 1 ? items[0] : MakeList(std::move(items), is_or);
  }

  // \begin{pmatrix} a & b \\ c & d \end{pmatrix} (also bmatrix, vmatrix, array...).
  int32_t ParseEnvironment() {
    SkipWs();
    size_t close = Peek() == '{' ? MatchBrace(p_) : std::string_view::npos;
    if (close == std::string_view::npos) return Fail("\\begin without an environment name");
    std::string env(Trimmed(s_.substr(p_ + 1, close - p_ - 1)));
    p_ = close + 1;
    // A system of equations (`\begin{cases} x=2 \\ y=1 \end{cases}`, aligned, gathered): one
    // answer per row, a list. In aligned and gathered `&` only aligns; in cases it would start a
    // row's condition (a piecewise definition), which is not read.
    bool system = In(env, {"cases", "aligned", "align", "align*", "gathered", "gather", "gather*"});
    if (!system && !In(env, {"pmatrix", "bmatrix", "Bmatrix", "vmatrix", "Vmatrix", "matrix",
                             "smallmatrix", "array"})) {
      return Fail(absl::StrCat("unsupported environment ", env));
    }
    bool saved_amp = amp_is_space_;
    amp_is_space_ = system && env != "cases";
    int32_t result = ParseEnvironmentBody(env, system);
    amp_is_space_ = saved_amp;
    return result;
  }

  int32_t ParseEnvironmentBody(const std::string& env, bool system) {
    if (env == "array") {  // column spec
      SkipWs();
      if (Peek() == '{') {
        size_t spec = MatchBrace(p_);
        if (spec == std::string_view::npos) return Fail("unbalanced '{'");
        p_ = spec + 1;
      }
    }
    std::string end_tag = absl::StrCat("\\end{", env, "}");
    std::vector<std::vector<int32_t>> rows(1);
    while (true) {
      SkipWs();
      if (StartsWith(end_tag)) {
        p_ += end_tag.size();
        break;
      }
      if (StartsWith("\\\\")) {  // empty row or trailing row break
        p_ += 2;
        rows.emplace_back();
        continue;
      }
      if (p_ >= end_) return Fail(absl::StrCat("missing ", end_tag));
      int32_t cell = ParseRelation();
      if (cell < 0) return -1;
      rows.back().push_back(cell);
      SkipWs();
      if (Peek() == '&') {
        ++p_;
        continue;
      }
      if (StartsWith("\\\\")) {
        p_ += 2;
        rows.emplace_back();
        continue;
      }
      if (system && (Peek() == ',' || Peek() == ';')) {  // `x = 1, \\ y = 2`
        ++p_;
        continue;
      }
      if (!StartsWith(end_tag)) return Fail("unexpected text in a matrix");
    }
    while (!rows.empty() && rows.back().empty()) rows.pop_back();
    if (rows.empty()) return Fail("empty matrix");
    if (system) {
      std::vector<int32_t> answers;
      for (const auto& row : rows) {
        if (row.size() != 1) return Fail(absl::StrCat("a row of ", env, " with several cells"));
        answers.push_back(row[0]);
      }
      return answers.size() == 1 ? answers[0] : MakeList(std::move(answers), false);
    }
    Node n;
    n.op = Op::kMatrix;
    n.rows = static_cast<int32_t>(rows.size());
    for (const auto& row : rows) {
      if (row.size() != rows[0].size()) return Fail("matrix rows of different lengths");
      n.kids.insert(n.kids.end(), row.begin(), row.end());
    }
    int32_t m = Add(std::move(n));
    if (env == "vmatrix") return Unary(Op::kDet, m);
    return m;
  }

  std::string_view s_;
  size_t end_;
  size_t p_ = 0;
  std::vector<CommaContext> commas_;  // one per item list being read, innermost last
  std::vector<int32_t> close_of_;     // CloseOf's table, empty until first used
  const Limits& limits_;
  Tree tree_;
  int depth_ = 0;
  int abs_depth_ = 0;
  bool failed_ = false;
  bool budget_ = false;
  // Inside an interval that a thousands reading would make one number (`(12,102)` in a union):
  // a comma separates the ends.
  bool comma_separates_ = false;
  int plain_group_commas_ = 0;  // `,` read as a thousands separator so far (ParseBracket)
  bool amp_is_space_ = false;   // inside aligned/gathered: `&` only aligns
  std::string error_;
  size_t error_pos_ = 0;
};

}  // namespace

std::string CleanAnswerText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::optional<std::string> repaired = RepairEscapes(text);
  AppendCleaned(repaired ? std::string_view(*repaired) : text, &out);
  // `0.777...` closing the answer: an ellipsis after a decimal, kept (as \ldots) for the number
  // reader, not dropped with the trailing period below.
  size_t end = out.size();
  while (end > 0 && (out[end - 1] == ' ' || out[end - 1] == '\n')) --end;
  if (end >= 4 && out.compare(end - 3, 3, "...") == 0) {
    size_t d = end - 3;
    while (d > 0 && IsDigit(out[d - 1])) --d;
    if (d < end - 3 && d >= 2 && out[d - 1] == '.' && IsDigit(out[d - 2])) {
      out.replace(end - 3, out.size() - (end - 3), "\\ldots");
    }
  }
  // Trailing punctuation and whitespace: "42." reads as 42.
  while (!out.empty() && (out.back() == '.' || out.back() == ' ' || out.back() == '\n' ||
                          out.back() == '\t' || out.back() == '\r')) {
    out.pop_back();
  }
  return out;
}

ParseResult ParseAnswer(std::string_view text, const Limits& limits) {
  std::string cleaned = CleanAnswerText(text);
  // `V_{1}:V_{2}=11:21` states 11:21 (labels.h).
  if (std::string_view rest = StripRatioLabel(cleaned); rest.size() != cleaned.size()) {
    cleaned = std::string(rest);
  }
  Parser parser(cleaned, limits);
  return parser.Run();
}

}  // namespace verdict::math
