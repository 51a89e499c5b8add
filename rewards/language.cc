#include "rewards/language.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "base/strings.h"

#include "cld2/public/compact_lang_det.h"
#include "re2/re2.h"
#include "unicode/uchar.h"
#include "unicode/uscript.h"
#include "unicode/utf8.h"

namespace verdict {
namespace {

enum Script { kHan = 1, kKana, kHangul, kCyrillic, kArabic, kDevanagari, kLatin, kOther };

const RE2& NeutralPattern() {
  // Code blocks, inline code, display and inline math, LaTeX commands.
  static const RE2* const kRe = new RE2(
      R"((?s)```.*?```|`[^`\n]*`|\$\$.*?\$\$|\$[^$\n]*\$|\\\(.*?\\\)|\\\[.*?\\\]|\\[A-Za-z]+)");
  return *kRe;
}

// Length of the sentence terminator at text[i] (. ! ? newline, or the ideographic 。！？), or 0.
size_t TerminatorAt(std::string_view text, size_t i) {
  char c = text[i];
  if (c == '.' || c == '!' || c == '?' || c == '\n') return 1;
  if (i + 2 < text.size()) {
    std::string_view three = text.substr(i, 3);
    if (three == "\xE3\x80\x82" || three == "\xEF\xBC\x81" || three == "\xEF\xBC\x9F") return 3;
  }
  return 0;
}

bool IsLatinTarget(std::string_view t) {
  return t != "zh" && t != "ja" && t != "ko" && t != "ru" && t != "ar" && t != "hi" && t != "uk" &&
         t != "bg" && t != "sr" && t != "fa" && t != "ur" && t != "mr" && t != "ne";
}

bool ScriptIsTarget(Script s, std::string_view t, bool sentence_has_kana) {
  switch (s) {
    case kHan: return t == "zh" ? !sentence_has_kana : t == "ja";
    case kKana: return t == "ja";
    case kHangul: return t == "ko";
    case kCyrillic: return t == "ru" || t == "uk" || t == "bg" || t == "sr";
    case kArabic: return t == "ar" || t == "fa" || t == "ur";
    case kDevanagari: return t == "hi" || t == "mr" || t == "ne";
    default: return false;
  }
}

std::string Normalise(const char* code) {
  std::string c = code;
  if (c.rfind("zh", 0) == 0) return "zh";
  if (c == "un" || c == "xxx" || c.empty()) return "en";
  return c;
}

// The word script of code point `c`: which of our scripts its letters belong to, kOther for
// letters of any other script, 0 for anything that is not part of a word.
int ScriptOf(UChar32 c) {
  UErrorCode err = U_ZERO_ERROR;
  switch (uscript_getScript(c, &err)) {
    case USCRIPT_HAN: return kHan;
    case USCRIPT_HIRAGANA:
    case USCRIPT_KATAKANA: return kKana;
    case USCRIPT_HANGUL: return kHangul;
    case USCRIPT_CYRILLIC: return kCyrillic;
    case USCRIPT_ARABIC: return kArabic;
    case USCRIPT_DEVANAGARI: return kDevanagari;
    case USCRIPT_LATIN: return u_isalpha(c) ? kLatin : 0;
    default:
      if (c == 0x30FC) return kKana;  // the prolonged sound mark is "Common" but part of kana words
      return u_isalpha(c) ? kOther : 0;
  }
}

CLD2::Language Cld2Detect(std::string_view text, bool* reliable) {
  return CLD2::DetectLanguage(text.data(), static_cast<int>(text.size()), /*is_plain_text=*/true,
                              reliable);
}

// Latin-script sentences CLD2 could not place one by one, judged together at the end.
struct Unplaced {
  std::string text;
  int words = 0;
};

// Counts the words of one sentence: maximal runs of letters of one script, each Han character
// a word of its own; combining marks (script Inherited) stay inside the word they follow.
void CountSentence(std::string_view sentence, std::string_view target, LanguageResult* out,
                   Unplaced* unplaced) {
  int counts[kOther + 1] = {0};
  int current = 0;  // script of the word being read, 0 between words
  const auto* bytes = reinterpret_cast<const uint8_t*>(sentence.data());
  const int32_t length = static_cast<int32_t>(sentence.size());
  for (int32_t i = 0; i < length;) {
    UChar32 c;
    U8_NEXT(bytes, i, length, c);
    if (c < 0) {
      current = 0;
      continue;
    }
    UErrorCode err = U_ZERO_ERROR;
    if (current != 0 && uscript_getScript(c, &err) == USCRIPT_INHERITED) continue;
    const int script = ScriptOf(c);
    if (script == kHan || (script != 0 && script != current)) ++counts[script];
    current = script;
  }
  const int latin_words = counts[kLatin];
  const bool has_kana = counts[kKana] > 0;
  for (int s = kHan; s <= kOther; ++s) {
    out->words += counts[s];
    if (s != kLatin && ScriptIsTarget(static_cast<Script>(s), target, has_kana)) {
      out->target_words += counts[s];
    }
  }
  if (latin_words > 0 && IsLatinTarget(target)) {
    bool reliable = false;
    const CLD2::Language lang = Cld2Detect(sentence, &reliable);
    const std::string code = Normalise(CLD2::LanguageCode(lang));
    if (!reliable) {  // short or mixed: decided with the other unplaced sentences
      absl::StrAppend(&unplaced->text, ToAbsl(sentence), "\n");
      unplaced->words += latin_words;
    } else if (code == target || !IsLatinTarget(code)) {
      out->target_words += latin_words;
    }
  }
}

// The unplaced sentences together: their Latin words count for the target unless, pooled, CLD2
// reliably reads them as another Latin-script language (a reasoning of short French sentences
// under an English target), so that many short sentences cannot hide a language switch.
void CountUnplaced(const Unplaced& unplaced, std::string_view target, LanguageResult* out) {
  if (unplaced.words == 0) return;
  bool reliable = false;
  const std::string code = Normalise(CLD2::LanguageCode(Cld2Detect(unplaced.text, &reliable)));
  if (!reliable || code == target || !IsLatinTarget(code)) out->target_words += unplaced.words;
}

}  // namespace

LanguageResult LanguageConsistency(std::string_view text, std::string_view target) {
  LanguageResult out;
  out.target = std::string(target);
  std::string cleaned(text);
  RE2::GlobalReplace(&cleaned, NeutralPattern(), " ");
  std::string_view all = cleaned;
  size_t start = 0;
  Unplaced unplaced;
  for (size_t i = 0; i <= all.size(); ++i) {
    size_t term = i < all.size() ? TerminatorAt(all, i) : 1;
    if (term == 0) continue;
    if (i > start) CountSentence(all.substr(start, i - start), target, &out, &unplaced);
    start = i + term;
    i += term - 1;
  }
  CountUnplaced(unplaced, target, &out);
  out.proportion = out.words == 0 ? 1.0 : static_cast<double>(out.target_words) / out.words;
  return out;
}

std::string DetectLanguage(std::string_view text) {
  bool reliable = false;
  return Normalise(CLD2::LanguageCode(Cld2Detect(text, &reliable)));
}

std::string DetectLanguageIfReliable(std::string_view text) {
  bool reliable = false;
  const CLD2::Language lang = Cld2Detect(text, &reliable);
  // CLD2 reports a language it is not sure of (and UNKNOWN_LANGUAGE) as unreliable.
  if (!reliable || lang == CLD2::UNKNOWN_LANGUAGE) return "";
  return Normalise(CLD2::LanguageCode(lang));
}

std::string_view ChainOfThought(std::string_view completion) {
  size_t close = completion.find("</think>");
  if (close == std::string_view::npos) return completion;
  size_t open = completion.rfind("<think>", close);
  size_t start = open == std::string_view::npos ? 0 : open + 7;
  return completion.substr(start, close - start);
}

}  // namespace verdict
