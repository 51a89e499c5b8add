// Group generation on a tiny random model: same tokens for any batch size and group order,
// finish reasons (eos, stop, length), one Philox stream per (group, sample).
#include "rollout/generator.h"

#include <cmath>
#include <map>

#include "gtest/gtest.h"
#include "rollout/cpu_model.h"
#include "rollout/weights.h"
#include "tests/rollout/test_util.h"

namespace verdict::rollout {
namespace {

// A byte-level tokenizer with no merges: ids 0-255 are bytes, 256 is <|eos|>.
Tokenizer ByteTokenizer() {
  std::string vocab;
  for (int b = 0; b < 256; ++b) {
    std::string s;
    const char32_t c = ByteToUnicode(b);
    if (c < 0x80) {
      if (c == '"' || c == '\\') s += '\\';
      s += static_cast<char>(c);
    } else {
      s += static_cast<char>(0xC0 | (c >> 6));
      s += static_cast<char>(0x80 | (c & 0x3F));
    }
    absl::StrAppend(&vocab, b ? "," : "", "\"", s, "\":", b);
  }
  const std::string json = absl::StrCat(
      R"({"added_tokens":[{"id":256,"content":"<|eos|>","special":true}],)",
      R"("pre_tokenizer":{"type":"ByteLevel","add_prefix_space":false,"use_regex":true},)",
      R"("model":{"type":"BPE","merges":[],"vocab":{)", vocab, "}}}");
  auto t = Tokenizer::FromJson(json);
  EXPECT_TRUE(t.ok()) << t.status();
  return *std::move(t);
}

class GeneratorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = testing::PythonMissing("numpy"); !why.empty()) GTEST_SKIP() << why;
    const std::string dir = testing::ScratchDir("generator");
    ASSERT_EQ(testing::RunScript("tiny_model.py", dir + " --vocab 257 --dtype bf16"), 0);
    dir_ = dir;
    auto m = CpuModel::Load(dir);
    ASSERT_TRUE(m.ok()) << m.status();
    model_ = std::move(*m);
    tok_ = std::make_unique<Tokenizer>(ByteTokenizer());
  }
  std::vector<GroupInput> Groups(int n) {
    std::vector<GroupInput> g;
    for (int i = 0; i < n; ++i) {
      GroupInput in;
      in.index = 1000 + i;
      in.id = absl::StrCat("g", i);
      in.prompt = absl::StrCat("Question number ", i, std::string(i, '?'));
      in.prompt_tokens = *tok_->Encode(in.prompt);
      g.push_back(in);
    }
    return g;
  }
  std::map<std::string, GroupOutput> Run(GenerationOptions o, std::vector<GroupInput> groups,
                                         std::vector<std::string>* order = nullptr) {
    Generator gen(model_.get(), tok_.get(), o);
    std::map<std::string, GroupOutput> out;
    EXPECT_TRUE(gen.Run(groups,
                        [&](GroupOutput g) {
                          if (order) order->push_back(g.input.id);
                          out[g.input.id] = std::move(g);
                        })
                    .ok());
    EXPECT_EQ(gen.stats().generated_tokens > 0, true);
    return out;
  }
  std::string dir_;
  std::unique_ptr<CpuModel> model_;
  std::unique_ptr<Tokenizer> tok_;
};

TEST_F(GeneratorTest, NaNLogitsAreAnErrorNotATokens) {
  auto w = LoadModelWeights(dir_);
  ASSERT_TRUE(w.ok()) << w.status();
  w->final_norm[5] = std::nanf("");  // every logit becomes NaN
  CpuModel nan_model(*w);
  GenerationOptions o;
  o.group_size = 2;
  o.max_new_tokens = 4;
  Generator gen(&nan_model, tok_.get(), o);
  int groups = 0;
  const absl::Status s = gen.Run(Groups(1), [&](GroupOutput) { ++groups; });
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal) << s;
  EXPECT_NE(std::string(s.message()).find("NaN"), std::string::npos) << s;
  EXPECT_EQ(groups, 0);
}

TEST_F(GeneratorTest, SameTokensForAnyBatchSizeAndGroupOrder) {
  GenerationOptions o;
  o.group_size = 4;
  o.max_new_tokens = 12;
  o.seed = 42;
  o.sampling.temperature = 1.0f;
  o.sampling.top_p = 0.95f;
  o.max_batch_sequences = 4;
  const auto one_at_a_time = Run(o, Groups(5));
  o.max_batch_sequences = 64;
  auto groups = Groups(5);
  std::reverse(groups.begin(), groups.end());
  const auto all_together = Run(o, groups);
  o.max_batch_sequences = 9;
  const auto mixed = Run(o, Groups(5));
  ASSERT_EQ(one_at_a_time.size(), 5u);
  int distinct = 0;
  for (const auto& [id, g] : one_at_a_time) {
    for (int s = 0; s < 4; ++s) {
      EXPECT_EQ(g.samples[s].tokens, all_together.at(id).samples[s].tokens) << id << "/" << s;
      EXPECT_EQ(g.samples[s].logprobs, all_together.at(id).samples[s].logprobs);
      EXPECT_EQ(g.samples[s].tokens, mixed.at(id).samples[s].tokens);
      EXPECT_EQ(g.samples[s].tokens.size(), 12u);
      EXPECT_EQ(g.samples[s].finish_reason, "length");
    }
    distinct += g.samples[0].tokens != g.samples[1].tokens;
  }
  EXPECT_GE(distinct, 4) << "samples of a group should draw from their own streams";
  // A different seed changes the draws.
  o.seed = 43;
  EXPECT_NE(Run(o, Groups(1)).at("g0").samples[0].tokens, one_at_a_time.at("g0").samples[0].tokens);
}

TEST_F(GeneratorTest, FinishesOnEosStopStringAndLength) {
  GenerationOptions o;
  o.group_size = 2;
  o.max_new_tokens = 16;
  o.sampling.temperature = 0.0f;  // greedy: every sample the same
  const GroupOutput greedy = Run(o, Groups(1)).at("g0");
  const SampleOutput& s0 = greedy.samples[0];
  ASSERT_EQ(s0.tokens.size(), 16u);
  EXPECT_EQ(s0.tokens, greedy.samples[1].tokens);

  o.eos_token_ids = {s0.tokens[3]};
  const auto eos_run = Run(o, Groups(1)).at("g0").samples[0];
  EXPECT_EQ(eos_run.finish_reason, "eos");
  const size_t first =
      std::find(s0.tokens.begin(), s0.tokens.end(), s0.tokens[3]) - s0.tokens.begin();
  EXPECT_EQ(eos_run.tokens.size(), first + 1);  // EOS counted, not in the text
  EXPECT_EQ(eos_run.text,
            SanitizeUtf8(*tok_->Decode({s0.tokens.begin(), s0.tokens.begin() + first})));

  o.eos_token_ids.clear();
  const std::string raw = *tok_->Decode(s0.tokens);
  const std::string stop = raw.substr(5, 2);
  o.stop_strings = {stop};
  const auto stop_run = Run(o, Groups(1)).at("g0").samples[0];
  EXPECT_EQ(stop_run.finish_reason, "stop");
  EXPECT_EQ(stop_run.text, SanitizeUtf8(raw.substr(0, raw.find(stop))));
  EXPECT_LE(stop_run.tokens.size(), 7u);
}

// Per-token logprobs against the model's own logits for the generated sequence (one prefill of
// prompt + completion, all positions): raw = log softmax(z), processed = log softmax(z / T).
TEST_F(GeneratorTest, RawAndProcessedLogprobsMatchTeacherForcedLogits) {
  GenerationOptions o;
  o.group_size = 2;
  o.max_new_tokens = 10;
  o.seed = 5;
  o.sampling.temperature = 0.6f;
  const GroupOutput raw = Run(o, Groups(1)).at("g0");
  o.logprobs = LogprobKind::kProcessed;
  const GroupOutput processed = Run(o, Groups(1)).at("g0");
  const std::vector<int32_t>& prompt = raw.input.prompt_tokens;
  const int64_t v = model_->config().vocab_size;
  for (int s = 0; s < 2; ++s) {
    const SampleOutput& a = raw.samples[s];
    const SampleOutput& b = processed.samples[s];
    ASSERT_EQ(a.tokens, b.tokens);  // the kind changes what is reported, not the draws
    std::vector<int32_t> seq = prompt;
    seq.insert(seq.end(), a.tokens.begin(), a.tokens.end() - 1);
    std::vector<float> logits(seq.size() * v);
    auto id = model_->Prefill(seq, absl::MakeSpan(logits));
    ASSERT_TRUE(id.ok()) << id.status();
    model_->Release(*id);
    int differ = 0;
    for (size_t j = 0; j < a.tokens.size(); ++j) {
      const float* z = &logits[(prompt.size() - 1 + j) * v];
      auto log_softmax = [&](double t) {
        double mx = -INFINITY, sum = 0;
        for (int64_t i = 0; i < v; ++i) mx = std::max(mx, z[i] / t);
        for (int64_t i = 0; i < v; ++i) sum += std::exp(z[i] / t - mx);
        return z[a.tokens[j]] / t - mx - std::log(sum);
      };
      EXPECT_NEAR(a.logprobs[j], log_softmax(1.0), 1e-4) << s << "/" << j;
      EXPECT_NEAR(b.logprobs[j], log_softmax(0.6), 1e-4) << s << "/" << j;
      differ += std::abs(a.logprobs[j] - b.logprobs[j]) > 1e-3;
    }
    EXPECT_GT(differ, 0);
  }
}

TEST_F(GeneratorTest, IncludeStopKeepsTheStringAndEarliestStopWins) {
  GenerationOptions o;
  o.group_size = 1;
  o.max_new_tokens = 16;
  o.sampling.temperature = 0.0f;
  const SampleOutput s0 = Run(o, Groups(1)).at("g0").samples[0];
  auto decoded = tok_->Decode(s0.tokens);
  ASSERT_TRUE(decoded.ok() && decoded->size() >= 10) << decoded.status();
  const std::string raw = *std::move(decoded);
  const std::string late(raw.data() + 8, 2), early(raw.data() + 3, 2);
  ASSERT_EQ(raw.find(early), 3u);
  // Listed first, the later string must not win over one that matches earlier in the text.
  o.stop_strings = {late, early};
  o.include_stop_str_in_output = true;
  const SampleOutput kept = Run(o, Groups(1)).at("g0").samples[0];
  EXPECT_EQ(kept.finish_reason, "stop");
  EXPECT_EQ(kept.text, SanitizeUtf8(raw.substr(0, 5)));
  o.include_stop_str_in_output = false;
  EXPECT_EQ(Run(o, Groups(1)).at("g0").samples[0].text, SanitizeUtf8(raw.substr(0, 3)));
}

TEST_F(GeneratorTest, ReportsEveryDecodeStep) {
  GenerationOptions o;
  o.group_size = 2;
  o.max_new_tokens = 6;
  int64_t calls = 0, last_tokens = 0;
  o.on_step = [&](const GenerationStats& s) {
    ++calls;
    EXPECT_GE(s.generated_tokens, last_tokens);
    last_tokens = s.generated_tokens;
  };
  Generator gen(model_.get(), tok_.get(), o);
  ASSERT_TRUE(gen.Run(Groups(3), [](GroupOutput) {}).ok());
  EXPECT_EQ(calls, gen.stats().decode_steps);
  EXPECT_EQ(gen.stats().groups_done, 3);
  EXPECT_EQ(last_tokens, 3 * 2 * 6);
}

TEST_F(GeneratorTest, RejectsBadOptions) {
  GenerationOptions o;
  o.group_size = 8;
  o.max_batch_sequences = 4;
  Generator gen(model_.get(), tok_.get(), o);
  const absl::Status s = gen.Run(Groups(1), [](GroupOutput) {});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
}

TEST(SanitizeUtf8, ReplacesInvalidBytesOnly) {
  EXPECT_EQ(SanitizeUtf8("a\xF0\x9F\x98\x80"
                         "b"),
            "a\xF0\x9F\x98\x80"
            "b");
  EXPECT_EQ(SanitizeUtf8("a\xF0\x9F"
                         "b"),
            "a\xEF\xBF\xBD\xEF\xBF\xBD"
            "b");
}

}  // namespace
}  // namespace verdict::rollout
