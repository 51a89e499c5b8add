#include "rollout/weights.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "rollout/safetensors.h"

namespace verdict::rollout {

void StoredMatrix::RowsToFloat(int64_t first, int64_t count, float* out) const {
  const size_t begin = static_cast<size_t>(first * cols), n = static_cast<size_t>(count * cols);
  if (dtype == DType::kF32) {
    std::memcpy(out, f32.data() + begin, n * sizeof(float));
  } else if (dtype == DType::kBF16) {
    // bf16 is the top half of an fp32: a shift the compiler vectorises (Bf16ToFloat's result).
    const uint16_t* in = bits.data() + begin;
    for (size_t i = 0; i < n; ++i) {
      const uint32_t u = static_cast<uint32_t>(in[i]) << 16;
      std::memcpy(&out[i], &u, sizeof u);
    }
  } else {
    // fp16 through a table of all 65536 values (256 KiB, built once from Fp16ToFloat).
    static const std::vector<float>* const table = [] {
      auto* t = new std::vector<float>(65536);
      for (uint32_t b = 0; b < 65536; ++b) (*t)[b] = Fp16ToFloat(static_cast<uint16_t>(b));
      return t;
    }();
    const uint16_t* in = bits.data() + begin;
    for (size_t i = 0; i < n; ++i) out[i] = (*table)[in[i]];
  }
}

StoredMatrix StoredMatrix::FromFloat(std::vector<float> values, int64_t rows, int64_t cols) {
  StoredMatrix m;
  m.rows = rows;
  m.cols = cols;
  m.f32 = std::move(values);
  return m;
}

namespace {

absl::Status Load(const WeightFiles& files, const std::string& name,
                  const std::vector<int64_t>& shape, std::vector<float>* out) {
  auto view = files.Get(name, shape);
  if (!view.ok()) return view.status();
  out->resize(view->NumElements());
  ToFloat32(*view, absl::MakeSpan(*out));
  return absl::OkStatus();
}

absl::Status Load(const WeightFiles& files, const std::string& name,
                  const std::vector<int64_t>& shape, StoredMatrix* out) {
  auto view = files.Get(name, shape);
  if (!view.ok()) return view.status();
  out->dtype = view->dtype;
  out->rows = shape[0];
  out->cols = view->NumElements() / std::max<int64_t>(shape[0], 1);
  if (view->dtype == DType::kF32) {
    out->f32.resize(view->NumElements());
    ToFloat32(*view, absl::MakeSpan(out->f32));
  } else {
    out->bits.resize(view->NumElements());
    std::memcpy(out->bits.data(), view->data, view->NumElements() * sizeof(uint16_t));
  }
  return absl::OkStatus();
}

template <typename Matrix>
absl::StatusOr<BasicModelWeights<Matrix>> LoadAs(const std::string& dir) {
  auto config = LoadModelConfig(dir);
  if (!config.ok()) return config.status();
  auto files = WeightFiles::Open(dir);
  if (!files.ok()) return files.status();
  BasicModelWeights<Matrix> w;
  w.config = *config;
  const ModelConfig& c = w.config;
  const int64_t h = c.hidden_size, v = c.vocab_size, i = c.intermediate_size;
  const int64_t q = int64_t{c.num_heads} * c.head_dim, kv = int64_t{c.num_kv_heads} * c.head_dim;
#define VERDICT_LOAD(name, shape, out) \
  if (auto s = Load(*files, name, shape, out); !s.ok()) return s
  VERDICT_LOAD("model.embed_tokens.weight", std::vector<int64_t>({v, h}), &w.embed);
  VERDICT_LOAD("model.norm.weight", std::vector<int64_t>({h}), &w.final_norm);
  if (!c.tie_word_embeddings || files->Has("lm_head.weight")) {
    VERDICT_LOAD("lm_head.weight", std::vector<int64_t>({v, h}), &w.lm_head);
  }
  w.layers.resize(c.num_layers);
  for (int l = 0; l < c.num_layers; ++l) {
    BasicLayerWeights<Matrix>& L = w.layers[l];
    const std::string p = absl::StrCat("model.layers.", l, ".");
    VERDICT_LOAD(p + "input_layernorm.weight", std::vector<int64_t>({h}), &L.attn_norm);
    VERDICT_LOAD(p + "post_attention_layernorm.weight", std::vector<int64_t>({h}), &L.mlp_norm);
    VERDICT_LOAD(p + "self_attn.q_proj.weight", std::vector<int64_t>({q, h}), &L.wq);
    VERDICT_LOAD(p + "self_attn.k_proj.weight", std::vector<int64_t>({kv, h}), &L.wk);
    VERDICT_LOAD(p + "self_attn.v_proj.weight", std::vector<int64_t>({kv, h}), &L.wv);
    VERDICT_LOAD(p + "self_attn.o_proj.weight", std::vector<int64_t>({h, q}), &L.wo);
    if (c.qkv_bias) {
      VERDICT_LOAD(p + "self_attn.q_proj.bias", std::vector<int64_t>({q}), &L.bq);
      VERDICT_LOAD(p + "self_attn.k_proj.bias", std::vector<int64_t>({kv}), &L.bk);
      VERDICT_LOAD(p + "self_attn.v_proj.bias", std::vector<int64_t>({kv}), &L.bv);
    }
    VERDICT_LOAD(p + "mlp.gate_proj.weight", std::vector<int64_t>({i, h}), &L.w_gate);
    VERDICT_LOAD(p + "mlp.up_proj.weight", std::vector<int64_t>({i, h}), &L.w_up);
    VERDICT_LOAD(p + "mlp.down_proj.weight", std::vector<int64_t>({h, i}), &L.w_down);
  }
#undef VERDICT_LOAD
  return w;
}

}  // namespace

absl::StatusOr<ModelConfig> LoadModelConfig(const std::string& dir) {
  std::ifstream in(dir + "/config.json");
  if (!in) return absl::NotFoundError(absl::StrCat(dir, "/config.json: cannot open"));
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseModelConfig(ss.str());
}

absl::StatusOr<ModelWeights> LoadModelWeights(const std::string& dir) {
  return LoadAs<std::vector<float>>(dir);
}

absl::StatusOr<StoredModelWeights> LoadStoredModelWeights(const std::string& dir) {
  return LoadAs<StoredMatrix>(dir);
}

}  // namespace verdict::rollout
