#include "rollout/cuda/cuda_model.h"

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <initializer_list>
#include <map>
#include <unordered_map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "rollout/cuda/check.h"
#include "rollout/cuda/device.h"
#include "rollout/cuda/forward_kernels.h"
#include "rollout/cuda/sampling.h"
#include "rollout/sampler.h"

#define VERDICT_CUBLAS_RETURN(expr)                                                   \
  do {                                                                                \
    const cublasStatus_t verdict_blas_s_ = (expr);                                    \
    if (verdict_blas_s_ != CUBLAS_STATUS_SUCCESS) {                                   \
      return absl::InternalError(absl::StrCat(#expr, " at ", __FILE__, ":", __LINE__, \
                                              ": cuBLAS status ",                     \
                                              static_cast<int>(verdict_blas_s_)));    \
    }                                                                                 \
  } while (0)

namespace verdict::rollout::cuda {
namespace {

constexpr int kP = kKvPageTokens;
constexpr size_t kCublasWorkspaceBytes = size_t{32} << 20;

struct Layer {
  float* attn_norm = nullptr;
  uint16_t* w_qkv = nullptr;  // [qd + 2 kvd, H]
  float* b_qkv = nullptr;     // [qd + 2 kvd] or null
  uint16_t* wo = nullptr;     // [H, qd]
  float* mlp_norm = nullptr;
  uint16_t* w_gu = nullptr;    // [2 I, H]: gate rows, then up rows
  uint16_t* w_down = nullptr;  // [H, I]
};

struct Seq {
  std::vector<int32_t> pages;
  int64_t len = 0;
  bool frozen = false;
};

std::vector<uint16_t> ToBf16(const std::vector<const std::vector<float>*>& parts) {
  size_t n = 0;
  for (const auto* p : parts) n += p->size();
  std::vector<uint16_t> out;
  out.reserve(n);
  for (const auto* p : parts) {
    for (float f : *p) out.push_back(FloatToBf16(f));
  }
  return out;
}

// Padded decode batch sizes, so a handful of captured graphs serve every batch size.
int32_t Bucket(int32_t b, int32_t max_batch) {
  int32_t p = b <= 8 ? 8 : b <= 64 ? (b + 7) / 8 * 8 : (b + 31) / 32 * 32;
  return std::min(p, max_batch);
}

}  // namespace

struct CudaModel::Impl {
  ModelConfig c;
  CudaModelOptions o;
  cudaStream_t stream = nullptr;
  cublasHandle_t blas = nullptr;
  std::vector<void*> allocs;
  cudaEvent_t ready = nullptr;

  uint16_t* embed = nullptr;
  uint16_t* lm_head = nullptr;
  float* final_norm = nullptr;
  std::vector<Layer> layers;
  float* rope = nullptr;  // [max_seq_len, hd / 2] {cos, sin}

  uint16_t* kv_pool = nullptr;
  int64_t page_elems = 0;
  int32_t num_pages = 0;
  std::vector<int32_t> free_pages;
  std::vector<int32_t> page_ref;
  int32_t max_pages = 0;  // per sequence
  int32_t max_seq_len = 0;
  int32_t rows = 0;  // scratch rows

  // Step inputs (device) and their pinned host staging.
  int32_t *d_tokens = nullptr, *d_pos = nullptr, *d_row_table = nullptr, *d_tables = nullptr,
          *d_out_rows = nullptr;
  int32_t *h_tokens = nullptr, *h_pos = nullptr, *h_row_table = nullptr, *h_tables = nullptr,
          *h_out_rows = nullptr;
  // The GPU sampler's rows and results (device) and their pinned host copies. A step's results
  // are one block of 4 B words (tokens, logprobs as float bits, status, raw logprobs as float
  // bits), copied back at once.
  SamplerRow* d_rows = nullptr;
  SamplerRow* h_rows = nullptr;
  int32_t *d_sampled = nullptr, *h_sampled = nullptr;  // [4 * max_batch]
  // Activations.
  float *x = nullptr, *qkv = nullptr, *q = nullptr, *gu = nullptr, *logits = nullptr;
  uint16_t *xn = nullptr, *att = nullptr, *act = nullptr;
  // Split attention's scratch, for up to max_batch rows (forward_kernels.h).
  float* attn_partial = nullptr;
  int32_t* attn_counters = nullptr;
  // The sliced sampler's scratch and counters, when sampler_slices > 1.
  void* sample_scratch = nullptr;
  int32_t* sample_counters = nullptr;
  int32_t sm_count = 1;

  std::unordered_map<SequenceId, Seq> seqs;
  SequenceId next_id = 1;
  std::map<int32_t, cudaGraphExec_t> graphs;
  CudaModelStats stats;

  ~Impl() {
    // Errors on teardown are ignored: nothing useful can be done in a destructor.
    if (stream != nullptr) cudaStreamSynchronize(stream);
    for (auto& [b, g] : graphs) cudaGraphExecDestroy(g);
    if (blas != nullptr) cublasDestroy(blas);
    if (ready != nullptr) cudaEventDestroy(ready);
    for (void* p : allocs) cudaFree(p);
    for (void* p : std::initializer_list<void*>{h_tokens, h_pos, h_row_table, h_tables, h_out_rows,
                                                h_rows, h_sampled}) {
      if (p != nullptr) cudaFreeHost(p);
    }
    if (stream != nullptr) cudaStreamDestroy(stream);
  }

  template <typename T>
  absl::Status Alloc(T** p, size_t count) {
    void* raw = nullptr;
    const cudaError_t e = cudaMalloc(&raw, std::max<size_t>(count, 1) * sizeof(T));
    if (e == cudaErrorMemoryAllocation) {
      cudaGetLastError();
      return absl::ResourceExhaustedError(
          absl::StrCat("CudaModel: cudaMalloc of ", count * sizeof(T), " bytes: out of memory"));
    }
    VERDICT_CUDA_RETURN(e);
    allocs.push_back(raw);
    *p = static_cast<T*>(raw);
    return absl::OkStatus();
  }
  template <typename T>
  absl::Status Upload(T** p, const T* host, size_t count) {
    if (auto s = Alloc(p, count); !s.ok()) return s;
    VERDICT_CUDA_RETURN(cudaMemcpy(*p, host, count * sizeof(T), cudaMemcpyHostToDevice));
    return absl::OkStatus();
  }
  template <typename T>
  absl::Status Pinned(T** p, size_t count) {
    VERDICT_CUDA_RETURN(cudaMallocHost(reinterpret_cast<void**>(p), count * sizeof(T)));
    std::memset(static_cast<void*>(*p), 0, count * sizeof(T));
    return absl::OkStatus();
  }

  // out [n, m] (fp32) = a [n, k] (bf16) * w [m, k]^T (bf16) + beta * out.
  absl::Status Gemm(const uint16_t* a, const uint16_t* w, int32_t n, int32_t m, int32_t k,
                    float beta, float* out) {
    const float alpha = 1.0f;
    VERDICT_CUBLAS_RETURN(cublasGemmEx(blas, CUBLAS_OP_T, CUBLAS_OP_N, m, n, k, &alpha, w,
                                       CUDA_R_16BF, k, a, CUDA_R_16BF, k, &beta, out, CUDA_R_32F, m,
                                       CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
    return absl::OkStatus();
  }

  // All layers for n rows whose inputs are in d_tokens / d_pos / d_row_table / d_tables.
  absl::Status Layers(int32_t n) {
    const int32_t h = c.hidden_size, nh = c.num_heads, nkv = c.num_kv_heads, hd = c.head_dim;
    const int32_t qd = nh * hd, kvd = nkv * hd, im = c.intermediate_size, nl = c.num_layers;
    const float eps = static_cast<float>(c.rms_norm_eps);
    const int32_t splits = n > o.max_batch          ? 1
                           : o.attention_splits > 0 ? o.attention_splits
                                                    : AttentionSplits(n, nkv, sm_count);
    VERDICT_CUDA_RETURN(LaunchEmbed(embed, d_tokens, n, h, x, stream));
    for (int32_t l = 0; l < nl; ++l) {
      const Layer& L = layers[l];
      VERDICT_CUDA_RETURN(LaunchRmsNorm(x, nullptr, L.attn_norm, n, h, eps, xn, stream));
      if (auto s = Gemm(xn, L.w_qkv, n, qd + 2 * kvd, h, 0.0f, qkv); !s.ok()) return s;
      VERDICT_CUDA_RETURN(LaunchQkvRopeAppend(qkv, L.b_qkv, rope, d_pos, d_row_table, d_tables,
                                              max_pages, n, nh, nkv, hd, l, nl, q, kv_pool,
                                              stream));
      const int32_t window = c.SlidingLayer(l) ? c.sliding_window : 0;
      VERDICT_CUDA_RETURN(LaunchAttention(q, d_pos, d_row_table, d_tables, max_pages, n, nh, nkv,
                                          hd, l, nl, window, kv_pool, att, splits, attn_partial,
                                          attn_counters, stream));
      if (auto s = Gemm(att, L.wo, n, h, qd, 1.0f, x); !s.ok()) return s;
      VERDICT_CUDA_RETURN(LaunchRmsNorm(x, nullptr, L.mlp_norm, n, h, eps, xn, stream));
      if (auto s = Gemm(xn, L.w_gu, n, 2 * im, h, 0.0f, gu); !s.ok()) return s;
      VERDICT_CUDA_RETURN(LaunchSwiGlu(gu, n, im, act, stream));
      if (auto s = Gemm(act, L.w_down, n, h, im, 1.0f, x); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  // logits [m, V] for the rows d_out_rows[0, m) of x.
  absl::Status Logits(int32_t m) {
    VERDICT_CUDA_RETURN(LaunchRmsNorm(x, d_out_rows, final_norm, m, c.hidden_size,
                                      static_cast<float>(c.rms_norm_eps), xn, stream));
    return Gemm(xn, lm_head, m, c.vocab_size, c.hidden_size, 0.0f, logits);
  }

  absl::StatusOr<int32_t> NewPage() {
    if (free_pages.empty()) {
      return absl::ResourceExhaustedError(
          absl::StrCat("CudaModel: KV cache full (", num_pages, " pages of ", kP,
                       " positions); lower the batch or raise kv_cache_bytes"));
    }
    const int32_t p = free_pages.back();
    free_pages.pop_back();
    page_ref[p] = 1;
    ++stats.kv_pages_used;
    return p;
  }
  void DropPage(int32_t p) {
    if (--page_ref[p] == 0) {
      free_pages.push_back(p);
      --stats.kv_pages_used;
    }
  }

  absl::Status CheckTokens(absl::Span<const int32_t> tokens) const {
    for (int32_t t : tokens) {
      if (t < 0 || t >= c.vocab_size) {
        return absl::InvalidArgumentError(
            absl::StrCat("token id ", t, " outside the vocabulary [0, ", c.vocab_size, ")"));
      }
    }
    return absl::OkStatus();
  }

  absl::Status Init(const ModelWeights& w) {
    const int32_t h = c.hidden_size, hd = c.head_dim, nkv = c.num_kv_heads;
    VERDICT_CUDA_RETURN(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
    VERDICT_CUDA_RETURN(cudaEventCreateWithFlags(&ready, cudaEventDisableTiming));
    VERDICT_CUBLAS_RETURN(cublasCreate(&blas));
    VERDICT_CUBLAS_RETURN(cublasSetStream(blas, stream));
    // fp32 accumulation throughout, no reduced-precision split-K reductions.
    VERDICT_CUBLAS_RETURN(cublasSetMathMode(
        blas, static_cast<cublasMath_t>(CUBLAS_DEFAULT_MATH |
                                        CUBLAS_MATH_DISALLOW_REDUCED_PRECISION_REDUCTION)));
    void* ws = nullptr;
    if (auto s = Alloc(reinterpret_cast<char**>(&ws), kCublasWorkspaceBytes); !s.ok()) return s;
    // A fixed workspace: cuBLAS then allocates nothing while a graph is captured.
    VERDICT_CUBLAS_RETURN(cublasSetWorkspace(blas, ws, kCublasWorkspaceBytes));

    {
      const auto e = ToBf16({&w.embed});
      if (auto s = Upload(&embed, e.data(), e.size()); !s.ok()) return s;
    }
    if (w.lm_head.empty()) {
      lm_head = embed;
    } else {
      const auto e = ToBf16({&w.lm_head});
      if (auto s = Upload(&lm_head, e.data(), e.size()); !s.ok()) return s;
    }
    if (auto s = Upload(&final_norm, w.final_norm.data(), w.final_norm.size()); !s.ok()) return s;
    layers.resize(c.num_layers);
    for (int32_t l = 0; l < c.num_layers; ++l) {
      const LayerWeights& W = w.layers[l];
      Layer& L = layers[l];
      if (auto s = Upload(&L.attn_norm, W.attn_norm.data(), W.attn_norm.size()); !s.ok()) return s;
      if (auto s = Upload(&L.mlp_norm, W.mlp_norm.data(), W.mlp_norm.size()); !s.ok()) return s;
      const auto qkv_w = ToBf16({&W.wq, &W.wk, &W.wv});
      if (auto s = Upload(&L.w_qkv, qkv_w.data(), qkv_w.size()); !s.ok()) return s;
      if (!W.bq.empty()) {
        std::vector<float> b = W.bq;
        b.insert(b.end(), W.bk.begin(), W.bk.end());
        b.insert(b.end(), W.bv.begin(), W.bv.end());
        if (auto s = Upload(&L.b_qkv, b.data(), b.size()); !s.ok()) return s;
      }
      const auto wo = ToBf16({&W.wo});
      if (auto s = Upload(&L.wo, wo.data(), wo.size()); !s.ok()) return s;
      const auto gu_w = ToBf16({&W.w_gate, &W.w_up});
      if (auto s = Upload(&L.w_gu, gu_w.data(), gu_w.size()); !s.ok()) return s;
      const auto down = ToBf16({&W.w_down});
      if (auto s = Upload(&L.w_down, down.data(), down.size()); !s.ok()) return s;
    }

    max_seq_len = o.max_seq_len > 0               ? o.max_seq_len
                  : c.max_position_embeddings > 0 ? c.max_position_embeddings
                                                  : 4096;
    max_pages = (max_seq_len + kP - 1) / kP;
    {  // RoPE table, computed exactly as cpu::Rope does (double, then float).
      const int32_t half = hd / 2;
      const std::vector<double> inv_freq = RopeInverseFrequencies(c);  // rope_scaling included
      std::vector<float> t(static_cast<size_t>(max_seq_len) * half * 2);
      for (int32_t i = 0; i < half; ++i) {
        const double freq = inv_freq[i];
        for (int32_t pos = 0; pos < max_seq_len; ++pos) {
          const double angle = static_cast<double>(pos) * freq;
          t[(static_cast<size_t>(pos) * half + i) * 2] = static_cast<float>(std::cos(angle));
          t[(static_cast<size_t>(pos) * half + i) * 2 + 1] = static_cast<float>(std::sin(angle));
        }
      }
      if (auto s = Upload(&rope, t.data(), t.size()); !s.ok()) return s;
    }

    rows = std::max(o.max_batch, o.max_prefill_tokens);
    const int32_t qd = c.num_heads * hd, kvd = nkv * hd, im = c.intermediate_size;
    const size_t r = rows;
    for (auto s :
         {Alloc(&d_tokens, r), Alloc(&d_pos, r), Alloc(&d_row_table, r), Alloc(&d_out_rows, r),
          Alloc(&d_tables, static_cast<size_t>(o.max_batch + 1) * max_pages), Alloc(&x, r * h),
          Alloc(&xn, r * h), Alloc(&qkv, r * (qd + 2 * kvd)), Alloc(&q, r * qd),
          Alloc(&att, r * qd), Alloc(&gu, r * 2 * im), Alloc(&act, r * im),
          Alloc(&logits, static_cast<size_t>(o.max_batch) * c.vocab_size),
          Alloc(&d_rows, o.max_batch), Alloc(&d_sampled, 4 * size_t(o.max_batch))}) {
      if (!s.ok()) return s;
    }
    {
      cudaDeviceProp prop;
      VERDICT_CUDA_RETURN(cudaGetDeviceProperties(&prop, 0));
      sm_count = std::max(1, prop.multiProcessorCount);
      const size_t b = o.max_batch;
      for (auto s : {Alloc(&attn_partial, b * c.num_heads * kAttnMaxSplits * (hd + 2)),
                     Alloc(&attn_counters, b * nkv)}) {
        if (!s.ok()) return s;
      }
      VERDICT_CUDA_RETURN(cudaMemset(attn_counters, 0, b * nkv * sizeof(int32_t)));
      if (o.sampler_slices > 1) {
        const size_t bytes = SampleSlicedScratchBytes(o.max_batch, o.sampler_slices);
        for (auto s : {Alloc(reinterpret_cast<char**>(&sample_scratch), bytes),
                       Alloc(&sample_counters, b)}) {
          if (!s.ok()) return s;
        }
        VERDICT_CUDA_RETURN(cudaMemset(sample_counters, 0, b * sizeof(int32_t)));
      }
    }
    for (auto s : {Pinned(&h_rows, o.max_batch), Pinned(&h_sampled, 4 * size_t(o.max_batch))}) {
      if (!s.ok()) return s;
    }
    for (auto s :
         {Pinned(&h_tokens, r), Pinned(&h_pos, r), Pinned(&h_row_table, r), Pinned(&h_out_rows, r),
          Pinned(&h_tables, static_cast<size_t>(o.max_batch + 1) * max_pages)}) {
      if (!s.ok()) return s;
    }
    // Every table entry starts at page 0, the scratch page padded rows write to; the last table
    // row (index max_batch) stays that way.
    VERDICT_CUDA_RETURN(
        cudaMemset(d_tables, 0, static_cast<size_t>(o.max_batch + 1) * max_pages * 4));
    for (int32_t i = 0; i < rows; ++i) h_out_rows[i] = i;
    VERDICT_CUDA_RETURN(cudaMemcpy(d_out_rows, h_out_rows, r * 4, cudaMemcpyHostToDevice));

    page_elems = static_cast<int64_t>(c.num_layers) * 2 * kP * kvd;
    int64_t bytes = o.kv_cache_bytes;
    if (bytes <= 0) {
      size_t free_b = 0, total_b = 0;
      VERDICT_CUDA_RETURN(cudaMemGetInfo(&free_b, &total_b));
      bytes = static_cast<int64_t>(static_cast<double>(free_b) * 0.7);
    }
    num_pages = static_cast<int32_t>(std::min<int64_t>(bytes / (page_elems * 2), INT32_MAX));
    if (num_pages < 2) {
      return absl::ResourceExhaustedError(absl::StrCat("CudaModel: room for ", num_pages,
                                                       " KV pages of ", page_elems * 2, " bytes"));
    }
    if (auto s = Alloc(&kv_pool, static_cast<size_t>(num_pages) * page_elems); !s.ok()) return s;
    page_ref.assign(num_pages, 0);
    page_ref[0] = 1;  // scratch
    for (int32_t p = num_pages - 1; p >= 1; --p) free_pages.push_back(p);
    stats.kv_pages_total = num_pages - 1;
    VERDICT_CUDA_RETURN(cudaDeviceSynchronize());
    return absl::OkStatus();
  }

  absl::Status UploadStep(int32_t n, int32_t table_rows, int32_t table_width) {
    VERDICT_CUDA_RETURN(cudaMemcpyAsync(d_tokens, h_tokens, n * 4, cudaMemcpyHostToDevice, stream));
    VERDICT_CUDA_RETURN(cudaMemcpyAsync(d_pos, h_pos, n * 4, cudaMemcpyHostToDevice, stream));
    VERDICT_CUDA_RETURN(
        cudaMemcpyAsync(d_row_table, h_row_table, n * 4, cudaMemcpyHostToDevice, stream));
    if (table_rows > 0 && table_width > 0) {
      VERDICT_CUDA_RETURN(cudaMemcpy2DAsync(d_tables, max_pages * 4, h_tables, max_pages * 4,
                                            table_width * 4, table_rows, cudaMemcpyHostToDevice,
                                            stream));
    }
    return absl::OkStatus();
  }

  absl::Status Prefill(absl::Span<const int32_t> tokens, absl::Span<float> out, SequenceId* id) {
    const int64_t v = c.vocab_size, t_n = tokens.size();
    if (tokens.empty()) return absl::InvalidArgumentError("Prefill: no tokens");
    if (auto s = CheckTokens(tokens); !s.ok()) return s;
    VERDICT_CUDA_RETURN(cudaStreamSynchronize(stream));  // the pinned staging is free again
    const bool all = out.size() == static_cast<size_t>(t_n * v);
    if (!all && out.size() != static_cast<size_t>(v)) {
      return absl::InvalidArgumentError(
          absl::StrCat("Prefill: logits must hold V or T*V floats, got ", out.size()));
    }
    if (t_n > max_seq_len) {
      return absl::ResourceExhaustedError(
          absl::StrCat("Prefill: ", t_n, " tokens exceed max_seq_len ", max_seq_len));
    }
    Seq seq;
    for (int64_t p = 0; p < (t_n + kP - 1) / kP; ++p) {
      auto page = NewPage();
      if (!page.ok()) {
        for (int32_t q : seq.pages) DropPage(q);
        return page.status();
      }
      seq.pages.push_back(*page);
    }
    std::copy(seq.pages.begin(), seq.pages.end(), h_tables);
    for (int64_t s0 = 0; s0 < t_n; s0 += rows) {
      const int32_t n = static_cast<int32_t>(std::min<int64_t>(rows, t_n - s0));
      for (int32_t i = 0; i < n; ++i) {
        h_tokens[i] = tokens[s0 + i];
        h_pos[i] = static_cast<int32_t>(s0 + i);
        h_row_table[i] = 0;
      }
      if (auto s = UploadStep(n, 1, static_cast<int32_t>(seq.pages.size())); !s.ok()) return s;
      if (auto s = Layers(n); !s.ok()) return s;
      // Logits in slices of max_batch rows (the logits buffer's size).
      const bool last = s0 + n == t_n;
      for (int32_t j = 0; j < n && (all || last); j += o.max_batch) {
        const int32_t m = all ? std::min(o.max_batch, n - j) : 1;
        for (int32_t i = 0; i < m; ++i) h_out_rows[i] = all ? j + i : n - 1;
        VERDICT_CUDA_RETURN(
            cudaMemcpyAsync(d_out_rows, h_out_rows, m * 4, cudaMemcpyHostToDevice, stream));
        if (auto s = Logits(m); !s.ok()) return s;
        float* dst = all ? out.data() + (s0 + j) * v : out.data();
        VERDICT_CUDA_RETURN(cudaMemcpyAsync(dst, logits, static_cast<size_t>(m) * v * 4,
                                            cudaMemcpyDeviceToHost, stream));
        VERDICT_CUDA_RETURN(cudaStreamSynchronize(stream));
        if (!all) break;
      }
      VERDICT_CUDA_RETURN(cudaStreamSynchronize(stream));  // staging buffers are reused
    }
    // d_out_rows is the identity again for decode.
    for (int32_t i = 0; i < rows; ++i) h_out_rows[i] = i;
    VERDICT_CUDA_RETURN(cudaMemcpyAsync(d_out_rows, h_out_rows, static_cast<size_t>(rows) * 4,
                                        cudaMemcpyHostToDevice, stream));
    VERDICT_CUDA_RETURN(cudaStreamSynchronize(stream));
    seq.len = t_n;
    *id = next_id++;
    seqs.emplace(*id, std::move(seq));
    return absl::OkStatus();
  }

  // One decode step; logits of the B real rows stay in `logits` on the device.
  absl::Status DecodeOnDevice(absl::Span<const SequenceId> ids, absl::Span<const int32_t> tokens) {
    const int32_t b = static_cast<int32_t>(ids.size());
    if (ids.size() != tokens.size()) {
      return absl::InvalidArgumentError("Decode: seqs and tokens must agree");
    }
    if (b > o.max_batch) {
      return absl::InvalidArgumentError(
          absl::StrCat("Decode: ", b, " sequences, max_batch is ", o.max_batch));
    }
    if (b == 0) return absl::OkStatus();
    if (auto s = CheckTokens(tokens); !s.ok()) return s;
    std::vector<Seq*> batch;
    for (SequenceId id : ids) {
      auto it = seqs.find(id);
      if (it == seqs.end()) return absl::NotFoundError(absl::StrCat("Decode: no sequence ", id));
      if (it->second.frozen) {
        return absl::FailedPreconditionError(
            absl::StrCat("Decode: sequence ", id, " was forked; decode its children"));
      }
      if (std::find(batch.begin(), batch.end(), &it->second) != batch.end()) {
        return absl::InvalidArgumentError(absl::StrCat("Decode: sequence ", id, " twice"));
      }
      if (it->second.len >= max_seq_len) {
        return absl::ResourceExhaustedError(
            absl::StrCat("Decode: sequence ", id, " reached max_seq_len ", max_seq_len));
      }
      batch.push_back(&it->second);
    }
    // New pages first, so that a full cache fails before anything changes.
    std::vector<Seq*> grown;
    for (Seq* s : batch) {
      if (s->len % kP != 0) continue;
      auto page = NewPage();
      if (!page.ok()) {
        for (Seq* g : grown) {
          DropPage(g->pages.back());
          g->pages.pop_back();
        }
        return page.status();
      }
      s->pages.push_back(*page);
      grown.push_back(s);
    }
    // The pinned staging below is reused every step: wait for the previous step's copies.
    VERDICT_CUDA_RETURN(cudaStreamSynchronize(stream));
    const int32_t bp = Bucket(b, o.max_batch);
    int32_t width = 0;
    for (int32_t i = 0; i < bp; ++i) {
      const bool real = i < b;
      h_tokens[i] = real ? tokens[i] : 0;
      h_pos[i] = real ? static_cast<int32_t>(batch[i]->len) : 0;
      h_row_table[i] = real ? i : o.max_batch;
      if (real) {
        std::copy(batch[i]->pages.begin(), batch[i]->pages.end(),
                  h_tables + static_cast<size_t>(i) * max_pages);
        width = std::max<int32_t>(width, static_cast<int32_t>(batch[i]->pages.size()));
      }
    }
    if (auto s = UploadStep(bp, b, width); !s.ok()) return s;
    if (!o.cuda_graphs) {
      if (auto s = Layers(bp); !s.ok()) return s;
      if (auto s = Logits(bp); !s.ok()) return s;
    } else {
      auto it = graphs.find(bp);
      if (it == graphs.end()) {
        VERDICT_CUDA_RETURN(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal));
        absl::Status s = Layers(bp);
        if (s.ok()) s = Logits(bp);
        cudaGraph_t graph = nullptr;
        const cudaError_t end = cudaStreamEndCapture(stream, &graph);
        if (!s.ok()) {
          if (graph != nullptr) cudaGraphDestroy(graph);
          return s;
        }
        VERDICT_CUDA_RETURN(end);
        cudaGraphExec_t exec = nullptr;
        const cudaError_t inst = cudaGraphInstantiate(&exec, graph, 0);
        cudaGraphDestroy(graph);
        VERDICT_CUDA_RETURN(inst);
        it = graphs.emplace(bp, exec).first;
        ++stats.graphs_captured;
      }
      VERDICT_CUDA_RETURN(cudaGraphLaunch(it->second, stream));
      ++stats.graph_replays;
    }
    for (Seq* s : batch) ++s->len;
    return absl::OkStatus();
  }
};

CudaModel::CudaModel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CudaModel::~CudaModel() = default;

absl::StatusOr<std::unique_ptr<CudaModel>> CudaModel::Create(const ModelWeights& weights,
                                                             const CudaModelOptions& options) {
  const CudaProbe probe = ProbeCuda();
  if (probe.device_count == 0) return absl::UnavailableError(probe.error);
  const ModelConfig& c = weights.config;
  if (c.head_dim % 8 != 0 || c.head_dim > kAttnMaxHeadDim || kAttnMaxHeadDim % c.head_dim != 0) {
    return absl::UnimplementedError(absl::StrCat("CudaModel: head_dim ", c.head_dim,
                                                 " (the attention kernel needs a multiple of 8 "
                                                 "that divides ",
                                                 kAttnMaxHeadDim, ")"));
  }
  if (c.num_heads % c.num_kv_heads != 0 || c.num_heads / c.num_kv_heads > kAttnMaxGroup) {
    return absl::UnimplementedError(absl::StrCat("CudaModel: ", c.num_heads, " query heads over ",
                                                 c.num_kv_heads, " KV heads (at most ",
                                                 kAttnMaxGroup, " per KV head)"));
  }
  if (options.max_batch < 1 || options.max_prefill_tokens < 1) {
    return absl::InvalidArgumentError("CudaModel: max_batch and max_prefill_tokens must be >= 1");
  }
  if (options.attention_splits < 0 || options.attention_splits > kAttnMaxSplits ||
      options.sampler_slices < 1 || options.sampler_slices > kCudaSamplerMaxSlices) {
    return absl::InvalidArgumentError(absl::StrCat("CudaModel: attention_splits must be in [0, ",
                                                   kAttnMaxSplits, "] and sampler_slices in [1, ",
                                                   kCudaSamplerMaxSlices, "]"));
  }
  auto impl = std::make_unique<Impl>();
  impl->c = c;
  impl->o = options;
  if (auto s = impl->Init(weights); !s.ok()) return s;
  return std::unique_ptr<CudaModel>(new CudaModel(std::move(impl)));
}

absl::StatusOr<std::unique_ptr<CudaModel>> CudaModel::Load(const std::string& dir,
                                                           const CudaModelOptions& options) {
  auto w = LoadModelWeights(dir);
  if (!w.ok()) return w.status();
  return Create(*w, options);
}

const ModelConfig& CudaModel::config() const { return impl_->c; }

absl::StatusOr<SequenceId> CudaModel::Prefill(absl::Span<const int32_t> tokens,
                                              absl::Span<float> logits) {
  SequenceId id = 0;
  if (auto s = impl_->Prefill(tokens, logits, &id); !s.ok()) return s;
  return id;
}

absl::StatusOr<std::vector<SequenceId>> CudaModel::Fork(SequenceId parent, int n) {
  Impl& m = *impl_;
  auto it = m.seqs.find(parent);
  if (it == m.seqs.end()) return absl::NotFoundError(absl::StrCat("Fork: no sequence ", parent));
  it->second.frozen = true;
  const Seq& p = it->second;
  const size_t full = p.len / kP;
  const bool partial = p.len % kP != 0;
  std::vector<SequenceId> out;
  for (int i = 0; i < n; ++i) {
    Seq child;
    child.len = p.len;
    child.pages.assign(p.pages.begin(), p.pages.begin() + full);
    for (int32_t pg : child.pages) ++m.page_ref[pg];
    if (partial) {  // the child writes into this page: it gets its own copy
      auto page = m.NewPage();
      if (!page.ok()) {
        for (int32_t pg : child.pages) m.DropPage(pg);
        for (SequenceId id : out) Release(id);
        return page.status();
      }
      VERDICT_CUDA_RETURN(
          cudaMemcpyAsync(m.kv_pool + static_cast<int64_t>(*page) * m.page_elems,
                          m.kv_pool + static_cast<int64_t>(p.pages[full]) * m.page_elems,
                          m.page_elems * 2, cudaMemcpyDeviceToDevice, m.stream));
      child.pages.push_back(*page);
    }
    out.push_back(m.next_id);
    m.seqs.emplace(m.next_id++, std::move(child));
  }
  return out;
}

absl::Status CudaModel::Decode(absl::Span<const SequenceId> seqs, absl::Span<const int32_t> tokens,
                               absl::Span<float> logits) {
  Impl& m = *impl_;
  const size_t v = m.c.vocab_size;
  if (seqs.size() != tokens.size() || logits.size() != seqs.size() * v) {
    return absl::InvalidArgumentError("Decode: seqs, tokens and logits [B, V] must agree");
  }
  if (auto s = m.DecodeOnDevice(seqs, tokens); !s.ok()) return s;
  if (seqs.empty()) return absl::OkStatus();
  VERDICT_CUDA_RETURN(cudaMemcpyAsync(logits.data(), m.logits, logits.size() * sizeof(float),
                                      cudaMemcpyDeviceToHost, m.stream));
  VERDICT_CUDA_RETURN(cudaStreamSynchronize(m.stream));
  return absl::OkStatus();
}

absl::Status CudaModel::DecodeSample(absl::Span<const SequenceId> seqs,
                                     absl::Span<const int32_t> tokens, const SamplingParams& given,
                                     absl::Span<const SampleKey> keys,
                                     absl::Span<SampledToken> out) {
  const SamplingParams params = NormalizeSamplingParams(given);
  // The GPU sampler's logprob is the temperature-scaled one; it is also the raw one at
  // temperature 0 or 1. Otherwise LaunchRawLogprobs computes the raw one beside it.
  const bool raw_is_processed = params.temperature == 0.0f || params.temperature == 1.0f;
  const bool raw_kernel = params.need_raw_logprobs && !raw_is_processed;
  Impl& m = *impl_;
  const int32_t b = static_cast<int32_t>(seqs.size()), v = m.c.vocab_size;
  if (auto s = CheckDecodeSampleSizes(seqs.size(), keys.size(), out.size()); !s.ok()) return s;
  if (auto s = ValidateSamplingParams(params); !s.ok()) return s;
  // DecodeOnDevice waits for the previous step before it reuses the pinned staging; h_rows is
  // written after it, so the previous step's copy of it is done too.
  if (auto s = m.DecodeOnDevice(seqs, tokens); !s.ok()) return s;
  if (b == 0) return absl::OkStatus();
  for (int32_t i = 0; i < b; ++i) {
    SamplerRow& r = m.h_rows[i];
    r.temperature = params.temperature;
    r.min_p = params.min_p;
    r.top_k = params.top_k;
    r.top_p = params.top_p;
    r.seed = keys[i].seed;
    r.group = keys[i].group;
    r.sample = keys[i].sample;
    r.position = keys[i].position;
  }
  VERDICT_CUDA_RETURN(cudaMemcpyAsync(m.d_rows, m.h_rows, sizeof(SamplerRow) * b,
                                      cudaMemcpyHostToDevice, m.stream));
  int32_t* const d_tok = m.d_sampled;
  float* const d_lp = reinterpret_cast<float*>(m.d_sampled + b);
  int32_t* const d_status = m.d_sampled + 2 * b;
  float* const d_raw = reinterpret_cast<float*>(m.d_sampled + 3 * b);
  if (m.o.sampler_slices > 1) {
    VERDICT_CUDA_RETURN(LaunchSampleSliced(m.logits, b, v, m.d_rows, d_tok, d_lp, d_status,
                                           m.o.sampler_slices, m.sample_scratch, m.sample_counters,
                                           m.stream));
  } else {
    VERDICT_CUDA_RETURN(LaunchSample(m.logits, b, v, m.d_rows, d_tok, d_lp, d_status, m.stream));
  }
  if (raw_kernel) {
    VERDICT_CUDA_RETURN(LaunchRawLogprobs(m.logits, b, v, d_tok, d_status, d_raw, m.stream));
  }
  const int words = raw_kernel ? 4 : 3;
  VERDICT_CUDA_RETURN(cudaMemcpyAsync(m.h_sampled, m.d_sampled, sizeof(int32_t) * words * b,
                                      cudaMemcpyDeviceToHost, m.stream));
  VERDICT_CUDA_RETURN(cudaStreamSynchronize(m.stream));
  std::vector<float> row;
  for (int32_t i = 0; i < b; ++i) {
    if (m.h_sampled[2 * b + i] == kNanLogits) return NanLogitsError(seqs[i], Length(seqs[i]));
    if (m.h_sampled[2 * b + i] != kNeedsCpu) {
      float lp, raw = std::nanf("");
      std::memcpy(&lp, &m.h_sampled[b + i], sizeof lp);
      if (raw_is_processed) raw = lp;
      if (raw_kernel) std::memcpy(&raw, &m.h_sampled[3 * b + i], sizeof raw);
      out[i] = {m.h_sampled[i], lp, raw};
      ++m.stats.gpu_sampled_rows;
      continue;
    }
    row.resize(v);
    VERDICT_CUDA_RETURN(cudaMemcpy(row.data(), m.logits + static_cast<size_t>(i) * v,
                                   sizeof(float) * v, cudaMemcpyDeviceToHost));
    out[i] = Sample(row, params, keys[i]);
    ++m.stats.cpu_sampled_rows;
  }
  return absl::OkStatus();
}

absl::Status CudaModel::DecodeOnDevice(absl::Span<const SequenceId> seqs,
                                       absl::Span<const int32_t> tokens) {
  return impl_->DecodeOnDevice(seqs, tokens);
}

absl::Status CudaModel::Synchronize() {
  VERDICT_CUDA_RETURN(cudaStreamSynchronize(impl_->stream));
  return absl::OkStatus();
}

int64_t CudaModel::Length(SequenceId seq) const {
  auto it = impl_->seqs.find(seq);
  return it == impl_->seqs.end() ? -1 : it->second.len;
}

void CudaModel::Release(SequenceId seq) {
  auto it = impl_->seqs.find(seq);
  if (it == impl_->seqs.end()) return;
  // A page may still be read by a step in flight: let the stream drain before reuse.
  cudaStreamSynchronize(impl_->stream);
  for (int32_t pg : it->second.pages) impl_->DropPage(pg);
  impl_->seqs.erase(it);
}

CudaModelStats CudaModel::stats() const { return impl_->stats; }

}  // namespace verdict::rollout::cuda
