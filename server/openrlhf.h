// OpenRLHF's remote reward protocol (POST /openrlhf), translated to and from a ScoreRequest.
//
// OpenRLHF (openrlhf/utils/remote_rm_utils.py, remote_rm_fn) posts
//   {"query": [...], "prompts": [...], "labels": [...]}
// where each query is the whole sequence, prompt + response, decoded with
// skip_special_tokens=False (openrlhf/trainer/ppo_utils/experience_maker.py), so it may start
// with a BOS token and end with the end-of-turn token and padding; "prompts" and "labels" are
// the dataset's prompt (after the chat template) and label, repeated n_samples_per_prompt times.
// The reply is {"rewards": [...], "scores": [...], "extra_logs": {component: [...]}}.
//
// What this does with each part (README, "OpenRLHF"):
// - special tokens: end/pad tokens at the end of a query (IsSpecialToken, repeated, with
//   whitespace between) are removed before scoring; BOS/pad tokens at the start of a query and
//   of its prompt are skipped when the prompt is located.
// - prompts: the response is what follows the prompt. The prompt is found as a prefix of the
//   query after leading BOS/pad tokens, else as the first place it occurs in the query; a prompt
//   that is not in its query is an error naming the query (never a silent 0). Without
//   "prompts", the whole query (after leading BOS/pad tokens) is the response.
// - labels: each query is scored against its own label. A string is the gold answer, a number is
//   its JSON text ("42", "0.5"), a list of those is several acceptable golds; null, true/false or
//   an object is an error naming the query. Without "labels", groups are rules-only (format and
//   shaping terms alone).
// - groups: queries with the same (prompt, label) form one group, in order of first appearance.
#ifndef VERDICT_SERVER_OPENRLHF_H_
#define VERDICT_SERVER_OPENRLHF_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "verdict/v1/verdict.pb.h"

namespace verdict {

struct OpenRlhfBatch {
  v1::ScoreRequest request;
  // (group index, completion index) of each query, in query order.
  std::vector<std::pair<int, int>> where;
};

// Parses an OpenRLHF request body. INVALID_ARGUMENT for a body that is not the documented shape
// and for the first query that cannot be scored (its index and why). Linear in the body size.
absl::StatusOr<OpenRlhfBatch> ParseOpenRlhfRequest(std::string_view body);

// The reply body for `batch` once scored. A group or sample error becomes the call's error,
// naming the query: OpenRLHF needs a number for every query, so a partial reply is not possible.
absl::StatusOr<std::string> OpenRlhfReply(const OpenRlhfBatch& batch,
                                          const v1::ScoreResponse& response);

// True for a whole special token: <|...|> (Qwen, Llama 3, Phi), <｜...｜> (DeepSeek, fullwidth
// bars), <s> </s> <eos> <bos> <pad> <unk> <end_of_turn> <start_of_turn> [PAD].
bool IsSpecialToken(std::string_view token);
// `text` without the special tokens (and whitespace between them) at its end.
std::string_view StripTrailingSpecialTokens(std::string_view text);
// `text` without BOS/pad tokens (and whitespace after them) at its start: <s> <bos> <pad>
// <|begin_of_text|> <|endoftext|> <|startoftext|> <|pad|> <｜begin▁of▁sentence｜>.
std::string_view StripLeadingBosTokens(std::string_view text);
// The response part of `query` for `prompt` (see above); NOT_FOUND when the prompt is not in it.
absl::StatusOr<std::string_view> ResponseAfterPrompt(std::string_view query,
                                                     std::string_view prompt);

}  // namespace verdict

#endif  // VERDICT_SERVER_OPENRLHF_H_
