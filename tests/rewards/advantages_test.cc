#include "rewards/advantages.h"

#include <cmath>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace verdict {
namespace {

using testing::DoubleNear;
using testing::ElementsAre;

RewardSpec Grpo(StdKind kind, double eps = 1e-6) {
  RewardSpec s;
  s.std_kind = kind;
  s.epsilon = eps;
  return s;
}

TEST(Advantages, GrpoSampleStdMatchesHandComputation) {
  // rewards 2,2,1,1: mean 1.5; sample std sqrt((4*0.25)/3) = 0.57735...
  AdvantageResult r =
      ComputeAdvantages({2, 2, 1, 1}, {true, true, true, true}, Grpo(StdKind::kSample, 0));
  EXPECT_DOUBLE_EQ(r.mean, 1.5);
  EXPECT_NEAR(r.std, std::sqrt(1.0 / 3.0), 1e-15);
  EXPECT_FALSE(r.zero_variance);
  const double a = 0.5 / std::sqrt(1.0 / 3.0);
  EXPECT_THAT(r.advantages, ElementsAre(DoubleNear(a, 1e-12), DoubleNear(a, 1e-12),
                                        DoubleNear(-a, 1e-12), DoubleNear(-a, 1e-12)));
}

TEST(Advantages, GrpoPopulationStdDividesByN) {
  AdvantageResult r = ComputeAdvantages({1, 0}, {true, true}, Grpo(StdKind::kPopulation, 0));
  EXPECT_DOUBLE_EQ(r.std, 0.5);
  EXPECT_THAT(r.advantages, ElementsAre(DoubleNear(1, 1e-12), DoubleNear(-1, 1e-12)));
}

TEST(Advantages, EpsilonIsAddedToStd) {
  AdvantageResult r = ComputeAdvantages({1, 0}, {true, true}, Grpo(StdKind::kPopulation, 0.5));
  EXPECT_THAT(r.advantages, ElementsAre(DoubleNear(0.5, 1e-12), DoubleNear(-0.5, 1e-12)));
}

TEST(Advantages, GroupOfOneIsZeroAndFlagged) {
  AdvantageResult r = ComputeAdvantages({1}, {true}, Grpo(StdKind::kSample));
  EXPECT_TRUE(r.zero_variance);
  EXPECT_THAT(r.advantages, ElementsAre(0.0));
  EXPECT_DOUBLE_EQ(r.mean, 1);
  EXPECT_DOUBLE_EQ(r.std, 0);
}

TEST(Advantages, AllEqualRewardsAreZeroAndFlagged) {
  AdvantageResult r =
      ComputeAdvantages({0.5, 0.5, 0.5}, {true, true, true}, Grpo(StdKind::kSample));
  EXPECT_TRUE(r.zero_variance);
  EXPECT_THAT(r.advantages, ElementsAre(0.0, 0.0, 0.0));
}

TEST(Advantages, ErroredSamplesAreLeftOutOfTheStatistics) {
  // The 100 is an errored sample: it must not move mean or std, and gets advantage 0.
  AdvantageResult r =
      ComputeAdvantages({1, 100, 0}, {true, false, true}, Grpo(StdKind::kPopulation, 0));
  EXPECT_DOUBLE_EQ(r.mean, 0.5);
  EXPECT_DOUBLE_EQ(r.std, 0.5);
  EXPECT_THAT(r.advantages, ElementsAre(DoubleNear(1, 1e-12), 0.0, DoubleNear(-1, 1e-12)));
}

TEST(Advantages, NoScoredSamplesGivesZeros) {
  AdvantageResult r = ComputeAdvantages({1, 2}, {false, false}, Grpo(StdKind::kSample));
  EXPECT_TRUE(r.zero_variance);
  EXPECT_THAT(r.advantages, ElementsAre(0.0, 0.0));
}

TEST(Advantages, EstimatorNoneReportsStatsButZeroAdvantages) {
  RewardSpec s = Grpo(StdKind::kSample);
  s.estimator = AdvantageEstimator::kNone;
  AdvantageResult r = ComputeAdvantages({1, 0}, {true, true}, s);
  EXPECT_DOUBLE_EQ(r.mean, 0.5);
  EXPECT_GT(r.std, 0);
  EXPECT_THAT(r.advantages, ElementsAre(0.0, 0.0));
}

TEST(Advantages, RlooSubtractsTheMeanOfTheOtherSamples) {
  RewardSpec s;
  s.estimator = AdvantageEstimator::kRloo;
  AdvantageResult r = ComputeAdvantages({1, 0, 0}, {true, true, true}, s);
  EXPECT_THAT(r.advantages,
              ElementsAre(DoubleNear(1, 1e-15), DoubleNear(-0.5, 1e-15), DoubleNear(-0.5, 1e-15)));
}

TEST(Advantages, DrGrpoDoesNotDivide) {
  RewardSpec s;
  s.estimator = AdvantageEstimator::kDrGrpo;
  AdvantageResult r = ComputeAdvantages({2, 1, 0}, {true, true, true}, s);
  EXPECT_THAT(r.advantages, ElementsAre(1.0, 0.0, -1.0));
}

TEST(Advantages, ReinforcePlusPlusLeavesGroupAdvantagesCentredForBatchWhitening) {
  RewardSpec s;
  s.estimator = AdvantageEstimator::kReinforcePlusPlusBaseline;
  EXPECT_EQ(EffectiveScale(s), AdvantageScale::kBatchStd);
  AdvantageResult r = ComputeAdvantages({1, 0}, {true, true}, s);
  EXPECT_THAT(r.advantages, ElementsAre(0.5, -0.5));
  std::vector<double> batch = {0.5, -0.5, 1.5, -1.5};
  std::vector<double*> ptrs;
  for (double& v : batch) ptrs.push_back(&v);
  BatchWhiten(ptrs, StdKind::kPopulation, 0);
  // mean 0, population std sqrt((0.25+0.25+2.25+2.25)/4) = sqrt(1.25)
  EXPECT_NEAR(batch[2], 1.5 / std::sqrt(1.25), 1e-15);
}

TEST(Advantages, ScaleOverridesTheEstimatorsDefault) {
  RewardSpec s;
  s.scale = AdvantageScale::kNone;  // GRPO without the std: Dr. GRPO
  s.epsilon = 0;
  AdvantageResult r = ComputeAdvantages({3, 1}, {true, true}, s);
  EXPECT_THAT(r.advantages, ElementsAre(1.0, -1.0));
}

TEST(BatchWhiten, AllEqualValuesWithZeroEpsilonGiveZerosNotNaN) {
  std::vector<double> v = {0, 0, 0};
  BatchWhiten({&v[0], &v[1], &v[2]}, StdKind::kSample, 0);
  EXPECT_THAT(v, ElementsAre(0.0, 0.0, 0.0));
}

TEST(PassAtK, MatchesTheUnbiasedEstimator) {
  EXPECT_DOUBLE_EQ(PassAtK(4, 1, 2), 0.5);  // 1 - C(3,2)/C(4,2)
  EXPECT_DOUBLE_EQ(PassAtK(4, 1, 1), 0.25);
  EXPECT_NEAR(PassAtK(10, 3, 4), 1.0 - 35.0 / 210.0, 1e-15);  // 1 - C(7,4)/C(10,4)
  EXPECT_DOUBLE_EQ(PassAtK(10, 0, 5), 0.0);
  EXPECT_DOUBLE_EQ(PassAtK(5, 5, 3), 1.0);
  EXPECT_DOUBLE_EQ(PassAtK(5, 2, 6), 0.0);  // k > n: not defined, reported as 0
}

}  // namespace
}  // namespace verdict
