// CPU reference forward and sampler throughput. Ratios to read: decode tokens/s at batch B over
// batch 1 (the baseline, same run), and the sampler's cost per token next to a decode step.
// Random weights built in memory (no files): H=256, 4 layers, 8 heads / 2 KV heads, V=8192;
// fp32, or bf16 kept as bf16 (ratio bf16/fp32 at the same batch: the per-tile widening cost).
#include <cstring>
#include <random>

#include "benchmark/benchmark.h"
#include "rollout/cpu_model.h"
#include "rollout/sampler.h"

namespace verdict::rollout {
namespace {

ModelWeights RandomWeights() {
  ModelWeights w;
  ModelConfig& c = w.config;
  c.vocab_size = 8192;
  c.hidden_size = 256;
  c.intermediate_size = 704;
  c.num_layers = 4;
  c.num_heads = 8;
  c.num_kv_heads = 2;
  c.head_dim = 32;
  c.qkv_bias = true;
  std::mt19937 rng(1);
  std::normal_distribution<float> n(0.0f, 0.05f);
  auto fill = [&](size_t size) {
    std::vector<float> v(size);
    for (float& x : v) x = n(rng);
    return v;
  };
  const size_t h = c.hidden_size, q = c.num_heads * c.head_dim, kv = c.num_kv_heads * c.head_dim,
               i = c.intermediate_size, v = c.vocab_size;
  w.embed = fill(v * h);
  w.lm_head = fill(v * h);
  w.final_norm.assign(h, 1.0f);
  w.layers.resize(c.num_layers);
  for (LayerWeights& L : w.layers) {
    L.attn_norm.assign(h, 1.0f);
    L.mlp_norm.assign(h, 1.0f);
    L.wq = fill(q * h), L.bq = fill(q), L.wk = fill(kv * h), L.bk = fill(kv);
    L.wv = fill(kv * h), L.bv = fill(kv), L.wo = fill(h * q);
    L.w_gate = fill(i * h), L.w_up = fill(i * h), L.w_down = fill(h * i);
  }
  return w;
}

// The same weights with every matrix rounded to bf16 bits and kept so (the CPU path for a bf16
// checkpoint): the model is widened per tile on every step.
StoredModelWeights Bf16Weights() {
  const ModelWeights w = RandomWeights();
  auto bf16 = [](const std::vector<float>& x, int64_t rows) {
    StoredMatrix m;
    m.dtype = DType::kBF16;
    m.rows = rows;
    m.cols = static_cast<int64_t>(x.size()) / rows;
    for (float f : x) {
      uint32_t u;
      std::memcpy(&u, &f, 4);
      m.bits.push_back(static_cast<uint16_t>((u + 0x7FFF + ((u >> 16) & 1)) >> 16));
    }
    return m;
  };
  const ModelConfig& c = w.config;
  const int64_t h = c.hidden_size, q = c.num_heads * c.head_dim, kv = c.num_kv_heads * c.head_dim;
  StoredModelWeights s;
  s.config = c;
  s.embed = bf16(w.embed, c.vocab_size);
  s.lm_head = bf16(w.lm_head, c.vocab_size);
  s.final_norm = w.final_norm;
  for (const LayerWeights& L : w.layers) {
    BasicLayerWeights<StoredMatrix>& o = s.layers.emplace_back();
    o.attn_norm = L.attn_norm, o.mlp_norm = L.mlp_norm, o.bq = L.bq, o.bk = L.bk, o.bv = L.bv;
    o.wq = bf16(L.wq, q), o.wk = bf16(L.wk, kv), o.wv = bf16(L.wv, kv), o.wo = bf16(L.wo, h);
    o.w_gate = bf16(L.w_gate, c.intermediate_size), o.w_up = bf16(L.w_up, c.intermediate_size);
    o.w_down = bf16(L.w_down, h);
  }
  return s;
}

// Tokens/s of one decode step for B sequences forked from a 64-token prompt; range(1) = 1 for
// bf16-stored weights (read next to the fp32 line of the same B: the cost of per-tile widening).
void BM_Decode(benchmark::State& state) {
  CpuModel model = state.range(1) ? CpuModel(Bf16Weights()) : CpuModel(RandomWeights());
  const int b = state.range(0);
  const int v = model.config().vocab_size;
  std::vector<int32_t> prompt(64);
  for (int t = 0; t < 64; ++t) prompt[t] = t * 7 % v;
  std::vector<float> logits(b * v);
  auto parent = model.Prefill(prompt, absl::MakeSpan(logits).subspan(0, v));
  auto seqs = *model.Fork(*parent, b);
  std::vector<int32_t> toks(b, 5);
  int steps = 0;
  for (auto _ : state) {
    if (++steps > 256) {  // keep the context length bounded
      state.PauseTiming();
      for (SequenceId s : seqs) model.Release(s);
      seqs = *model.Fork(*parent, b);
      steps = 0;
      state.ResumeTiming();
    }
    benchmark::DoNotOptimize(model.Decode(seqs, toks, absl::MakeSpan(logits)));
  }
  state.SetItemsProcessed(state.iterations() * b);
}
BENCHMARK(BM_Decode)
    ->ArgsProduct({{1, 4, 16}, {0, 1}})
    ->ArgNames({"batch", "bf16"})
    ->Unit(benchmark::kMillisecond);

void BM_Sample(benchmark::State& state) {
  std::vector<float> logits(151936);
  std::mt19937 rng(2);
  std::normal_distribution<float> n(0.0f, 3.0f);
  for (float& x : logits) x = n(rng);
  SamplingParams p{0.7f, 0.0f, static_cast<int32_t>(state.range(0)), 0.95f};
  uint32_t pos = 0;
  for (auto _ : state) benchmark::DoNotOptimize(Sample(logits, p, {1, 2, 3, pos++}));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Sample)->Arg(0)->Arg(50)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace verdict::rollout

BENCHMARK_MAIN();
