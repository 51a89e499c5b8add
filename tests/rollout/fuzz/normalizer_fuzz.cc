// libFuzzer target for the Unicode normal forms (rollout/normalizer.h), which the tokenizer runs
// on every prompt and completion it encodes. The input is any bytes.
// Contract checked: every form is idempotent (normalizing its output changes nothing); valid
// UTF-8 stays valid; the composed forms do not depend on decomposing first (NFC(NFD(x)) =
// NFC(x), NFKC(NFKD(x)) = NFKC(x)) and NFD(NFC(x)) = NFD(x); bytes that are not UTF-8 come out
// as they went in, so the output holds as many of them.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "base/utf8.h"
#include "rollout/normalizer.h"

namespace {

using verdict::rollout::NormalForm;
using verdict::rollout::Normalize;

size_t BadBytes(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size();) {
    const size_t len = verdict::Utf8SequenceLength(s, i);
    n += len == 0;
    i += len == 0 ? 1 : len;
  }
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const bool valid = verdict::IsValidUtf8(text);
  const size_t bad = BadBytes(text);
  std::string out[4];
  int k = 0;
  for (NormalForm f : {NormalForm::kNfc, NormalForm::kNfd, NormalForm::kNfkc, NormalForm::kNfkd}) {
    out[k] = Normalize(f, text);
    if (Normalize(f, out[k]) != out[k]) std::abort();
    if (valid && !verdict::IsValidUtf8(out[k])) std::abort();
    if (BadBytes(out[k]) != bad) std::abort();
    ++k;
  }
  const std::string& nfc = out[0];
  const std::string& nfd = out[1];
  const std::string& nfkc = out[2];
  const std::string& nfkd = out[3];
  if (Normalize(NormalForm::kNfc, nfd) != nfc) std::abort();
  if (Normalize(NormalForm::kNfkc, nfkd) != nfkc) std::abort();
  if (Normalize(NormalForm::kNfd, nfc) != nfd) std::abort();
  return 0;
}
