#include "base/thread_pool.h"

#include <atomic>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace verdict {
namespace {

TEST(ThreadPool, ZeroThreadsMeansAtLeastOne) { EXPECT_GE(ThreadPool(0).num_threads(), 1u); }

TEST(ThreadPool, DestructorRunsEveryScheduledTask) {
  std::atomic<int> ran{0};
  {
    ThreadPool pool(2);
    for (int i = 0; i < 1000; ++i) pool.Schedule([&ran] { ++ran; });
  }
  EXPECT_EQ(ran.load(), 1000);
}

TEST(ThreadPool, OneThreadRunsTasksInFifoOrder) {
  std::vector<int> order;
  absl::Mutex mu;
  {
    ThreadPool pool(1);
    absl::Notification started, release;
    pool.Schedule([&] {  // holds the only thread
      started.Notify();
      release.WaitForNotification();
    });
    started.WaitForNotification();
    for (int i = 0; i < 5; ++i) {
      pool.Schedule([&, i] {
        absl::MutexLock lock(&mu);
        order.push_back(i);
      });
    }
    EXPECT_EQ(pool.queue_depth(), 5u);
    release.Notify();
  }
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
}

}  // namespace
}  // namespace verdict
