#include "rewards/scorer.h"
#include "sandbox/fake_runner.h"

#include <cmath>
#include <memory>
#include <stop_token>
#include <string>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace verdict {
namespace {

using testing::HasSubstr;
using enum Component;

Group MathGroup(std::vector<std::string> completions, std::string gold = "42") {
  Group g;
  g.id = "g";
  g.prompt = "Question?\nAssistant:";
  g.reference = MathReference{{gold}};
  for (auto& c : completions) g.completions.push_back(Completion{std::move(c), 0, "", {}});
  return g;
}

class ScorerTest : public testing::Test {
 protected:
  ThreadPool pool_{2};
  Scorer scorer_{&pool_};
};

TEST_F(ScorerTest, ComposesFormatAndAccuracyAndNormalisesWithinTheGroup) {
  GroupResult r = scorer_.Score(MathGroup({
      "<think>6*7</think><answer>42</answer>",  // 1 + 1
      "<think>6*7</think><answer>41</answer>",  // 0 + 1
      "The answer is \\boxed{42}",              // 1 + 0
      "no idea",                                // 0 + 0
  }));
  ASSERT_TRUE(r.error.ok()) << r.error;
  ASSERT_EQ(r.samples.size(), 4u);
  EXPECT_EQ(r.samples[0].verdict, Verdict::kCorrect);
  EXPECT_EQ(r.samples[1].verdict, Verdict::kWrongAnswer);
  EXPECT_EQ(r.samples[2].verdict, Verdict::kCorrect);
  EXPECT_EQ(r.samples[3].verdict, Verdict::kNoAnswer);
  EXPECT_EQ(r.samples[2].math->source, "boxed");
  EXPECT_EQ(r.samples[0].math->source, "answer_tag");
  const double rewards[] = {2, 1, 1, 0};
  // mean 1, sample std sqrt(2/3)
  const double std = std::sqrt(2.0 / 3.0);
  for (int i = 0; i < 4; ++i) {
    EXPECT_DOUBLE_EQ(r.samples[i].reward, rewards[i]) << i;
    EXPECT_NEAR(r.samples[i].advantage, (rewards[i] - 1) / (std + 1e-6), 1e-12) << i;
  }
  EXPECT_THAT(r.samples[1].components,
              testing::ElementsAre(testing::Pair(kAccuracy, 0.0), testing::Pair(kFormat, 1.0)));
  EXPECT_DOUBLE_EQ(r.stats.mean, 1.0);
  EXPECT_NEAR(r.stats.std, std, 1e-15);
  EXPECT_FALSE(r.stats.zero_variance);
  EXPECT_EQ(r.stats.num_correct, 2);
  EXPECT_EQ(r.stats.num_format_ok, 2);
}

TEST_F(ScorerTest, WeightsAndGatingApplyToTheReward) {
  Group g = MathGroup({"\\boxed{42}", "<think>a</think><answer>42</answer>"});
  g.spec.format_weight = 0.5;
  g.spec.gate_accuracy_on_format = true;
  GroupResult r = scorer_.Score(g);
  // Sample 0: correct but badly formatted -> the accuracy term is gated to 0; the component
  // still says 1 so trainers can log it.
  EXPECT_DOUBLE_EQ(r.samples[0].reward, 0.0);
  EXPECT_THAT(r.samples[0].components, testing::Contains(testing::Pair(kAccuracy, 1.0)));
  EXPECT_DOUBLE_EQ(r.samples[1].reward, 1.5);
}

TEST_F(ScorerTest, GroupOfOneHasZeroAdvantageAndIsFlagged) {
  GroupResult r = scorer_.Score(MathGroup({"<think>a</think><answer>42</answer>"}));
  ASSERT_EQ(r.samples.size(), 1u);
  EXPECT_DOUBLE_EQ(r.samples[0].advantage, 0.0);
  EXPECT_TRUE(r.stats.zero_variance);
  EXPECT_DOUBLE_EQ(r.samples[0].reward, 2.0);
}

TEST_F(ScorerTest, EmptyGroupIsAnInvalidArgumentError) {
  GroupResult r = scorer_.Score(MathGroup({}));
  EXPECT_EQ(r.error.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.error.message(), HasSubstr("has no completions"));
  EXPECT_TRUE(r.samples.empty());
}

TEST_F(ScorerTest, MissingReferenceIsAnInvalidArgumentError) {
  Group g = MathGroup({"x"});
  g.reference = std::monostate{};
  GroupResult r = scorer_.Score(g);
  EXPECT_EQ(r.error.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.error.message(), HasSubstr("has no reference"));
}

TEST_F(ScorerTest, MathReferenceWithoutGoldIsAnError) {
  Group g = MathGroup({"x"});
  g.reference = MathReference{};
  EXPECT_EQ(scorer_.Score(g).error.code(), absl::StatusCode::kInvalidArgument);
}

CodeReference PythonSum() {
  CodeReference ref;
  ref.language = "python3";
  ref.tests = {{"1 2", "3"}, {"2 2", "4"}};
  return ref;
}

TEST_F(ScorerTest, CodeWithoutASandboxIsFailedPreconditionNotAZeroReward) {
  Group g = MathGroup({"x"});
  g.reference = PythonSum();
  GroupResult r = scorer_.Score(g);
  EXPECT_EQ(r.error.code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(ScorerTest, CodeAccuracyComesFromTheRunsAndSandboxFailuresAreErrors) {
  // A scripted sandbox: prints the sum for stdin "1 2", nothing else; fails to start on stdin
  // "boom".
  sandbox::FakeRunner runner;
  runner.AddRule([](const sandbox::RunRequest& q) { return q.stdin_data == "1 2"; },
                 [](const sandbox::RunRequest&) -> absl::StatusOr<sandbox::RunResult> {
                   sandbox::RunResult res;
                   res.exit_code = 0;
                   res.stdout_data = "3\n";
                   return res;
                 });
  ScorerOptions options;
  options.runner = &runner;
  Scorer scorer(&pool_, options);
  Group g = MathGroup({"```python\nprint(sum(map(int, input().split())))\n```", "no code",
                       "```python\nprint(sum(map(int, input().split())))\n```"});
  g.reference = PythonSum();
  g.spec.format = FormatTemplate::kNone;
  g.spec.no_code_value = -1;
  GroupResult r = scorer.Score(g);
  ASSERT_TRUE(r.error.ok()) << r.error;
  EXPECT_EQ(r.samples[0].verdict, Verdict::kPartial);  // "2 2" printed nothing
  EXPECT_THAT(r.samples[0].components, testing::ElementsAre(testing::Pair(kAccuracy, 0.5)));
  EXPECT_EQ(r.samples[1].verdict, Verdict::kNoCode);
  EXPECT_DOUBLE_EQ(r.samples[1].reward, -1.0);
  EXPECT_EQ(r.samples[2].verdict, Verdict::kPartial);  // identical program: judged once
  ASSERT_TRUE(r.samples[0].code.has_value());
  EXPECT_EQ(r.samples[0].code->passed, 1);

  g.spec.code_all_pass = true;
  r = scorer.Score(g);
  EXPECT_THAT(r.samples[0].components, testing::ElementsAre(testing::Pair(kAccuracy, 0.0)));

  runner.SetDefault([](const sandbox::RunRequest&) -> absl::StatusOr<sandbox::RunResult> {
    return absl::InternalError("sandbox could not start");
  });
  g.spec.code_all_pass = false;
  r = scorer.Score(g);
  EXPECT_EQ(r.samples[0].verdict, Verdict::kError);  // "we could not check", not "wrong"
  EXPECT_EQ(r.samples[0].error.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(r.stats.num_errors, 2);
}

TEST_F(ScorerTest, RulesOnlyScoresFormatWithoutAccuracy) {
  Group g = MathGroup({"<think>a</think><answer>b</answer>", "plain"});
  g.reference = RulesOnly{};
  GroupResult r = scorer_.Score(g);
  ASSERT_TRUE(r.error.ok());
  EXPECT_EQ(r.samples[0].verdict, Verdict::kNotChecked);
  EXPECT_THAT(r.samples[0].components, testing::ElementsAre(testing::Pair(kFormat, 1.0)));
  EXPECT_DOUBLE_EQ(r.samples[1].reward, 0.0);
}

TEST_F(ScorerTest, FormatNoneTakesTheAnswerFromTheWholeCompletion) {
  Group g = MathGroup({"<answer>41</answer> so \\boxed{42}"});
  g.spec.format = FormatTemplate::kNone;
  GroupResult r = scorer_.Score(g);
  EXPECT_EQ(r.samples[0].verdict, Verdict::kCorrect);  // the <answer> block is not read
  EXPECT_THAT(r.samples[0].components, testing::ElementsAre(testing::Pair(kAccuracy, 1.0)));
}

TEST_F(ScorerTest, ThinkOnlyReadsTheAnswerAfterTheReasoningOnly) {
  Group g = MathGroup({"<think>maybe \\boxed{41}</think>\nThe answer is \\boxed{42}.",
                       "<think>surely \\boxed{42}</think>\nI give up."});
  g.spec.format = FormatTemplate::kThinkOnly;
  GroupResult r = scorer_.Score(g);
  EXPECT_EQ(r.samples[0].verdict, Verdict::kCorrect);
  EXPECT_TRUE(r.samples[0].format.ok);
  EXPECT_EQ(r.samples[1].verdict, Verdict::kNoAnswer);  // the boxed 42 is inside the reasoning
}

TEST_F(ScorerTest, CustomPatternReadsTheNamedAnswerGroup) {
  Group g = MathGroup({"work work\nANSWER: 42", "ANSWER: 42 and more"});
  g.spec.format = FormatTemplate::kCustom;
  g.spec.format_pattern = R"(.*ANSWER: (?P<answer>\S+))";
  GroupResult r = scorer_.Score(g);
  EXPECT_TRUE(r.samples[0].format.ok);
  EXPECT_EQ(r.samples[0].verdict, Verdict::kCorrect);
  EXPECT_EQ(r.samples[0].math->extracted, "42");
  EXPECT_FALSE(r.samples[1].format.ok);
}

TEST_F(ScorerTest, InvalidCustomPatternIsAGroupError) {
  Group g = MathGroup({"x"});
  g.spec.format = FormatTemplate::kCustom;
  g.spec.format_pattern = "([";
  GroupResult r = scorer_.Score(g);
  EXPECT_EQ(r.error.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.error.message(), HasSubstr("'(['"));
}

TEST_F(ScorerTest, PartialCreditCountsTagsWhenTheFormatFails) {
  Group g = MathGroup(
      {"<think>a</think><answer>42</answer> junk", "<think>a</think><answer>42</answer>"});
  g.spec.format_partial_credit = true;
  GroupResult r = scorer_.Score(g);
  EXPECT_THAT(r.samples[0].components, testing::Contains(testing::Pair(kFormat, 0.75)));
  EXPECT_THAT(r.samples[1].components, testing::Contains(testing::Pair(kFormat, 1.0)));
  EXPECT_EQ(r.stats.num_format_ok, 1);
}

TEST_F(ScorerTest, LanguageConsistencyDetectsTheTargetFromThePrompt) {
  // "Let me compute" (3 English words) + 所以答案是 (5 Han): 5 of 8 words are Chinese.
  Group g = MathGroup({"<think>Let me compute.\n所以答案是</think><answer>42</answer>",
                       "<think>所以答案是</think><answer>42</answer>"});
  g.prompt = "请计算六乘以七的结果，并给出详细的推理过程。";
  g.spec.language.enabled = true;
  g.spec.language.weight = 0.5;
  GroupResult r = scorer_.Score(g);
  EXPECT_EQ(r.samples[0].language_target, "zh");
  EXPECT_EQ(r.samples[0].language_words, 8);
  EXPECT_THAT(r.samples[0].components, testing::Contains(testing::Pair(kLanguage, 5.0 / 8)));
  EXPECT_DOUBLE_EQ(r.samples[0].reward, 1 + 1 + 0.5 * 5.0 / 8);
  EXPECT_THAT(r.samples[1].components, testing::Contains(testing::Pair(kLanguage, 1.0)));
}

TEST_F(ScorerTest, MajorityVoteClustersEquivalentAnswers) {
  Group g = MathGroup(
      {"\\boxed{41}", "\\boxed{ 41 }", "\\boxed{41}", "\\boxed{42}", "\\boxed{42}", "no answer"});
  g.spec.majority_vote = true;
  GroupResult r = scorer_.Score(g);
  EXPECT_EQ(r.stats.majority_clusters, 2);
  EXPECT_EQ(r.stats.majority_count, 3);
  EXPECT_EQ(r.stats.majority_answer, "41");
  EXPECT_FALSE(r.stats.majority_correct);
}

TEST_F(ScorerTest, RepetitionCountsTokenNgramsWhenTokenIdsAreSent) {
  Group g = MathGroup(
      {"<think>a b c d</think><answer>42</answer>", "<think>a b c d</think><answer>42</answer>"});
  g.spec.repetition.enabled = true;
  g.spec.repetition.ngram_size = 2;
  g.completions[1].token_ids = {7, 8, 7, 8, 7, 8};  // bigrams 78 87 78 87 78: 2 unique of 5
  GroupResult r = scorer_.Score(g);
  EXPECT_THAT(r.samples[0].components, testing::Contains(testing::Pair(kRepetition, 0.0)));
  EXPECT_THAT(r.samples[1].components,
              testing::Contains(testing::Pair(kRepetition, -(1 - 2.0 / 5))));
}

TEST_F(ScorerTest, PrefilledThinkInThePromptIsRecognised) {
  Group g = MathGroup({"reasoning</think><answer>42</answer>"});
  g.prompt = "Question\nAssistant: <think>";
  GroupResult r = scorer_.Score(g);
  EXPECT_TRUE(r.samples[0].format.ok);
  EXPECT_TRUE(r.samples[0].format.think_prefilled);
}

TEST_F(ScorerTest, UndecidedUsesTheConfiguredValue) {
  ScorerOptions options;
  options.math.max_answer_bytes = 4;  // forces UNDECIDED on a long answer
  Scorer scorer(&pool_, options);
  Group g = MathGroup({"<think>a</think><answer>123456789</answer>"});
  g.spec.undecided_value = 0.25;
  GroupResult r = scorer.Score(g);
  EXPECT_EQ(r.samples[0].verdict, Verdict::kUndecided);
  EXPECT_THAT(r.samples[0].components, testing::Contains(testing::Pair(kAccuracy, 0.25)));
  EXPECT_EQ(r.stats.num_undecided, 1);
}

TEST_F(ScorerTest, OversizedCompletionIsASampleErrorNotAVerdict) {
  ScorerOptions options;
  options.max_completion_bytes = 16;
  Scorer scorer(&pool_, options);
  GroupResult r = scorer.Score(MathGroup({"<think>a</think><answer>42</answer>", "\\boxed{42}"}));
  EXPECT_EQ(r.samples[0].verdict, Verdict::kError);
  EXPECT_EQ(r.samples[0].error.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.samples[1].verdict, Verdict::kCorrect);
  EXPECT_EQ(r.stats.num_errors, 1);
  EXPECT_TRUE(r.stats.zero_variance);  // one scored sample left
  EXPECT_DOUBLE_EQ(r.samples[0].advantage, 0.0);
}

TEST_F(ScorerTest, TenMegabyteCompletionGetsAVerdict) {
  std::string big = "<think>" + std::string(10 << 20, 'a') + "</think><answer>42</answer>";
  GroupResult r = scorer_.Score(MathGroup({big, "no"}));
  EXPECT_EQ(r.samples[0].verdict, Verdict::kCorrect);
  EXPECT_TRUE(r.samples[0].format.ok);
}

TEST_F(ScorerTest, CancelledCallReportsCancelledErrorsNotVerdicts) {
  std::stop_source stop;
  stop.request_stop();
  Cancellation token(stop.get_token());
  GroupResult r = scorer_.Score(MathGroup({"\\boxed{42}", "\\boxed{1}"}), &token);
  for (const SampleResult& s : r.samples) {
    EXPECT_EQ(s.verdict, Verdict::kError);
    EXPECT_EQ(s.error.code(), absl::StatusCode::kCancelled);
  }
}

TEST_F(ScorerTest, PassedDeadlineReportsDeadlineExceeded) {
  Cancellation token(std::stop_token(), absl::Now() - absl::Seconds(1));
  GroupResult r = scorer_.Score(MathGroup({"\\boxed{42}"}), &token);
  EXPECT_EQ(r.samples[0].error.code(), absl::StatusCode::kDeadlineExceeded);
}

TEST_F(ScorerTest, HundredThousandCompletionsInOneGroupAreAllScoredInOrder) {
  std::vector<std::string> completions;
  for (int i = 0; i < 100000; ++i) {
    completions.push_back("<think>t</think><answer>" + std::to_string(i % 100) + "</answer>");
  }
  GroupResult r = scorer_.Score(MathGroup(completions, "42"));
  ASSERT_EQ(r.samples.size(), 100000u);
  EXPECT_EQ(r.stats.num_correct, 1000);
  for (int i = 0; i < 100000; ++i) {
    ASSERT_EQ(r.samples[i].verdict == Verdict::kCorrect, i % 100 == 42) << i;
  }
}

TEST_F(ScorerTest, ConcurrentGroupsAreIndependent) {
  std::vector<GroupResult> results(50);
  absl::Mutex mu;
  int done = 0;
  for (int i = 0; i < 50; ++i) {
    auto g = std::make_shared<Group>(
        MathGroup({"\\boxed{" + std::to_string(i) + "}", "x"}, std::to_string(i)));
    g->id = std::to_string(i);
    scorer_.ScoreAsync(g, nullptr, [&, i](GroupResult r) {
      absl::MutexLock lock(&mu);
      results[i] = std::move(r);
      ++done;
    });
  }
  absl::MutexLock lock(&mu);
  mu.Await(absl::Condition(
      +[](int* d) { return *d == 50; }, &done));
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(results[i].group_id, std::to_string(i));
    EXPECT_EQ(results[i].samples[0].verdict, Verdict::kCorrect);
  }
}

// The issue's example: with GDPO, a shaping term's weight scales its advantage. Two correct
// completions differ only in the cosine term (weight 0.5): advantages +-0.5/sqrt(2), where the
// weight used to be taken as 1 (+-0.707).
TEST_F(ScorerTest, ComponentNormalisationUsesTheShapingWeights) {
  Group g =
      MathGroup({"<think>6*7</think><answer>42</answer>", "<think>6*7</think><answer>42</answer>"});
  g.completions[0].num_tokens = 100;
  g.completions[1].num_tokens = 900;
  g.spec.normalize_components = true;
  g.spec.cosine.enabled = true;
  g.spec.cosine.max_length = 1000;
  g.spec.cosine.weight = 0.5;
  g.spec.epsilon = 0;
  GroupResult r = scorer_.Score(g);
  ASSERT_TRUE(r.error.ok()) << r.error;
  EXPECT_NEAR(r.samples[0].advantage, 0.5 / std::sqrt(2.0), 1e-12);
  EXPECT_NEAR(r.samples[1].advantage, -0.5 / std::sqrt(2.0), 1e-12);
}

TEST_F(ScorerTest, SpecBreakingARuleIsAGroupError) {
  Group g = MathGroup({"\\boxed{42}"});
  g.spec.overlong.cache_length = g.spec.overlong.max_length + 1;
  GroupResult r = scorer_.Score(g);
  EXPECT_EQ(r.error.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.error.message(), HasSubstr("cache_length <= max_length"));
}

std::vector<GroupResult> ScoreBatchAndWait(const Scorer& scorer,
                                           std::vector<Scorer::BatchGroup> groups,
                                           std::shared_ptr<const Cancellation> cancel = nullptr) {
  absl::Notification finished;
  std::vector<GroupResult> out;
  scorer.ScoreBatch(std::move(groups), std::move(cancel), [&](std::vector<GroupResult> r) {
    out = std::move(r);
    finished.Notify();
  });
  finished.WaitForNotification();
  return out;
}

TEST_F(ScorerTest, BatchKeepsOrderAndCarriesTheCallersGroupErrors) {
  std::vector<Scorer::BatchGroup> batch;
  for (int i = 0; i < 20; ++i) {
    auto g = std::make_shared<Group>(
        MathGroup({"\\boxed{" + std::to_string(i) + "}", "x"}, std::to_string(i)));
    g->id = std::to_string(i);
    batch.push_back({std::move(g), absl::OkStatus()});
  }
  batch[7].error = absl::InvalidArgumentError("bad group spec");
  std::vector<GroupResult> r = ScoreBatchAndWait(scorer_, std::move(batch));
  ASSERT_EQ(r.size(), 20u);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(r[i].group_id, std::to_string(i));
    if (i == 7) {
      EXPECT_EQ(r[i].error.code(), absl::StatusCode::kInvalidArgument);
      EXPECT_TRUE(r[i].samples.empty());
    } else {
      ASSERT_TRUE(r[i].error.ok()) << r[i].error;
      EXPECT_EQ(r[i].samples[0].verdict, Verdict::kCorrect);
    }
  }
}

TEST_F(ScorerTest, BatchWhitensBatchScaledAdvantagesAcrossItsGroups) {
  // Group a: rewards 2, 0 (baseline-subtracted +1, -1); group b: 2, 1 (+0.5, -0.5). Whitened
  // together (mean 0, sample std sqrt(2.5/3)).
  std::vector<Scorer::BatchGroup> batch;
  for (const char* second : {"no", "<think>t</think><answer>1</answer>"}) {
    auto g = std::make_shared<Group>(MathGroup({"<think>t</think><answer>42</answer>", second}));
    g->spec.estimator = AdvantageEstimator::kReinforcePlusPlusBaseline;
    batch.push_back({std::move(g), absl::OkStatus()});
  }
  std::vector<GroupResult> r = ScoreBatchAndWait(scorer_, std::move(batch));
  const double sd = std::sqrt(2.5 / 3);
  EXPECT_NEAR(r[0].samples[0].advantage, 1 / (sd + 1e-6), 1e-9);
  EXPECT_NEAR(r[0].samples[1].advantage, -1 / (sd + 1e-6), 1e-9);
  EXPECT_NEAR(r[1].samples[0].advantage, 0.5 / (sd + 1e-6), 1e-9);
  EXPECT_NEAR(r[1].samples[1].advantage, -0.5 / (sd + 1e-6), 1e-9);
}

TEST_F(ScorerTest, CancelledBatchQueuesNoGroup) {
  std::stop_source stop;
  stop.request_stop();
  auto token = std::make_shared<Cancellation>(stop.get_token());
  std::vector<Scorer::BatchGroup> batch;
  batch.push_back({std::make_shared<Group>(MathGroup({"\\boxed{42}"})), absl::OkStatus()});
  std::vector<GroupResult> r = ScoreBatchAndWait(scorer_, std::move(batch), token);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].group_id, "g");
  EXPECT_EQ(r[0].error.code(), absl::StatusCode::kCancelled);
}

TEST_F(ScorerTest, EmptyBatchFinishesInline) {
  bool called = false;
  scorer_.ScoreBatch({}, nullptr, [&](std::vector<GroupResult> r) {
    called = true;
    EXPECT_TRUE(r.empty());
  });
  EXPECT_TRUE(called);
}

}  // namespace
}  // namespace verdict
