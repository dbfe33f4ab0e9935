// Copyright 2026 The orderly Authors.
//
// ThreadPool, invariant W6 (blocks/internal/pool_core.h): a worker that
// finds the queue long takes tasks ahead and runs them without the pool's
// lock, but they stay the pool's. A long task does not hold back the tasks
// its worker took ahead while another worker idles, the report still names
// the task each worker runs, and shutdown cancels what was taken ahead and
// does not block it, exactly once.

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "blocks/thread_pool.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/runtime.h"

namespace orderly {
namespace {

using SB = ShutdownBehavior;

ThreadPoolOptions On(Runtime& rt, int threads) {
  ThreadPoolOptions options;
  options.runtime = &rt;
  options.num_threads = threads;
  return options;
}

// Enough behind the stuck task that its worker takes the most it may
// ahead (kAhead, 16): the queue then holds at least 3 * 16 behind it.
constexpr int kQuick = 60;

// Both workers are held in `gate` tasks while the test queues `stuck`
// (which blocks until `release_stuck`) and kQuick quick ones behind it;
// then one gate opens: that worker takes `stuck` and some of the quick
// ones ahead. Then the other opens.
struct TwoWorkers {
  absl::Notification open_first, open_second, release_stuck;
  absl::Notification first_in, second_in, stuck_in;

  // Holds both workers of `pool` in a gate each.
  void HoldBoth(ThreadPool& pool) {
    ASSERT_TRUE(pool.Post(SB::kBlockShutdown, [this] {
                      first_in.Notify();
                      open_first.WaitForNotification();
                    }).ok());
    first_in.WaitForNotification();
    ASSERT_TRUE(pool.Post(SB::kBlockShutdown, [this] {
                      second_in.Notify();
                      open_second.WaitForNotification();
                    }).ok());
    second_in.WaitForNotification();
  }
  // Queues the task that blocks until release_stuck.
  void QueueStuck(ThreadPool& pool) {
    ASSERT_TRUE(pool.Post(SB::kBlockShutdown, [this] {
                      stuck_in.Notify();
                      release_stuck.WaitForNotification();
                    }).ok());
  }
};

// Queues kQuick tasks; the last one to run opens `all_done`.
void QueueQuick(ThreadPool& pool, std::atomic<int>& done,
                absl::Notification& all_done) {
  for (int i = 0; i < kQuick; ++i) {
    ASSERT_TRUE(pool.Post(SB::kBlockShutdown, [&done, &all_done] {
                      if (done.fetch_add(1) + 1 == kQuick) all_done.Notify();
                    }).ok());
  }
}

TEST(ThreadPoolTest, TasksTakenAheadByAStuckWorkerRunElsewhere) {
  TwoWorkers t;
  std::atomic<int> quick_done{0};
  absl::Notification all_quick_done;
  Runtime rt;
  auto pool = ThreadPool::Create("ahead", On(rt, 2));
  ASSERT_TRUE(pool.ok()) << pool.status();
  ASSERT_NO_FATAL_FAILURE(t.HoldBoth(**pool));
  ASSERT_NO_FATAL_FAILURE(t.QueueStuck(**pool));
  ASSERT_NO_FATAL_FAILURE(QueueQuick(**pool, quick_done, all_quick_done));
  t.open_first.Notify();
  t.stuck_in.WaitForNotification();  // Its worker took some ahead, too.
  t.open_second.Notify();
  // The other worker runs what is queued, then takes back what the stuck
  // one holds ahead. Without that, the quick tasks taken ahead wait for
  // `release_stuck`, which comes only after this wait.
  EXPECT_TRUE(all_quick_done.WaitForNotificationWithTimeout(absl::Seconds(30)))
      << quick_done.load() << " of " << kQuick
      << " quick tasks ran while one worker was stuck";
  t.release_stuck.Notify();
  EXPECT_EQ(quick_done.load(), kQuick);
}

// The queue never empties (a poster keeps it full of slow tasks), so no
// worker is ever about to wait: the tasks the stuck worker took ahead are
// still taken over, once its task has run for a few milliseconds, and run
// while the poster still posts.
TEST(ThreadPoolTest, TasksTakenAheadRunUnderSteadyLoad) {
  TwoWorkers t;
  std::atomic<int> marked_done{0};
  absl::Notification all_marked_done;
  std::atomic<bool> stop_posting{false};
  Runtime rt;
  auto pool = ThreadPool::Create("ahead", On(rt, 2));
  ASSERT_TRUE(pool.ok()) << pool.status();
  ASSERT_NO_FATAL_FAILURE(t.HoldBoth(**pool));
  ASSERT_NO_FATAL_FAILURE(t.QueueStuck(**pool));
  ASSERT_NO_FATAL_FAILURE(QueueQuick(**pool, marked_done, all_marked_done));
  // Slow fillers (each busy for 50 us), posted faster than one worker
  // runs them, from before the second worker starts: it never finds the
  // queue empty.
  auto filler = [] {
    const absl::Time until = absl::Now() + absl::Microseconds(50);
    while (absl::Now() < until) {
    }
  };
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE((*pool)->Post(SB::kSkipOnShutdown, filler).ok());
  }
  int posted = 0;
  std::thread poster([&] {
    // At most ~40,000 fillers: 2 s of the second worker's time.
    while (!stop_posting.load() && posted < 40000) {
      (*pool)->Post(SB::kSkipOnShutdown, filler).IgnoreError();
      ++posted;
      if (posted % 8 == 0) std::this_thread::yield();
    }
  });
  t.open_first.Notify();
  t.stuck_in.WaitForNotification();
  t.open_second.Notify();
  all_marked_done.WaitForNotification();  // Hangs if they are never taken.
  stop_posting.store(true);
  poster.join();
  EXPECT_EQ(marked_done.load(), kQuick);
  EXPECT_LT(posted, 40000) << "the marked tasks ran only once the poster "
                              "gave up and the queue could empty";
  t.release_stuck.Notify();
}

// With both workers stuck, one holding tasks ahead: the stop cancels every
// SKIP_ON_SHUTDOWN task (those taken ahead too) before the workers come
// back, runs every BLOCK_SHUTDOWN one, each exactly once.
TEST(ThreadPoolTest, ShutdownCancelsTasksTakenAheadAndRunsBlockingOnes) {
  TwoWorkers t;
  std::atomic<int> skip_ran{0}, block_ran{0};
  std::vector<TaskHandle> skips, blocks;
  Runtime rt;
  auto pool = ThreadPool::Create("ahead", On(rt, 2));
  ASSERT_TRUE(pool.ok()) << pool.status();
  ASSERT_NO_FATAL_FAILURE(t.HoldBoth(**pool));
  ASSERT_NO_FATAL_FAILURE(t.QueueStuck(**pool));
  for (int i = 0; i < kQuick; ++i) {
    if (i % 2 == 0) {
      skips.push_back((*pool)->Submit(SB::kSkipOnShutdown, [&] { ++skip_ran; }));
    } else {
      blocks.push_back(
          (*pool)->Submit(SB::kBlockShutdown, [&] { ++block_ran; }));
    }
  }
  t.open_first.Notify();
  t.stuck_in.WaitForNotification();  // Took some ahead; the other is held.
  // The stop cancels what does not block shutdown; the `threads` phase
  // then waits for the workers, which the test releases once every
  // skipped task's handle says it was cancelled.
  std::thread shutdown([&] { rt.Shutdown().IgnoreError(); });
  for (TaskHandle& h : skips) {
    EXPECT_EQ(h.Wait().code(), absl::StatusCode::kCancelled) << h.Wait();
  }
  t.open_second.Notify();
  t.release_stuck.Notify();
  for (TaskHandle& h : blocks) EXPECT_TRUE(h.Wait().ok()) << h.Wait();
  shutdown.join();
  EXPECT_EQ(skip_ran.load(), 0);
  EXPECT_EQ(block_ran.load(), kQuick / 2);
  const ThreadPool::Stats stats = (*pool)->stats();
  EXPECT_EQ(stats.cancelled, kQuick / 2);
  EXPECT_EQ(stats.completed, 3 + kQuick / 2);  // The three gates too.
}

// The report names the task a worker runs, also one it took ahead: the
// worker past its join budget is reported running it, by its name.
TEST(ThreadPoolTest, ATaskTakenAheadIsNamedWhileItRuns) {
  TwoWorkers t;
  absl::Notification named_in, release_named;
  RuntimeOptions options;
  options.join_budget = absl::Milliseconds(300);
  options.deadline = absl::Seconds(60);
  Runtime rt(options);
  auto pool = ThreadPool::Create("ahead", On(rt, 2));
  ASSERT_TRUE(pool.ok()) << pool.status();
  ASSERT_NO_FATAL_FAILURE(t.HoldBoth(**pool));
  // The first worker takes this one, and the named one ahead with it.
  ASSERT_TRUE((*pool)->Post(SB::kBlockShutdown, [] {}).ok());
  TaskOptions named;
  named.behavior = SB::kSkipOnShutdown;
  named.name = "taken ahead";
  TaskHandle h = (*pool)->Submit(named, [&] {
    named_in.Notify();
    release_named.WaitForNotification();
  });
  for (int i = 0; i < kQuick; ++i) {
    ASSERT_TRUE((*pool)->Post(SB::kBlockShutdown, [] {}).ok());
  }
  t.open_first.Notify();
  named_in.WaitForNotification();
  t.open_second.Notify();
  auto report = rt.Shutdown();
  ASSERT_TRUE(report.ok()) << report.status();
  const ShutdownReport& r = **report;
  ASSERT_EQ(r.stragglers.size(), 1u) << r.ToText();
  EXPECT_THAT(r.stragglers[0].why,
              ::testing::HasSubstr(
                  "running task \"taken ahead\" (SKIP_ON_SHUTDOWN) for "))
      << r.ToText();
  release_named.Notify();
  EXPECT_TRUE(h.Wait().ok());
}

}  // namespace
}  // namespace orderly
