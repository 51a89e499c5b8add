// The text cleaning before parsing (parse.h's CleanAnswerText): markup without meaning dropped,
// Unicode math mapped to LaTeX, escaping damage repaired, ellipses marked, a trailing period cut.
#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "verifier/math/lexicon.h"
#include "verifier/math/parse.h"
#include "verifier/math/parser.h"

namespace verdict::math {
namespace {

using parse_internal::IsAlpha;
using parse_internal::IsDigit;

// A run of Unicode superscript digits (and minus) at `at` appended as `^{...}`; returns the bytes
// read, 0 if none is there (`10⁸` is `10^{8}`, `m²` is `m^{2}`).
size_t AppendSuperscripts(std::string_view in, size_t at, std::string* out) {
  static constexpr std::pair<std::string_view, char> kSup[] = {
      {"\u2070", '0'}, {"\u00b9", '1'}, {"\u00b2", '2'}, {"\u00b3", '3'},
      {"\u2074", '4'}, {"\u2075", '5'}, {"\u2076", '6'}, {"\u2077", '7'},
      {"\u2078", '8'}, {"\u2079", '9'}, {"\u207b", '-'}};
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
      {"\u2212", "-"},
      {"\u00d7", "\\times "},
      {"\u00b7", "\\cdot "},
      {"\u03c0", "\\pi "},
      {"\u221e", "\\infty "},
      {"\u221a", "\\sqrt "},
      {"\u2264", "\\le "},
      {"\u2265", "\\ge "},
      {"\u2260", "\\ne "},
      {"\u00b0", "^\\circ "},
      {"\u222a", "\\cup "},
      {"\u2205", "\\emptyset "},
      {"\u00b1", "\\pm "},
      {"\u2213", "\\mp "},
      {"\u00f7", "\\div "},
      {"\u2208", "\\in "},
  }};
  // More Unicode (issue 14): vulgar fractions, superscript digits, currency signs, thin spaces.
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 17> kUnicodeMore = {{
      {"\u00bd", "\\frac{1}{2}"},
      {"\u2153", "\\frac{1}{3}"},
      {"\u2154", "\\frac{2}{3}"},
      {"\u00bc", "\\frac{1}{4}"},
      {"\u00be", "\\frac{3}{4}"},
      {"\u215b", "\\frac{1}{8}"},
      {"\u2248", "\\approx "},
      {"\u22c5", "\\cdot "},
      {"\u20ac", ""},
      {"\u00a3", ""},
      {"\u00a5", ""},
      {"\u00a0", " "},
      {"\u2009", "\\,"},
      {"\u202f", "\\,"},
      {"\u2217", "*"},
      {"\u2192", "\\to "},
      {"\u2026", "\\ldots "},
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
        {"dfrac", "\\frac"},  {"tfrac", "\\frac"}, {"cfrac", "\\frac"},  {"lbrace", "\\{"},
        {"rbrace", "\\}"},    {"lvert", "|"},      {"rvert", "|"},       {"vert", "|"},
        {"leqslant", "\\le"}, {"leq", "\\le"},     {"geqslant", "\\ge"}, {"geq", "\\ge"},
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

}  // namespace

std::string CleanAnswerText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::optional<std::string> repaired = RepairEscapes(text);
  AppendCleaned(repaired ? std::string_view(*repaired) : text, &out);
  // `1, 2, ..., 10`, `1 + 2 + ... + n`, `2, 4, 6, ...`: three dots inside an answer, or after a
  // comma or an operator at its end, are an ellipsis (`\ldots`), not punctuation. Dots closing
  // a number are left to the rule below (`0.777...`) or dropped (`5...`).
  for (size_t i = out.find("..."); i != std::string::npos; i = out.find("...", i)) {
    size_t after = i + 3;
    while (after < out.size() && out[after] == '.') ++after;
    size_t next = after;
    while (next < out.size() && (out[next] == ' ' || out[next] == '\n')) ++next;
    size_t prev = i;
    while (prev > 0 && out[prev - 1] == ' ') --prev;
    const bool closing = next == out.size();
    if (after != i + 3 || (closing && (prev == 0 || (out[prev - 1] != ',' && out[prev - 1] != '+' &&
                                                     out[prev - 1] != '-')))) {
      i = after;
      continue;
    }
    out.replace(i, 3, " \\ldots ");
    i += 8;
  }
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

}  // namespace verdict::math
