// CudaModel (bf16, GPU) against CpuModel (fp32 reference) on the same weights. Needs a GPU; exits
// 77 (ctest SKIPPED) when none.
//
// Tolerance (bf16): weights are bf16 in both (the tiny model is written in bf16; the random
// 0.5B-shaped model's weights are rounded to bf16 before both models see them), and the GPU also
// rounds GEMM inputs and the KV cache to bf16 (8 significant bits). Over a whole forward that
// gives logits within, per row,
//     rms(gpu - cpu) <= 2e-2 * rms(cpu)   and   max |gpu - cpu| <= 6e-2 * max |cpu|.
// Checked for prompt fill (every position), and for 20 decode steps of 4 forked samples fed the
// CPU's greedy tokens. Also: CUDA-graph decode equals eager decode bit for bit; a sample decoded
// alone and in a batch agree within the same tolerance (cuBLAS may pick other kernels per shape,
// so bitwise equality across batch sizes is not promised on the GPU).
// The "long" model (0.5B shapes, 2 layers, 4096 tokens) fills a 300-token prompt: attention
// then runs over three 128-position chunks (the online softmax's rescaling) and 19 KV pages.
// "tiny-split" runs the tiny model with attention split over 2 blocks and rows sampled over 2
// (CudaModelOptions::attention_splits, sampler_slices), "tiny" the rest of the tiny checks.
// "tiny-window": the tiny model with a Qwen2 sliding window (120 positions, layer 1 only) over a
// 180-token prompt, attention split over 2 blocks: windows that start mid-page, cross a chunk,
// and leave a split empty; the CPU model (which matches the numpy reference, cpu_model_test)
// is the reference, and the same CPU model without the window must be outside the tolerance.
// "attention": the attention kernel alone with sliding windows against a float64 reference.
// Usage: rollout_cuda_model_gpu_test [tiny|tiny-split|tiny-window|attention|qwen05|long|all]
//        (default all)
#include <cuda_runtime.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "rollout/cpu_model.h"
#include "rollout/cuda/cuda_model.h"
#include "rollout/cuda/forward_kernels.h"
#include "rollout/safetensors.h"
#include "tests/rollout/cuda/gpu_main.h"
#include "tests/rollout/cuda/random_model.h"
#include "tests/rollout/cuda/sampler_compare.h"

namespace vr = verdict::rollout;
namespace vc = verdict::rollout::cuda;

namespace {

int failures = 0;

struct Err {
  double rel_rms = 0, rel_max = 0;
  void Add(const float* ref, const float* got, size_t n) {
    double se = 0, sr = 0, me = 0, mr = 0;
    for (size_t i = 0; i < n; ++i) {
      const double d = double{got[i]} - ref[i];
      se += d * d;
      sr += double{ref[i]} * ref[i];
      me = std::max(me, std::fabs(d));
      mr = std::max(mr, std::fabs(double{ref[i]}));
    }
    rel_rms = std::max(rel_rms, std::sqrt(se / std::max(sr, 1e-30)));
    rel_max = std::max(rel_max, me / std::max(mr, 1e-30));
  }
};

void Expect(bool ok, const std::string& what) {
  std::printf("%s: %s\n", ok ? "ok  " : "FAIL", what.c_str());
  if (!ok) ++failures;
}

void ExpectOk(const absl::Status& s, const std::string& what) {
  Expect(s.ok(), absl::StrCat(what, s.ok() ? "" : absl::StrCat(": ", s.ToString())));
  if (!s.ok()) std::exit(1);
}

constexpr double kRms = 2e-2, kMax = 6e-2;

// splits: CudaModelOptions::attention_splits (0 = the device's choice; > 1 runs the split
// attention and its combine even on the emulator, which has one SM), and then sampler_slices.
void Compare(const std::string& label, const vr::ModelWeights& w, int prompt_len, int steps,
             int32_t splits) {
  const std::string name = absl::StrCat(label, " (attention splits ", splits, ")");
  const int v = w.config.vocab_size;
  vr::CpuModel cpu(w);
  vc::CudaModelOptions o;
  o.attention_splits = splits;
  o.sampler_slices = splits > 1 ? splits : 1;  // DecodeSample's rows over blocks too
  o.max_batch = 16;
  o.max_prefill_tokens = 16;  // prompts longer than this run in chunks
  o.kv_cache_bytes = int64_t{1} << 30;
  o.max_seq_len = 4096;
  auto gpu = vc::CudaModel::Create(w, o);
  ExpectOk(gpu.status(), name + ": CudaModel::Create");
  o.cuda_graphs = false;
  auto eager = vc::CudaModel::Create(w, o);
  ExpectOk(eager.status(), name + ": CudaModel::Create (no graphs)");

  std::vector<int32_t> prompt(prompt_len);
  for (int i = 0; i < prompt_len; ++i) prompt[i] = (i * 7919 + 13) % v;
  std::vector<float> lc(static_cast<size_t>(prompt_len) * v), lg(lc.size()), le(lc.size());
  auto pc = cpu.Prefill(prompt, absl::MakeSpan(lc));
  auto pg = (*gpu)->Prefill(prompt, absl::MakeSpan(lg));
  auto pe = (*eager)->Prefill(prompt, absl::MakeSpan(le));
  ExpectOk(pg.status(), name + ": GPU prefill");
  ExpectOk(pe.status(), name + ": GPU prefill (no graphs)");
  Err fill;
  for (int t = 0; t < prompt_len; ++t) fill.Add(&lc[size_t(t) * v], &lg[size_t(t) * v], v);
  Expect(fill.rel_rms <= kRms && fill.rel_max <= kMax,
         absl::StrFormat("%s: prefill logits (%d positions): rel rms %.3g, rel max %.3g",
                         name.c_str(), prompt_len, fill.rel_rms, fill.rel_max));

  const int g = 4;
  auto kc = cpu.Fork(*pc, g);
  auto kg = (*gpu)->Fork(*pg, g);
  auto ke = (*eager)->Fork(*pe, g);
  ExpectOk(kg.status(), name + ": GPU fork");
  ExpectOk(ke.status(), name + ": GPU fork (no graphs)");
  std::vector<int32_t> tok(g);
  for (int s = 0; s < g; ++s) tok[s] = (s * 31 + 5) % v;  // four different continuations
  std::vector<float> dc(size_t(g) * v), dg(dc.size()), de(dc.size());
  Err dec;
  bool graph_equal = true;
  for (int step = 0; step < steps; ++step) {
    if (auto s = cpu.Decode(*kc, tok, absl::MakeSpan(dc)); !s.ok()) ExpectOk(s, "CPU decode");
    ExpectOk((*gpu)->Decode(*kg, tok, absl::MakeSpan(dg)), name + ": GPU decode");
    ExpectOk((*eager)->Decode(*ke, tok, absl::MakeSpan(de)), name + ": GPU decode (no graphs)");
    for (int s = 0; s < g; ++s) dec.Add(&dc[size_t(s) * v], &dg[size_t(s) * v], v);
    graph_equal = graph_equal && std::memcmp(dg.data(), de.data(), dg.size() * 4) == 0;
    for (int s = 0; s < g; ++s) {  // next input: the CPU's greedy token
      const float* row = &dc[size_t(s) * v];
      tok[s] = static_cast<int32_t>(std::max_element(row, row + v) - row);
    }
  }
  Expect(dec.rel_rms <= kRms && dec.rel_max <= kMax,
         absl::StrFormat("%s: decode logits (%d steps x %d forked samples): rel rms %.3g, rel "
                         "max %.3g",
                         name.c_str(), steps, g, dec.rel_rms, dec.rel_max));
  Expect(graph_equal, name + ": CUDA-graph decode equals eager decode bit for bit");

  // Sample 0 alone vs in the batch: fork two more from the same prompt, same tokens.
  auto two = (*gpu)->Fork(*pg, 2);
  ExpectOk(two.status(), name + ": second fork");
  std::vector<float> solo(v), pair(size_t(2) * v);
  const int32_t t0 = 3;
  ExpectOk((*gpu)->Decode({(*two)[0]}, {t0}, absl::MakeSpan(solo)), "solo decode");
  const int32_t t1[] = {t0, 7};
  auto more = (*gpu)->Fork(*pg, 2);
  ExpectOk(more.status(), "third fork");
  ExpectOk((*gpu)->Decode(*more, t1, absl::MakeSpan(pair)), "batched decode");
  Err batch;
  batch.Add(solo.data(), pair.data(), v);
  Expect(batch.rel_rms <= kRms && batch.rel_max <= kMax,
         absl::StrFormat("%s: a sample alone vs in a batch: rel rms %.3g, rel max %.3g (%s)",
                         name.c_str(), batch.rel_rms, batch.rel_max,
                         batch.rel_max == 0 ? "bitwise equal" : "not bitwise equal"));
  // DecodeSample (GPU sampler on the device logits) against Decode + the CPU sampler on the same
  // logits: two forks of the prompt decoded with the same tokens give the same logits (same
  // batch size, so the same graph), so the tokens must agree except counted near-ties.
  {
    const vr::SamplingParams kinds[] = {{0.0f, 0.0f, 0, 1.0f},
                                        {1.0f, 0.0f, 0, 1.0f},
                                        {0.7f, 0.0f, 0, 0.9f},
                                        {1.0f, 0.05f, 40, 0.95f},
                                        {1.3f, 0.0f, 5, 1.0f}};
    int equal = 0, near = 0, miss = 0, errors = 0;
    for (size_t k = 0; k < std::size(kinds); ++k) {
      auto a = (*gpu)->Fork(*pg, g);
      auto b = (*gpu)->Fork(*pg, g);
      if (!a.ok() || !b.ok()) {
        ++errors;
        continue;
      }
      std::vector<int32_t> t(g);
      for (int s = 0; s < g; ++s) t[s] = (s * 17 + 3 + int(k)) % v;
      std::vector<float> la(size_t(g) * v);
      std::vector<vr::SampleKey> keys(g);
      std::vector<vr::SampledToken> got(g);
      for (int step = 0; step < 3; ++step) {
        for (int s = 0; s < g; ++s) keys[s] = {77, k, uint32_t(s), uint32_t(step)};
        if (!(*gpu)->Decode(*a, t, absl::MakeSpan(la)).ok() ||
            !(*gpu)->DecodeSample(*b, t, kinds[k], keys, absl::MakeSpan(got)).ok()) {
          ++errors;
          break;
        }
        for (int s = 0; s < g; ++s) {
          const absl::Span<const float> row(&la[size_t(s) * v], v);
          vc::SamplerRow r;
          r.temperature = kinds[k].temperature;
          r.min_p = kinds[k].min_p;
          r.top_k = kinds[k].top_k;
          r.top_p = kinds[k].top_p;
          r.seed = keys[s].seed;
          r.group = keys[s].group;
          r.sample = keys[s].sample;
          r.position = keys[s].position;
          switch (vr::testing::Classify(row, r, got[s].token)) {
            case vr::testing::Match::kEqual: ++equal; break;
            case vr::testing::Match::kNearTie: ++near; break;
            case vr::testing::Match::kMiss: ++miss; break;
          }
          t[s] = got[s].token;
        }
      }
      for (auto id : *a) (*gpu)->Release(id);
      for (auto id : *b) (*gpu)->Release(id);
    }
    Expect(errors == 0 && miss == 0 && near <= 1,
           absl::StrFormat("%s: DecodeSample vs Decode + CPU sampler: %d equal, %d near-ties, %d "
                           "misses, %d errors",
                           name.c_str(), equal, near, miss, errors));
  }
  // Raw logprobs (log softmax of the logits): at temperature 1 the GPU sampler's logprob is the
  // raw one; at 0.7 it is not, and LaunchRawLogprobs computes it on the device (the rows are
  // counted as GPU-sampled: no host fallback).
  {
    double worst = 0;
    int errors = 0;
    int64_t raw_gpu_rows = 0;
    for (const float temperature : {1.0f, 0.7f}) {
      const int64_t gpu_before = (*gpu)->stats().gpu_sampled_rows;
      auto a = (*gpu)->Fork(*pg, g);
      auto b = (*gpu)->Fork(*pg, g);
      if (!a.ok() || !b.ok()) {
        ++errors;
        continue;
      }
      vr::SamplingParams sp;
      sp.temperature = temperature;
      sp.need_raw_logprobs = true;
      std::vector<int32_t> t(g, 5);
      std::vector<float> la(size_t(g) * v);
      std::vector<vr::SampleKey> keys(g);
      std::vector<vr::SampledToken> got(g);
      for (int s = 0; s < g; ++s) keys[s] = {91, 4, uint32_t(s), 0};
      if (!(*gpu)->Decode(*a, t, absl::MakeSpan(la)).ok() ||
          !(*gpu)->DecodeSample(*b, t, sp, keys, absl::MakeSpan(got)).ok()) {
        ++errors;
        continue;
      }
      for (int s = 0; s < g; ++s) {
        const absl::Span<const float> row(&la[size_t(s) * v], v);
        const double want = vr::RawLogprob(row, got[s].token);
        const double diff = std::abs(double(got[s].raw_logprob) - want);
        worst = std::isfinite(diff) ? std::max(worst, diff) : INFINITY;
      }
      if (temperature != 1.0f) raw_gpu_rows = (*gpu)->stats().gpu_sampled_rows - gpu_before;
      for (auto id : *a) (*gpu)->Release(id);
      for (auto id : *b) (*gpu)->Release(id);
    }
    Expect(errors == 0 && worst <= 1e-4 && raw_gpu_rows == g,
           absl::StrFormat("%s: raw logprobs vs log softmax of the logits (RawLogprob): max diff "
                           "%.3g, %d errors, %d/%d rows at T 0.7 on the GPU",
                           name.c_str(), worst, errors, static_cast<int>(raw_gpu_rows), g));
  }
  const vc::CudaModelStats st = (*gpu)->stats();
  std::printf(
      "      %s: %lld graphs captured, %lld replays, %lld/%lld KV pages in use, %lld rows "
      "sampled on the GPU, %lld handed to the CPU\n",
      name.c_str(), static_cast<long long>(st.graphs_captured),
      static_cast<long long>(st.graph_replays), static_cast<long long>(st.kv_pages_used),
      static_cast<long long>(st.kv_pages_total), static_cast<long long>(st.gpu_sampled_rows),
      static_cast<long long>(st.cpu_sampled_rows));
}

// The window check can fail: the GPU's prefill logits (windowed) are outside the tolerance of
// a CPU model that ignores the window, on the positions the window hides something from.
void WindowMatters(const vr::ModelWeights& windowed, int prompt_len) {
  vr::ModelWeights full = windowed;
  full.config.sliding_window = 0;
  const int v = windowed.config.vocab_size;
  vc::CudaModelOptions o;
  o.max_batch = 16;
  o.max_prefill_tokens = 16;
  o.kv_cache_bytes = int64_t{64} << 20;
  o.max_seq_len = 1024;
  auto gpu = vc::CudaModel::Create(windowed, o);
  ExpectOk(gpu.status(), "window: CudaModel::Create");
  vr::CpuModel cpu(full);
  std::vector<int32_t> prompt(prompt_len);
  for (int i = 0; i < prompt_len; ++i) prompt[i] = (i * 7919 + 13) % v;
  std::vector<float> lc(size_t(prompt_len) * v), lg(lc.size());
  ExpectOk(cpu.Prefill(prompt, absl::MakeSpan(lc)).status(), "window: CPU prefill");
  ExpectOk((*gpu)->Prefill(prompt, absl::MakeSpan(lg)).status(), "window: GPU prefill");
  Err err;
  const int first = windowed.config.sliding_window;  // the first position that loses one
  for (int t = first; t < prompt_len; ++t) err.Add(&lc[size_t(t) * v], &lg[size_t(t) * v], v);
  Expect(err.rel_rms > kRms || err.rel_max > kMax,
         absl::StrFormat("window: the GPU (windowed) vs the CPU without the window on positions "
                         "%d..%d: rel rms %.3g, rel max %.3g (outside the tolerance)",
                         first, prompt_len - 1, err.rel_rms, err.rel_max));
}

// The attention kernel alone (LaunchAttention) with sliding windows against a float64 reference
// over exactly the window's positions, on the same bf16 K/V in a shuffled page table: each
// output within its bf16 rounding (2^-8 relative) plus 1e-5 of the largest (fp32 sums). Windows of
// 1, 5, 16, 17 and 140 positions (and none), rows at page and chunk edges, splits 1 and 3. A window
// one position too long or too short moves outputs by far more (checked: the same comparison
// against the reference of window + 1 must fail).
void AttentionWindows() {
  constexpr int nh = 4, nkv = 2, hd = 16, layers = 2, layer = 1, kvd = nkv * hd;
  constexpr int seq_len = 300, pages = (seq_len + vc::kKvPageTokens - 1) / vc::kKvPageTokens;
  const std::vector<int32_t> pos = {0, 4, 5, 6, 15, 16, 17, 127, 128, 129, 140, 141, 200, 299};
  const int n = static_cast<int>(pos.size());
  uint64_t state = 12345;
  auto uniform = [&state] {  // in [-1, 1)
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<float>(state >> 40) * (2.0f / 16777216.0f) - 1.0f;
  };
  auto bf16 = [](float f) {
    const uint32_t u = static_cast<uint32_t>(vc::FloatToBf16(f)) << 16;
    float r;
    std::memcpy(&r, &u, 4);
    return r;
  };
  // The pool: page table entry i is page (i * 7) % pages (a shuffle: 7 is prime to 19).
  const int64_t page_elems = int64_t{layers} * 2 * vc::kKvPageTokens * kvd;
  std::vector<uint16_t> pool(pages * page_elems);
  std::vector<int32_t> table(pages);
  std::vector<float> kf(size_t(seq_len) * kvd), vf(kf.size());  // [t, kvd], bf16 values
  for (int i = 0; i < pages; ++i) table[i] = (i * 7) % pages;
  for (size_t i = 0; i < pool.size(); ++i) pool[i] = vc::FloatToBf16(uniform());
  for (int t = 0; t < seq_len; ++t) {
    const int64_t page = table[t / vc::kKvPageTokens], slot = t % vc::kKvPageTokens;
    for (int kind = 0; kind < 2; ++kind) {
      const int64_t at = (((page * layers + layer) * 2 + kind) * vc::kKvPageTokens + slot) * kvd;
      for (int j = 0; j < kvd; ++j) {
        const float x = bf16(2.0f * uniform());  // scores of a few units: peaked, not one-hot
        pool[at + j] = vc::FloatToBf16(x);
        (kind == 0 ? kf : vf)[size_t(t) * kvd + j] = x;
      }
    }
  }
  std::vector<float> q(size_t(n) * nh * hd);
  for (float& x : q) x = 2.0f * uniform();
  // Reference output [n, nh, hd] over positions [lo, pos], lo from `window` (0 = none).
  auto reference = [&](int32_t window) {
    std::vector<double> out(q.size());
    for (int r = 0; r < n; ++r) {
      const int lo = window > 0 ? std::max(0, pos[r] + 1 - window) : 0;
      for (int h = 0; h < nh; ++h) {
        const int g = h / (nh / nkv);
        const float* qr = &q[(size_t(r) * nh + h) * hd];
        std::vector<double> sc;
        double mx = -INFINITY;
        for (int t = lo; t <= pos[r]; ++t) {
          double d = 0;
          for (int j = 0; j < hd; ++j) d += double(qr[j]) * kf[size_t(t) * kvd + g * hd + j];
          sc.push_back(d / std::sqrt(double(hd)));
          mx = std::max(mx, sc.back());
        }
        double den = 0;
        for (double& x : sc) den += (x = std::exp(x - mx));
        for (int j = 0; j < hd; ++j) {
          double acc = 0;
          for (int t = lo; t <= pos[r]; ++t) acc += sc[t - lo] * vf[size_t(t) * kvd + g * hd + j];
          out[(size_t(r) * nh + h) * hd + j] = acc / den;
        }
      }
    }
    return out;
  };
  double worst = 0;  // max |got - want| against the right window
  auto within = [&worst](const std::vector<double>& want, const std::vector<float>& got,
                         bool track) {
    double mx = 0;
    for (double w : want) mx = std::max(mx, std::abs(w));
    int bad = 0;
    for (size_t i = 0; i < want.size(); ++i) {
      bad += !(std::abs(got[i] - want[i]) <= 0x1p-8 * std::abs(want[i]) + 1e-5 * mx);
      if (track) worst = std::max(worst, std::abs(got[i] - want[i]));
    }
    return bad;
  };
  float *d_q, *d_partial;
  uint16_t *d_pool, *d_out;
  int32_t *d_pos, *d_row_table, *d_tables, *d_counters;
  CHECK_CUDA(cudaMalloc(&d_q, q.size() * 4));
  CHECK_CUDA(cudaMalloc(&d_pool, pool.size() * 2));
  CHECK_CUDA(cudaMalloc(&d_out, q.size() * 2));
  CHECK_CUDA(cudaMalloc(&d_pos, n * 4));
  CHECK_CUDA(cudaMalloc(&d_row_table, n * 4));
  CHECK_CUDA(cudaMalloc(&d_tables, pages * 4));
  CHECK_CUDA(cudaMalloc(&d_partial, size_t(n) * nh * 3 * (hd + 2) * 4));
  CHECK_CUDA(cudaMalloc(&d_counters, n * nkv * 4));
  CHECK_CUDA(cudaMemset(d_counters, 0, n * nkv * 4));
  const std::vector<int32_t> row_table(n, 0);
  CHECK_CUDA(cudaMemcpy(d_q, q.data(), q.size() * 4, cudaMemcpyHostToDevice));
  CHECK_CUDA(cudaMemcpy(d_pool, pool.data(), pool.size() * 2, cudaMemcpyHostToDevice));
  CHECK_CUDA(cudaMemcpy(d_pos, pos.data(), n * 4, cudaMemcpyHostToDevice));
  CHECK_CUDA(cudaMemcpy(d_row_table, row_table.data(), n * 4, cudaMemcpyHostToDevice));
  CHECK_CUDA(cudaMemcpy(d_tables, table.data(), pages * 4, cudaMemcpyHostToDevice));
  std::vector<uint16_t> raw(q.size());
  std::vector<float> got(q.size());
  for (const int32_t window : {0, 1, 5, 16, 17, 140}) {
    const std::vector<double> want = reference(window);
    const std::vector<double> off_by_one = reference(window + 1);
    for (const int32_t splits : {1, 3}) {
      CHECK_CUDA(vc::LaunchAttention(d_q, d_pos, d_row_table, d_tables, pages, n, nh, nkv, hd,
                                     layer, layers, window, d_pool, d_out, splits, d_partial,
                                     d_counters, nullptr));
      CHECK_CUDA(cudaDeviceSynchronize());
      CHECK_CUDA(cudaMemcpy(raw.data(), d_out, raw.size() * 2, cudaMemcpyDeviceToHost));
      for (size_t i = 0; i < raw.size(); ++i) {
        const uint32_t u = static_cast<uint32_t>(raw[i]) << 16;
        std::memcpy(&got[i], &u, 4);
      }
      const int bad = within(want, got, true), bad_shifted = within(off_by_one, got, false);
      Expect(bad == 0 && (window == 0 || bad_shifted > 0),
             absl::StrFormat("attention, window %d, splits %d: %d of %d outputs outside the "
                             "reference's tolerance; %d outside window %d's",
                             window, splits, bad, static_cast<int>(got.size()), bad_shifted,
                             window + 1));
    }
  }
  std::printf("      attention: max |kernel - float64 reference| %.3g (outputs in [-2, 2])\n",
              worst);
  for (void* p :
       {static_cast<void*>(d_q), static_cast<void*>(d_partial), static_cast<void*>(d_pool),
        static_cast<void*>(d_out), static_cast<void*>(d_pos), static_cast<void*>(d_row_table),
        static_cast<void*>(d_tables), static_cast<void*>(d_counters)}) {
    CHECK_CUDA(cudaFree(p));
  }
}

// For the short checks below: a few sequences of a few tokens.
vc::CudaModelOptions SmallModelOptions() {
  vc::CudaModelOptions o;
  o.max_batch = 8;
  o.max_prefill_tokens = 8;
  o.kv_cache_bytes = int64_t{64} << 20;
  o.max_seq_len = 64;
  return o;
}

// Options out of range are refused at Create, naming them (not a failed launch mid-run).
void BadOptions() {
  const vr::ModelWeights w = vr::testing::Qwen05ShapedRandom(1, 512);
  for (auto [splits, slices] : {std::pair{-1, 1}, {17, 1}, {0, 0}, {0, 17}}) {
    vc::CudaModelOptions o = SmallModelOptions();
    o.attention_splits = splits;
    o.sampler_slices = slices;
    auto m = vc::CudaModel::Create(w, o);
    Expect(absl::IsInvalidArgument(m.status()) &&
               absl::StrContains(m.status().message(), "sampler_slices"),
           absl::StrCat("attention_splits ", splits, ", sampler_slices ", slices,
                        " refused: ", m.status().ToString()));
  }
}

// Equal logits everywhere (zero embeddings, tied LM head): the GPU sampler hands every row back
// (too flat for its window) and DecodeSample samples them on the CPU, as Decode + Sample would.
void FlatRows() {
  vr::ModelWeights w = vr::testing::Qwen05ShapedRandom(1, 8192);  // > kCudaSamplerWindow
  std::fill(w.embed.begin(), w.embed.end(), 0.0f);
  auto m = vc::CudaModel::Create(w, SmallModelOptions());
  ExpectOk(m.status(), "flat: CudaModel::Create");
  const int v = w.config.vocab_size, g = 4;
  std::vector<float> last(v);
  auto p = (*m)->Prefill(std::vector<int32_t>{1, 2, 3}, absl::MakeSpan(last));
  ExpectOk(p.status(), "flat: prefill");
  auto a = (*m)->Fork(*p, g);
  auto b = (*m)->Fork(*p, g);
  ExpectOk(a.ok() ? b.status() : a.status(), "flat: fork");
  const vr::SamplingParams sp{1.0f, 0.0f, 0, 0.9f};
  std::vector<int32_t> t = {5, 6, 7, 8};
  std::vector<vr::SampleKey> keys(g);
  for (int s = 0; s < g; ++s) keys[s] = {3, 1, uint32_t(s), 0};
  std::vector<float> logits(size_t(g) * v);
  std::vector<vr::SampledToken> got(g);
  ExpectOk((*m)->Decode(*a, t, absl::MakeSpan(logits)), "flat: decode");
  ExpectOk((*m)->DecodeSample(*b, t, sp, keys, absl::MakeSpan(got)), "flat: DecodeSample");
  int equal = 0;
  for (int s = 0; s < g; ++s) {
    const vr::SampledToken want =
        vr::Sample(absl::MakeConstSpan(logits).subspan(size_t(s) * v, v), sp, keys[s]);
    equal += want.token == got[s].token && want.logprob == got[s].logprob;
  }
  const vc::CudaModelStats st = (*m)->stats();
  Expect(equal == g && st.cpu_sampled_rows == g && st.gpu_sampled_rows == 0,
         absl::StrFormat("flat logits: %d/%d rows handed to the CPU sampler, %d/%d equal to "
                         "Decode + Sample",
                         static_cast<int>(st.cpu_sampled_rows), g, equal, g));
}

// A checkpoint with a NaN weight: DecodeSample is an INTERNAL error naming the NaN, on the GPU
// (the sampler reports the row) and on the CPU model (Model's default DecodeSample), not a token.
void NanRows() {
  vr::ModelWeights w = vr::testing::Qwen05ShapedRandom(1, 512);
  w.final_norm[3] = std::nanf("");
  auto m = vc::CudaModel::Create(w, SmallModelOptions());
  ExpectOk(m.status(), "nan: CudaModel::Create");
  vr::CpuModel cpu(w);
  const int v = w.config.vocab_size, g = 2;
  std::vector<float> last(v);
  const vr::SamplingParams sp{1.0f, 0.0f, 0, 1.0f};
  std::vector<vr::SampleKey> keys(g);
  std::vector<vr::SampledToken> got(g);
  const std::vector<int32_t> t = {5, 6};
  for (vr::Model* model : {static_cast<vr::Model*>(m->get()), static_cast<vr::Model*>(&cpu)}) {
    auto p = model->Prefill(std::vector<int32_t>{1, 2, 3}, absl::MakeSpan(last));
    ExpectOk(p.status(), "nan: prefill");
    auto kids = model->Fork(*p, g);
    ExpectOk(kids.status(), "nan: fork");
    const absl::Status s = model->DecodeSample(*kids, t, sp, keys, absl::MakeSpan(got));
    Expect(s.code() == absl::StatusCode::kInternal &&
               std::string(s.message()).find("NaN") != std::string::npos,
           absl::StrCat(model == &cpu ? "CPU" : "GPU",
                        " model, NaN logits: DecodeSample says: ", s.ToString()));
  }
}

// The tiny model (tests/rollout/tiny_model.py, bf16) with `args` added to its command line;
// nullopt (a failure counted) when python3 with numpy cannot write it.
std::optional<vr::ModelWeights> TinyModel(const std::string& args) {
  const std::string dir = absl::StrCat("/tmp/verdict_cuda_model_test_", getpid());
  const std::string cmd =
      absl::StrCat("python3 ", VERDICT_SOURCE_DIR, "/tests/rollout/tiny_model.py ", dir,
                   " --dtype bf16 ", args, " >/dev/null");
  std::optional<vr::ModelWeights> out;
  if (std::system(cmd.c_str()) != 0) {
    std::printf(
        "FAIL: tests/rollout/tiny_model.py (python3 with numpy) could not write the tiny "
        "model\n");
    ++failures;
  } else {
    auto w = vr::LoadModelWeights(dir);
    ExpectOk(w.status(), "tiny model loads");
    out = std::move(*w);
  }
  std::system(absl::StrCat("rm -rf ", dir).c_str());
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (NoCudaDevice()) return 77;
  const std::string which = argc > 1 ? argv[1] : "all";
  const bool all = which == "all";
  if (which == "tiny" || which == "tiny-split" || all) {
    if (auto w = TinyModel(""); w.has_value()) {
      if (which != "tiny-split") {
        Compare("tiny", *w, 40, 20, 1);
        FlatRows();
        NanRows();
        BadOptions();
      }
      if (which != "tiny") {
        // 40 positions: split 1 has none (the long model combines non-empty splits). Few steps:
        // CI runs this under ASan too.
        Compare("tiny", *w, 40, 6, 2);
      }
    }
  }
  if (which == "attention" || all) AttentionWindows();
  if (which == "tiny-window" || all) {
    if (auto w = TinyModel("--sliding-window 120 --max-window-layers 1"); w.has_value()) {
      Expect(w->config.sliding_window == 120 && w->config.SlidingLayer(1) &&
                 !w->config.SlidingLayer(0),
             "tiny-window: layer 1 slides over 120 positions, layer 0 does not");
      // Last prompt row: window [60, 179], chunks from page 48: split 0 takes 48..175, split 1
      // 176..; decode rows move the window's start past a page boundary (64).
      Compare("tiny-window", *w, 180, 4, 2);
      WindowMatters(*w, 180);
    }
  }
  if (which == "qwen05" || which == "all") {
    Compare("qwen2.5-0.5b-shaped", vr::testing::Qwen05ShapedRandom(), 24, 4, 0);
  }
  if (which == "long" || which == "all") {
    // 300 positions: 3 chunks of 128, one per split, combined.
    Compare("0.5b-shaped-2-layers-long-prompt", vr::testing::Qwen05ShapedRandom(2, 4096), 300, 4,
            3);
  }
  std::printf("%s (%d failures)\n", failures == 0 ? "PASS" : "FAIL", failures);
  return failures == 0 ? 0 : 1;
}
