// Language consistency (DeepSeek-R1 §2.3.3): the proportion of words in the chain of thought
// that are in the target language. Pure functions, thread-safe.
//
// Words are maximal runs of letters of one script (the Unicode Script property, read with ICU in
// one linear pass: per-word RE2 matching with a capture group per script measured 25x slower
// on R1-style reasoning); each Han ideograph is a word of its own.
// Numbers, punctuation, code (``` blocks and `spans`), LaTeX math ($...$, $$...$$, \(...\),
// \[...\]) and LaTeX commands (\frac) are neutral: they count for no language. Scripts decide
// most words (Han -> zh/ja, kana -> ja, Hangul -> ko, Cyrillic -> ru, Arabic -> ar, Devanagari
// -> hi); Latin-script words belong to the target when it is a Latin-script language, unless
// CLD2 reliably detects their sentence as another language, or, for the sentences it cannot
// place alone, all those sentences pooled.
#ifndef VERDICT_REWARDS_LANGUAGE_H_
#define VERDICT_REWARDS_LANGUAGE_H_

#include <string>
#include <string_view>

namespace verdict {

struct LanguageResult {
  std::string target;     // ISO 639-1 code, e.g. "en", "zh"
  int words = 0;          // non-neutral words in the chain of thought
  int target_words = 0;   // of which in the target language
  double proportion = 1;  // target_words / words; 1 when there are no words to judge
};

// Scores `text` (the chain of thought) against `target` ("en", "zh", "ja", "ko", "ru", "ar",
// "hi", or any CLD2 Latin-script code such as "fr", "de", "es").
LanguageResult LanguageConsistency(std::string_view text, std::string_view target);

// The language of `text` by CLD2 as an ISO 639-1 code ("zh-Hant" becomes "zh"); "en" when
// CLD2 cannot tell (the fallback that picks a default target for the language component).
std::string DetectLanguage(std::string_view text);

// The language of `text` as DetectLanguage names it, but only when CLD2 places it reliably;
// "" when it cannot: no letters, too short (replies under about three words, such as "Yes." or
// "I agree.", usually are), gibberish, or no clear majority language. For checks that must not
// pass on text nobody can place (an instruction's response language).
std::string DetectLanguageIfReliable(std::string_view text);

// The chain of thought of a completion: the text inside <think>...</think> (or before
// </think> when the prompt prefilled <think>); the whole completion when there is none.
std::string_view ChainOfThought(std::string_view completion);

}  // namespace verdict

#endif  // VERDICT_REWARDS_LANGUAGE_H_
