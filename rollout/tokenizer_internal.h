// Helpers shared by tokenizer.cc and tokenizer_load.cc; not part of the public API.
#ifndef VERDICT_ROLLOUT_TOKENIZER_INTERNAL_H_
#define VERDICT_ROLLOUT_TOKENIZER_INTERNAL_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace verdict::rollout::tokenizer_internal {

// UTF-8 of a code point below U+10000 (the GPT-2 byte map's range).
inline std::string Utf8Of(char32_t c) {
  std::string o;
  if (c < 0x80)
    o += static_cast<char>(c);
  else if (c < 0x800) {
    o += static_cast<char>(0xC0 | (c >> 6));
    o += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    o += static_cast<char>(0xE0 | (c >> 12));
    o += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    o += static_cast<char>(0x80 | (c & 0x3F));
  }
  return o;
}

// The key of a merge (a, b) in Tokenizer::merges_.
inline uint64_t PairKey(int32_t a, int32_t b) {
  return (static_cast<uint64_t>(a) << 32) | static_cast<uint32_t>(b);
}

}  // namespace verdict::rollout::tokenizer_internal

#endif  // VERDICT_ROLLOUT_TOKENIZER_INTERNAL_H_
