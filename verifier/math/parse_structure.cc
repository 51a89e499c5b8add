// Brackets and structure (parser.h): groups and arguments, parentheses as grouping, tuples or
// intervals, set-builder notation, braced systems, angle vectors, matrix and system environments.
#include "verifier/math/parser.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "verifier/math/lexicon.h"

namespace verdict::math::parse_internal {

// {items}: one item is itself; several are a list.
int32_t Parser::ParseGroup() {
  if (Peek() != '{') return Fail("expected '{'");
  ++p_;
  bool is_or = false;
  std::vector<size_t> or_before;
  std::vector<int32_t> items = ParseItems("}", &is_or, &or_before);
  if (failed_) return -1;
  SkipWs();
  if (Peek() != '}') return Fail("unbalanced '{'");
  ++p_;
  if (items.empty()) return Fail("empty group");
  return ItemList(std::move(items), is_or, or_before);
}

// An argument of \frac, \sqrt, \binom: {group}, or one character/command (\frac12).
int32_t Parser::ParseArg() {
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

// ( ... ) or [ ... ]: grouping, tuple, or interval.
int32_t Parser::ParseBracket() {
  size_t start = p_;
  int commas_before = plain_group_commas_;
  char open = s_[p_++];
  bool is_or = false;
  std::vector<int32_t> items = ParseItems(")]", &is_or);
  if (failed_) return -1;
  SkipWs();
  char close = Peek();
  if (close != ')' && close != ']')
    return Fail(absl::StrCat("unbalanced '", std::string(1, open), "'"));
  ++p_;
  if (items.empty()) return Fail("empty brackets");
  // Inside a tuple, a comma separates elements: `(1,7,103, 105)` is four numbers, not
  // (1, 7103, 105). So does it in `(12,102) \cup ...` and `[1,500)`, one number only by a
  // thousands comma where an interval is meant. Read such brackets again with every comma a
  // separator. Once per bracket: nested brackets read under the flag are not read again, and a
  // bracket read again takes back its commas, so its parents do not re-read for them.
  bool read_group_commas = plain_group_commas_ > commas_before;
  if (read_group_commas && !comma_separates_ &&
      (items.size() >= 2 || (At(items[0]).op == Op::kNumber &&
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
  // `[2,3,4)`: an interval has two ends, and a tuple one kind of bracket; a typo for either
  // `(2,3,4)` or `[2,3,4]` is not read as one of them.
  if (items.size() > 2 && (open == '(') != (close == ')')) {
    return Fail(absl::StrCat("mismatched brackets around ", items.size(),
                             " entries (only an interval of two ends mixes them)"));
  }
  Node n;
  n.op = Op::kTuple;
  n.flags = static_cast<uint8_t>((open == '(' ? kParenOpen : 0) | (close == ')' ? kParenClose : 0));
  n.kids = std::move(items);
  return Add(std::move(n));
}

// The items of a `\{ ... \}` (p_ after `\{`), up to and past its `\}`; false when they do not
// read or the brace is not closed.
bool Parser::ItemsToBraceClose(std::vector<int32_t>* items) {
  bool is_or = false;
  *items = ParseItems("\\}", &is_or);
  if (failed_) return false;
  SkipWs();
  if (!(Peek() == '\\' && Peek(1) == '}')) {
    Fail("unbalanced '\\{'");
    return false;
  }
  p_ += 2;
  return true;
}

// `\{x \mid -1 < x < 1\}`, `\{x : x > 3\}`, `\{x | ...\}` (p_ after `\{`): the condition, which
// the comparison reads as the set it describes. -2 (nothing read) when this is not set-builder.
int32_t Parser::ParseSetBuilder() {
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
  std::vector<int32_t> items;
  if (!ItemsToBraceClose(&items)) return -1;
  if (items.size() != 1) return Fail("a set-builder condition in several parts");
  return items[0];
}

// `\left\{\begin{array}{l} x=1 \\ y=2 \end{array}\right.` (p_ after `\{`; `\right.` is gone by
// now, so no `\}` follows): the system's equations, as a list. -2 when no environment follows.
int32_t Parser::ParseBracedSystem() {
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
  bool equations =
      m.op == Op::kMatrix && m.rows >= 1 && static_cast<int32_t>(m.kids.size()) == m.rows;
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
int32_t Parser::ParseAngleVector() {
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

// \begin{pmatrix} a & b \\ c & d \end{pmatrix} (also bmatrix, vmatrix, array...).
int32_t Parser::ParseEnvironment() {
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

int32_t Parser::ParseEnvironmentBody(const std::string& env, bool system) {
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

}  // namespace verdict::math::parse_internal
