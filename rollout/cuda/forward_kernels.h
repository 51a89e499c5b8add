// The forward pass's custom kernels (forward_kernels.cu); GEMMs are cuBLAS calls in
// cuda_model.cc. Plain types only: bf16 tensors are uint16_t (the bf16 bit pattern), streams are
// void* (a cudaStream_t). Every function enqueues on `stream` and returns the cudaError_t of the
// launch (0 = success). Shapes are [rows, cols], row-major; each kernel's CPU reference is named.
//
// Paged KV cache: a pool of pages of kKvPageTokens positions. Page p holds, for every layer l,
// K then V of its positions: element (l, kind, slot, j) of page p is at
//   (((p * layers + l) * 2 + kind) * kKvPageTokens + slot) * kv_dim + j,   kv_dim = nkv * head_dim
// so one page (all layers) is a contiguous block that Fork copies whole. A sequence's page table
// lists its pages in position order; position t lives in table[t / kKvPageTokens], slot
// t % kKvPageTokens.
#ifndef VERDICT_ROLLOUT_CUDA_FORWARD_KERNELS_H_
#define VERDICT_ROLLOUT_CUDA_FORWARD_KERNELS_H_

#include <cstdint>

namespace verdict::rollout::cuda {

constexpr int kKvPageTokens = 16;
constexpr int kAttnMaxGroup = 8;      // query heads per KV head
constexpr int kAttnMaxHeadDim = 128;  // head_dim must divide 128 and be a multiple of 8

// fp32 -> bf16, round to nearest even (NaN kept NaN). Host and device agree.
uint16_t FloatToBf16(float f);

// x[r, :] = embed[tokens[r], :] (bf16 -> fp32). x: [n, h].
int LaunchEmbed(const uint16_t* embed, const int32_t* tokens, int32_t n, int32_t h, float* x,
                void* stream);

// out = bf16(x / sqrt(mean(x^2) + eps) * weight) per row (cpu::RmsNorm). x: [n, h] fp32,
// weight: [h] fp32, out: [n, h] bf16. `rows`, when not null, picks input rows: out[i] from
// x[rows[i]].
int LaunchRmsNorm(const float* x, const int32_t* rows, const float* weight, int32_t n, int32_t h,
                  float eps, uint16_t* out, void* stream);

// After the fused QKV GEMM: qkv [n, qd + 2 kvd] fp32 (+ bias [qd + 2 kvd] when not null);
// RoPE (cpu::Rope, rotate-half) on q and k with rope[pos][i] = {cos, sin} of pos * inv_freq[i]
// (table [max_pos, hd/2] float2, built on the host in double like the CPU); writes q_out [n, qd]
// fp32 and k, v as bf16 into the cache at (table_of_row, positions[r]).
int LaunchQkvRopeAppend(const float* qkv, const float* bias, const float* rope,
                        const int32_t* positions, const int32_t* row_table,
                        const int32_t* page_tables, int32_t max_pages, int32_t n, int32_t nh,
                        int32_t nkv, int32_t hd, int32_t layer, int32_t layers, float* q_out,
                        uint16_t* kv_pool, void* stream);

// Causal attention (cpu::AttendOne) of each row's query heads over positions [lo, positions[r]]
// of its sequence's cache, lo = 0, or with window > 0 (a Qwen2 sliding-window layer, as
// ModelConfig::SlidingLayer) lo = max(0, positions[r] + 1 - window): the last `window`
// positions, the row's own included. out [n, nh * hd] bf16. One block per (row, KV head, split);
// with splits > 1 each block takes every splits-th chunk of 128 positions and the last to finish
// combines them (flash-decoding), which needs
//   partial: n * nh * splits * (hd + 2) floats of scratch, and
//   counters: n * nkv int32, zero before the first launch (each launch leaves them zero).
// splits == 1 needs neither (may be null).
int LaunchAttention(const float* q, const int32_t* positions, const int32_t* row_table,
                    const int32_t* page_tables, int32_t max_pages, int32_t n, int32_t nh,
                    int32_t nkv, int32_t hd, int32_t layer, int32_t layers, int32_t window,
                    const uint16_t* kv_pool, uint16_t* out, int32_t splits, float* partial,
                    int32_t* counters, void* stream);

// Splits for n rows: enough blocks for about 4 per SM, at most kAttnMaxSplits.
constexpr int32_t kAttnMaxSplits = 16;
int32_t AttentionSplits(int32_t n, int32_t nkv, int32_t sm_count);

// out[r, i] = bf16(silu(gu[r, i]) * gu[r, inter + i]) (cpu::SwiGlu); gu: [n, 2 inter] fp32.
int LaunchSwiGlu(const float* gu, int32_t n, int32_t inter, uint16_t* out, void* stream);

}  // namespace verdict::rollout::cuda

#endif  // VERDICT_ROLLOUT_CUDA_FORWARD_KERNELS_H_
