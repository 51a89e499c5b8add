#include "rollout/unicode.h"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace verdict::rollout {
namespace {

struct CategoryRun {
  char32_t first;
  uint8_t category;
};
struct FoldPair {
  char32_t from, to;
};

#include "rollout/unicode_tables.inc"

constexpr char32_t kCodePoints = 0x110000;
constexpr int kBlockBits = 7;  // 128 code points per block
constexpr char32_t kBlock = 1u << kBlockBits;

// Two-stage table built once from the runs: block index per block, then one category per
// code point of each distinct block (about 260 distinct blocks of 128).
struct CategoryTable {
  std::vector<uint16_t> block_of;
  std::vector<uint8_t> blocks;
  CategoryTable() {
    std::vector<uint8_t> flat(kCodePoints);
    const size_t n = sizeof(kCategoryRuns) / sizeof(kCategoryRuns[0]);
    for (size_t r = 0; r < n; ++r) {
      const char32_t end = r + 1 < n ? kCategoryRuns[r + 1].first : kCodePoints;
      std::fill(flat.begin() + kCategoryRuns[r].first, flat.begin() + end,
                kCategoryRuns[r].category);
    }
    absl::flat_hash_map<std::string, uint16_t> seen;
    block_of.resize(kCodePoints / kBlock);
    for (char32_t b = 0; b < kCodePoints / kBlock; ++b) {
      std::string block(flat.begin() + b * kBlock, flat.begin() + (b + 1) * kBlock);
      auto [it, added] = seen.try_emplace(block, static_cast<uint16_t>(seen.size()));
      block_of[b] = it->second;
      if (added) blocks.insert(blocks.end(), block.begin(), block.end());
    }
  }
};

const CategoryTable& Table() {
  static const CategoryTable* t = new CategoryTable();
  return *t;
}

struct NamedMask {
  const char* name;
  CategoryMask mask;
};

}  // namespace

GeneralCategory CategoryOf(char32_t c) {
  if (c >= kCodePoints) return GeneralCategory::kCn;
  const CategoryTable& t = Table();
  return static_cast<GeneralCategory>(
      t.blocks[static_cast<size_t>(t.block_of[c >> kBlockBits]) * kBlock + (c & (kBlock - 1))]);
}

bool IsUnicodeSpace(char32_t c) {
  return (c >= 9 && c <= 13) || c == 0x85 || InCategories(c, kSeparatorMask);
}

char32_t SimpleFold(char32_t c) {
  if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
  const FoldPair* end = kFoldPairs + sizeof(kFoldPairs) / sizeof(kFoldPairs[0]);
  const FoldPair* it = std::lower_bound(kFoldPairs, end, c,
                                        [](const FoldPair& p, char32_t x) { return p.from < x; });
  return it != end && it->from == c ? it->to : c;
}

absl::StatusOr<CategoryMask> CategoryMaskByName(std::string_view name) {
  static constexpr const char* kShort[] = {
      "Cn", "Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd", "Nl", "No", "Pc", "Pd", "Ps",
      "Pe", "Pi", "Pf", "Po", "Sm", "Sc", "Sk", "So", "Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Co"};
  static constexpr NamedMask kMajor[] = {
      {"l", kLetterMask},
      {"letter", kLetterMask},
      {"m", kMarkMask},
      {"mark", kMarkMask},
      {"combiningmark", kMarkMask},
      {"n", kNumberMask},
      {"number", kNumberMask},
      {"p", 0x7F000u},
      {"punctuation", 0x7F000u},
      {"s", 0x780000u},
      {"symbol", 0x780000u},
      {"z", kSeparatorMask},
      {"separator", kSeparatorMask},
      {"c", 0x3C000001u},
      {"other", 0x3C000001u},
      {"lc", 0xEu},
      {"casedletter", 0xEu},
      {"uppercaseletter", 0x2u},
      {"lowercaseletter", 0x4u},
      {"decimalnumber", 0x200u},
      {"any", 0xFFFFFFFFu},
  };
  std::string key;
  for (char c : name) {
    if (c != '_' && c != ' ' && c != '-') key += absl::ascii_tolower(c);
  }
  for (const NamedMask& m : kMajor) {
    if (key == m.name) return m.mask;
  }
  for (int i = 0; i < 30; ++i) {
    if (key == absl::AsciiStrToLower(kShort[i])) {
      return CategoryBit(static_cast<GeneralCategory>(i));
    }
  }
  return absl::UnimplementedError(
      absl::StrCat("\\p{", std::string(name), "}: only general categories are supported"));
}

std::string_view UnicodeVersion() { return kUnicodeVersion; }

}  // namespace verdict::rollout
