// Unicode-aware text measures for instruction constraints. Pure functions, thread-safe; input
// is UTF-8 (invalid bytes count as non-letters, never read past the end).
//
// Words: maximal runs of letters, digits and combining marks (an apostrophe or hyphen between two
// letters stays inside the word: "don't", "well-known"), except that each Han ideograph, kana
// and Hangul syllable is a word of its own, as the language checker (rewards/language.h)
// counts CJK text. IFEval's reference counts Python `\w+` runs, so "don't" is 2 words there and
// a Chinese sentence is 1 word; README documents the difference.
// Sentences: text up to a terminator (. ! ? … and the ideographic 。！？) that is followed by
// whitespace, a closing quote or bracket, or the end; a period after a known abbreviation
// (Mr, Dr, e.g., ...), a single capital initial or inside a number does not end a sentence.
// Ideographic terminators end a sentence with or without following space.
#ifndef VERDICT_VERIFIER_INSTRUCT_TEXT_H_
#define VERDICT_VERIFIER_INSTRUCT_TEXT_H_

#include <string>
#include <string_view>
#include <vector>

namespace verdict::instruct {

// The words of `text` (see above), as views into it.
std::vector<std::string_view> Words(std::string_view text);

// The number of sentences of `text` (see above); 0 for text without letters or digits.
int CountSentences(std::string_view text);

// Unicode lower case of `text` (simple one-to-one case mapping, locale independent).
std::string ToLower(std::string_view text);

// As Python's str.isupper / str.islower: at least one cased letter, and every cased letter is
// upper (lower) case.
bool IsAllUpper(std::string_view text);
bool IsAllLower(std::string_view text);

// `text` without leading and trailing Unicode whitespace.
std::string_view StripSpace(std::string_view text);

// True when `text` holds at least one letter or digit.
bool HasWordCharacter(std::string_view text);

}  // namespace verdict::instruct

#endif  // VERDICT_VERIFIER_INSTRUCT_TEXT_H_
