// Numbers and what follows them (parser.h): digits with thousands separators by context, decimals,
// exponents, repeating decimals, ratios and times, base subscripts, one-letter units, ordinals,
// mixed numbers, number words, multiple-choice prefixes.
#include "verifier/math/parser.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "verifier/math/lexicon.h"

namespace verdict::math::parse_internal {

int32_t Parser::NumberLeaf(std::string digits, int64_t exp10, int32_t decimals, bool decimal) {
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

// Whether a plain comma at p_ (followed by exactly three digits) may be a thousands separator:
// no tight comma of this list separates elements, and inside brackets the elements are
// separated by spaced commas (`(1,000, 2)` is (1000, 2); `[1,100]` is an interval; `1,000`
// alone is one thousand, as is `{1,000}`). The rest of the list is scanned once, at its depth
// only.
bool Parser::PlainThousandsCommaAllowed() {
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
std::string Parser::ChoicePrefix() {
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

// The matching close of the bracket or brace opening at `at` (any of ([{ with any of )]}, as
// the grammar pairs `[2,5)`), npos if unmatched. One table per parse, built on first use, so
// the comma scans above stay linear in the input.
size_t Parser::CloseOf(size_t at) {
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
int32_t Parser::ParseNumber(bool allow_mixed) {
  std::string digits;
  size_t group_start = p_;
  while (p_ < end_ && IsDigit(s_[p_])) digits.push_back(s_[p_++]);
  size_t first_group = p_ - group_start;
  if (allow_mixed && first_group > 0) {
    if (int32_t t = RatioOrBase(group_start); t != kNoNode) return t;
  }
  // Thousands separators: the first group has 1-3 digits and no leading zero (`0,111` is two
  // numbers, never 111), every later group exactly 3.
  bool grouped = false;
  if (first_group >= 1 && first_group <= 3 && s_[group_start] != '0') {
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
    if (int32_t u = LetterUnit(number, grouped); u != kNoNode) return u;
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

// After the integer digits from `start` to p_: a ratio or time `7:32`, `3 : 4`, `12:00`
// (compared as written: equal to the same ratio, never to a fraction or a scaled ratio) or a
// base subscript `204_5`, `1011_{2}` (equal to the same numeral only, not to its value).
int32_t Parser::RatioOrBase(size_t start) {
  size_t q = p_;
  if (q < end_ && s_[q] == '_') {
    size_t r = q + 1;
    bool brace = r < end_ && s_[r] == '{';
    if (brace) ++r;
    size_t k = r;
    while (k < end_ && IsDigit(s_[k])) ++k;
    if (k == r || (brace && (k >= end_ || s_[k] != '}'))) return kNoNode;
    std::string text =
        absl::StrCat(ToAbsl(s_.substr(start, p_ - start)), "_", ToAbsl(s_.substr(r, k - r)));
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
int32_t Parser::RepeatingDecimal(const std::string& digits, int32_t decimals) {
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
    if (cmd == "ldots" || cmd == "dots" || cmd == "cdots")
      after = q + cmd.size() + 1;
    else if (s_.substr(q, 3) == "...")
      after = q + 3;
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
// number and a space. Only m, g, s, L, and only there: `4m` and `4 m` stay products, and so
// does `2.5m`. After a number with a thousands separator (`grouped`) the space may be missing:
// `1,000.99m²` is a measurement, nobody writes a coefficient so.
int32_t Parser::LetterUnit(int32_t number, bool grouped) {
  size_t q = p_;
  if (q >= end_ || (s_[q] != ' ' && !grouped)) return kNoNode;
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
int32_t Parser::Ordinal(int32_t number) {
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

}  // namespace verdict::math::parse_internal
