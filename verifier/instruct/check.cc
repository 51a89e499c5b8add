#include "verifier/instruct/check.h"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "base/strings.h"
#include "re2/re2.h"
#include "simdjson.h"
#include "unicode/uchar.h"
#include "unicode/utf8.h"
#include "verifier/instruct/text.h"

namespace verdict::instruct {
namespace {

using T = ConstraintType;

// Debian's Abseil and RE2 use absl::string_view, a type of its own.

// `text` split at every `sep` (empty pieces kept), as Python's str.split(sep).
std::vector<std::string_view> Split(std::string_view text, std::string_view sep) {
  std::vector<std::string_view> parts;
  size_t from = 0;
  for (size_t at = text.find(sep); at != std::string_view::npos; at = text.find(sep, from)) {
    parts.push_back(text.substr(from, at - from));
    from = at + sep.size();
  }
  parts.push_back(text.substr(from));
  return parts;
}

bool Contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

bool Compare(int64_t actual, std::string_view relation, int64_t threshold) {
  return ParseRelation(relation) == Relation::kLessThan ? actual < threshold : actual >= threshold;
}

std::string Measured(int64_t actual, std::string_view what, std::string_view relation,
                     int64_t threshold) {
  return absl::StrCat(actual, " ", ToAbsl(what), ", needs ", ToAbsl(relation), " ", threshold);
}

bool IsAsciiWordByte(std::string_view text, size_t i) {  // as regex \w on ASCII
  const char c = text[i];
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool IsNonAscii(std::string_view text, size_t i) {
  return static_cast<unsigned char>(text[i]) >= 0x80;
}

// `word` (lower case) as a whole word of `lower`: the characters next to it are not word
// characters (ASCII word bytes decide at once; a non-ASCII neighbour is decided by Words()).
// Whole-word matching of a multi-word phrase works the same way.
bool ContainsWholeWord(std::string_view lower, std::string_view word) {
  const bool starts_word = IsAsciiWordByte(word, 0) || IsNonAscii(word, 0);
  const bool ends_word =
      IsAsciiWordByte(word, word.size() - 1) || IsNonAscii(word, word.size() - 1);
  for (size_t at = lower.find(word); at != std::string_view::npos; at = lower.find(word, at + 1)) {
    const size_t end = at + word.size();
    if (starts_word && at > 0 && IsAsciiWordByte(lower, at - 1)) continue;
    if (ends_word && end < lower.size() && IsAsciiWordByte(lower, end)) continue;
    const bool left_unknown = starts_word && at > 0 && IsNonAscii(lower, at - 1);
    const bool right_unknown = ends_word && end < lower.size() && IsNonAscii(lower, end);
    if (!left_unknown && !right_unknown) return true;
    // Let Words() decide, on a window of a character either side (at most 4 bytes each) so
    // that many matches stay linear: the word covering each end must end there.
    const char* const begin_ptr = lower.data() + at;
    const char* const end_ptr = lower.data() + end;
    bool left_ok = true, right_ok = true;
    const size_t from = at > 8 ? at - 8 : 0;
    for (std::string_view w : Words(lower.substr(from, end + 8 - from))) {
      const char* const wb = w.data();
      const char* const we = w.data() + w.size();
      if (left_unknown && wb <= begin_ptr && we > begin_ptr) left_ok = wb == begin_ptr;
      if (right_unknown && wb < end_ptr && we >= end_ptr) right_ok = we == end_ptr;
    }
    if (left_ok && right_ok) return true;
  }
  return false;
}

int64_t CountRegex(std::string_view text, const RE2& re, bool (*keep)(std::string_view)) {
  int64_t n = 0;
  re2::StringPiece rest(text.data(), text.size());
  re2::StringPiece match;
  while (RE2::FindAndConsume(&rest, re, &match)) {
    if (keep(std::string_view(match.data(), match.size()))) ++n;
    if (match.empty()) {
      if (rest.empty()) break;
      rest.remove_prefix(1);
    }
  }
  return n;
}

std::vector<std::string_view> Lines(std::string_view text) { return Split(text, "\n"); }

// Paragraphs split by `divider`; an empty first or last one (a divider opening or closing the
// text) does not count, an empty one between two dividers fails.
bool NumberParagraphs(std::string_view text, std::string_view divider, int64_t want,
                      std::string* detail) {
  const std::vector<std::string_view> parts = Split(text, divider);
  int64_t n = static_cast<int64_t>(parts.size());
  for (size_t i = 0; i < parts.size(); ++i) {
    if (!StripSpace(parts[i]).empty()) continue;
    if (i == 0 || i + 1 == parts.size()) {
      --n;
    } else {
      *detail = absl::StrCat("an empty paragraph between ", ToAbsl(divider), " separators");
      return false;
    }
  }
  *detail = absl::StrCat(n, " paragraphs separated by ", ToAbsl(divider), ", needs ", want);
  return n == want;
}

// The first word of `text`, lower case: after leading space, quotes and markdown marks, up to
// whitespace or punctuation ("**Hello,** world" starts with "hello").
std::string FirstWordOf(std::string_view text) {
  std::string_view word = StripSpace(text);
  word = word.substr(0, word.find_first_of(" \t\r\n"));
  while (!word.empty() && std::string_view("'\"*_#>").find(word[0]) != std::string_view::npos) {
    word.remove_prefix(1);
  }
  return ToLower(word.substr(0, word.find_first_of(".,?!'\"*_:;")));
}

// Paragraphs separated by blank lines (lines of only whitespace), however many.
int64_t BlankLineParagraphs(std::string_view text) {
  int64_t n = 0;
  bool in_paragraph = false;
  for (std::string_view line : Lines(text)) {
    const bool blank = StripSpace(line).empty();
    if (!blank && !in_paragraph) ++n;
    in_paragraph = !blank;
  }
  return n;
}

// The text has at least two words, starts with the first and ends with the last, and they are
// the same word (case-insensitive): nothing after it, not even punctuation.
bool StartEnd(std::string_view text, std::string* detail) {
  const std::string_view v = StripSpace(text);
  const std::vector<std::string_view> words = Words(v);
  if (words.size() < 2) {
    *detail = "fewer than two words";
    return false;
  }
  const std::string_view first = words.front(), last = words.back();
  if (first.data() != v.data() || last.data() + last.size() != v.data() + v.size()) {
    *detail = "something before the first word or after the last";
    return false;
  }
  const bool same = ToLower(first) == ToLower(last);
  *detail = absl::StrCat("starts with '", ToAbsl(first), "', ends with '", ToAbsl(last), "'");
  return same;
}

// A word of three or more letters that reads the same backwards ("level", "Racecar").
bool HasPalindrome(std::string_view text, std::string* detail) {
  for (std::string_view w : Words(text)) {
    const std::string lower = ToLower(w);
    std::vector<UChar32> points;
    bool letters = true;
    for (int32_t i = 0, n = static_cast<int32_t>(lower.size()); i < n && letters;) {
      UChar32 c;
      U8_NEXT(reinterpret_cast<const uint8_t*>(lower.data()), i, n, c);
      letters = c >= 0 && u_isalpha(c);
      points.push_back(c);
    }
    if (letters && points.size() >= 3 &&
        std::equal(points.begin(), points.end(), points.rbegin())) {
      *detail = absl::StrCat("palindrome '", ToAbsl(w), "'");
      return true;
    }
  }
  *detail = "no word of 3+ letters reads the same backwards";
  return false;
}

// Every whitespace-separated token is [something].
bool SquareBrackets(std::string_view text, std::string* detail) {
  for (absl::string_view token :
       absl::StrSplit(ToAbsl(text), absl::ByAnyChar(" \t\r\n"), absl::SkipEmpty())) {
    const std::string_view t(token.data(), token.size());
    if (t.size() < 3 || t.front() != '[' || t.back() != ']' ||
        !HasWordCharacter(t.substr(1, t.size() - 2))) {
      *detail = absl::StrCat("'", ToAbsl(t), "' is not enclosed in [ ]");
      return false;
    }
  }
  *detail = "every word in [ ]";
  return true;
}

// No two adjacent words start with consecutive letters of the alphabet ("a b", "Cat dog").
bool NoAdjacentConsecutive(std::string_view text, std::string* detail) {
  const std::vector<std::string_view> words = Words(text);
  auto initial = [](std::string_view w) {
    const char c = w[0] >= 'A' && w[0] <= 'Z' ? static_cast<char>(w[0] - 'A' + 'a') : w[0];
    return c >= 'a' && c <= 'z' ? c : '\0';
  };
  for (size_t i = 0; i + 1 < words.size(); ++i) {
    const char a = initial(words[i]), b = initial(words[i + 1]);
    if (a != '\0' && b == a + 1) {
      *detail = absl::StrCat("'", ToAbsl(words[i]), " ", ToAbsl(words[i + 1]),
                             "' start with consecutive letters");
      return false;
    }
  }
  *detail = "no adjacent words start with consecutive letters";
  return true;
}

bool NthParagraphFirstWord(std::string_view text, const Constraint& c, std::string* detail) {
  const std::string normalised = absl::StrReplaceAll(ToAbsl(text), {{"\r\n", "\n"}});
  std::vector<std::string_view> parts = Split(normalised, "\n\n");
  int64_t n = 0;
  for (std::string_view p : parts) n += StripSpace(p).empty() ? 0 : 1;
  const int64_t nth = *c.nth_paragraph;
  if (nth > static_cast<int64_t>(parts.size()) || StripSpace(parts[nth - 1]).empty()) {
    *detail = absl::StrCat("no paragraph ", nth, " (", n, " paragraphs)");
    return false;
  }
  const std::string first = FirstWordOf(parts[nth - 1]);
  const std::string want = ToLower(StripSpace(*c.first_word));
  *detail = absl::StrCat(n, " paragraphs (needs ", *c.num_paragraphs, "), paragraph ", nth,
                         " starts with '", first, "' (needs '", want, "')");
  return n == *c.num_paragraphs && first == want;
}

// A line that starts a postscript with `marker` (lower case), after leading space and markdown
// emphasis or heading marks ("**P.S.** see you"). The marker must end there ("P.S.A. meeting"
// and "PSYCHOLOGY" start no postscript for "P.S." or "PS") and be followed by some words, on
// its line or the next ones: a bare "P.S." adds nothing.
bool Postscript(std::string_view text, std::string_view marker, std::string* detail) {
  const std::string lower_marker = ToLower(StripSpace(marker));
  std::string prefix;
  if (lower_marker == "p.p.s") {
    prefix = R"(^([\s*_#>]*p\.\s?p\.\s?s))";
  } else if (lower_marker == "p.s.") {
    prefix = R"(^([\s*_#>]*p\.\s?s\.))";
  } else {
    prefix = absl::StrCat(R"(^([\s*_#>]*)", RE2::QuoteMeta(lower_marker), ")");
  }
  const RE2 re(absl::StrCat(prefix, R"((?:[^\pL\pN]|$))"));
  bool bare = false;
  for (std::string_view line : Lines(text)) {
    const std::string lower = ToLower(line);
    re2::StringPiece head;
    if (!RE2::PartialMatch(lower, re, &head)) continue;
    const size_t line_end = static_cast<size_t>(line.data() - text.data()) + line.size();
    if (HasWordCharacter(std::string_view(lower).substr(head.size())) ||
        HasWordCharacter(text.substr(line_end))) {
      *detail = "postscript found";
      return true;
    }
    bare = true;
  }
  *detail = bare ? absl::StrCat("'", ToAbsl(marker), "' with nothing after it")
                 : absl::StrCat("no line starts with '", ToAbsl(marker), "'");
  return false;
}

bool BulletLine(std::string_view line) {
  size_t i = line.find_first_not_of(" \t\r");
  if (i == std::string_view::npos || i + 1 >= line.size()) return false;
  if (line[i] == '*') return line[i + 1] != '*';
  // "---" is a markdown rule, not a bullet.
  if (line[i] == '-') return line.find_first_not_of("- \t\r", i) != std::string_view::npos;
  return false;
}

bool ConstrainedResponse(std::string_view text, std::string* detail) {
  static constexpr std::string_view kOptions[] = {"My answer is yes.", "My answer is no.",
                                                  "My answer is maybe."};
  int found = 0;
  for (std::string_view o : kOptions) found += Contains(text, o) ? 1 : 0;
  *detail = absl::StrCat(found, " of the options 'My answer is yes./no./maybe.' (needs 1)");
  return found == 1;  // naming every option is hedging, not choosing one
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// `m` with the brackets `open` and `close` around it peeled off.
std::string_view Inside(std::string_view m, char open, char close) {
  while (!m.empty() && m.front() == open) m.remove_prefix(1);
  while (!m.empty() && m.back() == close) m.remove_suffix(1);
  return m;
}

// *text* or **text** that markdown renders as emphasis: something inside, and no space just
// inside the asterisks ("** **" and the "* 3 *" of "2 * 3 * 4" are not highlights).
bool IsEmphasis(std::string_view m) {
  const std::string_view inner = Inside(m, '*', '*');
  return !inner.empty() && !IsSpace(inner.front()) && !IsSpace(inner.back());
}

// [something]: "[]" and "[ ]" hold no placeholder name.
bool IsPlaceholder(std::string_view m) { return !StripSpace(Inside(m, '[', ']')).empty(); }

// Sections marked by `re` (`spliter` N) with some words in them: a marker with nothing before
// the next one (or the end) marks no section.
int64_t SectionsWithContent(std::string_view text, const RE2& re) {
  int64_t n = 0;
  re2::StringPiece rest(text.data(), text.size());
  re2::StringPiece marker;
  const char* content = nullptr;  // where the previous marker's section starts
  auto close_section = [&](const char* end) {
    if (content != nullptr) {
      n += HasWordCharacter(std::string_view(content, static_cast<size_t>(end - content))) ? 1 : 0;
    }
  };
  while (RE2::FindAndConsume(&rest, re, &marker)) {
    close_section(marker.data());
    content = marker.data() + marker.size();
  }
  close_section(text.data() + text.size());
  return n;
}

bool JsonFormat(std::string_view text, std::string* detail) {
  std::string_view v = StripSpace(text);
  for (std::string_view fence : {"```json", "```Json", "```JSON", "```"}) {
    if (v.starts_with(fence)) {
      v.remove_prefix(fence.size());
      break;
    }
  }
  if (v.ends_with("```")) v.remove_suffix(3);
  v = StripSpace(v);
  simdjson::dom::parser parser;
  simdjson::padded_string padded(v.data(), v.size());
  simdjson::dom::element root;
  if (parser.parse(padded).get(root) != simdjson::SUCCESS) {
    *detail = "not valid JSON (a fence around the whole response is allowed)";
    return false;
  }
  // A bare number or string is valid JSON but wraps nothing: an object or array is required.
  if (!root.is_object() && !root.is_array()) {
    *detail = "JSON, but not an object or array";
    return false;
  }
  *detail = "valid JSON";
  return true;
}

bool TwoResponses(std::string_view text, std::string* detail) {
  std::vector<std::string_view> parts = Split(text, "******");
  std::vector<std::string_view> valid;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (!StripSpace(parts[i]).empty()) {
      valid.push_back(StripSpace(parts[i]));
    } else if (i != 0 && i + 1 != parts.size()) {
      *detail = "an empty response between ****** separators";
      return false;
    }
  }
  *detail = absl::StrCat(valid.size(), " responses separated by ******, needs 2 different");
  return valid.size() == 2 && valid[0] != valid[1];
}

absl::StatusOr<std::string> Detect(std::string_view text, const CheckOptions& o) {
  if (!o.detect_language) {
    return absl::FailedPreconditionError("instruction constraints: no language detector");
  }
  return o.detect_language(text);
}

// What the detector said (`detected`, "" when it could not place the text) against `want`.
std::string DetectedDetail(std::string_view detected, std::string_view want) {
  if (detected.empty()) {
    return absl::StrCat("language not reliably detectable (too short, gibberish or mixed), needs '",
                        ToAbsl(want), "'");
  }
  return absl::StrCat("detected '", ToAbsl(detected), "', needs '", ToAbsl(want), "'");
}

// One strict check of `c` on `text`.
absl::StatusOr<bool> CheckOne(const Constraint& c, const ConstraintInfo& info,
                              std::string_view text, const CheckOptions& o, std::string* detail) {
  switch (info.type) {
    case T::kKeywordsExistence: {
      const std::string lower = ToLower(text);
      for (const std::string& k : c.keywords) {
        if (!Contains(lower, ToLower(k))) {
          *detail = absl::StrCat("keyword '", k, "' missing");
          return false;
        }
      }
      *detail = "all keywords present";
      return true;
    }
    case T::kKeywordsFrequency:
    case T::kWordCountDifferentNumbers: {
      const auto n = static_cast<int64_t>(CountOccurrences(ToLower(text), ToLower(*c.keyword)));
      *detail = Measured(n, absl::StrCat("x '", *c.keyword, "'"), *c.relation, *c.frequency);
      return Compare(n, *c.relation, *c.frequency);
    }
    case T::kForbiddenWords: {
      const std::string lower = ToLower(text);
      for (const std::string& w : c.forbidden_words) {
        if (ContainsWholeWord(lower, ToLower(StripSpace(w)))) {
          *detail = absl::StrCat("forbidden word '", w, "' used");
          return false;
        }
      }
      *detail = "no forbidden word";
      return true;
    }
    case T::kLetterFrequency:
    case T::kLetterCounting2: {
      const std::string lower = ToLower(text);
      const char letter = ToLower(*c.letter)[0];
      const int64_t n = std::count(lower.begin(), lower.end(), letter);
      *detail = Measured(n, absl::StrCat("x '", std::string(1, letter), "'"), *c.let_relation,
                         *c.let_frequency);
      return Compare(n, *c.let_relation, *c.let_frequency);
    }
    case T::kResponseLanguage: {
      if (!HasWordCharacter(text)) {
        *detail = "no words to detect a language from";
        return false;
      }
      absl::StatusOr<std::string> lang = Detect(text, o);
      if (!lang.ok()) return lang.status();
      *detail = DetectedDetail(*lang, *c.language);
      return *lang == *c.language;
    }
    case T::kNumberSentences: {
      const int64_t n = CountSentences(text);
      *detail = Measured(n, "sentences", *c.relation, *c.num_sentences);
      return Compare(n, *c.relation, *c.num_sentences);
    }
    case T::kNumberParagraphs: return NumberParagraphs(text, "***", *c.num_paragraphs, detail);
    case T::kNumberWords: {
      const int64_t n = static_cast<int64_t>(Words(text).size());
      *detail = Measured(n, "words", *c.relation, *c.num_words);
      return Compare(n, *c.relation, *c.num_words);
    }
    case T::kNthParagraphFirstWord: return NthParagraphFirstWord(text, c, detail);
    case T::kNumberPlaceholders: {
      static const RE2* const kRe = new RE2(R"((\[.*?\]))");
      const int64_t n = CountRegex(text, *kRe, IsPlaceholder);
      *detail = absl::StrCat(n, " [placeholders], needs at least ", *c.num_placeholders);
      return n >= *c.num_placeholders;
    }
    case T::kPostscript: return Postscript(text, *c.postscript_marker, detail);
    case T::kNumberBulletLists: {
      int64_t n = 0;
      for (std::string_view line : Lines(text)) n += BulletLine(line) ? 1 : 0;
      *detail = absl::StrCat(n, " bullet points, needs exactly ", *c.num_bullets);
      return n == *c.num_bullets;
    }
    case T::kConstrainedResponse: return ConstrainedResponse(text, detail);
    case T::kNumberHighlightedSections: {
      static const RE2* const kSingle = new RE2(R"((\*[^\n\*]*\*))");
      static const RE2* const kDouble = new RE2(R"((\*\*[^\n\*]*\*\*))");
      const int64_t n =
          CountRegex(text, *kSingle, IsEmphasis) + CountRegex(text, *kDouble, IsEmphasis);
      *detail = absl::StrCat(n, " *highlighted* sections, needs at least ", *c.num_highlights);
      return n >= *c.num_highlights;
    }
    case T::kMultipleSections: {
      RE2 re(absl::StrCat(R"((\s?)", RE2::QuoteMeta(*c.section_spliter), R"(\s?\d+\s?))"));
      const int64_t n = SectionsWithContent(text, re);
      *detail = absl::StrCat(n, " sections marked '", *c.section_spliter,
                             " N' with something in them, needs at least ", *c.num_sections);
      return n >= *c.num_sections;
    }
    case T::kJsonFormat: return JsonFormat(text, detail);
    case T::kTitle: {
      static const RE2* const kRe = new RE2(R"((<<[^\n]+>>))");
      const int64_t n = CountRegex(
          text, *kRe, [](std::string_view m) { return !StripSpace(Inside(m, '<', '>')).empty(); });
      *detail = n > 0 ? "title <<...>> found" : "no title <<...>>";
      return n > 0;
    }
    case T::kTwoResponses: return TwoResponses(text, detail);
    case T::kRepeatPrompt: {
      // The prompt repeated and then an answer: the prompt alone answers nothing.
      const std::string lower = ToLower(StripSpace(text));
      const std::string prompt = ToLower(StripSpace(*c.prompt_to_repeat));
      const bool starts = lower.starts_with(prompt);
      const bool answered =
          starts && HasWordCharacter(std::string_view(lower).substr(prompt.size()));
      *detail = !starts    ? "does not start with the prompt"
                : answered ? "starts with the prompt"
                           : "repeats the prompt and says nothing else";
      return answered;
    }
    case T::kEndChecker: {
      const bool ok =
          ToLower(Inside(StripSpace(text), '"', '"')).ends_with(ToLower(StripSpace(*c.end_phrase)));
      *detail =
          ok ? "ends with the phrase" : absl::StrCat("does not end with '", *c.end_phrase, "'");
      return ok;
    }
    case T::kCapitalWordFrequency: {
      int64_t n = 0;
      for (std::string_view w : Words(text)) n += IsAllUpper(w) ? 1 : 0;
      *detail = Measured(n, "all-capital words", *c.capital_relation, *c.capital_frequency);
      return Compare(n, *c.capital_relation, *c.capital_frequency);
    }
    case T::kEnglishCapital:
    case T::kEnglishLowercase: {
      const bool upper = info.type == T::kEnglishCapital;
      if (!(upper ? IsAllUpper(text) : IsAllLower(text))) {
        *detail = upper ? "has lower-case letters (or none)" : "has capital letters (or none)";
        return false;
      }
      absl::StatusOr<std::string> lang = Detect(text, o);
      if (!lang.ok()) return lang.status();
      *detail =
          absl::StrCat(upper ? "all capitals, " : "all lower case, ", DetectedDetail(*lang, "en"));
      return *lang == "en";
    }
    case T::kNoComma: {
      // ASCII and ideographic/fullwidth commas.
      const bool ok = !Contains(text, ",") && !Contains(text, "\xEF\xBC\x8C") &&
                      !Contains(text, "\xE3\x80\x81");
      *detail = ok ? "no comma" : "has a comma";
      return ok;
    }
    case T::kQuotation: {
      std::string_view v = StripSpace(text);
      // Quotes around nothing are an empty answer, not a quoted one.
      const bool ok = v.size() > 1 && v.front() == '"' && v.back() == '"' &&
                      !StripSpace(v.substr(1, v.size() - 2)).empty();
      *detail = ok ? "wrapped in double quotes" : "not wrapped in double quotes";
      return ok;
    }
    case T::kNoDot: {
      // The full stop in its ASCII, fullwidth and ideographic forms, and the ellipsis.
      const bool ok = !Contains(text, ".") && !Contains(text, "\xEF\xBC\x8E") &&
                      !Contains(text, "\xE3\x80\x82") && !Contains(text, "\xE2\x80\xA6");
      *detail = ok ? "no dot" : "has a dot";
      return ok;
    }
    case T::kNoExclamation: {
      const bool ok = !Contains(text, "!") && !Contains(text, "\xEF\xBC\x81");
      *detail = ok ? "no exclamation mark" : "has an exclamation mark";
      return ok;
    }
    case T::kFirstWordAnswer: {
      const std::string first = FirstWordOf(text);
      const std::string want = ToLower(StripSpace(*c.first_word));
      *detail = absl::StrCat("starts with '", first, "' (needs '", want, "')");
      return first == want;
    }
    case T::kTwoParagraphsStars: return NumberParagraphs(text, "***", 2, detail);
    case T::kTwoParagraphsBlankLine: {
      const int64_t n = BlankLineParagraphs(text);
      *detail = absl::StrCat(n, " paragraphs separated by blank lines, needs 2");
      return n == 2;
    }
    case T::kWordOnce: {
      const auto n = static_cast<int64_t>(CountOccurrences(ToLower(text), ToLower(*c.keyword)));
      *detail = absl::StrCat(n, " x '", *c.keyword, "', needs exactly 1");
      return n == 1;
    }
    case T::kExcludeWord: {
      const bool used = ContainsWholeWord(ToLower(text), ToLower(StripSpace(*c.keyword)));
      *detail = used ? absl::StrCat("'", *c.keyword, "' used") : "keyword not used";
      return !used;
    }
    case T::kKeywordCountExact: {
      // Whole words, case-insensitive: "cat" is not counted in "category".
      const std::string want = ToLower(StripSpace(*c.keyword));
      int64_t n = 0;
      for (std::string_view w : Words(text)) n += ToLower(w) == want ? 1 : 0;
      *detail = absl::StrCat(n, " x '", want, "' as a word, needs exactly ", *c.frequency);
      return n == *c.frequency;
    }
    case T::kLetterCountExact: {
      const std::string lower = ToLower(text);
      const char letter = ToLower(*c.letter)[0];
      const int64_t n = std::count(lower.begin(), lower.end(), letter);
      *detail = absl::StrCat(n, " x '", std::string(1, letter), "' (either case), needs exactly ",
                             *c.let_frequency);
      return n == *c.let_frequency;
    }
    case T::kSpacedDividerParagraphs:
      return NumberParagraphs(text, "* * *", *c.num_paragraphs, detail);
    case T::kStartEnd: return StartEnd(text, detail);
    case T::kPalindrome: return HasPalindrome(text, detail);
    case T::kSquareBrackets: return SquareBrackets(text, detail);
    case T::kNoAdjacentConsecutive: return NoAdjacentConsecutive(text, detail);
  }
  return absl::InternalError("unhandled constraint type");
}

// IFEval's loose variants of `response`, the response itself first.
std::vector<std::string> LooseVariants(std::string_view response) {
  std::vector<std::string_view> lines = Split(response, "\n");
  auto join = [&](size_t from, size_t to) {  // lines[from, to), stripped
    if (from >= to) return std::string();
    const char* begin = lines[from].data();
    const char* end = lines[to - 1].data() + lines[to - 1].size();
    return std::string(StripSpace(std::string_view(begin, static_cast<size_t>(end - begin))));
  };
  const size_t n = lines.size();
  std::vector<std::string> v = {std::string(response), join(1, n), join(0, n - 1),
                                join(1, n > 0 ? n - 1 : 0)};
  for (size_t i = 0; i < 4; ++i) v.push_back(absl::StrReplaceAll(v[i], {{"*", ""}}));
  return v;
}

}  // namespace

absl::Status ValidateConstraints(const std::vector<Constraint>& constraints) {
  if (constraints.empty()) {
    return absl::InvalidArgumentError("an instruction reference needs at least one constraint");
  }
  for (size_t i = 0; i < constraints.size(); ++i) {
    if (absl::Status s = ValidateConstraint(constraints[i], static_cast<int>(i)); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<ConstraintOutcome>> CheckConstraints(
    std::string_view response, const std::vector<Constraint>& constraints,
    const CheckOptions& options) {
  if (absl::Status s = ValidateConstraints(constraints); !s.ok()) return s;
  const std::vector<std::string> variants =
      options.loose ? LooseVariants(response) : std::vector<std::string>{std::string(response)};
  std::vector<ConstraintOutcome> out;
  out.reserve(constraints.size());
  for (const Constraint& c : constraints) {
    const ConstraintInfo& info = *FindConstraint(c.id);
    ConstraintOutcome outcome{c.id, false, "empty response"};
    for (size_t i = 0; i < variants.size() && !outcome.followed; ++i) {
      if (StripSpace(variants[i]).empty()) continue;
      std::string detail;
      absl::StatusOr<bool> ok = CheckOne(c, info, variants[i], options, &detail);
      if (!ok.ok()) return ok.status();
      // The strict reading's detail explains a failure; a passing variant explains a pass.
      if (*ok || i == 0) outcome.detail = std::move(detail);
      if (*ok && i > 0) absl::StrAppend(&outcome.detail, " (loose variant ", i, ")");
      outcome.followed = *ok;
    }
    out.push_back(std::move(outcome));
  }
  return out;
}

}  // namespace verdict::instruct
