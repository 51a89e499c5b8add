#include "server/cores.h"

#include <thread>

#include "gtest/gtest.h"

namespace verdict {
namespace {

TEST(CoresFromCpuMax, RoundsTheQuotaUpAndMaxIsNoLimit) {
  EXPECT_EQ(CoresFromCpuMax("800000 100000\n"), 8);
  EXPECT_EQ(CoresFromCpuMax("150000 100000"), 2);
  EXPECT_EQ(CoresFromCpuMax("50000 100000"), 1);
  EXPECT_EQ(CoresFromCpuMax("max 100000\n"), std::nullopt);
  EXPECT_EQ(CoresFromCpuMax(""), std::nullopt);
  EXPECT_EQ(CoresFromCpuMax("garbage"), std::nullopt);
}

TEST(CoresFromCfs, MinusOneIsNoLimit) {
  EXPECT_EQ(CoresFromCfs("400000\n", "100000\n"), 4);
  EXPECT_EQ(CoresFromCfs("-1\n", "100000\n"), std::nullopt);
  EXPECT_EQ(CoresFromCfs("", ""), std::nullopt);
}

TEST(UsableCores, IsAtLeastOneAndAtMostTheMachines) {
  int n = UsableCores();
  EXPECT_GE(n, 1);
  EXPECT_LE(n, static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
}

}  // namespace
}  // namespace verdict
