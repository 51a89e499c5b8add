// fp32 reference forward on the CPU: embeddings, RMSNorm, RoPE, grouped-query attention over a
// KV cache, SwiGLU MLP, fp32 logits. Weight matrices stay in their checkpoint dtype (bf16/f16
// take half the memory of fp32) and are widened to fp32 16 rows at a time; arithmetic is fp32.
// Prefill and decode share one code path that treats all new tokens of all sequences as rows
// of one matrix, so a batch is a sum of single-sequence steps.
#ifndef VERDICT_ROLLOUT_CPU_MODEL_H_
#define VERDICT_ROLLOUT_CPU_MODEL_H_

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "rollout/model.h"
#include "rollout/weights.h"

namespace verdict::rollout {

class CpuModel final : public Model {
 public:
  static absl::StatusOr<std::unique_ptr<CpuModel>> Load(const std::string& dir);
  explicit CpuModel(StoredModelWeights weights);
  explicit CpuModel(const ModelWeights& weights);  // fp32 matrices (tests)

  // Bytes held by the weights (matrices in their stored dtype, norms and biases fp32).
  size_t weight_bytes() const;
  // KV cache bytes per token of one sequence: 2 (K, V) x layers x kv heads x head_dim x fp32.
  static int64_t KvBytesPerToken(const ModelConfig& c);
  // The cache of a sequence (or of a forked prompt) grows this many positions at a time.
  static constexpr int64_t kKvChunkPositions = 64;
  // Most bytes a cache segment of `positions` tokens holds, the growth slack included.
  static int64_t KvBytesPerSegment(const ModelConfig& c, int64_t positions) {
    return KvBytesPerToken(c) * (positions + kKvChunkPositions);
  }

  const ModelConfig& config() const override { return w_.config; }
  absl::StatusOr<SequenceId> Prefill(absl::Span<const int32_t> tokens,
                                     absl::Span<float> logits) override;
  absl::StatusOr<std::vector<SequenceId>> Fork(SequenceId parent, int n) override;
  absl::Status Decode(absl::Span<const SequenceId> seqs, absl::Span<const int32_t> tokens,
                      absl::Span<float> logits) override;
  int64_t Length(SequenceId seq) const override;
  void Release(SequenceId seq) override { seqs_.erase(seq); }

 private:
  // A KV cache segment: positions [base_len, base_len + len) of a sequence; earlier positions
  // live in `parent` (shared, frozen).
  struct KvStore {
    std::shared_ptr<const KvStore> parent;
    int64_t base_len = 0;
    int64_t len = 0;
    std::vector<std::vector<float>> k, v;  // per layer: [len, num_kv_heads * head_dim]
    int64_t total() const { return base_len + len; }
  };
  struct Seq {
    std::shared_ptr<KvStore> kv;
    bool frozen = false;
  };

  absl::Status CheckTokens(absl::Span<const int32_t> tokens) const;
  absl::Status CheckLength(int64_t length) const;  // of a sequence about to be run
  // Appends rows[s] tokens to stores[s] and writes logits (all rows, or each store's last row).
  void Run(const std::vector<KvStore*>& stores, const std::vector<absl::Span<const int32_t>>& rows,
           bool all_positions, float* logits);

  StoredModelWeights w_;
  std::vector<double> rope_inv_freq_;  // [head_dim / 2]
  std::unordered_map<SequenceId, Seq> seqs_;
  SequenceId next_id_ = 1;
};

}  // namespace verdict::rollout

#endif  // VERDICT_ROLLOUT_CPU_MODEL_H_
