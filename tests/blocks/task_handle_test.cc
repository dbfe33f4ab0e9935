// Copyright 2026 The orderly Authors.
//
// TaskHandle: an empty handle, Wait()/WaitFor()/done() on a task that runs,
// throws, is cancelled or refused; copies shared by many waiters; a handle
// that outlives its pool and its runtime.

#include "blocks/task_handle.h"

#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "blocks/thread_pool.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/runtime.h"

namespace orderly {
namespace {

using ::testing::HasSubstr;
using SB = ShutdownBehavior;

std::unique_ptr<ThreadPool> MakePool(Runtime& rt, int threads = 1) {
  ThreadPoolOptions options;
  options.runtime = &rt;
  options.num_threads = threads;
  auto pool = ThreadPool::Create("pool", options);
  EXPECT_TRUE(pool.ok()) << pool.status();
  return pool.ok() ? std::move(*pool) : nullptr;
}

TEST(TaskHandleTest, EmptyHandleHasNoTask) {
  const TaskHandle h;
  EXPECT_FALSE(h.valid());
  EXPECT_TRUE(h.done());  // Nothing to wait for: never blocks.
  EXPECT_EQ(h.Wait().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(h.Wait().message(), HasSubstr("empty handle"));
  EXPECT_EQ(h.WaitFor(absl::ZeroDuration()).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(TaskHandleTest, WaitForTimesOutUntilTheTaskCompletes) {
  absl::Notification release;  // Outlives the runtime.
  Runtime rt;
  auto pool = MakePool(rt);
  ASSERT_NE(pool, nullptr);
  TaskHandle h =
      pool->Submit(SB::kSkipOnShutdown, [&] { release.WaitForNotification(); });
  EXPECT_TRUE(h.valid());
  EXPECT_FALSE(h.done());
  const absl::Status early = h.WaitFor(absl::Milliseconds(1));
  EXPECT_EQ(early.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(early.message(), HasSubstr("not completed yet"));
  release.Notify();
  EXPECT_TRUE(h.Wait().ok());
  EXPECT_TRUE(h.done());
  EXPECT_TRUE(h.WaitFor(absl::ZeroDuration()).ok());
}

TEST(TaskHandleTest, CopiesShareOneOutcomeAcrossWaitingThreads) {
  constexpr int kWaiters = 4;
  absl::Notification release;
  Runtime rt;
  auto pool = MakePool(rt);
  ASSERT_NE(pool, nullptr);
  int written = 0;  // Written by the task, read by the waiters after Wait().
  TaskHandle h = pool->Submit(SB::kBlockShutdown, [&] {
    release.WaitForNotification();
    written = 42;
  });
  std::vector<std::thread> waiters;
  std::vector<int> seen(kWaiters, 0);
  for (int i = 0; i < kWaiters; ++i) {
    waiters.emplace_back([h, &seen, &written, i] {  // A copy per waiter.
      if (h.Wait().ok()) seen[i] = written;  // Wait() orders the write.
    });
  }
  release.Notify();
  for (std::thread& t : waiters) t.join();
  for (int i = 0; i < kWaiters; ++i) EXPECT_EQ(seen[i], 42) << i;
}

TEST(TaskHandleTest, ThrowingTaskCompletesWithUnknownNamingTheException) {
  Runtime rt;
  auto pool = MakePool(rt);
  ASSERT_NE(pool, nullptr);
  const absl::Status s =
      pool->Submit(SB::kSkipOnShutdown, [] {
            throw std::runtime_error("disk on fire");
          }).Wait();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnknown);
  EXPECT_THAT(s.message(), HasSubstr("disk on fire"));
}

TEST(TaskHandleTest, CancelledAndRefusedTasksCompleteTheirHandles) {
  absl::Notification started, release;
  TaskHandle pending, refused;
  {
    Runtime rt;
    auto pool = MakePool(rt);
    ASSERT_NE(pool, nullptr);
    TaskHandle running = pool->Submit(SB::kSkipOnShutdown, [&] {
      started.Notify();
      release.WaitForNotification();
    });
    started.WaitForNotification();
    pending = pool->Submit(SB::kSkipOnShutdown, [] {});
    rt.RequestStop();
    refused = pool->Submit(SB::kSkipOnShutdown, [] {});
    // Cancelled in `drain`, while the running task still runs.
    EXPECT_EQ(pending.Wait().code(), absl::StatusCode::kCancelled);
    release.Notify();
    EXPECT_TRUE(running.Wait().ok());
    ASSERT_TRUE(rt.Shutdown().ok());
  }
  // The pool and the runtime are gone; the handles still answer.
  EXPECT_TRUE(pending.done());
  EXPECT_EQ(pending.Wait().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(refused.Wait().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.Wait().message(), HasSubstr("shutdown in progress"));
}

}  // namespace
}  // namespace orderly
