#include "rollout/weights.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "rollout/safetensors.h"

namespace verdict::rollout {
namespace {

absl::Status Load(const WeightFiles& files, const std::string& name,
                  const std::vector<int64_t>& shape, std::vector<float>* out) {
  auto view = files.Get(name, shape);
  if (!view.ok()) return view.status();
  out->resize(view->NumElements());
  ToFloat32(*view, absl::MakeSpan(*out));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ModelWeights> LoadModelWeights(const std::string& dir) {
  std::ifstream in(dir + "/config.json");
  if (!in) return absl::NotFoundError(absl::StrCat(dir, "/config.json: cannot open"));
  std::stringstream ss;
  ss << in.rdbuf();
  auto config = ParseModelConfig(ss.str());
  if (!config.ok()) return config.status();
  auto files = WeightFiles::Open(dir);
  if (!files.ok()) return files.status();
  ModelWeights w;
  w.config = *config;
  const ModelConfig& c = w.config;
  const int64_t h = c.hidden_size, v = c.vocab_size, i = c.intermediate_size;
  const int64_t q = int64_t{c.num_heads} * c.head_dim, kv = int64_t{c.num_kv_heads} * c.head_dim;
#define VERDICT_LOAD(name, shape, out)                          \
  if (auto s = Load(*files, name, shape, out); !s.ok()) return s
  VERDICT_LOAD("model.embed_tokens.weight", std::vector<int64_t>({v, h}), &w.embed);
  VERDICT_LOAD("model.norm.weight", std::vector<int64_t>({h}), &w.final_norm);
  if (!c.tie_word_embeddings || files->Has("lm_head.weight")) {
    VERDICT_LOAD("lm_head.weight", std::vector<int64_t>({v, h}), &w.lm_head);
  }
  w.layers.resize(c.num_layers);
  for (int l = 0; l < c.num_layers; ++l) {
    LayerWeights& L = w.layers[l];
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

}  // namespace verdict::rollout
