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
  AdvantageResult r = ComputeAdvantages({2, 2, 1, 1}, {true, true, true, true},
                                        Grpo(StdKind::kSample, 0));
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
  AdvantageResult r = ComputeAdvantages({0.5, 0.5, 0.5}, {true, true, true}, Grpo(StdKind::kSample));
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

}  // namespace
}  // namespace verdict
