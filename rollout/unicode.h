// Unicode character properties for the tokenizer's split regexes, from tables generated for
// the Unicode version HF `tokenizers` uses (16.0; see gen_unicode_tables.py), so token ids do
// not depend on the host's ICU.
//
// Pure functions of the code point; thread-safe.
#ifndef VERDICT_ROLLOUT_UNICODE_H_
#define VERDICT_ROLLOUT_UNICODE_H_

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace verdict::rollout {

// The general categories, in the generator's order (unassigned code points are kCn).
enum class GeneralCategory : uint8_t {
  kCn,
  kLu,
  kLl,
  kLt,
  kLm,
  kLo,
  kMn,
  kMc,
  kMe,
  kNd,
  kNl,
  kNo,
  kPc,
  kPd,
  kPs,
  kPe,
  kPi,
  kPf,
  kPo,
  kSm,
  kSc,
  kSk,
  kSo,
  kZs,
  kZl,
  kZp,
  kCc,
  kCf,
  kCs,
  kCo,
};

// A set of general categories, one bit per GeneralCategory.
using CategoryMask = uint32_t;
constexpr CategoryMask CategoryBit(GeneralCategory g) { return 1u << static_cast<int>(g); }
constexpr CategoryMask kLetterMask = 0x3Eu;          // Lu Ll Lt Lm Lo
constexpr CategoryMask kMarkMask = 0x1C0u;           // Mn Mc Me
constexpr CategoryMask kNumberMask = 0xE00u;         // Nd Nl No
constexpr CategoryMask kSeparatorMask = 0x3800000u;  // Zs Zl Zp

GeneralCategory CategoryOf(char32_t c);
inline bool InCategories(char32_t c, CategoryMask m) {
  return (CategoryBit(CategoryOf(c)) & m) != 0;
}

// Oniguruma's (and so HF's) \s: U+0009-U+000D, U+0085 and the Z categories (Unicode White_Space).
bool IsUnicodeSpace(char32_t c);

// Simple case folding (c itself when it has none).
char32_t SimpleFold(char32_t c);

// The mask for a \p{...} name: a one-letter major class (L, M, N, P, S, Z, C), a two-letter
// category (Lu, Nd, ...), or their long names (Letter, Number, ...; case and '_' ignored).
// UNIMPLEMENTED for scripts and other properties.
absl::StatusOr<CategoryMask> CategoryMaskByName(std::string_view name);

// The Unicode version of the tables ("16.0.0").
std::string_view UnicodeVersion();

constexpr char32_t kCodePointCount = 0x110000;

// A run of generated data: `value` holds from `first` until the next run's first code point.
struct CodePointRun {
  char32_t first;
  uint8_t value;
};
// One value per code point (kCodePointCount of them) from runs sorted by `first`, the first
// starting at 0.
std::vector<uint16_t> ExpandRuns(const CodePointRun* runs, size_t n);

// A value per code point, stored in two stages (an index per block of 128 code points, then the
// distinct blocks) for tables built once from generated data. Code points past U+10FFFF read 0.
class CodePointTable {
 public:
  explicit CodePointTable(const std::vector<uint16_t>& flat);  // kCodePointCount values
  uint16_t operator[](char32_t c) const {
    if (c >= kCodePointCount) return 0;
    return blocks_[static_cast<size_t>(block_of_[c >> kBlockBits]) * kBlock + (c & (kBlock - 1))];
  }

 private:
  static constexpr int kBlockBits = 7;
  static constexpr char32_t kBlock = 1u << kBlockBits;
  std::vector<uint16_t> block_of_;
  std::vector<uint16_t> blocks_;
};

}  // namespace verdict::rollout

#endif  // VERDICT_ROLLOUT_UNICODE_H_
