#include "base/cancel.h"

#include <atomic>
#include <stop_token>

#include "gtest/gtest.h"

namespace verdict {
namespace {

TEST(Cancellation, DefaultNeverStops) {
  Cancellation c;
  EXPECT_TRUE(c.Check().ok());
  EXPECT_FALSE(c.stop.stop_possible());
}

TEST(Cancellation, StopRequestGivesCancelled) {
  std::stop_source source;
  Cancellation c(source.get_token());
  EXPECT_TRUE(c.Check().ok());
  source.request_stop();
  EXPECT_EQ(c.Check().code(), absl::StatusCode::kCancelled);
}

TEST(Cancellation, PassedDeadlineGivesDeadlineExceeded) {
  Cancellation c(std::stop_token(), absl::Now() - absl::Seconds(1));
  EXPECT_EQ(c.Check().code(), absl::StatusCode::kDeadlineExceeded);
  Cancellation later(std::stop_token(), absl::Now() + absl::Hours(1));
  EXPECT_TRUE(later.Check().ok());
}

// What the Scorer relies on to signal the sandbox: a callback runs once on stop, at once when
// registered after the stop, and never after it was deregistered.
TEST(Cancellation, StopCallbackRunsOnceAtStopOrAtOnceIfAlreadyStopped) {
  std::stop_source source;
  Cancellation c(source.get_token());
  std::atomic<int> runs{0};
  {
    std::stop_callback gone(c.stop, [&] { runs += 100; });
  }
  std::stop_callback cb(c.stop, [&] { ++runs; });
  EXPECT_EQ(runs.load(), 0);
  source.request_stop();
  source.request_stop();
  EXPECT_EQ(runs.load(), 1);
  std::stop_callback late(c.stop, [&] { ++runs; });
  EXPECT_EQ(runs.load(), 2);
}

}  // namespace
}  // namespace verdict
