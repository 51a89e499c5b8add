// The parser behind parse.h, shared by its files: parse.cc (the grammar: items, relations, sums,
// products, powers, scripts), parse_numbers.cc (numbers and what follows them), parse_commands.cc
// (words, functions, LaTeX commands, big operators, text), parse_structure.cc (brackets, groups,
// set-builder, systems, vectors, environments) and parse_clean.cc (the text cleaning before).
// Internal to verifier/math: include parse.h instead.
#ifndef VERDICT_VERIFIER_MATH_PARSER_H_
#define VERDICT_VERIFIER_MATH_PARSER_H_

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/strings.h"
#include "verifier/math/ast.h"
#include "verifier/math/lexicon.h"
#include "verifier/math/parse.h"

namespace verdict::math::parse_internal {

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }
inline bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

template <typename Set>
inline bool In(std::string_view x, const Set& set) {
  return std::find(std::begin(set), std::end(set), x) != std::end(set);
}
inline bool In(std::string_view x, std::initializer_list<std::string_view> set) {
  return std::find(set.begin(), set.end(), x) != set.end();
}

inline std::string_view Trimmed(std::string_view s) {
  while (!s.empty() && absl::ascii_isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && absl::ascii_isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

inline constexpr std::string_view kFunctions[] = {
    "sin",    "cos",    "tan",    "sec",    "csc",  "cot",  "arcsin", "arccos",
    "arctan", "sinh",   "cosh",   "tanh",   "ln",   "log",  "exp",    "lg",
    "sqrt",   "arcsec", "arccsc", "arccot", "coth", "sech", "csch"};

inline constexpr std::string_view kGreek[] = {
    "alpha",    "beta",    "gamma", "delta",  "epsilon", "varepsilon", "zeta",  "eta",   "theta",
    "vartheta", "iota",    "kappa", "lambda", "mu",      "nu",         "xi",    "rho",   "sigma",
    "tau",      "upsilon", "phi",   "varphi", "chi",     "psi",        "omega", "Gamma", "Delta",
    "Theta",    "Lambda",  "Xi",    "Sigma",  "Phi",     "Psi",        "Omega", "ell"};

// Short words that are text, not products of one-letter variables ("yes" is not y*e*s).
inline constexpr std::string_view kShortWords[] = {
    "yes", "no", "odd", "all", "any", "the", "not", "one", "two", "six", "ten", "red", "blue", "cm",
    "mm",  "km", "kg",  "mg",  "ml",  "hr",  "hrs", "min", "sec", "ft",  "in",  "yd",  "mph",  "lb",
    "lbs", "oz", "am",  "pm",  "is",  "are", "it",  "of",  "to",  "by",  "cm2", "ok",  "off",  "on",
    "now", "up", "out", "box", "day", "way", "men", "boy", "cat", "dog", "car", "bus"};

class Parser {
 public:
  Parser(std::string_view text, const Limits& limits)
      : s_(text), end_(text.size()), limits_(limits) {}

  // Reads the whole text (parse.cc).
  ParseResult Run();

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
  static bool IsTextCommand(std::string_view cmd) {
    return In(cmd, {"text", "textrm", "textbf", "textit", "textsf", "texttt", "mbox", "mathrm",
                    "mathbf", "mathit", "mathsf", "mathtt", "textnormal", "operatorname", "hbox",
                    "mathrm", "boldsymbol", "bm"});
  }

  // `(3, 3) \text{ for part (a) and } (1, 1)`: a note on the answer before it, then the separator.
  static bool AnnotatedSeparator(std::string_view words) {
    // Only a part name: "for x > 0 and" would drop a condition.
    if (words.substr(0, 9) != "for part ") return false;
    size_t last = words.rfind(' ');
    std::string_view tail = words.substr(last + 1);
    return tail == "and" || tail == "or";
  }

  // --- grammar ----------------------------------------------------------------------------------

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

  int32_t AddNode(std::vector<int32_t> terms) {
    Node n;
    n.op = Op::kAdd;
    n.kids = std::move(terms);
    return Add(std::move(n));
  }

  int32_t MulNode(std::vector<int32_t> factors) {
    Node n;
    n.op = Op::kMul;
    n.kids = std::move(factors);
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

  static constexpr int32_t kNoNode = -2;  // "not this form": the caller reads on

  int32_t MixedNode(int32_t whole, int32_t num, int32_t den) {
    if (whole < 0 || num < 0 || den < 0) return -1;
    Node n;
    n.op = Op::kMixed;
    n.kids = {whole, num, den};
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

  // parse.cc: the grammar, and what it needs of characters and separators.
  int32_t PlusMinus(std::vector<int32_t> kids, bool minus_plus);
  size_t MatchBrace(size_t at) const;
  void SkipWs();
  bool AtUniversalCondition() const;
  bool AcceptSeparatorWord(bool* is_or);
  // `or_before`, when given, receives the index of every item written after "or" (or ", or").
  std::vector<int32_t> ParseItems(std::string_view closers, bool* is_or,
                                  std::vector<size_t>* or_before = nullptr);
  int32_t ItemList(std::vector<int32_t> items, bool is_or, const std::vector<size_t>& or_before);
  bool SystemSolutions(const std::vector<std::vector<int32_t>>& groups) const;
  bool AcceptRel(Rel* rel);
  int32_t ParseRelation();
  int32_t ParseUnion();
  int32_t ParseSum();
  bool StartsFactor() const;
  int32_t ParseTerm();
  int32_t ParseUnary();
  int32_t ParsePostfix();
  int32_t ParsePower();
  int32_t ParseScript(bool single_digit = false);
  bool AcceptScripts(int32_t* sub, int32_t* sup, bool sub_single_digit);

  // parse_numbers.cc: numbers and what follows them.
  int32_t NumberLeaf(std::string digits, int64_t exp10, int32_t decimals, bool decimal);
  bool PlainThousandsCommaAllowed();
  std::string ChoicePrefix();
  size_t CloseOf(size_t at);
  int32_t ParseNumber(bool allow_mixed);
  int32_t RatioOrBase(size_t start);
  int32_t RepeatingDecimal(const std::string& digits, int32_t decimals);
  int32_t LetterUnit(int32_t number, bool grouped);
  int32_t Ordinal(int32_t number);

  // parse_structure.cc: brackets, groups, set-builder, systems, environments.
  int32_t ParseGroup();
  int32_t ParseArg();
  int32_t ParseBracket();
  bool ItemsToBraceClose(std::vector<int32_t>* items);
  int32_t ParseSetBuilder();
  int32_t ParseBracedSystem();
  int32_t ParseAngleVector();
  int32_t ParseEnvironment();
  int32_t ParseEnvironmentBody(const std::string& env, bool system);

  // parse_commands.cc: primaries, words, functions, commands, \text{}.
  static int64_t TakeScaleWords(std::string* unit);
  static bool IsUnitText(std::string_view text);
  int32_t TextNode(std::string_view raw);
  int32_t ParsePrimary();
  int32_t ParseWord();
  int32_t ParseFloorCeil(bool floor);
  int32_t SymbolWithSubscript(std::string name);
  int32_t ParseFunction(std::string_view name);
  int32_t ParseCommand();
  void RenameConstant(int32_t root, Op constant);
  int32_t ParseBigOperator(std::string_view cmd);
  int32_t ParseTextCommand(std::string_view cmd);

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

}  // namespace verdict::math::parse_internal

#endif  // VERDICT_VERIFIER_MATH_PARSER_H_
