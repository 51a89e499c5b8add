// UTF-8 validation, decoding, encoding and repair: the one definition of well-formed UTF-8 used
// by every reader of untrusted text. Completions arrive from files and sockets; text that goes
// back on the wire (extracted answers, reasons) must be valid UTF-8 or protobuf refuses to send it.
// Pure functions, safe to call from any thread.
#ifndef VERDICT_BASE_UTF8_H_
#define VERDICT_BASE_UTF8_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace verdict {

// Length in bytes (1-4) of the well-formed UTF-8 sequence starting at text[i], or 0 if none starts
// there (overlongs, surrogates, code points > U+10FFFF and truncated sequences are ill-formed).
// Requires i < text.size().
size_t Utf8SequenceLength(std::string_view text, size_t i);

// True when `text` is well-formed UTF-8.
bool IsValidUtf8(std::string_view text);

// Returns `text` with each maximal invalid subsequence (a bad lead byte and the continuation
// bytes after it) replaced by one U+FFFD. Valid input is returned unchanged.
std::string RepairUtf8(std::string_view text);

// Decodes `text` into code points; INVALID_ARGUMENT naming the byte offset of the first
// ill-formed sequence. `offsets` (optional) gets the byte offset of each code point, plus
// text.size() at the end.
absl::Status DecodeUtf8(std::string_view text, std::vector<char32_t>* cps,
                        std::vector<size_t>* offsets);

// Decodes the code point at text[*i] and advances *i past it; an ill-formed sequence yields
// U+FFFD and advances by one byte. Requires *i < text.size().
char32_t NextCodePoint(std::string_view text, size_t* i);

// Appends the UTF-8 encoding of `cp` (a scalar value: <= U+10FFFF, not a surrogate) to `out`.
void AppendUtf8(char32_t cp, std::string* out);

}  // namespace verdict

#endif  // VERDICT_BASE_UTF8_H_
