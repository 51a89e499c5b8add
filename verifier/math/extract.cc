// Answer extraction per DESIGN §5: boxes, markers, phrases, retractions, and the public entry
// points. The prose around an answer (math spans, sentences, the value a sentence states) is
// sentence.h's. Every search here is a bounded number of linear scans; no recursion.
#include "verifier/math/extract.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/strings.h"
#include "verifier/math/sentence.h"

namespace verdict::math {
namespace {

using sentence::Cue;
using sentence::FindCue;
using sentence::IsDigit;
using sentence::IsLetter;
using sentence::IsSpace;
using sentence::kMaxSentenceBytes;
using sentence::kNpos;
using sentence::Mask;
using sentence::MathSpans;
using sentence::OneOf;
using sentence::Range;
using sentence::Reduced;
using sentence::ReduceRegion;
using sentence::ReduceSentence;
using sentence::Sentences;
using sentence::Span;
using sentence::StatesAValue;
using sentence::Trim;
using sentence::TrimPunct;
using sentence::Word;
using sentence::Words;

// Final answers are at the end: phrases are looked for in this many trailing bytes.
constexpr size_t kPhraseTailBytes = 8192;
// Retraction cues are looked for in this many bytes after the answer.
constexpr size_t kCueWindowBytes = 16384;

// The last occurrence of `needle` in `t` at or before `before`, or npos. std::string_view::rfind
// calls memcmp at every position; this tests the first byte inline, which makes searching a
// long completion that holds no box several times faster.
size_t RFind(std::string_view t, std::string_view needle, size_t before = kNpos) {
  if (needle.empty() || needle.size() > t.size()) return kNpos;
  size_t p = std::min(before, t.size() - needle.size());
  const char first = needle[0];
  for (;; --p) {
    if (t[p] == first && t.substr(p, needle.size()) == needle) return p;
    if (p == 0) return kNpos;
  }
}

// --- Retraction: text after an answer that takes it back. ---

std::string Collapse(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (!IsSpace(c) && c != '$') out.push_back(c);
  }
  return out;
}

std::optional<Reduced> PhraseAnswer(std::string_view text, size_t* phrase_end);
std::optional<std::string> HashMarker(std::string_view text);

// Whether `s` holds a LaTeX command (`-\\pi`, `\\emptyset`, `\\infty`): a value with no digit that
// a final-answer statement can still state.
bool HasMathCommand(std::string_view s) {
  for (size_t i = 0; i + 1 < s.size(); ++i) {
    if (s[i] == '\\' && IsLetter(s[i + 1])) return true;
  }
  return false;
}

// Whether `value` is the content of a math span of `text` (`$C$`, `$-B$`): a value with no digit
// and no command that a final-answer statement still states, unlike the prose "the answer is a".
bool WrittenAsMath(std::string_view text, std::string_view value) {
  for (const Span& sp : MathSpans(text)) {
    const std::string_view content =
        text.substr(sp.content_begin, sp.content_end - sp.content_begin);
    if (Collapse(content) == Collapse(value)) return true;
  }
  return false;
}

// What the text after an answer does to it (CheckTail).
enum class AfterAnswer { kStands, kReplaced, kRetracted, kHedged };

// "\boxed{5} or 6", "$\boxed{5}$. Or maybe $6$.": the answer is one of several candidates. A
// restatement ("or equivalently $0.5$", "or, written differently, 5") is not another candidate.
bool HedgedRightAfter(std::string_view answer, std::string_view window) {
  std::string_view head = window.substr(0, std::min<size_t>(window.size(), 256));
  // The math the answer stood in closes first: "$\boxed{5}$ or $6$".
  while (!head.empty()) {
    if (head.front() == '$' || head.front() == ' ' || head.front() == ',') {
      head.remove_prefix(1);
    } else if (head.size() > 1 && head[0] == '\\' && (head[1] == ')' || head[1] == ']')) {
      head.remove_prefix(2);
    } else {
      break;
    }
  }
  const std::string mask = Mask(head, MathSpans(head));
  const std::vector<Word> words = Words(mask);
  if (words.empty() || !OneOf(words[0].lower, {"or", "maybe", "perhaps", "possibly",
                                               "alternatively", "otherwise"})) {
    return false;
  }
  for (size_t i = 0; i < words[0].begin; ++i) {  // only spacing, punctuation, `\text{` before it
    if (mask[i] == '\\') {
      while (i + 1 < words[0].begin && IsLetter(mask[i + 1])) ++i;
      continue;
    }
    if (IsLetter(mask[i]) || IsDigit(mask[i]) || mask[i] == '\x01') return false;
  }
  const std::vector<Range> sentences = Sentences(std::string_view(mask).substr(words[0].begin));
  if (sentences.empty()) return false;
  const std::string_view sentence = head.substr(words[0].begin, sentences[0].end);
  if (!StatesAValue(sentence)) return false;
  for (const Word& w : Words(std::string_view(mask).substr(words[0].begin, sentences[0].end))) {
    if (OneOf(w.lower, {"equivalently", "equivalent", "written", "simplified", "simplifies",
                        "approximately", "about", "roughly", "decimal", "i", "e", "ie"})) {
      return false;  // "\boxed{\frac12}, or equivalently $0.5$": the same answer again
    }
  }
  std::optional<Reduced> value = ReduceSentence(sentence);
  return !value || Collapse(value->text) != Collapse(answer);
}

// What the text after an answer does to it: nothing (no cue, or it restates the same value),
// replaces it (it states another value after a cue, or a later final-answer statement), retracts
// it without a replacement (a strong cue and no value), or offers another candidate beside it.
AfterAnswer CheckTail(std::string_view answer, std::string_view tail, Reduced* replacement) {
  // A second thought comes right after the answer: cues are looked for in a bounded window, so
  // the search stays linear even when a box opens a 16 MiB completion.
  const std::string_view window = tail.substr(0, std::min(tail.size(), kCueWindowBytes));
  if (HedgedRightAfter(answer, window)) return AfterAnswer::kHedged;
  const Cue cue = FindCue(window);
  const std::string_view after = cue.end == kNpos ? tail : tail.substr(cue.end);
  std::optional<Reduced> stated;
  size_t phrase_end = 0;
  if (std::optional<std::string> hash = HashMarker(after)) {
    stated = Reduced{*hash, "a later \"####\" line"};
  } else if (std::optional<Reduced> p = PhraseAnswer(after, &phrase_end);
             p && p->single &&
             (StatesAValue(p->text) || HasMathCommand(p->text) ||
              WrittenAsMath(after.substr(0, phrase_end), p->text))) {
    stated = Reduced{p->text, "a later final-answer statement"};
  } else if (cue.end != kNpos) {
    // The last sentence after the cue that states a value, if it states one value.
    const std::string_view near = window.substr(cue.end);
    const std::string mask = Mask(near, MathSpans(near));
    const std::vector<Range> sentences = Sentences(mask);
    for (size_t k = sentences.size(); k-- > 0;) {
      std::string_view s = near.substr(sentences[k].begin, sentences[k].end - sentences[k].begin);
      if (!StatesAValue(s)) continue;
      if (std::optional<Reduced> r = ReduceSentence(s)) stated = Reduced{r->text, ""};
      break;
    }
    // A retraction with no clear value leaves no answer; a second thought ("wait, let me check")
    // that states none leaves it standing.
    if (!stated) return cue.strong ? AfterAnswer::kRetracted : AfterAnswer::kStands;
  }
  if (!stated) return AfterAnswer::kStands;
  if (Collapse(stated->text) == Collapse(answer)) return AfterAnswer::kStands;
  *replacement = std::move(*stated);
  return AfterAnswer::kReplaced;
}

// --- Boxes. ---

// Where the outermost box whose braces are still open at `pos` starts (`\boxed{-42 \boxed{42}}`
// at the inner box: the outer one), or kNpos when `pos` is inside no box.
size_t OutermostOpenBox(std::string_view text, size_t pos) {
  std::vector<size_t> starts;  // the open boxes' commands, outermost first
  std::vector<int> depths;     // the brace depth each of them closes back to
  int depth = 0;
  for (size_t j = 0; j < pos && j < text.size(); ++j) {
    if (text[j] == '\\') {
      for (std::string_view cmd : {std::string_view("\\boxed"), std::string_view("\\fbox")}) {
        if (text.substr(j, cmd.size()) != cmd) continue;
        size_t k = j + cmd.size();
        while (k < text.size() && text[k] == ' ') ++k;
        if (k < pos && text[k] == '{') {
          starts.push_back(j);
          depths.push_back(depth++);
          j = k;
        }
        break;
      }
      if (text[j] == '\\') ++j;  // an escaped brace does not count
      continue;
    }
    if (text[j] == '{') ++depth;
    if (text[j] == '}') {
      --depth;
      while (!depths.empty() && depths.back() >= depth) {
        depths.pop_back();
        starts.pop_back();
      }
    }
  }
  return starts.empty() ? kNpos : starts.front();
}

// The content of the box whose command (`cmd_len` bytes) starts at `start`: balanced braces, or
// `\boxed 5`'s next run of non-space characters.
bool BoxAt(std::string_view text, size_t start, size_t cmd_len, std::string_view* out, size_t* end);

// The content of the last \boxed{...} or \fbox{...} in `text` (balanced braces), or of
// `\boxed 5`, with where the command starts and where it ends. A box inside another box is part
// of it: `\boxed{-42 \boxed{42}}` is the answer `-42 \boxed{42}`, not `42`.
bool LastBoxed(std::string_view text, std::string_view* out, size_t* command_start, size_t* end) {
  size_t best = kNpos;
  size_t best_len = 0;
  for (std::string_view cmd : {std::string_view("\\boxed"), std::string_view("\\fbox")}) {
    size_t pos = RFind(text, cmd);
    if (pos == kNpos) continue;
    if (best != kNpos && pos < best) continue;
    best = pos;
    best_len = cmd.size();
  }
  if (best == kNpos) return false;
  if (!BoxAt(text, best, best_len, out, end)) return false;
  *command_start = best;
  const std::string_view before = text.substr(0, best);
  const bool may_nest = RFind(before, "\\boxed") != kNpos || RFind(before, "\\fbox") != kNpos;
  if (size_t outer = may_nest ? OutermostOpenBox(text, best) : kNpos; outer != kNpos) {
    const size_t outer_len = text.substr(outer, 5) == "\\fbox" ? 5 : 6;
    std::string_view outer_out;
    size_t outer_end = 0;
    // An outer box that never closes leaves the inner one the answer, as before.
    if (BoxAt(text, outer, outer_len, &outer_out, &outer_end) && outer_end >= *end) {
      *out = outer_out;
      *command_start = outer;
      *end = outer_end;
    }
  }
  return true;
}

bool BoxAt(std::string_view text, size_t best, size_t best_len, std::string_view* out,
           size_t* end) {
  size_t i = best + best_len;
  while (i < text.size() && text[i] == ' ') ++i;
  if (i < text.size() && text[i] == '{') {
    int depth = 0;
    for (size_t j = i; j < text.size(); ++j) {
      if (text[j] == '\\' && j + 1 < text.size()) {
        ++j;  // an escaped brace does not count
        continue;
      }
      if (text[j] == '{') ++depth;
      if (text[j] == '}' && --depth == 0) {
        *out = text.substr(i + 1, j - i - 1);
        *end = j + 1;
        return true;
      }
    }
    return false;  // unbalanced
  }
  // \boxed 5: the next run of non-space characters.
  size_t j = i;
  while (j < text.size() && !IsSpace(text[j]) && text[j] != '$') ++j;
  if (j == i || i == best + best_len) return false;  // "\boxedfoo" is another command
  *out = text.substr(i, j - i);
  *end = j;
  return true;
}

// Whether the text between two boxes makes them one list ("\boxed{-2} \quad \text{and} \quad
// \boxed{1}", "\boxed{1} papers and \boxed{2}", "\(\boxed{1}\) and \(\boxed{-2}\)", a rule of
// three or more `+`, `-`, `=`, `*` or `~` between them) rather than two statements ("\boxed{2}.
// Wait, no: \boxed{3}", "... Therefore the answer is \boxed{3}").
bool BoxesAreOneList(std::string_view gap) {
  if (gap.size() > 96) return false;
  std::string prose;  // the gap without LaTeX spacing and wrappers
  for (size_t i = 0; i < gap.size();) {
    const char c = gap[i];
    if (c == '\\') {
      size_t j = i + 1;
      while (j < gap.size() && IsLetter(gap[j])) ++j;
      std::string_view cmd = gap.substr(i + 1, j - i - 1);
      if (cmd.empty()) {  // \, \; \! \( \) \[ \] \\ and "\ "
        if (j < gap.size() && std::string_view(",;:! ()[]\\").find(gap[j]) != kNpos) {
          prose.push_back(' ');
          i = j + 1;
          continue;
        }
        if (j == gap.size()) break;  // the first of a doubled `\\boxed`'s backslashes
        return false;
      }
      if (OneOf(cmd, {"quad", "qquad", "text", "textbf", "textit", "mbox", "mathrm", "hspace",
                      "enspace", "space"})) {
        prose.push_back(' ');
        i = j;
        if (cmd == "hspace") {  // \hspace{1em}: skip the length
          size_t close = gap.find('}', i);
          if (close == kNpos) return false;
          i = close + 1;
        }
        continue;
      }
      return false;
    }
    if (c == '_' && i > 0 && IsLetter(gap[i - 1])) {  // a subscripted name: "and \( y_2 = "
      size_t j = i + 1;
      if (j < gap.size() && gap[j] == '{') {
        const size_t close = gap.find('}', j);
        if (close == kNpos || close - j > 4) return false;
        j = close + 1;
      } else if (j < gap.size() && (IsDigit(gap[j]) || IsLetter(gap[j]))) {
        ++j;
      }
      i = j;
      continue;
    }
    if (std::string_view("+-=*~").find(c) != kNpos && i + 2 < gap.size() && gap[i + 1] == c &&
        gap[i + 2] == c) {  // a rule drawn between them: "\\boxed{35 cm} ++++++ \\boxed{4}"
      while (i < gap.size() && gap[i] == c) ++i;
      prose.push_back(' ');
      continue;
    }
    if (c == '{' || c == '}' || c == '$' || c == '~' || c == '&') {
      prose.push_back(' ');
    } else {
      prose.push_back(c);
    }
    ++i;
  }
  const std::vector<Word> words = Words(prose);
  if (words.size() > 8) return false;
  bool hedge = false;
  for (const Word& w : words) {
    if (OneOf(w.lower,
              {"therefore", "thus",  "so",     "hence",    "answer",     "final",  "correct",
               "wait",      "no",    "not",    "actually", "instead",    "wrong",  "incorrect",
               "mistake",   "oops",  "sorry",  "hmm",      "correction", "rather", "but",
               "however",   "check", "verify", "then"})) {
      return false;
    }
    hedge = hedge || w.lower == "or";
  }
  for (size_t i = 0; i < prose.size(); ++i) {
    const char c = prose[i];
    if (IsLetter(c) || IsSpace(c) || c == ',' || c == ';' || c == '=') continue;
    if ((c == '.' || c == ':') && hedge) continue;
    if (c == '(') {  // a part label: (a), (ii), (2)
      size_t close = prose.find(')', i);
      if (close == kNpos || close - i > 4) return false;
      i = close;
      continue;
    }
    return false;
  }
  return true;
}

struct Boxes {
  std::string text;  // one box's content, or "{a}, {b}" for a list of boxes
  size_t begin = 0, end = 0;
};

// Whether the short text between two boxes offers the second as an alternative to the first
// ("if $x > 0$; otherwise", "or possibly") with no correction cue ("wait", "no", "actually", ...:
// then the second box replaces the first).
bool AlternativeBetweenBoxes(std::string_view gap) {
  if (gap.size() > 160) return false;
  bool alternative = false;
  for (const Word& w : Words(gap)) {
    if (OneOf(w.lower, {"wait",      "no",      "not",     "actually", "instead", "wrong",
                        "incorrect", "mistake", "oops",    "sorry",    "hmm",     "correction",
                        "rather",    "but",     "however", "check",    "verify",  "therefore",
                        "thus",      "so",      "hence",   "answer",   "final",   "correct"})) {
      return false;
    }
    alternative = alternative || OneOf(w.lower, {"otherwise", "or", "alternatively", "maybe",
                                                 "perhaps", "possibly", "else"});
  }
  return alternative;
}

// The content of a box that holds other boxes beside more text (`\boxed{-42 \boxed{42}}`): each
// inner box is one more candidate, as boxes side by side are (`-42 , {42}`), never the product
// `1 \boxed{10}` = 10. A box holding one box alone (`\boxed{\boxed{42}}`) is that box.
std::string BoxesInsideAsList(std::string_view content) {
  std::string_view inner = content;
  while (!inner.empty() && IsSpace(inner.front())) inner.remove_prefix(1);
  while (!inner.empty() && IsSpace(inner.back())) inner.remove_suffix(1);
  for (std::string_view cmd : {std::string_view("\\boxed"), std::string_view("\\fbox")}) {
    std::string_view box;
    size_t box_end = 0;
    if (inner.substr(0, cmd.size()) == cmd && BoxAt(inner, 0, cmd.size(), &box, &box_end) &&
        box_end == inner.size()) {
      return std::string(content);
    }
  }
  std::string out;
  for (size_t i = 0; i < content.size();) {
    bool replaced = false;
    for (std::string_view cmd : {std::string_view("\\boxed"), std::string_view("\\fbox")}) {
      if (content.substr(i, cmd.size()) == cmd) {
        out += " , ";
        i += cmd.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) out.push_back(content[i++]);
  }
  return out;
}

// The last box and the boxes listed beside it as one list: several boxes are several answers,
// which never match a single gold answer, and together match a gold list.
std::optional<Boxes> BoxedRegion(std::string_view text) {
  std::string_view last;
  size_t start = 0, end = 0;
  if (!LastBoxed(text, &last, &start, &end)) return std::nullopt;
  std::vector<std::string_view> chain = {last};
  for (int guard = 0; guard < 64; ++guard) {
    std::string_view prev;
    size_t prev_start = 0, prev_end = 0;
    if (!LastBoxed(text.substr(0, start), &prev, &prev_start, &prev_end)) break;
    if (!BoxesAreOneList(text.substr(prev_end, start - prev_end))) break;
    chain.push_back(prev);
    start = prev_start;
  }
  // A box offered as the alternative to an earlier one (`\boxed{4} if $x>0$, otherwise
  // \boxed{5}`) is a hedge between the two: read as the list of both, never the last alone.
  std::string_view prev;
  size_t prev_start = 0, prev_end = 0;
  if (chain.size() < 64 && LastBoxed(text.substr(0, start), &prev, &prev_start, &prev_end) &&
      AlternativeBetweenBoxes(text.substr(prev_end, start - prev_end))) {
    chain.push_back(prev);
    start = prev_start;
  }
  Boxes b;
  b.begin = start;
  b.end = end;
  if (chain.size() == 1) {
    b.text = BoxesInsideAsList(last);
    return b;
  }
  for (size_t i = chain.size(); i-- > 0;) {
    absl::StrAppend(&b.text, b.text.empty() ? "" : ", ", "{",
                    absl::string_view(chain[i].data(), chain[i].size()), "}");
  }
  return b;
}

// --- Markers and phrases. ---

// GSM8K's answer line: the last "####" of the text, when what follows it on its line is a number
// ("#### 18", "#### $18", "#### 1,624"); a markdown heading ("#### Step 2", "#### 3. Setup") is
// not one.
std::optional<std::string> HashMarker(std::string_view text) {
  size_t pos = RFind(text, "####");
  if (pos == kNpos) return std::nullopt;
  std::string_view rest = text.substr(pos + 4);
  rest = rest.substr(0, rest.find('\n'));
  rest = TrimPunct(rest);
  if (!rest.empty() && rest.front() == '$') rest.remove_prefix(1);
  if (rest.size() > 1 && rest[0] == '\\' && rest[1] == '$') rest.remove_prefix(2);
  rest = Trim(rest);
  // Only a number: a numbered markdown heading ("#### 3. Final Answer") is not the marker.
  bool digits = false;
  for (size_t i = 0; i < rest.size(); ++i) {
    const char c = rest[i];
    digits = digits || IsDigit(c);
    if (IsDigit(c) || c == ',' || c == '.' || (c == '-' && i == 0)) continue;
    if (c == '%' && i + 1 == rest.size()) continue;
    return std::nullopt;
  }
  if (!digits) return std::nullopt;
  return std::string(rest);
}

// Where the answer after a final-answer phrase starts, or npos. `lower` is the lower-cased text,
// `p` the position of a word "answer" in it.
size_t AfterPhrase(std::string_view lower, size_t p) {
  if (p > 0 && IsLetter(lower[p - 1])) return kNpos;
  size_t q = p + 6;
  bool plural = q < lower.size() && lower[q] == 's';
  if (plural) ++q;
  if (q < lower.size() && IsLetter(lower[q])) return kNpos;
  const bool final_word = p >= 6 && lower.substr(p - 6, 6) == "final ";
  size_t line_start = lower.rfind('\n', p == 0 ? 0 : p - 1);
  line_start = line_start == kNpos || p == 0 ? 0 : line_start + 1;
  bool at_line_start = true;  // only markdown or spaces before "(final) answer" on its line
  for (size_t i = line_start; at_line_start && i < (final_word ? p - 6 : p); ++i) {
    at_line_start = lower[i] == '*' || lower[i] == '#' || IsSpace(lower[i]);
  }
  size_t r = q;
  bool stars = false;
  while (r < lower.size() && (lower[r] == '*' || lower[r] == ' ' || lower[r] == '\t')) {
    stars = stars || lower[r] == '*';
    ++r;
  }
  auto skip = [&](size_t i) {
    while (i < lower.size() && (lower[i] == '*' || lower[i] == ':' || IsSpace(lower[i]))) ++i;
    return i;
  };
  if (lower.substr(r, plural ? 4 : 3) == (plural ? "are " : "is ") ||
      lower.substr(r, plural ? 4 : 3) == (plural ? "are:" : "is:")) {
    return skip(r + (plural ? 3 : 2));
  }
  if (r < lower.size() && lower[r] == ':') return skip(r + 1);
  if ((final_word || at_line_start) && (stars || (r < lower.size() && lower[r] == '\n'))) {
    return skip(r);  // "**Final Answer**\n42", "**Answer** 42"
  }
  if (at_line_start && r > q && r < lower.size() &&
      (IsDigit(lower[r]) || lower[r] == '$' ||
       (lower[r] == '\\' && r + 1 < lower.size() &&
        (lower[r + 1] == '(' || lower[r + 1] == '[')))) {
    return r;  // "Answer $9$", "Answer \[ 9 \]"
  }
  return kNpos;
}

// The sentence that starts at `from`: up to its end outside math, or its line's end.
std::string_view SentenceAt(std::string_view text, size_t from) {
  std::string_view rest = text.substr(from);
  rest = rest.substr(0, std::min(rest.size(), 2 * kMaxSentenceBytes));
  const std::vector<Span> spans = MathSpans(rest);
  const std::string mask = Mask(rest, spans);
  std::vector<Range> sentences = Sentences(mask);
  if (sentences.empty()) return {};
  return rest.substr(0, sentences[0].end);
}

// Whether "answer" (in any case) occurs in `t`: a memchr-speed scan for "nswer"/"NSWER" first.
bool HasAnswerWord(std::string_view t) {
  for (std::string_view probe : {std::string_view("nswer"), std::string_view("NSWER")}) {
    for (size_t p = t.find(probe, 1); p != kNpos; p = t.find(probe, p + 1)) {
      if (t[p - 1] == 'a' || t[p - 1] == 'A') return true;
    }
  }
  // Mixed case ("AnSwEr") is not worth a copy of the text.
  return false;
}

// The answer after the last final-answer phrase of `text` that states a value (else after the
// last phrase): "The final answer is $x$. I hope it is correct.", "Answer: 42", "the answer is
// **73**", "Final Answer: The largest $n$ is 34." -> 34. `phrase_end` is where its sentence ends.
std::optional<Reduced> PhraseAnswer(std::string_view text, size_t* phrase_end) {
  const size_t base = text.size() > kPhraseTailBytes ? text.size() - kPhraseTailBytes : 0;
  std::string_view tail = text.substr(base);
  if (!HasAnswerWord(tail)) return std::nullopt;  // most texts: no copy, no lower-casing
  const std::string lower = absl::AsciiStrToLower(absl::string_view(tail.data(), tail.size()));
  std::optional<Reduced> first;
  size_t first_end = 0;
  int tried = 0;
  for (size_t p = RFind(lower, "answer"); p != kNpos && tried < 8;
       p = p == 0 ? kNpos : RFind(lower, "answer", p - 1)) {
    size_t from = AfterPhrase(lower, p);
    if (from == kNpos) continue;
    ++tried;
    std::string_view sentence = SentenceAt(tail, from);
    std::string_view trimmed = TrimPunct(sentence);
    if (trimmed.empty()) continue;
    Reduced r;
    if (std::optional<Reduced> narrowed = ReduceSentence(trimmed)) {
      r = std::move(*narrowed);
    } else {
      r.text = std::string(trimmed);
      int prose_words = 0;
      for (const Word& w : Words(Mask(trimmed, MathSpans(trimmed)))) {
        prose_words += w.lower.size() > 1;
      }
      r.single = prose_words == 0;
    }
    const size_t end = base + from + sentence.size();
    if (StatesAValue(trimmed)) {
      *phrase_end = end;
      return r;
    }
    if (!first) {
      first = std::move(r);
      first_end = end;
    }
  }
  if (first) *phrase_end = first_end;
  return first;
}

// `<<9*2=18>>` calculator notes (GSM8K) carry no answer.
std::string DropCalculatorNotes(std::string_view s) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    size_t open = s.find("<<", i);
    if (open == kNpos) break;
    size_t close = s.find(">>", open + 2);
    if (close == kNpos || close - open > 256 || s.substr(open, close - open).find('\n') != kNpos) {
      break;
    }
    out.append(s.substr(i, open - i));
    i = close + 2;
  }
  out.append(s.substr(i));
  return out;
}

Extraction Found(AnswerSource source, std::string_view text, std::string note = "") {
  Extraction e;
  e.source = source;
  e.text = std::string(Trim(DropCalculatorNotes(text)));
  e.note = std::move(note);
  return e;
}

Extraction Refused(AnswerSource source, std::string reason) {
  Extraction e;
  e.source = source;
  e.refusal = std::move(reason);
  return e;
}

// The answer found at `source`, unless the text after it (`tail`) takes it back, replaces it or
// offers another candidate beside it. `what` names the answer in explanations.
Extraction WithTail(AnswerSource source, std::string_view answer, std::string note,
                    std::string_view tail, std::string_view what) {
  const absl::string_view w(what.data(), what.size());
  Reduced replacement;
  switch (CheckTail(answer, tail, &replacement)) {
    case AfterAnswer::kStands: break;
    case AfterAnswer::kReplaced:
      return Found(AnswerSource::kFinalAnswerPhrase, replacement.text,
                   replacement.note.empty()
                       ? absl::StrCat("the value stated after ", w, " was taken back")
                       : absl::StrCat(replacement.note, " after ", w));
    case AfterAnswer::kRetracted:
      return Refused(
          source, absl::StrCat("the text after ", w, " takes it back and states no other value"));
    case AfterAnswer::kHedged:
      return Refused(source, absl::StrCat(w, " is followed by another candidate (\"or ...\")"));
  }
  return Found(source, answer, std::move(note));
}

// The marked answer of `text` (box, "####", phrase); with `check_tail`, what follows it counts.
Extraction MarkedAnswer(std::string_view text, bool check_tail) {
  if (std::optional<Boxes> boxes = BoxedRegion(text)) {
    if (!check_tail) return Found(AnswerSource::kBoxed, boxes->text);
    // The tail starts after the math the box stands in (`$\boxed{B}$. Wait, ... is $C$.`): read
    // from the box's end, the closing `$` would pair with the next one and hide the words
    // between them, the cue included.
    size_t tail = boxes->end;
    for (const Span& sp : MathSpans(text)) {
      if (sp.begin > boxes->begin) break;
      if (sp.end > boxes->end) tail = sp.end;
    }
    return WithTail(AnswerSource::kBoxed, boxes->text, "", text.substr(tail), "the last \\boxed{}");
  }
  if (std::optional<std::string> hash = HashMarker(text)) {
    return Found(AnswerSource::kGsm8kMarker, *hash);
  }
  size_t phrase_end = 0;
  if (std::optional<Reduced> phrase = PhraseAnswer(text, &phrase_end)) {
    if (!check_tail) return Found(AnswerSource::kFinalAnswerPhrase, phrase->text, phrase->note);
    return WithTail(AnswerSource::kFinalAnswerPhrase, phrase->text, phrase->note,
                    text.substr(phrase_end), "the answer");
  }
  return Extraction{};
}

// The last number anywhere (ExtractOptions::last_number_fallback).
std::optional<std::string_view> LastNumber(std::string_view text) {
  size_t end = text.size();
  while (end > 0 && !IsDigit(text[end - 1])) --end;
  if (end == 0) return std::nullopt;
  size_t start = end;
  while (start > 0 && (IsDigit(text[start - 1]) || text[start - 1] == '.')) --start;
  if (start > 0 && text[start - 1] == '-') --start;
  return text.substr(start, end - start);
}

// The part of a completion an answer may come from: reasoning is never the answer. Text inside
// <think>...</think> is dropped (the answer follows the last "</think>"), and so is everything
// after a "<think>" that never closes. The same rule for every template, `check` and `score`.
std::string_view OutsideReasoning(std::string_view text) {
  if (const size_t close = RFind(text, "</think>"); close != kNpos) text.remove_prefix(close + 8);
  if (const size_t open = text.find("<think>"); open != kNpos) text = text.substr(0, open);
  return text;
}

}  // namespace

std::string_view AnswerSourceName(AnswerSource source) {
  switch (source) {
    case AnswerSource::kNone: return "none";
    case AnswerSource::kAnswerTag: return "answer_tag";
    case AnswerSource::kBoxed: return "boxed";
    case AnswerSource::kFinalAnswerPhrase: return "final_answer_phrase";
    case AnswerSource::kGsm8kMarker: return "gsm8k_marker";
    case AnswerSource::kWholeText: return "whole_text";
  }
  return "none";
}

Extraction ExtractAnswer(std::string_view completion, const ExtractOptions& options) {
  completion = OutsideReasoning(completion);
  if (options.use_answer_tag) {
    const size_t open = RFind(completion, "<answer>");
    if (open != kNpos) {
      Extraction e;
      e.source = AnswerSource::kAnswerTag;
      if (const size_t blocks = CountOccurrences(completion, "<answer>"); blocks > 1) {
        // Hedging over several blocks earns no accuracy (README "Answer extraction").
        e.refusal = absl::StrCat(blocks, " <answer> blocks: several candidates for one answer");
        return e;
      }
      const size_t start = open + 8;
      const size_t close = completion.find("</answer>", start);
      const std::string_view body =
          completion.substr(start, close == kNpos ? completion.size() - start : close - start);
      Extraction inner = MarkedAnswer(body, /*check_tail=*/true);
      if (!inner.refusal.empty()) {
        e.refusal = std::move(inner.refusal);
        return e;
      }
      if (inner.source != AnswerSource::kNone) {
        inner.note =
            inner.note.empty() ? std::string() : absl::StrCat(inner.note, " in the <answer> block");
        inner.source = AnswerSource::kAnswerTag;
        return inner;
      }
      if (std::optional<Reduced> r = ReduceRegion(body)) {
        return Found(AnswerSource::kAnswerTag, r->text, r->note);
      }
      return Found(AnswerSource::kAnswerTag, body);
    }
  }
  Extraction marked = MarkedAnswer(completion, /*check_tail=*/true);
  if (marked.source != AnswerSource::kNone) return marked;
  if (options.last_number_fallback) {
    if (std::optional<std::string_view> n = LastNumber(completion)) {
      return Found(AnswerSource::kFinalAnswerPhrase, *n, "the last number of the text");
    }
  }
  return marked;
}

Extraction ExtractBareAnswer(std::string_view answer, const ExtractOptions& options) {
  Extraction marked = ExtractAnswer(answer, options);
  if (marked.source != AnswerSource::kNone) return marked;
  const std::string_view outside = OutsideReasoning(answer);
  if (outside.size() != answer.size() && Trim(outside).empty()) {
    // `verdict check GOLD "<think>… \boxed{5}</think>"`: as in `score`, no answer.
    return Refused(AnswerSource::kNone,
                   "the text holds reasoning (<think>) and no answer after it");
  }
  answer = outside;
  if (std::optional<Reduced> r = ReduceRegion(answer)) {
    return Found(AnswerSource::kWholeText, r->text, r->note);
  }
  Extraction whole;
  whole.source = AnswerSource::kWholeText;
  whole.text = std::string(answer);
  return whole;
}

Extraction ExtractGold(std::string_view gold) {
  gold = Trim(gold);
  Extraction e;
  if (const size_t hashes = RFind(gold, "####"); hashes != kNpos) {
    // GSM8K's answer column: whatever follows the marker is the answer, boxed or not.
    std::string_view rest = gold.substr(hashes + 4);
    std::string_view boxed;
    size_t start = 0, end = 0;
    if (LastBoxed(rest, &boxed, &start, &end)) rest = boxed;
    e = Found(AnswerSource::kGsm8kMarker, rest);
  } else {
    // A reference is trusted: no retraction check, and no <answer> tags to look for.
    e = MarkedAnswer(gold, /*check_tail=*/false);
  }
  if (e.source == AnswerSource::kNone) {
    if (std::optional<Reduced> r = ReduceRegion(gold)) {
      e = Found(AnswerSource::kWholeText, r->text, r->note);
    } else {
      e = Found(AnswerSource::kWholeText, gold);
    }
  }
  // Say so when a solution text was reduced to its answer (not for `\boxed{5}` or `$5$`).
  if (e.source != AnswerSource::kWholeText || !e.note.empty()) {
    const std::vector<Span> spans = MathSpans(gold);
    int words = 0;
    for (const Word& w : Words(Mask(gold, spans))) {
      words += w.lower.size() > 1 && !OneOf(w.lower, {"boxed", "fbox"});
    }
    if (words >= 3) {
      std::string_view how = e.source == AnswerSource::kBoxed         ? "its \\boxed{}"
                             : e.source == AnswerSource::kGsm8kMarker ? "its #### line"
                             : e.source == AnswerSource::kFinalAnswerPhrase
                                 ? "its final-answer phrase"
                                 : "its one stated value";
      e.note =
          absl::StrCat("the gold solution text was reduced to ",
                       absl::string_view(how.data(), how.size()), ": '", e.text.substr(0, 80), "'");
    } else if (e.source != AnswerSource::kWholeText) {
      e.note.clear();
    }
  }
  return e;
}

}  // namespace verdict::math
