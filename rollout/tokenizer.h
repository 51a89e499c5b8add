// BPE tokenizer read from a Hugging Face tokenizer.json, as HF `tokenizers` encodes:
//  - added (special) tokens;
//  - normalizers: NFC, NFKC, NFD, NFKD (rollout/normalizer.h), Prepend, Replace (a string pattern)
//  and Sequence
//    of these (empty included);
//  - pre-tokenizers: Split (any regex in split_regex.h's subset; the Qwen2, Llama-3 and GPT-2
//    patterns run as exact hand-written scanners), ByteLevel, Digits, Metaspace (first), and
//    Sequence of these;
//  - the model: byte-level BPE (GPT-2 byte map) or character BPE with byte_fallback and unk
//    (SentencePiece style, e.g. Llama-2), merges by rank in the "a b" or ["a", "b"] format,
//    applied with a priority queue over a linked list (n log n in the piece length, as HF);
//  - decoding back to bytes.
// Nothing depends on the host: character classes come from rollout/unicode.h (Unicode 16, as
// HF's regex engine), normal forms from rollout/normalizer.h (Unicode 9.0, as HF's normalizers).
//
// Thread safety: immutable after FromJson except an internal, locked cache of encoded pieces;
// Encode/Decode may run on any thread.
#ifndef VERDICT_ROLLOUT_TOKENIZER_H_
#define VERDICT_ROLLOUT_TOKENIZER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"
#include "rollout/normalizer.h"
#include "rollout/pretokenizer.h"
#include "rollout/split_regex.h"

namespace verdict::rollout {

class Tokenizer {
 public:
  // Errors: INVALID_ARGUMENT for malformed JSON or merges naming unknown tokens; UNIMPLEMENTED
  // for another model type (WordPiece, Unigram, ...), an unsupported normaliser,
  // pre-tokenizer or split pattern, each named.
  static absl::StatusOr<Tokenizer> FromJson(std::string_view json);
  static absl::StatusOr<Tokenizer> FromFile(const std::string& path);

  // Encodes UTF-8 text (INVALID_ARGUMENT otherwise). With `special` true, added tokens written
  // in the text (e.g. "<|im_end|>") become their ids, as HF's encode does. INVALID_ARGUMENT
  // for a character that has no token (no byte fallback and no unk token), where HF drops it.
  absl::StatusOr<std::vector<int32_t>> Encode(std::string_view text, bool special = true) const;

  // The bytes the ids stand for. A partial multi-byte character comes out as its raw bytes, so
  // decoding a concatenation equals concatenating decodings. INVALID_ARGUMENT for an unknown id.
  // SentencePiece-style vocabularies: "▁" decodes as a space, <0xAB> as the byte (a leading
  // space that the normaliser prepended is kept).
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
  struct Normalizer {
    enum Kind { kUnicode, kPrepend, kReplace } kind;
    std::string a, b;                    // kPrepend: a; kReplace: a -> b
    NormalForm form = NormalForm::kNfc;  // kUnicode
  };
  // How a split's matches become pieces (HF's SplitDelimiterBehavior).
  enum class Behavior { kIsolated, kRemoved, kMergedWithPrevious, kMergedWithNext, kContiguous };
  struct PreStep {
    bool scanner = false;  // the hand-written scanner for `pattern`, else `regex`
    SplitPattern pattern = SplitPattern::kGpt2;
    std::shared_ptr<const SplitRegex> regex;
    Behavior behavior = Behavior::kIsolated;
    bool invert = false;
  };
  class PieceCache;
  static std::shared_ptr<PieceCache> NewPieceCache();

  friend class TokenizerLoader;  // reads tokenizer.json into these fields (tokenizer.cc)
  // `at_start`: the text begins the input (no added token before it), for Metaspace "first".
  absl::Status EncodeOrdinary(std::string_view text, bool at_start,
                              std::vector<int32_t>* out) const;
  absl::Status SplitPieces(const PreStep& step, std::string_view text,
                           std::vector<std::string_view>* pieces) const;
  absl::Status Bpe(std::string_view piece, std::vector<int32_t>* out) const;
  absl::Status InitialSymbols(std::string_view piece, std::vector<int32_t>* ids) const;

  std::unordered_map<std::string, int32_t> vocab_;  // vocab strings as in the file
  std::vector<std::string> id_to_token_;            // raw bytes for vocab, content for added
  std::vector<bool> special_;
  std::unordered_map<uint64_t, std::pair<int32_t, int32_t>> merges_;  // (a,b) -> (rank, merged)
  std::vector<Added> added_;                                          // longest first
  std::vector<int32_t> byte_token_;  // byte -> id of its single-byte (or <0xAB>) token, or -1
  std::vector<Normalizer> normalizers_;
  std::vector<PreStep> pre_steps_;
  bool byte_level_ = false;  // a ByteLevel pre-tokenizer: vocab strings use the GPT-2 byte map
  bool byte_fallback_ = false;
  bool fuse_unk_ = false;
  int32_t unk_id_ = -1;
  bool add_prefix_space_ = false;
  // A Metaspace pre-tokenizer (first in the sequence): spaces become `metaspace_`, which is
  // prepended always, or only to the start of the input ("first").
  std::string metaspace_;
  enum class Prepend { kNever, kFirst, kAlways } metaspace_prepend_ = Prepend::kNever;
  bool ignore_merges_ = false;
  int32_t bos_id_ = -1;
  std::shared_ptr<PieceCache> cache_;
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
