#include "rollout/unicode.h"

#include <algorithm>
#include <array>
#include <iterator>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace verdict::rollout {
namespace {

using CategoryRun = CodePointRun;
struct FoldPair {
  char32_t from, to;
};

#include "rollout/unicode_tables.inc"

const CodePointTable& Table() {
  static const CodePointTable* t =
      new CodePointTable(ExpandRuns(kCategoryRuns, std::size(kCategoryRuns)));
  return *t;
}

struct NamedMask {
  const char* name;
  CategoryMask mask;
};

}  // namespace

std::vector<uint16_t> ExpandRuns(const CodePointRun* runs, size_t n) {
  std::vector<uint16_t> flat(kCodePointCount);
  for (size_t r = 0; r < n; ++r) {
    const char32_t end = r + 1 < n ? runs[r + 1].first : kCodePointCount;
    std::fill(flat.begin() + runs[r].first, flat.begin() + end, runs[r].value);
  }
  return flat;
}

CodePointTable::CodePointTable(const std::vector<uint16_t>& flat) {
  absl::flat_hash_map<std::vector<uint16_t>, uint16_t> seen;
  block_of_.resize(kCodePointCount / kBlock);
  for (char32_t b = 0; b < kCodePointCount / kBlock; ++b) {
    std::vector<uint16_t> block(flat.begin() + b * kBlock, flat.begin() + (b + 1) * kBlock);
    auto [it, added] = seen.try_emplace(block, static_cast<uint16_t>(seen.size()));
    block_of_[b] = it->second;
    if (added) blocks_.insert(blocks_.end(), block.begin(), block.end());
  }
}

GeneralCategory CategoryOf(char32_t c) { return static_cast<GeneralCategory>(Table()[c]); }

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
