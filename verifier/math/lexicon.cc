#include "verifier/math/lexicon.h"

#include <algorithm>
#include <iterator>

namespace verdict::math {
namespace {

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Command names whose doubled or control-character-eaten spelling is repaired. Only names an
// answer plausibly holds: a longer list would turn more prose into commands.
constexpr std::string_view kKnownCommands[] = {
    "frac",         "dfrac",      "tfrac",        "cfrac",  "sqrt",       "left",     "right",
    "text",         "textbf",     "textit",       "textrm", "mathrm",     "mathbf",   "mathbb",
    "boxed",        "begin",      "end",          "cdot",   "times",      "div",      "pm",
    "mp",           "le",         "leq",          "ge",     "geq",        "lt",       "gt",
    "ne",           "neq",        "approx",       "in",     "notin",      "cup",      "cap",
    "infty",        "pi",         "theta",        "alpha",  "beta",       "gamma",    "delta",
    "lambda",       "mu",         "nabla",        "neg",    "sin",        "cos",      "tan",
    "log",          "ln",         "exp",          "circ",   "degree",     "quad",     "qquad",
    "emptyset",     "varnothing", "binom",        "dbinom", "overline",   "ldots",    "cdots",
    "dots",         "tau",        "rho",          "rangle", "langle",     "lfloor",   "rfloor",
    "lceil",        "rceil",      "displaystyle", "vec",    "varepsilon", "epsilon",  "sigma",
    "phi",          "omega",      "triangle",     "angle",  "mid",        "setminus", "mathit",
    "operatorname", "bmatrix",    "pmatrix",      "hline",  "implies",    "iff",      "to"};

bool IsKnownCommand(std::string_view name) {
  return std::find(std::begin(kKnownCommands), std::end(kKnownCommands), name) !=
         std::end(kKnownCommands);
}

// The letter run starting at `at`.
std::string_view LettersAt(std::string_view s, size_t at) {
  size_t j = at;
  while (j < s.size() && IsAlpha(s[j])) ++j;
  return s.substr(at, j - at);
}

// Every backslash doubled, and nothing written with a single one (see RepairEscapes).
bool LooksDoubled(std::string_view s) {
  bool doubled_command = false;
  for (size_t i = 0; i < s.size();) {
    if (s[i] != '\\') {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < s.size() && s[j] == '\\') ++j;
    size_t run = j - i;
    std::string_view name = LettersAt(s, j);
    if (!name.empty()) {
      if (run % 2 == 1) return false;  // a command written with one backslash
      if (IsKnownCommand(name)) doubled_command = true;
    }
    i = j;
  }
  return doubled_command;
}

// The letter escape a control character stands for (form feed for `\f`...), or 0.
char EatenEscape(char c) {
  switch (c) {
    case '\f': return 'f';
    case '\a': return 'a';
    case '\b': return 'b';
    case '\v': return 'v';
    case '\t': return 't';
    case '\n': return 'n';
    case '\r': return 'r';
    default: return 0;
  }
}

}  // namespace

std::optional<std::string> RepairEscapes(std::string_view text) {
  bool has_double = false;
  std::optional<std::string> out;  // made at the first repair: most texts need none
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\\' && i + 1 < text.size() && text[i + 1] == '\\') has_double = true;
    char letter = EatenEscape(c);
    if (letter != 0) {
      std::string_view rest = LettersAt(text, i + 1);
      std::string name = std::string(1, letter) + std::string(rest);
      // \f, \a, \b, \v never stand in an answer: any letters after them were a command.
      // Whitespace (\t, \n, \r) is a command only when two or more letters complete a known
      // name (a newline before `e` stays a newline, not `\ne`), and never an English word (a tab
      // before "an" is indentation, not `\tan`).
      bool never_text = c == '\f' || c == '\a' || c == '\b' || c == '\v';
      bool word = !never_text && rest == "an";
      if (rest.size() >= 2 && !word && (IsKnownCommand(name) || never_text)) {
        if (!out) out = std::string(text.substr(0, i));
        // `\` + form feed + `rac` is a doubled `\\frac` that lost its second backslash.
        if (!out->empty() && out->back() == '\\') out->pop_back();
        out->push_back('\\');
        out->push_back(letter);
        continue;
      }
    }
    if (out) out->push_back(c);
  }
  if (!has_double) return out;
  std::string_view current = out ? std::string_view(*out) : text;
  if (!LooksDoubled(current)) return out;
  std::string halved;
  halved.reserve(current.size());
  for (size_t i = 0; i < current.size();) {
    if (current[i] != '\\') {
      halved.push_back(current[i++]);
      continue;
    }
    size_t j = i;
    while (j < current.size() && current[j] == '\\') ++j;
    halved.append((j - i + 1) / 2, '\\');
    i = j;
  }
  return halved;
}

int NumberWordValue(std::string_view w) {
  static constexpr std::string_view kUnits[] = {
      "zero",     "one",     "two",     "three",     "four",     "five",     "six",
      "seven",    "eight",   "nine",    "ten",       "eleven",   "twelve",   "thirteen",
      "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"};
  static constexpr std::string_view kTens[] = {"thirty",  "forty",  "fifty", "sixty",
                                               "seventy", "eighty", "ninety"};
  for (size_t k = 0; k < std::size(kUnits); ++k) {
    if (w == kUnits[k]) return static_cast<int>(k);
  }
  for (size_t k = 0; k < std::size(kTens); ++k) {
    if (w == kTens[k]) return static_cast<int>(30 + 10 * k);
  }
  return -1;
}

bool IsOrdinalSuffix(std::string_view w) {
  return w == "st" || w == "nd" || w == "rd" || w == "th";
}

}  // namespace verdict::math
