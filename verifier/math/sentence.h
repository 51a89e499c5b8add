// Prose around a math answer, for extract.cc: math spans, sentences, words, and the one value a
// sentence states ("The largest $n$ is 34." -> 34). Internal to verifier/math.
//
// Contract: pure functions, linear in their input (no input-driven recursion), thread-safe.
#ifndef VERDICT_VERIFIER_MATH_SENTENCE_H_
#define VERDICT_VERIFIER_MATH_SENTENCE_H_

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace verdict::math::sentence {

inline constexpr size_t kNpos = std::string_view::npos;
// A sentence longer than this is not "a sentence that states the answer".
inline constexpr size_t kMaxSentenceBytes = 4096;

inline bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }
inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }
inline bool IsLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::string_view Trim(std::string_view s);
// Also drops sentence punctuation and markdown emphasis around it: "**34.**" -> "34".
std::string_view TrimPunct(std::string_view s);
bool OneOf(std::string_view w, std::initializer_list<std::string_view> set);

// A math span: `$…$`, `$$…$$`, `\(…\)` or `\[…\]`.
struct Span {
  size_t begin = 0, end = 0;                  // the whole span, delimiters included
  size_t content_begin = 0, content_end = 0;  // between the delimiters
};

// The math spans of `t` in order. A backslash escapes the next character, so `\$` inside math is
// a dollar sign, not a delimiter. Inline spans (`$`, `\(`) end at a line break; block spans
// (`$$`, `\[`) may run over lines.
std::vector<Span> MathSpans(std::string_view t);

// `t` with every math span replaced by '\x01' bytes (same length), so that prose can be scanned
// without looking into math.
std::string Mask(std::string_view t, const std::vector<Span>& spans);

struct Range {
  size_t begin = 0, end = 0;
};

// The sentences of a masked text: ". " (or "!", "?") and line breaks end one.
std::vector<Range> Sentences(std::string_view mask);

struct Word {
  size_t begin = 0, end = 0;
  std::string lower;
};

// Letter runs of a masked text (with inner apostrophes: "it's") that are not LaTeX commands.
std::vector<Word> Words(std::string_view mask);

// A value found in prose.
struct Reduced {
  std::string text;
  std::string note;  // how it was found, for explanations ("" when nothing was dropped)
  // The text is one value: narrowed from its sentence, or a sentence without prose.
  bool single = true;
};

// The one value a sentence states, or nothing when it states none or several (DESIGN §5).
std::optional<Reduced> ReduceSentence(std::string_view s);

// A region that is prose around an answer: its one sentence that states a value, narrowed by
// ReduceSentence. Several sentences with values are several candidates: nothing.
std::optional<Reduced> ReduceRegion(std::string_view region);

// Whether `s` holds a math span or a digit.
bool StatesAValue(std::string_view s);

// The first second thought ("wait", "hold on", "actually") or retraction ("wrong", "mistake",
// "not correct") in `t`, as words outside math.
struct Cue {
  size_t end = kNpos;   // where the text after the first cue starts (npos: no cue)
  bool strong = false;  // a retraction, not only a second thought
};
Cue FindCue(std::string_view t);

}  // namespace verdict::math::sentence

#endif  // VERDICT_VERIFIER_MATH_SENTENCE_H_
