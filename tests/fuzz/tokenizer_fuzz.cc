// libFuzzer target for rollout/tokenizer: tokenizer.json (a model directory's, so untrusted) and
// the text it encodes. The input is split at the first '\0' into the JSON and a text. Checked: no
// crash; FromJson gives a tokenizer or a status; invalid UTF-8 text is refused; the ids of valid
// text are ids of the vocabulary and decode. (Decoding need not give the text back: a
// normalizer such as NFC may have changed it.)
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "base/utf8.h"
#include "rollout/config.h"
#include "rollout/tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using verdict::rollout::Tokenizer;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t cut = input.find('\0');
  const std::string_view json = input.substr(0, cut);
  const std::string_view text = cut == std::string_view::npos
                                    ? std::string_view("Hello, world! 数学")
                                    : input.substr(cut + 1);
  (void)verdict::rollout::ParseModelConfig(json);  // config.json is read the same way
  absl::StatusOr<Tokenizer> tok = Tokenizer::FromJson(json);
  if (!tok.ok()) return 0;
  absl::StatusOr<std::vector<int32_t>> ids = tok->Encode(text, /*special=*/false);
  if (!verdict::IsValidUtf8(text)) {
    if (ids.ok()) std::abort();
    return 0;
  }
  if (!ids.ok()) return 0;  // e.g. a byte the vocabulary cannot spell: refused, not a crash
  for (int32_t id : *ids) {
    if (id < 0 || id >= tok->vocab_size()) std::abort();
  }
  if (!tok->Decode(*ids).ok()) std::abort();
  (void)tok->Encode(text, /*special=*/true);
  return 0;
}
