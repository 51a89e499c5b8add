// Prose around a math answer (sentence.h). Everything scans its text a bounded number of times:
// no recursion, no regular expressions, and a failed search for a closing delimiter is
// remembered, so a run of unclosed `\[` costs one scan, not one per opener.
#include "verifier/math/sentence.h"

#include <algorithm>
#include <array>

#include "absl/strings/ascii.h"

namespace verdict::math::sentence {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// Trailing sentence punctuation and markdown emphasis: "34." -> "34", "**73**" -> "73".
std::string_view TrimPunct(std::string_view s) {
  s = Trim(s);
  while (!s.empty() && (s.front() == '*' || s.front() == ':' || IsSpace(s.front()))) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == '.' || s.back() == '*' || s.back() == ',' || s.back() == ';' ||
          s.back() == '!' || s.back() == '?' || s.back() == ':' || IsSpace(s.back()))) {
    s.remove_suffix(1);
  }
  return s;
}

// --- Math spans: `$…$`, `$$…$$`, `\(…\)`, `\[…\]`. ---

std::vector<Span> MathSpans(std::string_view t) {
  std::vector<Span> spans;
  // Per delimiter kind ($, $$, \(, \[): the position up to which a search for its closer already
  // failed. A later opener before that position fails too, without a second scan.
  std::array<size_t, 4> failed_until = {0, 0, 0, 0};
  size_t i = 0;
  while (i < t.size()) {
    int kind = -1;
    if (t[i] == '$') {
      kind = i + 1 < t.size() && t[i + 1] == '$' ? 1 : 0;
    } else if (t[i] == '\\' && i + 1 < t.size()) {
      if (t[i + 1] == '(') kind = 2;
      if (t[i + 1] == '[') kind = 3;
      if (kind < 0) {
        i += 2;  // `\$` and other escapes outside math
        continue;
      }
    }
    if (kind < 0) {
      ++i;
      continue;
    }
    const size_t open = kind == 0 ? 1 : 2;
    const bool block = kind == 1 || kind == 3;
    if (i < failed_until[kind]) {
      i += open;
      continue;
    }
    size_t close = kNpos;
    size_t j = i + open;
    for (; j < t.size(); ++j) {
      const char c = t[j];
      if (c == '\n' && !block) break;
      if (kind <= 1) {
        if (c == '\\') {
          ++j;
          continue;
        }
        if (c == '$' && (kind == 0 || (j + 1 < t.size() && t[j + 1] == '$'))) {
          close = j;
          break;
        }
      } else if (c == '\\' && j + 1 < t.size()) {
        if (t[j + 1] == (kind == 2 ? ')' : ']')) {
          close = j;
          break;
        }
        ++j;
      }
    }
    if (close == kNpos) {
      failed_until[kind] = j;
      i += open;
      continue;
    }
    const size_t close_len = kind == 0 ? 1 : 2;
    spans.push_back({i, close + close_len, i + open, close});
    i = close + close_len;
  }
  return spans;
}

std::string Mask(std::string_view t, const std::vector<Span>& spans) {
  std::string m(t);
  for (const Span& s : spans) std::fill(m.begin() + s.begin, m.begin() + s.end, '\x01');
  return m;
}

// Sentences of `t`, outside math: ". " (or "!", "?") and line breaks end a sentence. A decimal
// point has no space after it.
std::vector<Range> Sentences(std::string_view mask) {
  std::vector<Range> out;
  size_t start = 0;
  for (size_t i = 0; i <= mask.size(); ++i) {
    bool end = i == mask.size() || mask[i] == '\n';
    size_t cut = i;
    if (!end && (mask[i] == '.' || mask[i] == '!' || mask[i] == '?') &&
        (i + 1 == mask.size() || IsSpace(mask[i + 1]))) {
      end = true;
      cut = i + 1;
    }
    if (!end) continue;
    if (!Trim(mask.substr(start, cut - start)).empty()) out.push_back({start, cut});
    start = std::min(cut, mask.size());
    if (cut == i && i < mask.size()) start = i + 1;
  }
  return out;
}

// --- Prose: words, numbers, operators outside math. ---

std::vector<Word> Words(std::string_view mask) {
  std::vector<Word> words;
  for (size_t i = 0; i < mask.size();) {
    if (!IsLetter(mask[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < mask.size() && (IsLetter(mask[j]) || (mask[j] == '\'' && j + 1 < mask.size() &&
                                                     IsLetter(mask[j + 1]) && j > i))) {
      ++j;
    }
    if (i == 0 || mask[i - 1] != '\\') {
      words.push_back({i, j, absl::AsciiStrToLower(absl::string_view(mask.data() + i, j - i))});
    }
    i = j;
  }
  return words;
}

bool OneOf(std::string_view w, std::initializer_list<std::string_view> set) {
  return std::find(set.begin(), set.end(), w) != set.end();
}

namespace {

// Words that make "a number in a sentence" something other than that number: a hedge, a bound,
// an operation or a scale ("square root of 2", "3 million", "at least 4", "5 or 6").
bool IsHedgeWord(std::string_view w) {
  return OneOf(w, {"or",     "either",  "maybe",   "perhaps",       "possibly", "probably",
                   "not",    "unless",  "except",  "approximately", "approx",   "about",
                   "around", "roughly", "nearly",  "almost",        "between",  "least",
                   "most",   "than",    "neither", "nor",           "if"});
}

// Words that make a value beside them another value: "the square root of $2$", "half of 6",
// "$3$ million", "5 percent".
bool IsOperationWord(std::string_view w) {
  return OneOf(
      w, {"root",      "roots",      "square",    "squared",   "cube",     "cubed",    "half",
          "halves",    "twice",      "double",    "triple",    "thrice",   "times",    "plus",
          "minus",     "over",       "divided",   "power",     "powers",   "percent",  "percentage",
          "factorial", "log",        "ln",        "sin",       "cos",      "tan",      "sqrt",
          "exp",       "reciprocal", "inverse",   "negative",  "opposite", "multiple", "multiples",
          "mod",       "modulo",     "thousand",  "thousands", "million",  "millions", "billion",
          "billions",  "hundred",    "hundreds",  "dozen",     "third",    "thirds",   "quarter",
          "quarters",  "fourth",     "fourths",   "fifth",     "fifths",   "sixth",    "sixths",
          "tenth",     "tenths",     "hundredth", "hundredths"});
}

// Also units and notation that a bare number in prose leaves to the parser ("30 degrees",
// "101 in base 2", "3 point 5").
bool IsMathWord(std::string_view w) {
  return IsOperationWord(w) || OneOf(w, {"per", "fraction", "base", "degree", "degrees", "radian",
                                         "radians", "pi", "point", "decimal"});
}

bool IsCopula(std::string_view w) {
  return OneOf(w, {"is", "are", "was", "were", "equals", "be", "it's", "that's"});
}

// A number written in prose: digits with inner '.' or ',' ("1,000.99"), maybe a sign. `clean`
// when it stands alone: spaces, sentence punctuation, markdown or a currency sign around it.
struct Number {
  size_t begin = 0, end = 0;
  bool clean = false;
};

std::vector<Number> Numbers(std::string_view mask) {
  std::vector<Number> out;
  for (size_t i = 0; i < mask.size();) {
    if (!IsDigit(mask[i])) {
      ++i;
      continue;
    }
    size_t b = i;
    size_t j = i;
    while (j < mask.size() && (IsDigit(mask[j]) || ((mask[j] == '.' || mask[j] == ',') &&
                                                    j + 1 < mask.size() && IsDigit(mask[j + 1])))) {
      ++j;
    }
    if (b > 0 && mask[b - 1] == '-' && (b == 1 || IsSpace(mask[b - 2]))) --b;
    const char before = b == 0 ? ' ' : mask[b - 1];
    const char after = j == mask.size() ? ' ' : mask[j];
    const bool clean_before = IsSpace(before) || before == '*' || before == '"' || before == '$';
    const bool clean_after = IsSpace(after) || std::string_view(".,;:!?*\"").find(after) != kNpos;
    out.push_back({b, j, clean_before && clean_after});
    i = j;
  }
  return out;
}

// Characters that make prose math: an operator or markup outside any math span.
bool HasOperator(std::string_view mask) {
  for (size_t i = 0; i < mask.size(); ++i) {
    const char c = mask[i];
    if (std::string_view("+*/^=<>_{}\\|").find(c) != kNpos) {
      if (c == '*' && (i + 1 < mask.size() && mask[i + 1] == '*')) {  // markdown bold
        ++i;
        continue;
      }
      if (c == '*' && i > 0 && mask[i - 1] == '*') continue;
      return true;
    }
    if (c == '-' &&
        !(i > 0 && i + 1 < mask.size() && IsLetter(mask[i - 1]) && IsLetter(mask[i + 1])) &&
        !(i + 1 < mask.size() && IsDigit(mask[i + 1]))) {
      return true;
    }
  }
  return false;
}

// A span that names something rather than states a value: `$n$`, `$f(x)$`, `$ABCD$`, `$a_1$`.
bool IsLabelSpan(std::string_view content) {
  for (size_t i = 0; i < content.size(); ++i) {
    if (content[i] == '_') {  // a subscript may hold digits
      if (i + 1 < content.size() && content[i + 1] == '{') {
        size_t close = content.find('}', i);
        if (close == kNpos) return false;
        i = close;
      } else {
        ++i;
      }
      continue;
    }
    if (IsDigit(content[i]) || content[i] == '=' || content[i] == '<' || content[i] == '>') {
      return false;
    }
  }
  return true;
}

// --- A sentence that states the answer. ---

// A number with words around it and nothing that changes its meaning: "Jane started growing
// Sphere 3 hours ago" -> 3, never "square root of 2" or "3 million".
std::optional<std::string_view> LoneNumberInProse(std::string_view t, std::string_view mask,
                                                  int min_words) {
  std::vector<Number> numbers = Numbers(mask);
  if (numbers.size() != 1 || !numbers[0].clean || HasOperator(mask)) return std::nullopt;
  if (mask.find('\x01') != kNpos) return std::nullopt;  // a math span beside it
  int words = 0;
  for (const Word& w : Words(mask)) {
    if (w.lower.size() == 1 && w.lower != "a" && w.lower != "i") return std::nullopt;  // a variable
    if (IsHedgeWord(w.lower) || IsMathWord(w.lower)) return std::nullopt;
    ++words;
  }
  if (words < min_words) return std::nullopt;
  std::string_view n = t.substr(numbers[0].begin, numbers[0].end - numbers[0].begin);
  return n;
}

// "X is V": the value after the last copula, when V is one math span or starts with a number and
// X holds no other value (only label spans: "The largest $n$ is 34."). Nothing otherwise.
std::optional<Reduced> CopulaValue(std::string_view s, std::string_view mask,
                                   const std::vector<Span>& spans, const std::vector<Word>& words) {
  for (size_t k = words.size(); k-- > 0;) {
    if (!IsCopula(words[k].lower)) continue;
    std::string_view before_mask = mask.substr(0, words[k].begin);
    size_t after = words[k].end;
    std::string_view rest = TrimPunct(s.substr(after));
    if (rest.empty()) return std::nullopt;
    bool before_ok = true;
    for (char c : before_mask) before_ok = before_ok && !IsDigit(c);
    for (const Word& w : words) {
      if (w.begin < words[k].begin && IsHedgeWord(w.lower)) before_ok = false;
    }
    for (const Span& sp : spans) {
      if (sp.end <= words[k].begin &&
          !IsLabelSpan(s.substr(sp.content_begin, sp.content_end - sp.content_begin))) {
        before_ok = false;
      }
    }
    if (!before_ok) return std::nullopt;
    const size_t rest_off = static_cast<size_t>(rest.data() - s.data());
    std::vector<Span> rest_spans;
    for (const Span& sp : spans) {
      if (sp.begin >= rest_off) rest_spans.push_back(sp);
    }
    if (rest_spans.size() == 1 && rest_spans[0].begin == rest_off &&
        rest_spans[0].end == rest_off + rest.size()) {
      const Span& sp = rest_spans[0];
      return Reduced{std::string(s.substr(sp.content_begin, sp.content_end - sp.content_begin)),
                     "the value its sentence states"};
    }
    std::string_view value = rest;
    if (value.front() == '$' || (value.size() > 1 && value[0] == '\\' && value[1] == '$')) {
      value.remove_prefix(value.front() == '$' ? 1 : 2);  // a currency sign
    }
    if (!rest_spans.empty() || value.empty() ||
        !(IsDigit(value.front()) ||
          (value.front() == '-' && value.size() > 1 && IsDigit(value[1])))) {
      return std::nullopt;
    }
    const std::string_view rest_mask = mask.substr(rest_off, rest.size());
    if (std::optional<std::string_view> n = LoneNumberInProse(rest, rest_mask, 0)) {
      return Reduced{std::string(*n), "the value its sentence states"};
    }
    return Reduced{std::string(value), "the value its sentence states"};  // "3 or 4", "120 cm"
  }
  return std::nullopt;
}

// "the number is not 10 which is 1,000.99", "not 10, it's 12": a value right after "not" (or
// "isn't") is ruled out, and the sentence states what follows it — only as "X is V" or as a lone
// value, and only when nothing before the negation states a value or hedges. "It's not 5 only
// but also 6", "not 5, maybe 6", "3, not 5, it's 6" are not narrowed.
std::optional<Reduced> AfterNegatedValue(std::string_view s, std::string_view mask,
                                         const std::vector<Span>& spans,
                                         const std::vector<Word>& words) {
  const std::vector<Number> numbers = Numbers(mask);
  for (size_t k = words.size(); k-- > 0;) {
    if (!OneOf(words[k].lower, {"not", "isn't"})) continue;
    size_t v = words[k].end;
    while (v < mask.size() && IsSpace(mask[v])) ++v;
    size_t v_end = kNpos;
    if (v < mask.size() && mask[v] == '\x01') {
      for (const Span& sp : spans) {
        if (sp.begin == v) v_end = sp.end;
      }
    } else {
      for (const Number& n : numbers) {
        if (n.begin == v && n.clean) v_end = n.end;
      }
    }
    if (v_end == kNpos) continue;  // "not the answer", "not only", "not 5m"
    for (size_t i = 0; i < words[k].begin; ++i) {
      if (IsDigit(mask[i])) return std::nullopt;
    }
    for (const Span& sp : spans) {
      if (sp.end <= words[k].begin &&
          !IsLabelSpan(s.substr(sp.content_begin, sp.content_end - sp.content_begin))) {
        return std::nullopt;
      }
    }
    for (const Word& w : words) {
      if (w.begin >= v_end) break;
      if (w.begin < words[k].begin && w.lower != "not" &&
          (IsHedgeWord(w.lower) || IsMathWord(w.lower))) {
        return std::nullopt;
      }
    }
    std::string_view rest = s.substr(v_end);
    while (!rest.empty() && (IsSpace(rest.front()) || rest.front() == ',' || rest.front() == ';')) {
      rest.remove_prefix(1);
    }
    const std::vector<Span> rest_spans = MathSpans(rest);
    const std::string rest_mask = Mask(rest, rest_spans);
    const std::vector<Word> rest_words = Words(rest_mask);
    if (!rest_words.empty() && (IsMathWord(rest_words[0].lower) && rest_words[0].begin == 0)) {
      return std::nullopt;  // "not 5 times ...": the value was an operand, not an answer
    }
    for (const Word& w : rest_words) {
      if (IsHedgeWord(w.lower) || OneOf(w.lower, {"also", "only", "and", "but"})) {
        return std::nullopt;
      }
    }
    std::optional<Reduced> r = CopulaValue(rest, rest_mask, rest_spans, rest_words);
    if (!r && rest_words.empty()) {
      const std::string_view lone = TrimPunct(rest);
      const std::vector<Number> rest_numbers = Numbers(rest_mask);
      if (rest_spans.size() == 1 && rest_spans[0].begin == 0 &&
          TrimPunct(rest_mask).size() == rest_spans[0].end) {
        const Span& sp = rest_spans[0];
        r = Reduced{std::string(rest.substr(sp.content_begin, sp.content_end - sp.content_begin)),
                    ""};
      } else if (rest_spans.empty() && rest_numbers.size() == 1 && rest_numbers[0].begin == 0 &&
                 !lone.empty() && !HasOperator(rest_mask)) {
        r = Reduced{std::string(lone), ""};
      }
    }
    if (!r) return std::nullopt;
    r->note = "the value its sentence states after the one it rules out";
    return r;
  }
  return std::nullopt;
}

}  // namespace

// The one value a sentence states, or nothing when it states none or several (DESIGN §5):
//  - "not V1, it's V2": a negated value ruled out (AfterNegatedValue);
//  - "X is V": the value after the last copula (CopulaValue);
//  - the sentence's only math span, with no number or hedge in its prose ("Answer $9$",
//    "Therefore $x \geq 5$ is the solution.");
//  - the sentence's only number, in plain prose ("Jane started growing Sphere 3 hours ago").
std::optional<Reduced> ReduceSentence(std::string_view s) {
  s = Trim(s);
  if (s.size() > kMaxSentenceBytes) return std::nullopt;
  const std::vector<Span> spans = MathSpans(s);
  const std::string mask = Mask(s, spans);
  const std::vector<Word> words = Words(mask);

  if (std::optional<Reduced> r = AfterNegatedValue(s, mask, spans, words)) return r;
  if (std::optional<Reduced> r = CopulaValue(s, mask, spans, words)) return r;

  for (const Word& w : words) {
    if (IsHedgeWord(w.lower) || IsOperationWord(w.lower)) return std::nullopt;
  }
  bool digits = false;
  for (char c : mask) digits = digits || IsDigit(c);
  if (spans.size() == 1 && !digits) {
    const Span& sp = spans[0];
    if (words.empty() && Trim(mask).size() == sp.end - sp.begin) {
      return Reduced{std::string(s.substr(sp.content_begin, sp.content_end - sp.content_begin)),
                     ""};  // only `$…$` around it: not worth a note
    }
    return Reduced{std::string(s.substr(sp.content_begin, sp.content_end - sp.content_begin)),
                   "the math span of its sentence"};
  }
  if (spans.empty()) {
    if (std::optional<std::string_view> n = LoneNumberInProse(s, mask, 2)) {
      return Reduced{std::string(*n), "the number its sentence states"};
    }
  }
  return std::nullopt;
}

bool StatesAValue(std::string_view s) {
  const std::vector<Span> spans = MathSpans(s);
  if (!spans.empty()) return true;
  for (char c : s) {
    if (IsDigit(c)) return true;
  }
  return false;
}

// A region that is prose around an answer: its one sentence that states a value, narrowed by
// ReduceSentence. Several sentences with values are several candidates: left whole.
namespace {

// Whether `t` has a math delimiter or a word of two letters or more (not a LaTeX command):
// without one, no rule of ReduceSentence applies. A cheap test that spares bare math answers
// (`\frac{1}{2}`, `42`) the allocations of a full reading.
bool MayBeProse(std::string_view t) {
  for (size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if (c == '$') return true;
    if (c == '\\' && i + 1 < t.size()) {
      if (t[i + 1] == '(' || t[i + 1] == '[') return true;
      while (i + 1 < t.size() && IsLetter(t[i + 1])) ++i;  // a command name is not a word
      continue;
    }
    if (IsLetter(c) && i + 1 < t.size() && IsLetter(t[i + 1])) return true;
  }
  return false;
}

}  // namespace

std::optional<Reduced> ReduceRegion(std::string_view region) {
  region = Trim(region);
  if (region.size() > 4 * kMaxSentenceBytes || !MayBeProse(region)) return std::nullopt;
  const std::vector<Span> spans = MathSpans(region);
  const std::string mask = Mask(region, spans);
  std::optional<Range> only;
  for (const Range& r : Sentences(mask)) {
    if (!StatesAValue(region.substr(r.begin, r.end - r.begin))) continue;
    if (only) return std::nullopt;
    only = r;
  }
  if (!only) return std::nullopt;
  return ReduceSentence(region.substr(only->begin, only->end - only->begin));
}

// --- Retraction cues. ---

// "Wait", "hold on", "actually" (a second thought) or "wrong", "mistake", "not correct" (a
// retraction), as words outside math.
Cue FindCue(std::string_view t) {
  const std::vector<Span> spans = MathSpans(t);
  const std::string mask = Mask(t, spans);
  const std::vector<Word> words = Words(mask);
  Cue cue;
  for (size_t k = 0; k < words.size(); ++k) {
    const std::string& w = words[k].lower;
    const std::string_view next =
        k + 1 < words.size() ? std::string_view(words[k + 1].lower) : std::string_view();
    // "instead" and "actually" also explain ("radians instead of degrees", "is actually the
    // smallest"): only a second thought, which a later value has to confirm.
    bool strong =
        OneOf(w, {"wrong", "incorrect", "mistake", "mistaken", "oops", "correction", "retract"}) ||
        (w == "not" && OneOf(next, {"correct", "right"})) || (w == "scratch" && next == "that");
    bool weak =
        OneOf(w, {"wait", "hmm", "hmmm", "actually", "instead"}) || (w == "hold" && next == "on");
    if (!strong && !weak) continue;
    if (cue.end == kNpos) cue.end = words[k].end;
    cue.strong = cue.strong || strong;
  }
  return cue;
}

}  // namespace verdict::math::sentence
