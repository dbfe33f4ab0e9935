// Copyright 2026 The orderly Authors.
//
// ThreadPool under posters that outrun its workers: the queue grows by
// many blocks, each made outside the pool's lock by one of the posters
// (blocks/internal/block_queue.h, Spare), while the others keep posting.
// Every task runs exactly once, and one worker runs each poster's tasks in
// the order they were posted.

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "blocks/thread_pool.h"
#include "gtest/gtest.h"
#include "runtime/runtime.h"

namespace orderly {
namespace {

using SB = ShutdownBehavior;

constexpr int kPosters = 4;
constexpr int kPerPoster = 5000;  // 20,000 tasks: about 160 blocks of 128.

TEST(ThreadPoolGrowthTest, RacingPostersGrowTheQueueAndLoseNoTask) {
  Runtime rt;
  ThreadPoolOptions options;
  options.runtime = &rt;
  options.num_threads = 1;  // One worker: each poster's order is kept.
  absl::StatusOr<std::unique_ptr<ThreadPool>> created =
      ThreadPool::Create("growth", options);
  ASSERT_TRUE(created.ok()) << created.status();
  ThreadPool* pool = created->get();

  absl::Notification held, open;
  ASSERT_TRUE(pool->Post(SB::kBlockShutdown, [&] {
                      held.Notify();
                      open.WaitForNotification();
                    }).ok());
  held.WaitForNotification();

  // Touched by the one worker only.
  std::vector<int> next(kPosters, 0);
  int out_of_order = 0;
  std::atomic<int> ran{0};
  std::atomic<int> refused{0};
  absl::Notification all_ran;
  std::vector<std::thread> posters;
  for (int p = 0; p < kPosters; ++p) {
    posters.emplace_back([&, p] {
      for (int i = 0; i < kPerPoster; ++i) {
        const SB behavior = i % 2 == 0 ? SB::kBlockShutdown
                                       : SB::kSkipOnShutdown;
        absl::Status s = pool->Post(behavior, [&, p, i] {
          if (next[p] != i) ++out_of_order;
          next[p] = i + 1;
          if (ran.fetch_add(1) + 1 == kPosters * kPerPoster) {
            all_ran.Notify();
          }
        });
        if (!s.ok()) refused.fetch_add(1);
      }
    });
  }
  for (std::thread& t : posters) t.join();
  open.Notify();
  // A refused post would leave all_ran closed for good: check first.
  ASSERT_EQ(refused.load(), 0);
  all_ran.WaitForNotification();
  EXPECT_EQ(ran.load(), kPosters * kPerPoster);
  EXPECT_EQ(out_of_order, 0);
  for (int p = 0; p < kPosters; ++p) EXPECT_EQ(next[p], kPerPoster);
  const ThreadPool::Stats stats = pool->stats();
  EXPECT_EQ(stats.accepted, kPosters * kPerPoster + 1);
  EXPECT_EQ(stats.cancelled, 0);
  EXPECT_EQ(stats.refused, 0);
}

}  // namespace
}  // namespace orderly
