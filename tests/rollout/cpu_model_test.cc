// The CPU fp32 forward against an independent float64 numpy forward (tiny_model.py) on tiny
// random Qwen2/Llama models: prompt fill and 20 decode steps, unbatched and batched with forks.
#include "rollout/cpu_model.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

#include "gtest/gtest.h"
#include "rollout/weights.h"
#include "simdjson.h"
#include "tests/rollout/test_util.h"

namespace verdict::rollout {
namespace {

using testing::ReadFile;

// Stated tolerance: |logit - ref| <= kAbsTol, logits being O(1..5). fp32 accumulation over
// hidden sizes of 64-96 gives errors of order 1e-6; 1e-4 leaves room without hiding bugs (a
// wrong RoPE pair or a missing bias moves logits by > 1e-1).
constexpr double kAbsTol = 1e-4;

struct Case {
  std::vector<int32_t> tokens;
  int prompt_len = 0;
  std::vector<double> ref;  // [tokens, V]
};

std::vector<Case> LoadCases(const std::string& dir) {
  simdjson::dom::parser parser;
  simdjson::padded_string text(ReadFile(dir + "/cases.json"));
  std::vector<Case> out;
  for (auto c : parser.parse(text)["cases"].get_array()) {
    Case k;
    for (auto t : c["tokens"].get_array()) k.tokens.push_back(int64_t(t));
    k.prompt_len = int64_t(c["prompt_len"]);
    const std::string raw = ReadFile(dir + "/" + std::string(std::string_view(c["ref"])));
    k.ref.resize(raw.size() / 8);
    std::memcpy(k.ref.data(), raw.data(), raw.size());
    out.push_back(std::move(k));
  }
  return out;
}

double MaxDiff(const float* got, const double* want, int v) {
  double m = 0;
  for (int i = 0; i < v; ++i) m = std::max(m, std::abs(double(got[i]) - want[i]));
  return m;
}

class CpuModelTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (std::string why = testing::PythonMissing("numpy"); !why.empty()) GTEST_SKIP() << why;
    if (GetParam().find("--writer safetensors") != std::string::npos) {
      if (std::string why = testing::PythonMissing("safetensors"); !why.empty())
        GTEST_SKIP() << why;
    }
    // One model per parameter, shared by the tests of that parameter.
    static std::map<std::string, std::string>* made = new std::map<std::string, std::string>();
    if (!made->count(GetParam())) {
      const std::string dir =
          testing::ScratchDir("cpu_model_" + GetParam().substr(0, GetParam().find(' ')));
      ASSERT_EQ(testing::RunScript("tiny_model.py",
                                   dir + " --cases " + GetParam().substr(GetParam().find(' ') + 1)),
                0);
      (*made)[GetParam()] = dir;
    }
    dir_ = (*made)[GetParam()];
    auto m = CpuModel::Load(dir_);
    ASSERT_TRUE(m.ok()) << m.status();
    model_ = std::move(*m);
    cases_ = LoadCases(dir_);
    ASSERT_EQ(cases_.size(), 4u);
  }
  std::string dir_;
  std::unique_ptr<CpuModel> model_;
  std::vector<Case> cases_;
};

TEST_P(CpuModelTest, PrefillAndTwentyDecodeStepsMatchFloat64Unbatched) {
  const int v = model_->config().vocab_size;
  double worst = 0;
  for (const Case& c : cases_) {
    std::vector<float> logits(c.prompt_len * v);
    auto seq =
        model_->Prefill(absl::MakeSpan(c.tokens).subspan(0, c.prompt_len), absl::MakeSpan(logits));
    ASSERT_TRUE(seq.ok()) << seq.status();
    for (int t = 0; t < c.prompt_len; ++t) {
      worst = std::max(worst, MaxDiff(&logits[t * v], &c.ref[t * v], v));
    }
    std::vector<float> step(v);
    for (size_t t = c.prompt_len; t < c.tokens.size(); ++t) {
      ASSERT_TRUE(model_->Decode({*seq}, {c.tokens[t]}, absl::MakeSpan(step)).ok());
      worst = std::max(worst, MaxDiff(step.data(), &c.ref[t * v], v));
    }
    EXPECT_EQ(model_->Length(*seq), int64_t(c.tokens.size()));
    model_->Release(*seq);
  }
  EXPECT_LE(worst, kAbsTol);
  std::printf("[ info ] %s unbatched max |logit - float64| = %.3g\n", GetParam().c_str(), worst);
}

TEST_P(CpuModelTest, BatchedDecodeWithSharedPromptMatchesInAnyOrder) {
  const int v = model_->config().vocab_size;
  // Cases 0 and 2 share a 7-token prompt: prefill it once and fork two samples from it.
  std::vector<float> last(v);
  auto shared =
      model_->Prefill(absl::MakeSpan(cases_[0].tokens).subspan(0, 7), absl::MakeSpan(last));
  ASSERT_TRUE(shared.ok());
  auto kids = model_->Fork(*shared, 2);
  ASSERT_TRUE(kids.ok());
  std::vector<SequenceId> seqs = {(*kids)[0], 0, (*kids)[1], 0};
  for (int i : {1, 3}) {
    auto s = model_->Prefill(absl::MakeSpan(cases_[i].tokens).subspan(0, cases_[i].prompt_len),
                             absl::MakeSpan(last));
    ASSERT_TRUE(s.ok());
    seqs[i] = *s;
  }
  // The parent is frozen once forked.
  EXPECT_EQ(model_->Decode({*shared}, {1}, absl::MakeSpan(last)).code(),
            absl::StatusCode::kFailedPrecondition);
  std::mt19937 rng(3);
  std::vector<int> order = {0, 1, 2, 3};
  double worst = 0;
  for (int step = 0; step < 20; ++step) {
    std::shuffle(order.begin(), order.end(), rng);
    const int batch = step % 5 == 4 ? 3 : 4;  // sometimes leave one sequence out of the batch
    std::vector<SequenceId> ids;
    std::vector<int32_t> toks;
    std::vector<int> which;
    for (int b = 0; b < batch; ++b) which.push_back(order[b]);
    for (int i : which) {
      const Case& c = cases_[i];
      ids.push_back(seqs[i]);
      toks.push_back(c.tokens[model_->Length(seqs[i])]);
    }
    std::vector<float> logits(batch * v);
    ASSERT_TRUE(model_->Decode(ids, toks, absl::MakeSpan(logits)).ok());
    for (int b = 0; b < batch; ++b) {
      const Case& c = cases_[which[b]];
      const int64_t pos = model_->Length(ids[b]) - 1;
      worst = std::max(worst, MaxDiff(&logits[b * v], &c.ref[pos * v], v));
    }
  }
  EXPECT_LE(worst, kAbsTol);
  std::printf("[ info ] %s batched max |logit - float64| = %.3g\n", GetParam().c_str(), worst);
}

INSTANTIATE_TEST_SUITE_P(Models, CpuModelTest,
                         ::testing::Values("qwen2_f32 --dtype f32",
                                           "qwen2_bf16 --dtype bf16 --shards 3",
                                           "qwen2_f16 --dtype f16",
                                           "llama_bf16_tied --arch llama --dtype bf16 --tie",
                                           // written by the HF safetensors package
                                           "hf_f16 --dtype f16 --writer safetensors",
                                           // rope_scaling and sliding windows as HF defines them
                                           "llama3_rope --arch llama --dtype bf16 "
                                           "--rope-scaling llama3",
                                           "linear_rope --rope-scaling linear",
                                           "dynamic_rope --rope-scaling dynamic --max-pos 32",
                                           "qwen2_sliding --sliding-window 5 "
                                           "--max-window-layers 1"));

// bf16/f16 matrices stay in their dtype (half the bytes of fp32) and, widened per tile, give
// exactly the logits of the same weights expanded to fp32 up front.
TEST(CpuModelStoredWeights, HalfTheBytesAndTheSameLogitsAsFp32) {
  if (std::string why = testing::PythonMissing("numpy"); !why.empty()) GTEST_SKIP() << why;
  for (const char* dtype : {"bf16", "f16"}) {
    const std::string dir = testing::ScratchDir(std::string("cpu_model_stored_") + dtype);
    ASSERT_EQ(testing::RunScript("tiny_model.py", dir + " --vocab 300 --dtype " + dtype), 0);
    auto stored = CpuModel::Load(dir);
    ASSERT_TRUE(stored.ok()) << stored.status();
    auto fp32 = LoadModelWeights(dir);
    ASSERT_TRUE(fp32.ok()) << fp32.status();
    CpuModel expanded(*fp32);
    const double ratio = double((*stored)->weight_bytes()) / double(expanded.weight_bytes());
    // Matrices halve; norms and biases (under 2% here) stay fp32.
    EXPECT_GT(ratio, 0.5) << dtype;
    EXPECT_LT(ratio, 0.51) << dtype;
    const int v = expanded.config().vocab_size;
    const std::vector<int32_t> tokens = {5, 17, 250, 3, 99, 0, 42};
    std::vector<float> a(tokens.size() * v), b(tokens.size() * v);
    ASSERT_TRUE((*stored)->Prefill(tokens, absl::MakeSpan(a)).ok());
    ASSERT_TRUE(expanded.Prefill(tokens, absl::MakeSpan(b)).ok());
    EXPECT_EQ(a, b) << dtype;
  }
}

// A bf16 KV cache (CpuModelOptions::kv_dtype) holds half the bytes of the fp32 one, and its
// logits stay within the stated tolerance of the fp32 reference: per row, rms(bf16 - f32) <=
// 1e-2 rms(f32) and max |bf16 - f32| <= 3e-2 max |f32| (K and V carry 8 significant bits, as
// on the CUDA path). Prompt fill, a fork and 20 decode steps; the logits are not bit-equal (the
// cache really is bf16), and a sliding-window model takes the same path.
TEST(CpuModelBf16KvCache, HalfTheKvBytesAndLogitsWithinTolerance) {
  if (std::string why = testing::PythonMissing("numpy"); !why.empty()) GTEST_SKIP() << why;
  for (const std::string args : {"--dtype bf16", "--dtype bf16 --sliding-window 9"}) {
    const std::string dir = testing::ScratchDir("cpu_model_bf16_kv");
    ASSERT_EQ(testing::RunScript("tiny_model.py", dir + " --vocab 300 " + args), 0);
    auto f32 = CpuModel::Load(dir);
    ASSERT_TRUE(f32.ok()) << f32.status();
    auto bf16 = CpuModel::Load(dir, {KvCacheDType::kBF16});
    ASSERT_TRUE(bf16.ok()) << bf16.status();
    const int v = (*f32)->config().vocab_size;
    std::vector<int32_t> prompt(30);
    for (int i = 0; i < 30; ++i) prompt[i] = (i * 37 + 11) % v;
    double rel_rms = 0, rel_max = 0;
    bool bit_equal = true;
    auto compare = [&](const std::vector<float>& a, const std::vector<float>& b) {
      for (size_t r = 0; r * v < a.size(); ++r) {
        double se = 0, sr = 0, me = 0, mr = 0;
        for (int i = 0; i < v; ++i) {
          const double d = double(b[r * v + i]) - a[r * v + i];
          se += d * d;
          sr += double(a[r * v + i]) * a[r * v + i];
          me = std::max(me, std::abs(d));
          mr = std::max(mr, std::abs(double(a[r * v + i])));
        }
        rel_rms = std::max(rel_rms, std::sqrt(se / sr));
        rel_max = std::max(rel_max, me / mr);
      }
      bit_equal = bit_equal && a == b;
    };
    std::vector<float> la(prompt.size() * v), lb(la.size());
    auto pa = (*f32)->Prefill(prompt, absl::MakeSpan(la));
    auto pb = (*bf16)->Prefill(prompt, absl::MakeSpan(lb));
    ASSERT_TRUE(pa.ok() && pb.ok());
    compare(la, lb);
    auto ka = (*f32)->Fork(*pa, 2);
    auto kb = (*bf16)->Fork(*pb, 2);
    ASSERT_TRUE(ka.ok() && kb.ok());
    std::vector<int32_t> tok = {3, 4};
    std::vector<float> da(2 * v), db(2 * v);
    for (int step = 0; step < 20; ++step) {
      ASSERT_TRUE((*f32)->Decode(*ka, tok, absl::MakeSpan(da)).ok());
      ASSERT_TRUE((*bf16)->Decode(*kb, tok, absl::MakeSpan(db)).ok());
      compare(da, db);
      for (int s = 0; s < 2; ++s) {
        tok[s] = std::max_element(&da[s * v], &da[s * v] + v) - &da[s * v];
      }
    }
    EXPECT_LE(rel_rms, 1e-2) << args;
    EXPECT_LE(rel_max, 3e-2) << args;
    EXPECT_FALSE(bit_equal) << args;
    const double ratio = double((*bf16)->kv_bytes()) / double((*f32)->kv_bytes());
    EXPECT_EQ(ratio, 0.5) << args;
    EXPECT_EQ(CpuModel::KvBytesPerToken((*f32)->config(), KvCacheDType::kBF16) * 2,
              CpuModel::KvBytesPerToken((*f32)->config()));
    std::printf("[ info ] bf16 KV (%s): rel rms %.3g, rel max %.3g, KV bytes %lld vs %lld\n",
                args.c_str(), rel_rms, rel_max, static_cast<long long>((*bf16)->kv_bytes()),
                static_cast<long long>((*f32)->kv_bytes()));
  }
}

// Dynamic NTK scaling is only run within max_position_embeddings (config.h): a longer
// sequence is refused, not silently computed with frequencies HF would not use.
TEST(CpuModelDynamicRope, RefusesSequencesPastMaxPositionEmbeddings) {
  if (std::string why = testing::PythonMissing("numpy"); !why.empty()) GTEST_SKIP() << why;
  const std::string dir = testing::ScratchDir("cpu_model_dynamic_cap");
  ASSERT_EQ(testing::RunScript("tiny_model.py", dir + " --rope-scaling dynamic --max-pos 8"), 0);
  auto m = CpuModel::Load(dir);
  ASSERT_TRUE(m.ok()) << m.status();
  const int v = (*m)->config().vocab_size;
  std::vector<float> logits(v);
  std::vector<int32_t> nine(9, 1);
  auto too_long = (*m)->Prefill(nine, absl::MakeSpan(logits));
  EXPECT_EQ(too_long.status().code(), absl::StatusCode::kOutOfRange);
  auto seq = (*m)->Prefill(absl::MakeSpan(nine).subspan(0, 8), absl::MakeSpan(logits));
  ASSERT_TRUE(seq.ok()) << seq.status();
  EXPECT_EQ((*m)->Decode({*seq}, {1}, absl::MakeSpan(logits)).code(),
            absl::StatusCode::kOutOfRange);
}

}  // namespace
}  // namespace verdict::rollout
