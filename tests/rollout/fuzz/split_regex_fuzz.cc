// libFuzzer target for the split regex engine (rollout/split_regex.h), which parses patterns
// from tokenizer.json files. The input is split at the first '\n' into a pattern and a text.
// Contract checked: Compile returns a status for every pattern (no crash, no hang); a compiled
// pattern's FindAll on valid UTF-8 ends with a status, and its spans are non-empty, increasing
// and inside the text; a second search gives the same spans (no hidden state).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <utility>
#include <vector>

#include "base/utf8.h"
#include "rollout/pretokenizer.h"
#include "rollout/split_regex.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t cut = input.find('\n');
  const std::string_view pattern = input.substr(0, cut);
  const std::string_view text = cut == std::string_view::npos ? "" : input.substr(cut + 1);
  auto re = verdict::rollout::SplitRegex::Compile(pattern);
  if (!re.ok()) return 0;
  std::vector<char32_t> cps;
  if (!verdict::DecodeUtf8(text, &cps, nullptr).ok()) return 0;
  std::vector<std::pair<size_t, size_t>> spans, again;
  const bool ok = re->FindAll(cps, &spans).ok();
  if (ok != re->FindAll(cps, &again).ok() || spans != again) std::abort();
  if (!ok) return 0;
  size_t at = 0;
  for (auto [b, e] : spans) {
    if (b < at || e <= b || e > cps.size()) std::abort();
    at = e;
  }
  return 0;
}
