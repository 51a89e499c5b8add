// Loading model directories: config.json, single and sharded safetensors, and bad input — each
// error names the problem.
#include "rollout/weights.h"

#include <cmath>
#include <filesystem>

#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rollout/safetensors.h"
#include "tests/rollout/test_util.h"

namespace verdict::rollout {
namespace {

using ::testing::HasSubstr;

class BadModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = testing::PythonMissing("numpy"); !why.empty()) GTEST_SKIP() << why;
  }
  std::string Make(const std::string& name, const std::string& args) {
    const std::string dir = testing::ScratchDir(name);
    EXPECT_EQ(testing::RunScript("tiny_model.py", dir + " " + args), 0);
    return dir;
  }
};

TEST_F(BadModelTest, LoadsGoodShardedModelWithConfigFields) {
  auto w = LoadModelWeights(Make("good", "--dtype bf16 --shards 2 --eos 5"));
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(w->config.architecture, Architecture::kQwen2);
  EXPECT_TRUE(w->config.qkv_bias);
  EXPECT_EQ(w->config.num_kv_heads, 2);
  EXPECT_EQ(w->config.head_dim, 16);
  EXPECT_EQ(w->config.eos_token_ids, std::vector<int32_t>{5});
  EXPECT_EQ(w->layers.size(), 2u);
  EXPECT_EQ(w->layers[0].bq.size(), 64u);
  EXPECT_EQ(w->embed.size(), 97u * 64);
}

TEST_F(BadModelTest, MissingTensorIsNamed) {
  auto w = LoadModelWeights(Make("missing", "--drop model.layers.1.mlp.up_proj.weight"));
  EXPECT_EQ(w.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(w.status().message(), HasSubstr("missing tensor model.layers.1.mlp.up_proj.weight"));
}

TEST_F(BadModelTest, WrongShapeNamesTensorAndBothShapes) {
  auto w = LoadModelWeights(Make("shape", "--reshape model.layers.0.self_attn.k_proj.weight"));
  EXPECT_EQ(w.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(w.status().message(),
              HasSubstr("model.layers.0.self_attn.k_proj.weight has shape [16, 128], expected "
                        "[32, 64]"));
}

TEST_F(BadModelTest, TruncatedFileIsDataLoss) {
  const std::string dir = Make("trunc", "");
  const auto path = std::filesystem::path(dir) / "model.safetensors";
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 100);
  auto w = LoadModelWeights(dir);
  EXPECT_EQ(w.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(w.status().message(), HasSubstr("truncated"));
  std::filesystem::resize_file(path, 20);  // now even the header is cut
  w = LoadModelWeights(dir);
  EXPECT_EQ(w.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(w.status().message(), HasSubstr("header claims"));
}

TEST_F(BadModelTest, UnsupportedArchitectureIsNamed) {
  const std::string dir = Make("arch", "");
  std::string cfg = testing::ReadFile(dir + "/config.json");
  cfg = absl::StrReplaceAll(cfg,
                            {{"Qwen2ForCausalLM", "MambaForCausalLM"}, {"\"qwen2\"", "\"mamba\""}});
  testing::WriteFile(dir + "/config.json", cfg);
  auto w = LoadModelWeights(dir);
  EXPECT_EQ(w.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(w.status().message(), HasSubstr("unsupported architecture \"MambaForCausalLM\""));
}

TEST(SafetensorsFile, UnsupportedDtypeIsNamed) {
  const std::string dir = testing::ScratchDir("dtype");
  const std::string header = R"({"w":{"dtype":"I8","shape":[2],"data_offsets":[0,2]}})";
  std::string file(8, '\0');
  file[0] = static_cast<char>(header.size());
  file += header + "ab";
  testing::WriteFile(dir + "/x.safetensors", file);
  auto f = SafetensorsFile::Open(dir + "/x.safetensors");
  EXPECT_EQ(f.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(f.status().message(), HasSubstr("tensor w: dtype I8 is not supported"));
}

TEST(SafetensorsFile, SizeNotMatchingShapeIsInvalid) {
  const std::string dir = testing::ScratchDir("size");
  const std::string header = R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})";
  std::string file(8, '\0');
  file[0] = static_cast<char>(header.size());
  file += header + "abcdefgh";
  testing::WriteFile(dir + "/x.safetensors", file);
  auto f = SafetensorsFile::Open(dir + "/x.safetensors");
  EXPECT_EQ(f.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(f.status().message(), HasSubstr("8 bytes do not hold shape [3] of F32"));
}

// HF Qwen2: sliding windows only with use_sliding_window, on layers >= max_window_layers
// (default 28); a null sliding_window is none.
TEST(ParseModelConfig, ReadsQwen2SlidingWindow) {
  const std::string base =
      R"({"model_type":"qwen2","vocab_size":10,"hidden_size":8,"intermediate_size":8,)"
      R"("num_hidden_layers":30,"num_attention_heads":2,"sliding_window":4096)";
  auto c = ParseModelConfig(base + "}");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->sliding_window, 0);
  c = ParseModelConfig(base + R"(,"use_sliding_window":true})");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->sliding_window, 4096);
  EXPECT_FALSE(c->SlidingLayer(27));
  EXPECT_TRUE(c->SlidingLayer(28));
  c = ParseModelConfig(base + R"(,"use_sliding_window":true,"max_window_layers":3})");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->SlidingLayer(3));
  EXPECT_FALSE(c->SlidingLayer(2));
  c = ParseModelConfig(absl::StrReplaceAll(base, {{"4096", "null"}}) +
                       R"(,"use_sliding_window":true})");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_FALSE(c->SlidingLayer(29));
}

TEST(ParseGenerationConfigEos, ReadsIdOrListAndRejectsOthers) {
  EXPECT_EQ(*ParseGenerationConfigEos(R"({"eos_token_id": 7})"), std::vector<int32_t>{7});
  EXPECT_EQ(*ParseGenerationConfigEos(R"({"eos_token_id": [3, 151645]})"),
            (std::vector<int32_t>{3, 151645}));
  EXPECT_TRUE(ParseGenerationConfigEos(R"({"do_sample": true})")->empty());
  auto bad = ParseGenerationConfigEos(R"({"eos_token_id": [1, "x"]})");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("generation_config.json"));
  EXPECT_EQ(ParseGenerationConfigEos("[").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(HalfFloats, ConvertExactly) {
  EXPECT_EQ(Fp16ToFloat(0x3C00), 1.0f);
  EXPECT_EQ(Fp16ToFloat(0xC000), -2.0f);
  EXPECT_EQ(Fp16ToFloat(0x0001), std::ldexp(1.0f, -24));  // smallest subnormal
  EXPECT_EQ(Fp16ToFloat(0x7BFF), 65504.0f);
  EXPECT_TRUE(std::isinf(Fp16ToFloat(0x7C00)));
  EXPECT_TRUE(std::isnan(Fp16ToFloat(0x7E00)));
  EXPECT_EQ(Bf16ToFloat(0x3F80), 1.0f);
  EXPECT_EQ(Bf16ToFloat(0xC0A0), -5.0f);
}

TEST(ParseModelConfig, RejectsInconsistentHeadsAndRopeScaling) {
  const std::string base =
      R"({"model_type":"llama","vocab_size":10,"hidden_size":8,"intermediate_size":8,)"
      R"("num_hidden_layers":1,"num_attention_heads":4,"num_key_value_heads":3)";
  auto c = ParseModelConfig(base + "}");
  EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(c.status().message(), HasSubstr("num_key_value_heads (3)"));
  const std::string ok =
      absl::StrReplaceAll(base, {{"\"num_key_value_heads\":3", "\"num_key_value_heads\":2"}});
  c = ParseModelConfig(ok + R"(,"rope_scaling":{"rope_type":"yarn","factor":4}})");
  EXPECT_EQ(c.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(c.status().message(), HasSubstr("\"yarn\""));
  c = ParseModelConfig(ok + R"(,"rope_scaling":{"rope_type":"llama3","factor":8}})");
  EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(c.status().message(), HasSubstr("needs \"low_freq_factor\""));
  c = ParseModelConfig(ok + R"(,"rope_scaling":{"type":"dynamic","factor":2}})");
  EXPECT_THAT(c.status().message(), HasSubstr("needs max_position_embeddings"));
  c = ParseModelConfig(ok + R"(,"rope_scaling":{"rope_type":"linear","factor":0}})");
  EXPECT_THAT(c.status().message(), HasSubstr("factor must be positive"));
  c = ParseModelConfig(ok + R"(,"rope_scaling":{"rope_type":"default"}})");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->rope_scaling.type, RopeScalingType::kNone);
  c = ParseModelConfig(ok + R"(,"rope_scaling":{"rope_type":"llama3","factor":8.0,)"
                            R"("low_freq_factor":1.0,"high_freq_factor":4.0,)"
                            R"("original_max_position_embeddings":8192}})");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->rope_scaling.type, RopeScalingType::kLlama3);
  EXPECT_EQ(c->rope_scaling.original_max_position_embeddings, 8192);
  EXPECT_EQ(c->rope_scaling.factor, 8.0);
  // A config's eos_token_id must be ids, not silently dropped.
  c = ParseModelConfig(ok + R"(,"eos_token_id":"</s>"})");
  EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  c = ParseModelConfig(ok + R"(,"eos_token_id":[7,9]})");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->eos_token_ids, (std::vector<int32_t>{7, 9}));
  EXPECT_FALSE(c->qkv_bias);
  EXPECT_EQ(ParseModelConfig("{\"model_type\":").status().code(),
            absl::StatusCode::kInvalidArgument);
  c = ParseModelConfig(R"({"model_type":"llama","hidden_size":8})");
  EXPECT_THAT(c.status().message(), HasSubstr("missing \"vocab_size\""));
}

}  // namespace
}  // namespace verdict::rollout
