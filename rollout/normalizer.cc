#include "rollout/normalizer.h"

#include <algorithm>
#include <iterator>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "base/utf8.h"
#include "rollout/unicode.h"

namespace verdict::rollout {
namespace {

using CccRun = CodePointRun;
struct Decomposition {
  char32_t cp;
  uint16_t offset;  // in kDecomposed
  uint8_t length;
};
struct Composition {
  char32_t first, second, composite;
};

#include "rollout/normalizer_tables.inc"

// Hangul syllables (UAX #15 §3.12): composed and decomposed by arithmetic, not tables.
constexpr char32_t kSBase = 0xAC00, kLBase = 0x1100, kVBase = 0x1161, kTBase = 0x11A7;
constexpr char32_t kLCount = 19, kVCount = 21, kTCount = 28, kNCount = kVCount * kTCount;
constexpr char32_t kSCount = kLCount * kNCount;

// Per code point: the combining class in the low byte, and these flags.
constexpr uint16_t kClassMask = 0xFF;
constexpr uint16_t kHasCanonical = 1 << 8;   // has a canonical decomposition
constexpr uint16_t kHasCompatible = 1 << 9;  // has a compatibility one other than the canonical
constexpr uint16_t kSecond = 1 << 10;        // the second of a composition pair (composes backward)

struct Span {
  uint16_t offset;
  uint8_t length;
};

struct Tables {
  CodePointTable info;
  absl::flat_hash_map<char32_t, Span> canonical, compatible;
  absl::flat_hash_map<uint64_t, char32_t> compose;  // (first << 32 | second) -> composite

  static std::vector<uint16_t> Info() {
    std::vector<uint16_t> flat = ExpandRuns(kCccRuns, std::size(kCccRuns));
    for (const Decomposition& d : kCanonical) flat[d.cp] |= kHasCanonical;
    for (const Decomposition& d : kCompatibility) flat[d.cp] |= kHasCompatible;
    for (const Composition& c : kCompositions) flat[c.second] |= kSecond;
    for (char32_t s = kSBase; s < kSBase + kSCount; ++s) flat[s] |= kHasCanonical;
    for (char32_t v = kVBase; v < kVBase + kVCount; ++v) flat[v] |= kSecond;
    for (char32_t t = kTBase + 1; t < kTBase + kTCount; ++t) flat[t] |= kSecond;
    return flat;
  }
  Tables() : info(Info()) {
    for (const Decomposition& d : kCanonical) canonical[d.cp] = {d.offset, d.length};
    for (const Decomposition& d : kCompatibility) compatible[d.cp] = {d.offset, d.length};
    for (const Composition& c : kCompositions) {
      compose[uint64_t{c.first} << 32 | c.second] = c.composite;
    }
  }
};

const Tables& GetTables() {
  static const Tables* t = new Tables();
  return *t;
}

struct Mark {
  char32_t c;
  uint8_t ccc;
};

class Normalizer {
 public:
  explicit Normalizer(NormalForm form)
      : t_(GetTables()),
        compatible_(form == NormalForm::kNfkc || form == NormalForm::kNfkd),
        composing_(form == NormalForm::kNfc || form == NormalForm::kNfkc),
        changing_(kClassMask | kHasCanonical | (compatible_ ? kHasCompatible : 0) |
                  (composing_ ? kSecond : 0)) {}

  // A code point the form leaves as it is whatever surrounds it: a starter with no
  // decomposition that composes with nothing before it. Text splits before one into parts
  // that normalize independently.
  bool Inert(char32_t c) const { return (t_.info[c] & changing_) == 0; }

  // Appends the normal form of `part` (well-formed UTF-8) to `out`.
  void Part(std::string_view part, std::string* out) {
    buf_.clear();
    marks_ = 0;
    for (size_t i = 0; i < part.size();) Decompose(NextCodePoint(part, &i));
    SortMarks();
    if (composing_) Compose();
    for (const Mark& m : buf_) AppendUtf8(m.c, out);
  }

 private:
  void Push(char32_t c) {
    const Mark m{c, static_cast<uint8_t>(t_.info[c] & kClassMask)};
    if (m.ccc == 0) SortMarks();
    buf_.push_back(m);
    if (m.ccc == 0) marks_ = buf_.size();
  }

  // Canonical ordering of the marks after the last starter: stable by class. Sorted as a run
  // (n log n, as HF), not mark by mark, which is quadratic on long runs of alternating marks.
  void SortMarks() {
    if (buf_.size() - marks_ < 2) return;
    std::stable_sort(buf_.begin() + marks_, buf_.end(),
                     [](const Mark& a, const Mark& b) { return a.ccc < b.ccc; });
  }

  void Decompose(char32_t c) {
    const uint16_t info = t_.info[c];
    if (c - kSBase < kSCount) {
      const char32_t s = c - kSBase;
      Push(kLBase + s / kNCount);
      Push(kVBase + s % kNCount / kTCount);
      if (s % kTCount != 0) Push(kTBase + s % kTCount);
      return;
    }
    const absl::flat_hash_map<char32_t, Span>* map = nullptr;
    if (compatible_ && (info & kHasCompatible) != 0)
      map = &t_.compatible;
    else if ((info & kHasCanonical) != 0)
      map = &t_.canonical;
    if (map == nullptr) return Push(c);
    const Span s = map->find(c)->second;  // flagged, so present
    for (uint8_t k = 0; k < s.length; ++k) Push(kDecomposed[s.offset + k]);
  }

  // The composite of a starter and a following character, or 0.
  char32_t Composite(char32_t a, char32_t b) const {
    if (a - kLBase < kLCount && b - kVBase < kVCount) {
      return kSBase + ((a - kLBase) * kVCount + (b - kVBase)) * kTCount;
    }
    if (a - kSBase < kSCount && (a - kSBase) % kTCount == 0 && b - kTBase - 1 < kTCount - 1) {
      return a + (b - kTBase);
    }
    auto it = t_.compose.find(uint64_t{a} << 32 | b);
    return it == t_.compose.end() ? 0 : it->second;
  }

  // Canonical composition (UAX #15 §3.11, as HF's crate): each character joins the last
  // starter when no character between them is a starter or has a class at least its own.
  void Compose() {
    size_t starter = SIZE_MAX, w = 0;
    int last = -1;  // class of the last character kept after the starter; -1: none
    for (size_t r = 0; r < buf_.size(); ++r) {
      const Mark m = buf_[r];
      if (starter != SIZE_MAX && last < m.ccc) {
        if (const char32_t c = Composite(buf_[starter].c, m.c); c != 0) {
          buf_[starter] = {c, static_cast<uint8_t>(t_.info[c] & kClassMask)};
          continue;
        }
      }
      if (m.ccc == 0) {
        starter = w;
        last = -1;
      } else {
        last = m.ccc;
      }
      buf_[w++] = m;
    }
    buf_.resize(w);
  }

  const Tables& t_;
  const bool compatible_, composing_;
  const uint16_t changing_;
  std::vector<Mark> buf_;  // the part, decomposed
  size_t marks_ = 0;       // buf_[marks_, end) are marks (class > 0) not yet ordered
};

}  // namespace

std::string Normalize(NormalForm form, std::string_view text) {
  Normalizer n(form);
  std::string out;
  size_t copied = 0;           // text[0, copied) is in `out`
  size_t part = SIZE_MAX;      // start of the part being collected, if any
  size_t previous = SIZE_MAX;  // start of the previous code point when it is inert
  auto flush = [&](size_t end) {
    out.append(text, copied, part - copied);
    n.Part(text.substr(part, end - part), &out);
    copied = end;
    part = SIZE_MAX;
  };
  for (size_t i = 0; i < text.size();) {
    const size_t at = i;
    if (static_cast<unsigned char>(text[i]) < 0x80) {  // ASCII: inert
      ++i;
    } else if (Utf8SequenceLength(text, i) == 0) {  // copied as it is, ends a part
      if (part != SIZE_MAX) flush(at);
      previous = SIZE_MAX;
      ++i;
      continue;
    } else if (!n.Inert(NextCodePoint(text, &i))) {
      // The part starts at the last starter: the inert code point before, if any.
      if (part == SIZE_MAX) part = previous != SIZE_MAX ? previous : at;
      previous = SIZE_MAX;
      continue;
    }
    if (part != SIZE_MAX) flush(at);
    previous = at;
  }
  if (part != SIZE_MAX) flush(text.size());
  if (copied == 0) return std::string(text);
  out.append(text, copied);
  return out;
}

uint8_t CombiningClass(char32_t c) { return GetTables().info[c] & kClassMask; }

std::string_view NormalizationUnicodeVersion() { return kNormalizationVersion; }

}  // namespace verdict::rollout
