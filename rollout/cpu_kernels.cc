#include "rollout/cpu_kernels.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace verdict::rollout::cpu {
namespace {

// Eight independent partial sums so the compiler can vectorise without -ffast-math.
inline float Dot(const float* a, const float* b, int64_t n) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int j = 0; j < 8; ++j) acc[j] += a[i + j] * b[i + j];
  }
  float s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
  for (; i < n; ++i) s += a[i] * b[i];
  return s;
}

}  // namespace

void MatMulTransposed(const float* x, const float* w, const float* bias, int64_t n, int64_t in,
                      int64_t out_dim, float* out) {
  // Row blocks of w stay in cache while every token row uses them.
  constexpr int64_t kBlock = 64;
  for (int64_t o0 = 0; o0 < out_dim; o0 += kBlock) {
    const int64_t o1 = std::min(out_dim, o0 + kBlock);
    for (int64_t r = 0; r < n; ++r) {
      const float* xr = x + r * in;
      float* outr = out + r * out_dim;
      for (int64_t o = o0; o < o1; ++o) {
        outr[o] = Dot(xr, w + o * in, in) + (bias ? bias[o] : 0.0f);
      }
    }
  }
}

void MatMulTransposedTiled(const float* x,
                           const std::function<void(int64_t, int64_t, float*)>& tile,
                           const float* bias, int64_t n, int64_t in, int64_t out_dim, float* out) {
  constexpr int64_t kBlock = 16;  // a widened tile stays in L1/L2 while every row uses it
  std::vector<float> buf(static_cast<size_t>(std::min(kBlock, out_dim) * in));
  for (int64_t o0 = 0; o0 < out_dim; o0 += kBlock) {
    const int64_t o1 = std::min(out_dim, o0 + kBlock);
    tile(o0, o1 - o0, buf.data());
    for (int64_t r = 0; r < n; ++r) {
      const float* xr = x + r * in;
      float* outr = out + r * out_dim;
      for (int64_t o = o0; o < o1; ++o) {
        outr[o] = Dot(xr, buf.data() + (o - o0) * in, in) + (bias ? bias[o] : 0.0f);
      }
    }
  }
}

void RmsNorm(const float* x, const float* weight, int64_t n, int64_t h, double eps, float* out) {
  for (int64_t r = 0; r < n; ++r) {
    const float* xr = x + r * h;
    const float ms = Dot(xr, xr, h) / static_cast<float>(h);
    const float scale = 1.0f / std::sqrt(ms + static_cast<float>(eps));
    for (int64_t i = 0; i < h; ++i) out[r * h + i] = xr[i] * scale * weight[i];
  }
}

void Rope(float* x, int64_t num_heads, int64_t head_dim, int64_t pos, const double* inv_freq) {
  const int64_t half = head_dim / 2;
  for (int64_t i = 0; i < half; ++i) {
    const double angle = static_cast<double>(pos) * inv_freq[i];
    const float c = static_cast<float>(std::cos(angle)), s = static_cast<float>(std::sin(angle));
    for (int64_t hd = 0; hd < num_heads; ++hd) {
      float* v = x + hd * head_dim;
      const float a = v[i], b = v[i + half];
      v[i] = a * c - b * s;
      v[i + half] = b * c + a * s;
    }
  }
}

void SwiGlu(const float* gate, const float* up, int64_t n, int64_t i, float* out) {
  for (int64_t k = 0; k < n * i; ++k) {
    const float g = gate[k];
    out[k] = g / (1.0f + std::exp(-g)) * up[k];
  }
}

void AttendOne(const float* q, const float* const* keys, const float* const* values, int64_t len,
               int64_t head_dim, float* scratch, float* out) {
  const float scale = 1.0f / std::sqrt(static_cast<float>(head_dim));
  float mx = -INFINITY;
  for (int64_t t = 0; t < len; ++t) {
    scratch[t] = Dot(q, keys[t], head_dim) * scale;
    mx = std::max(mx, scratch[t]);
  }
  float sum = 0.0f;
  for (int64_t t = 0; t < len; ++t) {
    scratch[t] = std::exp(scratch[t] - mx);
    sum += scratch[t];
  }
  std::fill(out, out + head_dim, 0.0f);
  for (int64_t t = 0; t < len; ++t) {
    const float p = scratch[t] / sum;
    const float* v = values[t];
    for (int64_t d = 0; d < head_dim; ++d) out[d] += p * v[d];
  }
}

}  // namespace verdict::rollout::cpu
