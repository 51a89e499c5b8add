// Small fixed tables the math parser reads words and damaged spellings with: escaping repair,
// number words, ordinal suffixes. Pure functions, no state; safe from any thread.
#ifndef VERDICT_VERIFIER_MATH_LEXICON_H_
#define VERDICT_VERIFIER_MATH_LEXICON_H_

#include <optional>
#include <string>
#include <string_view>

namespace verdict::math {

// Undoes escaping damage where the intended text is unambiguous (DESIGN §5, issue 14):
//  - JSON written twice: every backslash doubled (`\\frac{1}{2}`, `\\left(`, a row break
//    `\\\\`). Repaired only when the text has no single-backslash command at all and at least
//    one doubled backslash starts a known command name; then every backslash run is halved.
//  - Escapes eaten by a string literal: a control character where `\f`, `\a`, `\b`, `\v` stood
//    (form feed + `rac` is `\frac`), and a tab, newline or carriage return where `\t`, `\n`,
//    `\r` began a known command (tab + `ext` is `\text`, newline + `eq` is `\neq`). A tab or
//    newline followed by anything else stays whitespace.
// Returns the repaired text, or nullopt when there is nothing to repair (the common case, no
// copy made).
std::optional<std::string> RepairEscapes(std::string_view text);

// The value of an English number word, lower case: zero..twenty and the tens (thirty..ninety).
// -1 for anything else ("hundred", "twenty-one" and prose are not read as numbers).
int NumberWordValue(std::string_view word);

// Whether `w` is an ordinal suffix after digits: st, nd, rd, th (1st, 12th, 12^{th}).
bool IsOrdinalSuffix(std::string_view w);

}  // namespace verdict::math

#endif  // VERDICT_VERIFIER_MATH_LEXICON_H_
