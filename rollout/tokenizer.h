// Byte-level BPE tokenizer read from a Hugging Face tokenizer.json (Qwen2 / Llama-3 / GPT-2
// style): added (special) tokens, optional NFC normaliser (ICU), the pre-tokenizer split
// (pretokenizer.h), the GPT-2 byte-to-unicode map, merges by rank (both the "a b" and the
// ["a", "b"] formats), and decoding back to bytes.
//
// Thread safety: immutable after FromJson; Encode/Decode may run on any thread.
#ifndef VERDICT_ROLLOUT_TOKENIZER_H_
#define VERDICT_ROLLOUT_TOKENIZER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"
#include "rollout/pretokenizer.h"

namespace verdict::rollout {

class Tokenizer {
 public:
  // Errors: INVALID_ARGUMENT for malformed JSON or merges naming unknown tokens; UNIMPLEMENTED
  // for another model type (WordPiece, Unigram, ...), a non-byte-level pre-tokenizer, or an
  // unsupported normaliser or pattern, each named.
  static absl::StatusOr<Tokenizer> FromJson(std::string_view json);
  static absl::StatusOr<Tokenizer> FromFile(const std::string& path);

  // Encodes UTF-8 text (INVALID_ARGUMENT otherwise). With `special` true, added tokens written
  // in the text (e.g. "<|im_end|>") become their ids, as HF's encode does.
  absl::StatusOr<std::vector<int32_t>> Encode(std::string_view text, bool special = true) const;

  // The bytes the ids stand for. A partial multi-byte character comes out as its raw bytes, so
  // decoding a concatenation equals concatenating decodings. INVALID_ARGUMENT for an unknown id.
  absl::StatusOr<std::string> Decode(const std::vector<int32_t>& ids,
                                     bool skip_special = false) const;

  // Id of a token string (vocab or added token), or -1.
  int32_t TokenId(std::string_view token) const;
  bool IsSpecial(int32_t id) const;
  int32_t vocab_size() const { return static_cast<int32_t>(id_to_token_.size()); }

  // The token HF's post-processor puts before a single sequence (TemplateProcessing whose
  // "single" starts with a SpecialToken, e.g. Llama-3's <|begin_of_text|>), or -1 (Qwen2).
  // Encode does not add it; a caller that wants HF's add_special_tokens=True prepends it.
  int32_t bos_token_id() const { return bos_id_; }

 private:
  struct Added {
    std::string content;
    int32_t id;
    bool special;
  };
  void EncodeOrdinary(std::string_view text, std::vector<int32_t>* out) const;
  void Bpe(std::string_view piece, std::vector<int32_t>* out) const;

  std::unordered_map<std::string, int32_t> vocab_;  // byte-level strings (and added tokens)
  std::vector<std::string> id_to_token_;            // raw bytes for vocab, content for added
  std::vector<bool> special_;
  std::unordered_map<uint64_t, std::pair<int32_t, int32_t>> merges_;  // (a,b) -> (rank, merged)
  std::vector<Added> added_;                        // longest first
  std::vector<int32_t> byte_token_;                 // byte -> id of its single-byte token
  SplitPattern pattern_ = SplitPattern::kQwen2;
  bool nfc_ = false;
  bool add_prefix_space_ = false;
  bool ignore_merges_ = false;
  int32_t bos_id_ = -1;
};

// The GPT-2 byte-level map: byte b -> the code point that stands for it in vocab strings.
char32_t ByteToUnicode(uint8_t b);

// Prompt templates. R1: DeepSeek-R1-Zero's "A conversation between User and Assistant..." with
// <think> </think> <answer> </answer>; plain: the question as is.
enum class PromptTemplate { kR1, kPlain };
absl::StatusOr<PromptTemplate> ParsePromptTemplate(std::string_view name);  // "r1" | "plain"
std::string ApplyPromptTemplate(PromptTemplate t, std::string_view question);

}  // namespace verdict::rollout

#endif  // VERDICT_ROLLOUT_TOKENIZER_H_
