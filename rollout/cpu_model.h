// fp32 reference forward on the CPU: embeddings, RMSNorm, RoPE, grouped-query attention over a
// KV cache (fp32, or bf16 when asked: CpuModelOptions), SwiGLU MLP, fp32 logits. Weight matrices
// stay in their checkpoint dtype (bf16/f16 take half the memory of fp32) and are widened to fp32 16
// rows at a time; arithmetic is fp32. Prefill and decode share one code path that treats all new
// tokens of all sequences as rows of one matrix, so a batch is a sum of single-sequence steps.
#ifndef VERDICT_ROLLOUT_CPU_MODEL_H_
#define VERDICT_ROLLOUT_CPU_MODEL_H_

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "rollout/model.h"
#include "rollout/weights.h"

namespace verdict::rollout {

// The KV cache's element type on the CPU path.
//   kF32: the reference (logits within 1e-4 of the float64 numpy forward, cpu_model_test).
//   kBF16: half the bytes, as the CUDA path stores it: K and V rounded to bf16 (nearest even)
//          when appended, widened to fp32 when attended; arithmetic stays fp32. Logits move by
//          about 1e-2 relative (the tolerance cpu_model_test states), so sampled tokens can
//          differ from kF32 at near-ties.
enum class KvCacheDType { kF32, kBF16 };

// "f32" | "bf16"; INVALID_ARGUMENT naming the choices otherwise.
absl::StatusOr<KvCacheDType> ParseKvCacheDType(std::string_view name);

struct CpuModelOptions {
  KvCacheDType kv_dtype = KvCacheDType::kF32;
};

class CpuModel final : public Model {
 public:
  static absl::StatusOr<std::unique_ptr<CpuModel>> Load(const std::string& dir,
                                                        const CpuModelOptions& options = {});
  explicit CpuModel(StoredModelWeights weights, const CpuModelOptions& options = {});
  // fp32 matrices (tests)
  explicit CpuModel(const ModelWeights& weights, const CpuModelOptions& options = {});

  // Bytes held by the weights (matrices in their stored dtype, norms and biases fp32).
  size_t weight_bytes() const;
  // Bytes the KV caches of the live sequences hold (allocated capacity; a forked prompt's
  // segment counted once).
  int64_t kv_bytes() const;
  // KV cache bytes per token of one sequence: 2 (K, V) x layers x kv heads x head_dim x the
  // element's bytes (4 for kF32, 2 for kBF16).
  static int64_t KvBytesPerToken(const ModelConfig& c, KvCacheDType dtype = KvCacheDType::kF32);
  // The cache of a sequence (or of a forked prompt) grows this many positions at a time.
  static constexpr int64_t kKvChunkPositions = 64;
  // Most bytes a cache segment of `positions` tokens holds, the growth slack included.
  static int64_t KvBytesPerSegment(const ModelConfig& c, int64_t positions,
                                   KvCacheDType dtype = KvCacheDType::kF32) {
    return KvBytesPerToken(c, dtype) * (positions + kKvChunkPositions);
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
  // live in `parent` (shared, frozen). Per layer: [len, num_kv_heads * head_dim], in k/v
  // (kF32) or as bf16 bits in k16/v16 (kBF16); the other pair stays empty.
  struct KvStore {
    std::shared_ptr<const KvStore> parent;
    int64_t base_len = 0;
    int64_t len = 0;
    std::vector<std::vector<float>> k, v;
    std::vector<std::vector<uint16_t>> k16, v16;
    int64_t total() const { return base_len + len; }
    int64_t Bytes() const;  // allocated, this segment only
  };
  struct Seq {
    std::shared_ptr<KvStore> kv;
    bool frozen = false;
  };

  std::shared_ptr<KvStore> NewStore() const;
  absl::Status CheckTokens(absl::Span<const int32_t> tokens) const;
  absl::Status CheckLength(int64_t length) const;  // of a sequence about to be run
  // Appends rows[s] tokens to stores[s] and writes logits (all rows, or each store's last row).
  void Run(const std::vector<KvStore*>& stores, const std::vector<absl::Span<const int32_t>>& rows,
           bool all_positions, float* logits);

  StoredModelWeights w_;
  CpuModelOptions options_;
  std::vector<double> rope_inv_freq_;  // [head_dim / 2]
  std::unordered_map<SequenceId, Seq> seqs_;
  SequenceId next_id_ = 1;
};

}  // namespace verdict::rollout

#endif  // VERDICT_ROLLOUT_CPU_MODEL_H_
