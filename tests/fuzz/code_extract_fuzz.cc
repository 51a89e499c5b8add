// libFuzzer target for verifier/code's answer extraction (ExtractCode): the completion is the
// model's untrusted text. Checked for every input and every option set: no crash, and a block
// found is a piece of the completion (extraction copies, it never invents text).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "verifier/code/extract.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using verdict::code::ExtractCode;
  using verdict::code::ExtractOptions;
  const std::string_view completion(reinterpret_cast<const char*>(data), size);
  ExtractOptions options[4];
  options[0].languages = {"python", "py", "python3"};
  options[1].languages = {"cpp", "c++"};
  options[1].accept_unlabeled = false;
  options[2].accept_unclosed = true;
  options[3].languages = {"python"};
  options[3].accept_unclosed = true;
  for (const ExtractOptions& o : options) {
    const std::optional<std::string> code = ExtractCode(completion, o);
    if (!code) continue;
    // Every line of the block is a line of the completion.
    size_t start = 0;
    while (start < code->size()) {
      size_t end = code->find('\n', start);
      if (end == std::string::npos) end = code->size();
      const std::string_view line(code->data() + start, end - start);
      if (completion.find(line) == std::string_view::npos) std::abort();
      start = end + 1;
    }
    // The same input gives the same block.
    if (ExtractCode(completion, o) != code) std::abort();
  }
  return 0;
}
