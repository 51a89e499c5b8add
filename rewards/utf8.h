// UTF-8 validation and repair. Completions arrive from files and sockets; text that goes back on
// the wire (extracted answers, reasons) must be valid UTF-8 or protobuf refuses to send it.
#ifndef VERDICT_REWARDS_UTF8_H_
#define VERDICT_REWARDS_UTF8_H_

#include <string>
#include <string_view>

namespace verdict {

// True when `text` is well-formed UTF-8 (no overlongs, surrogates or code points > U+10FFFF).
bool IsValidUtf8(std::string_view text);

// Returns `text` with each maximal invalid subsequence replaced by U+FFFD. Valid input is
// returned unchanged.
std::string RepairUtf8(std::string_view text);

// The longest prefix of `text` of at most `max_bytes` bytes that does not cut a character.
std::string_view Utf8Prefix(std::string_view text, size_t max_bytes);

}  // namespace verdict

#endif  // VERDICT_REWARDS_UTF8_H_
