// The worker's pure parts: the KV-budget batch plan, byte sizes, flags.
#include "rollout/worker.h"

#include "gtest/gtest.h"
#include "rollout/cpu_model.h"

namespace verdict::rollout {
namespace {

ModelConfig Tiny() {
  ModelConfig c;
  c.num_layers = 2;
  c.num_kv_heads = 2;
  c.head_dim = 16;
  c.max_position_embeddings = 512;
  return c;
}

// 2 (K, V) x 2 layers x 2 KV heads x 16 x 4 bytes = 512 bytes a position; each segment is
// charged 64 positions of growth slack. A group of 4, prompt 10, 20 new tokens:
// 512 * (10 + 64) + 4 * 512 * (20 + 64) = 209920 bytes.
TEST(PlanBatch, FitsWholeGroupsInTheKvBudget) {
  const ModelConfig c = Tiny();
  EXPECT_EQ(CpuModel::KvBytesPerToken(c), 512);
  EXPECT_EQ(*PlanBatch(c, 3 * 209920, 4, 10, 20, 256), 12);
  EXPECT_EQ(*PlanBatch(c, 3 * 209920 + 209919, 4, 10, 20, 256), 12);
  EXPECT_EQ(*PlanBatch(c, 3 * 209920, 4, 10, 20, 8), 8);  // --max-batch caps
  EXPECT_EQ(*PlanBatch(c, 3 * 209920, 4, 10, 20, 6), 4);  // rounded down to whole groups
  EXPECT_EQ(*PlanBatch(c, 3 * 209920, 4, 10, 20, 2), 4);  // but at least one
  const auto none = PlanBatch(c, 209919, 4, 10, 20, 256);
  EXPECT_EQ(none.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(none.status().message().find("needs 209920 bytes"), absl::string_view::npos)
      << none.status();
}

// A bf16 cache (--kv-cache-dtype bf16) charges 256 bytes a position: twice the groups.
TEST(PlanBatch, Bf16KvCacheFitsTwiceTheGroups) {
  const ModelConfig c = Tiny();
  EXPECT_EQ(CpuModel::KvBytesPerToken(c, KvCacheDType::kBF16), 256);
  EXPECT_EQ(*PlanBatch(c, 3 * 209920, 4, 10, 20, 256, KvCacheDType::kBF16), 24);
  EXPECT_EQ(PlanBatch(c, 209920 / 2 - 1, 4, 10, 20, 256, KvCacheDType::kBF16).status().code(),
            absl::StatusCode::kResourceExhausted);
}

TEST(PlanBatch, CapsLengthsAtMaxPositionEmbeddings) {
  ModelConfig c = Tiny();
  c.max_position_embeddings = 16;  // prompt 10 leaves 6 new tokens, not 20
  const int64_t per_group = 512 * (10 + 64) + 4 * 512 * (6 + 64);
  EXPECT_EQ(*PlanBatch(c, 2 * per_group, 4, 10, 20, 256), 8);
  EXPECT_EQ(PlanBatch(c, 2 * per_group - 1, 4, 10, 20, 256).value_or(0), 4);
}

TEST(ParseByteSize, TakesBinarySuffixesAndRejectsTheRest) {
  EXPECT_EQ(*ParseByteSize("123"), 123);
  EXPECT_EQ(*ParseByteSize("64K"), 64 * 1024);
  EXPECT_EQ(*ParseByteSize("3m"), 3 * 1048576);
  EXPECT_EQ(*ParseByteSize("8G"), int64_t{8} << 30);
  for (const char* bad : {"", "G", "-5", "0", "1.5G", "12T", "99999999999G"}) {
    EXPECT_EQ(ParseByteSize(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(ParseWorkerFlags, ReadsTheRolloutFlags) {
  auto o = ParseWorkerFlags({"--model",
                             "m",
                             "--prompts",
                             "p",
                             "--output",
                             "o",
                             "--no-server",
                             "--max-batch",
                             "32",
                             "--kv-cache-bytes",
                             "2G",
                             "--seed-offset",
                             "1000",
                             "--eos",
                             "<|im_end|>",
                             "--eos",
                             "7",
                             "--include-stop",
                             "--logprobs",
                             "processed",
                             "--progress-interval-s",
                             "2.5",
                             "--kv-cache-dtype",
                             "bf16"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_TRUE(o->max_batch_given);
  EXPECT_EQ(o->generation.max_batch_sequences, 32);
  EXPECT_EQ(o->kv_cache_bytes, int64_t{2} << 30);
  EXPECT_EQ(o->seed_offset, 1000u);
  EXPECT_EQ(o->eos, (std::vector<std::string>{"<|im_end|>", "7"}));
  EXPECT_TRUE(o->generation.include_stop_str_in_output);
  EXPECT_EQ(o->generation.logprobs, LogprobKind::kProcessed);
  EXPECT_EQ(o->progress_interval_s, 2.5);
  EXPECT_EQ(o->kv_cache_dtype, KvCacheDType::kBF16);
  o = ParseWorkerFlags({"--model", "m", "--prompts", "p", "--output", "o", "--no-server"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_FALSE(o->max_batch_given);
  EXPECT_EQ(o->generation.logprobs, LogprobKind::kRaw);
  EXPECT_EQ(o->kv_cache_bytes, 0);
  EXPECT_EQ(o->kv_cache_dtype, KvCacheDType::kF32);
  for (const char* bad : {"--kv-cache-bytes=lots", "--kv-cache-dtype=f16", "--logprobs=both",
                          "--seed-offset=-1", "--max-batch=0"}) {
    auto r =
        ParseWorkerFlags({"--model", "m", "--prompts", "p", "--output", "o", "--no-server", bad});
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace verdict::rollout
