// CPU reference kernels, fp32 (accumulation in fp32 unless stated). Each CUDA kernel of
// rollout/cuda/ has its reference here with the same shapes. All pointers are row-major, caller
// owns memory, no aliasing between inputs and outputs.
#ifndef VERDICT_ROLLOUT_CPU_KERNELS_H_
#define VERDICT_ROLLOUT_CPU_KERNELS_H_

#include <cstdint>
#include <functional>

namespace verdict::rollout::cpu {

// out[n, o] = sum_i x[n, i] * w[o, i] (+ bias[o] when bias != nullptr).
// x: [N, I], w: [O, I], bias: [O] or null, out: [N, O].
void MatMulTransposed(const float* x, const float* w, const float* bias, int64_t n, int64_t in,
                      int64_t out_dim, float* out);

// MatMulTransposed with w produced a block of rows at a time (weights kept in bf16/f16):
// tile(first, count, buf) writes rows [first, first + count) of w as fp32 into buf[count * in].
// Same arithmetic as MatMulTransposed, so fp32 tiles give identical results.
void MatMulTransposedTiled(const float* x,
                           const std::function<void(int64_t, int64_t, float*)>& tile,
                           const float* bias, int64_t n, int64_t in, int64_t out_dim, float* out);

// out[n, :] = x[n, :] / sqrt(mean(x[n, :]^2) + eps) * weight. x, out: [N, H]; weight: [H].
void RmsNorm(const float* x, const float* weight, int64_t n, int64_t h, double eps, float* out);

// Rotary embedding (HF "rotate_half" layout) in place on one token's heads.
// x: [num_heads, head_dim]; pair (i, i + head_dim/2) rotates by pos * inv_freq[i]
// (inv_freq: [head_dim/2], RopeInverseFrequencies of config.h).
void Rope(float* x, int64_t num_heads, int64_t head_dim, int64_t pos, const double* inv_freq);

// out[n, i] = silu(gate[n, i]) * up[n, i]. gate, up, out: [N, I].
void SwiGlu(const float* gate, const float* up, int64_t n, int64_t i, float* out);

// Causal attention of one query token over `len` cached positions for one query head.
// q: [head_dim]; keys[t], values[t]: pointers to [head_dim] rows; out: [head_dim];
// scratch: [len]. Softmax of q.k / sqrt(head_dim) in fp32 with max subtraction.
void AttendOne(const float* q, const float* const* keys, const float* const* values, int64_t len,
               int64_t head_dim, float* scratch, float* out);

}  // namespace verdict::rollout::cpu

#endif  // VERDICT_ROLLOUT_CPU_KERNELS_H_
