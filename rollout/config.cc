#include "rollout/config.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "simdjson.h"

namespace verdict::rollout {
namespace {

using simdjson::dom::element;

absl::Status ReadInt(element obj, const char* key, bool required, int32_t* out) {
  auto v = obj[key];
  if (v.error() || v.is_null()) {
    if (required)
      return absl::InvalidArgumentError(absl::StrCat("config.json: missing \"", key, "\""));
    return absl::OkStatus();
  }
  int64_t x;
  if (v.get_int64().get(x) || x < 0 || x > (1 << 30)) {
    return absl::InvalidArgumentError(
        absl::StrCat("config.json: \"", key, "\" must be a non-negative integer"));
  }
  *out = static_cast<int32_t>(x);
  return absl::OkStatus();
}

absl::Status ReadDouble(element obj, const char* key, double* out) {
  auto v = obj[key];
  if (v.error() || v.is_null()) return absl::OkStatus();
  double x;
  if (v.get_double().get(x)) {
    int64_t i;
    if (v.get_int64().get(i)) {
      return absl::InvalidArgumentError(
          absl::StrCat("config.json: \"", key, "\" must be a number"));
    }
    x = static_cast<double>(i);
  }
  *out = x;
  return absl::OkStatus();
}

// "eos_token_id": an id, a list of ids, or null/absent (none).
absl::Status ReadEos(element obj, const char* file, std::vector<int32_t>* out) {
  auto eos = obj["eos_token_id"];
  if (eos.error() || eos.is_null()) return absl::OkStatus();
  const auto bad = absl::InvalidArgumentError(
      absl::StrCat(file, ": \"eos_token_id\" must be a non-negative integer or a list of them"));
  int64_t one;
  simdjson::dom::array many;
  if (!eos.get_int64().get(one)) {
    if (one < 0 || one > (1 << 30)) return bad;
    out->push_back(static_cast<int32_t>(one));
    return absl::OkStatus();
  }
  if (eos.get_array().get(many)) return bad;
  for (element e : many) {
    if (e.get_int64().get(one) || one < 0 || one > (1 << 30)) return bad;
    out->push_back(static_cast<int32_t>(one));
  }
  return absl::OkStatus();
}

absl::Status ReadRopeScaling(element root, ModelConfig* c) {
  auto v = root["rope_scaling"];
  if (v.error() || v.is_null()) return absl::OkStatus();
  simdjson::dom::object obj;
  if (v.get_object().get(obj)) {
    return absl::InvalidArgumentError("config.json: \"rope_scaling\" must be an object or null");
  }
  element e = v.value_unsafe();
  std::string_view type;
  if (e["rope_type"].get_string().get(type) && e["type"].get_string().get(type)) {
    return absl::InvalidArgumentError("config.json: rope_scaling needs a \"rope_type\"");
  }
  RopeScaling& r = c->rope_scaling;
  if (type == "default") return absl::OkStatus();
  if (type == "linear") {
    r.type = RopeScalingType::kLinear;
  } else if (type == "dynamic") {
    r.type = RopeScalingType::kDynamic;
    if (c->max_position_embeddings == 0) {
      return absl::InvalidArgumentError(
          "config.json: dynamic rope_scaling needs max_position_embeddings");
    }
  } else if (type == "llama3") {
    r.type = RopeScalingType::kLlama3;
  } else {
    return absl::UnimplementedError(
        absl::StrCat("config.json: rope_scaling type \"", std::string(type),
                     "\" is not supported (supported: linear, dynamic, llama3)"));
  }
  auto number = [&](const char* key, double* out) -> absl::Status {
    auto x = e[key];
    if (x.error() || x.is_null()) {
      return absl::InvalidArgumentError(absl::StrCat("config.json: rope_scaling \"",
                                                     std::string(type), "\" needs \"", key, "\""));
    }
    return ReadDouble(e, key, out);
  };
  if (auto s = number("factor", &r.factor); !s.ok()) return s;
  if (!(r.factor > 0)) {
    return absl::InvalidArgumentError("config.json: rope_scaling factor must be positive");
  }
  if (r.type != RopeScalingType::kLlama3) return absl::OkStatus();
  double original = 0;
  if (auto s = number("low_freq_factor", &r.low_freq_factor); !s.ok()) return s;
  if (auto s = number("high_freq_factor", &r.high_freq_factor); !s.ok()) return s;
  if (auto s = number("original_max_position_embeddings", &original); !s.ok()) return s;
  if (!(r.low_freq_factor > 0 && r.high_freq_factor > r.low_freq_factor && original >= 1 &&
        original <= (1 << 30))) {
    return absl::InvalidArgumentError(
        "config.json: llama3 rope_scaling needs 0 < low_freq_factor < high_freq_factor and a "
        "positive original_max_position_embeddings");
  }
  r.original_max_position_embeddings = static_cast<int32_t>(original);
  return absl::OkStatus();
}

}  // namespace

std::vector<double> RopeInverseFrequencies(const ModelConfig& c) {
  const int32_t half = c.head_dim / 2;
  const RopeScaling& r = c.rope_scaling;
  std::vector<double> inv(half);
  constexpr double kPi = 3.14159265358979323846;
  for (int32_t i = 0; i < half; ++i) {
    double f = std::pow(c.rope_theta, -2.0 * static_cast<double>(i) / c.head_dim);
    if (r.type == RopeScalingType::kLinear) {
      f /= r.factor;
    } else if (r.type == RopeScalingType::kLlama3) {
      const double old_len = r.original_max_position_embeddings;
      const double low_wavelen = old_len / r.low_freq_factor;
      const double high_wavelen = old_len / r.high_freq_factor;
      const double wavelen = 2 * kPi / f;
      if (wavelen > low_wavelen) {
        f /= r.factor;
      } else if (wavelen >= high_wavelen) {  // medium: between the two, HF's smoothing
        const double smooth =
            (old_len / wavelen - r.low_freq_factor) / (r.high_freq_factor - r.low_freq_factor);
        f = (1 - smooth) * f / r.factor + smooth * f;
      }
    }
    inv[i] = f;
  }
  return inv;
}

absl::StatusOr<ModelConfig> ParseModelConfig(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  element root;
  if (auto err = parser.parse(padded).get(root); err) {
    return absl::InvalidArgumentError(
        absl::StrCat("config.json: not valid JSON: ", simdjson::error_message(err)));
  }
  if (!root.is_object()) return absl::InvalidArgumentError("config.json: not a JSON object");
  ModelConfig c;
  std::string_view model_type;
  if (root["model_type"].get_string().get(model_type)) model_type = "";
  simdjson::dom::array archs;
  if (!root["architectures"].get_array().get(archs) && archs.size() > 0) {
    std::string_view a;
    if (!archs.at(0).get_string().get(a)) c.architecture_name = std::string(a);
  }
  if (model_type == "qwen2" || c.architecture_name == "Qwen2ForCausalLM") {
    c.architecture = Architecture::kQwen2;
    c.qkv_bias = true;
  } else if (model_type == "llama" || c.architecture_name == "LlamaForCausalLM") {
    c.architecture = Architecture::kLlama;
    bool bias = false;
    if (!root["attention_bias"].get_bool().get(bias)) c.qkv_bias = bias;
  } else {
    return absl::UnimplementedError(
        absl::StrCat("config.json: unsupported architecture \"",
                     c.architecture_name.empty() ? std::string(model_type) : c.architecture_name,
                     "\" (model_type \"", std::string(model_type),
                     "\"); supported: Qwen2ForCausalLM, LlamaForCausalLM"));
  }
  if (c.architecture_name.empty()) c.architecture_name = std::string(model_type);

  if (auto s = ReadInt(root, "vocab_size", true, &c.vocab_size); !s.ok()) return s;
  if (auto s = ReadInt(root, "hidden_size", true, &c.hidden_size); !s.ok()) return s;
  if (auto s = ReadInt(root, "intermediate_size", true, &c.intermediate_size); !s.ok()) return s;
  if (auto s = ReadInt(root, "num_hidden_layers", true, &c.num_layers); !s.ok()) return s;
  if (auto s = ReadInt(root, "num_attention_heads", true, &c.num_heads); !s.ok()) return s;
  c.num_kv_heads = c.num_heads;
  if (auto s = ReadInt(root, "num_key_value_heads", false, &c.num_kv_heads); !s.ok()) return s;
  if (auto s = ReadInt(root, "max_position_embeddings", false, &c.max_position_embeddings);
      !s.ok()) {
    return s;
  }
  if (c.num_heads == 0 || c.num_kv_heads == 0 || c.num_heads % c.num_kv_heads != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "config.json: num_attention_heads (", c.num_heads,
        ") must be a positive multiple of num_key_value_heads (", c.num_kv_heads, ")"));
  }
  c.head_dim = c.hidden_size / c.num_heads;
  if (auto s = ReadInt(root, "head_dim", false, &c.head_dim); !s.ok()) return s;
  if (c.head_dim == 0 || c.head_dim % 2 != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("config.json: head_dim must be positive and even, got ", c.head_dim));
  }
  if (c.vocab_size == 0 || c.hidden_size == 0 || c.intermediate_size == 0 || c.num_layers == 0) {
    return absl::InvalidArgumentError("config.json: sizes must be positive");
  }
  if (auto s = ReadDouble(root, "rms_norm_eps", &c.rms_norm_eps); !s.ok()) return s;
  if (auto s = ReadDouble(root, "rope_theta", &c.rope_theta); !s.ok()) return s;
  bool tie = false;
  if (!root["tie_word_embeddings"].get_bool().get(tie)) c.tie_word_embeddings = tie;
  if (auto s = ReadRopeScaling(root, &c); !s.ok()) return s;
  bool sliding = false;
  if (!root["use_sliding_window"].get_bool().get(sliding) && sliding) {
    // HF Qwen2: max_window_layers defaults to 28; a null sliding_window means none.
    c.max_window_layers = 28;
    if (auto s = ReadInt(root, "sliding_window", false, &c.sliding_window); !s.ok()) return s;
    if (auto s = ReadInt(root, "max_window_layers", false, &c.max_window_layers); !s.ok()) {
      return s;
    }
  }
  if (auto s = ReadEos(root, "config.json", &c.eos_token_ids); !s.ok()) return s;
  return c;
}

absl::StatusOr<std::vector<int32_t>> ParseGenerationConfigEos(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  element root;
  if (auto err = parser.parse(padded).get(root); err) {
    return absl::InvalidArgumentError(
        absl::StrCat("generation_config.json: not valid JSON: ", simdjson::error_message(err)));
  }
  if (!root.is_object()) {
    return absl::InvalidArgumentError("generation_config.json: not a JSON object");
  }
  std::vector<int32_t> ids;
  if (auto s = ReadEos(root, "generation_config.json", &ids); !s.ok()) return s;
  return ids;
}

}  // namespace verdict::rollout
