// Copyright 2026 The orderly Authors.
//
// TaskTracker (blocks/internal/task_tracker.h): each test runs once per
// shutdown behaviour where the behaviours differ (as Chromium's
// task_tracker_unittest.cc), and the Load* tests race the real operations
// against StartShutdown() (run under TSan in CI).

#include "blocks/internal/task_tracker.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace orderly {
namespace blocks_internal {
namespace {

using SB = ShutdownBehavior;

constexpr SB kAll[] = {SB::kContinueOnShutdown, SB::kSkipOnShutdown,
                       SB::kBlockShutdown};

// Rounds of the Load* tests; each round is 4 threads x 2,000 tasks, a few
// milliseconds even under TSan.
constexpr int kLoadRounds = 100;
constexpr int kLoadThreads = 4;
constexpr int kLoadTasksPerThread = 2000;

class TaskTrackerTest : public ::testing::TestWithParam<SB> {
 protected:
  TaskTracker tracker_;
};

TEST_P(TaskTrackerTest, WillPostAndRunBeforeShutdown) {
  ASSERT_TRUE(tracker_.WillPostTask(GetParam()));
  ASSERT_TRUE(tracker_.WillRunTask(GetParam()));
  EXPECT_FALSE(tracker_.DidRunTask(GetParam()));  // Shutdown not started.
  EXPECT_FALSE(tracker_.HasShutdownStarted());
  EXPECT_TRUE(tracker_.StartShutdown());
  EXPECT_TRUE(tracker_.IsShutdownComplete());  // Nothing blocks it.
}

// A running task blocks shutdown unless it is CONTINUE_ON_SHUTDOWN; the
// DidRunTask() that ends the last one completes it.
TEST_P(TaskTrackerTest, RunningTaskBlocksShutdownUnlessContinue) {
  const bool blocks = GetParam() != SB::kContinueOnShutdown;
  ASSERT_TRUE(tracker_.WillPostTask(GetParam()));
  ASSERT_TRUE(tracker_.WillRunTask(GetParam()));
  EXPECT_TRUE(tracker_.StartShutdown());
  EXPECT_TRUE(tracker_.HasShutdownStarted());
  EXPECT_EQ(tracker_.IsShutdownComplete(), !blocks);
  EXPECT_EQ(tracker_.DidRunTask(GetParam()), blocks);
  EXPECT_TRUE(tracker_.IsShutdownComplete());
}

// Posted before the stop, dequeued after: only BLOCK_SHUTDOWN work starts,
// and shutdown waits for it from its post on.
TEST_P(TaskTrackerTest, PostedBeforeShutdownStartsAfterItOnlyIfBlocking) {
  const bool is_block = GetParam() == SB::kBlockShutdown;
  ASSERT_TRUE(tracker_.WillPostTask(GetParam()));
  tracker_.StartShutdown();
  EXPECT_EQ(tracker_.IsShutdownComplete(), !is_block);
  ASSERT_EQ(tracker_.WillRunTask(GetParam()), is_block);
  if (is_block) {
    EXPECT_FALSE(tracker_.IsShutdownComplete());
    EXPECT_TRUE(tracker_.DidRunTask(GetParam()));
  }
  EXPECT_TRUE(tracker_.IsShutdownComplete());
}

TEST_P(TaskTrackerTest, PostAfterShutdownStartedIsRefused) {
  tracker_.StartShutdown();
  EXPECT_FALSE(tracker_.WillPostTask(GetParam()));
  EXPECT_TRUE(tracker_.IsShutdownComplete());  // A refusal counts nothing.
}

// Refused posts count nothing even while shutdown is not complete.
TEST_P(TaskTrackerTest, RefusedPostDuringShutdownCountsNothing) {
  ASSERT_TRUE(tracker_.WillPostTask(SB::kBlockShutdown));
  tracker_.StartShutdown();
  EXPECT_FALSE(tracker_.WillPostTask(GetParam()));
  ASSERT_TRUE(tracker_.WillRunTask(SB::kBlockShutdown));
  EXPECT_TRUE(tracker_.DidRunTask(SB::kBlockShutdown));
  EXPECT_TRUE(tracker_.IsShutdownComplete());
}

// Batch: defers the uncounting (the count reads high, never low) for the
// behaviours that are counted, and ignores the others.
TEST_P(TaskTrackerTest, BatchDefersUntilFlush) {
  const bool blocks = TaskTracker::BlocksShutdown(GetParam());
  TaskTracker::Batch batch(tracker_);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(tracker_.WillPostTask(GetParam()));
    ASSERT_TRUE(tracker_.WillRunTask(GetParam()));
    EXPECT_FALSE(batch.DidRunTask(GetParam()));
  }
  tracker_.StartShutdown();
  EXPECT_EQ(batch.empty(), !blocks);
  EXPECT_EQ(tracker_.IsShutdownComplete(), !blocks);
  EXPECT_EQ(batch.Flush(), blocks);  // The flush completes it.
  EXPECT_TRUE(batch.empty());
  EXPECT_TRUE(tracker_.IsShutdownComplete());
  EXPECT_FALSE(batch.Flush());  // Empty: nothing to say.
}

INSTANTIATE_TEST_SUITE_P(
    Behaviors, TaskTrackerTest, ::testing::ValuesIn(kAll),
    [](const ::testing::TestParamInfo<SB>& info) {
      return std::string(ShutdownBehaviorName(info.param));
    });

TEST(TaskTrackerSingleTest, StartShutdownReportsTheCallThatSetTheBit) {
  TaskTracker tracker;
  EXPECT_TRUE(tracker.StartShutdown());
  EXPECT_FALSE(tracker.StartShutdown());
  EXPECT_TRUE(tracker.HasShutdownStarted());
}

TEST(TaskTrackerSingleTest, FollowUpIsAcceptedWhileCountedWorkRuns) {
  TaskTracker tracker;
  ASSERT_TRUE(tracker.WillPostTask(SB::kBlockShutdown));
  ASSERT_TRUE(tracker.WillRunTask(SB::kBlockShutdown));
  tracker.StartShutdown();
  ASSERT_TRUE(tracker.WillPostFollowUpTask());  // Posted by the running one.
  EXPECT_FALSE(tracker.DidRunTask(SB::kBlockShutdown));  // The follow-up waits.
  EXPECT_FALSE(tracker.IsShutdownComplete());
  ASSERT_TRUE(tracker.WillRunTask(SB::kBlockShutdown));
  EXPECT_TRUE(tracker.DidRunTask(SB::kBlockShutdown));
  EXPECT_TRUE(tracker.IsShutdownComplete());
}

// Invariant 2: once complete, nothing is counted again, whatever a caller
// claims; so a worker that saw "complete" may end.
TEST(TaskTrackerSingleTest, FollowUpTaskIsRefusedOnceShutdownIsComplete) {
  TaskTracker tracker;
  tracker.StartShutdown();
  ASSERT_TRUE(tracker.IsShutdownComplete());
  EXPECT_FALSE(tracker.WillPostFollowUpTask());
  for (SB b : kAll) {
    EXPECT_FALSE(tracker.WillPostTask(b));
    if (b != SB::kBlockShutdown) {
      EXPECT_FALSE(tracker.WillRunTask(b));
    }
  }
  EXPECT_TRUE(tracker.IsShutdownComplete());
}

// A kSkipOnShutdown task started through a batch that holds a count takes
// that count over: shutdown still waits for it, and after the bit it is
// refused, held count or not.
TEST(TaskTrackerSingleTest, BatchSkipTaskTakesOverAHeldCount) {
  TaskTracker tracker;
  TaskTracker::Batch batch(tracker);
  ASSERT_TRUE(batch.WillRunTask(SB::kSkipOnShutdown));  // Counts itself.
  EXPECT_FALSE(batch.DidRunTask(SB::kSkipOnShutdown));  // Held: 1.
  ASSERT_TRUE(batch.WillRunTask(SB::kSkipOnShutdown));  // Takes it over.
  EXPECT_TRUE(batch.empty());
  tracker.StartShutdown();
  EXPECT_FALSE(tracker.IsShutdownComplete());  // The running task counts.
  EXPECT_FALSE(batch.DidRunTask(SB::kSkipOnShutdown));
  EXPECT_FALSE(batch.WillRunTask(SB::kSkipOnShutdown));  // After the bit.
  EXPECT_FALSE(batch.empty());                            // Still held.
  EXPECT_FALSE(tracker.IsShutdownComplete());
  EXPECT_TRUE(batch.Flush());
  EXPECT_TRUE(tracker.IsShutdownComplete());
  EXPECT_FALSE(batch.WillRunTask(SB::kSkipOnShutdown));  // Nothing held.
  EXPECT_TRUE(tracker.IsShutdownComplete());
}

TEST(TaskTrackerSingleTest, BatchFlushesItselfEveryKSizeTasks) {
  TaskTracker tracker;
  TaskTracker::Batch batch(tracker);
  for (uint64_t i = 0; i < TaskTracker::Batch::kSize; ++i) {
    ASSERT_TRUE(tracker.WillPostTask(SB::kBlockShutdown));
  }
  tracker.StartShutdown();
  for (uint64_t i = 1; i < TaskTracker::Batch::kSize; ++i) {
    ASSERT_TRUE(tracker.WillRunTask(SB::kBlockShutdown));
    EXPECT_FALSE(batch.DidRunTask(SB::kBlockShutdown));
  }
  EXPECT_FALSE(tracker.IsShutdownComplete());
  ASSERT_TRUE(tracker.WillRunTask(SB::kBlockShutdown));
  EXPECT_TRUE(batch.DidRunTask(SB::kBlockShutdown));  // The kSize-th.
  EXPECT_TRUE(batch.empty());
  EXPECT_TRUE(tracker.IsShutdownComplete());
}

// Records each on_complete call with what had finished by then.
class CompletionLog {
 public:
  explicit CompletionLog(const std::atomic<int>* finished)
      : finished_(finished) {}
  void OnComplete() {
    absl::MutexLock lock(&mu_);
    seen_.push_back(finished_->load());
  }
  std::vector<int> seen() {
    absl::MutexLock lock(&mu_);
    return seen_;
  }

 private:
  const std::atomic<int>* const finished_;
  absl::Mutex mu_;
  std::vector<int> seen_ ABSL_GUARDED_BY(mu_);
};

// Invariants 1 to 4 under load: threads post, start and finish tasks of all
// three behaviours (some through a Batch) while the main thread starts the
// shutdown in the middle, holding one counted task so that the count is not
// zero when the bit is set. Completion is announced at least once, and each
// announcement comes after every counted task has finished: none is counted
// or finishes after it.
TEST(TaskTrackerSingleTest, LoadWillPostAndRunRacingStartShutdown) {
  for (int round = 0; round < kLoadRounds; ++round) {
    std::atomic<int> counted_finished{0};  // Before their DidRunTask().
    CompletionLog log(&counted_finished);
    TaskTracker tracker([&log] { log.OnComplete(); });
    ASSERT_TRUE(tracker.WillPostTask(SB::kBlockShutdown));  // Held by main.
    ASSERT_TRUE(tracker.WillRunTask(SB::kBlockShutdown));
    absl::Notification halfway;
    Latch go(kLoadThreads + 1);
    std::vector<std::thread> threads;
    for (int id = 0; id < kLoadThreads; ++id) {
      threads.emplace_back([&, id] {
        TaskTracker::Batch batch(tracker);
        go.ArriveAndWait();
        for (int i = 0; i < kLoadTasksPerThread; ++i) {
          if (id == 0 && i == kLoadTasksPerThread / 2) halfway.Notify();
          const SB b = kAll[(i + id) % 3];
          // Even threads start through their batch (a kSkipOnShutdown task
          // may take over a count it holds), odd ones through the tracker.
          if (!tracker.WillPostTask(b)) continue;
          if (!(id % 2 == 0 ? batch.WillRunTask(b) : tracker.WillRunTask(b))) {
            continue;
          }
          if (TaskTracker::BlocksShutdown(b)) counted_finished.fetch_add(1);
          if (id % 2 == 0) {
            batch.DidRunTask(b);
          } else {
            tracker.DidRunTask(b);
          }
        }
        batch.Flush();
      });
    }
    go.ArriveAndWait();
    halfway.WaitForNotification();
    EXPECT_TRUE(tracker.StartShutdown());
    counted_finished.fetch_add(1);
    tracker.DidRunTask(SB::kBlockShutdown);  // The held one.
    for (std::thread& t : threads) t.join();
    const std::vector<int> seen = log.seen();
    EXPECT_FALSE(seen.empty()) << "round " << round << ": never announced";
    for (int finished : seen) {
      EXPECT_EQ(finished, counted_finished.load())
          << "round " << round << ": announced before counted work finished";
    }
    EXPECT_TRUE(tracker.IsShutdownComplete());
    if (::testing::Test::HasFailure()) break;
  }
}

// Chromium's LoadWillPostBeforeShutdownAndRunDuringShutdown: everything is
// posted before the stop, dequeued by several threads after it. Only the
// BLOCK_SHUTDOWN tasks start, and the shutdown is complete once they have.
TEST(TaskTrackerSingleTest, LoadWillPostBeforeShutdownAndRunDuringShutdown) {
  for (int round = 0; round < kLoadRounds; ++round) {
    std::atomic<int> started{0}, completions{0};
    TaskTracker tracker([&] { completions.fetch_add(1); });
    for (int i = 0; i < kLoadThreads * kLoadTasksPerThread; ++i) {
      ASSERT_TRUE(tracker.WillPostTask(kAll[i % 3]));
    }
    tracker.StartShutdown();
    Latch go(kLoadThreads);
    std::vector<std::thread> threads;
    for (int id = 0; id < kLoadThreads; ++id) {
      threads.emplace_back([&, id] {
        TaskTracker::Batch batch(tracker);
        go.ArriveAndWait();
        for (int i = id * kLoadTasksPerThread;
             i < (id + 1) * kLoadTasksPerThread; ++i) {
          const SB b = kAll[i % 3];
          if (!batch.WillRunTask(b)) continue;
          EXPECT_EQ(b, SB::kBlockShutdown);
          started.fetch_add(1);
          batch.DidRunTask(b);
        }
        batch.Flush();
      });
    }
    for (std::thread& t : threads) t.join();
    int blocking = 0;
    for (int i = 0; i < kLoadThreads * kLoadTasksPerThread; ++i) {
      blocking += kAll[i % 3] == SB::kBlockShutdown;
    }
    EXPECT_EQ(started.load(), blocking) << "round " << round;
    EXPECT_GE(completions.load(), 1) << "round " << round;
    EXPECT_TRUE(tracker.IsShutdownComplete());
    if (::testing::Test::HasFailure()) break;
  }
}

// Invariant 4 without races: on_complete runs in the call that completes
// the shutdown, and again when a refusal after completion takes its item
// back (so a worker that looked in between is woken).
TEST(TaskTrackerSingleTest, OnCompleteRunsInTheCallThatCompletes) {
  int calls = 0;
  TaskTracker tracker([&calls] { ++calls; });
  ASSERT_TRUE(tracker.WillPostTask(SB::kBlockShutdown));
  tracker.StartShutdown();
  EXPECT_EQ(calls, 0);
  ASSERT_TRUE(tracker.WillRunTask(SB::kBlockShutdown));
  EXPECT_TRUE(tracker.DidRunTask(SB::kBlockShutdown));
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(tracker.WillRunTask(SB::kSkipOnShutdown));
  EXPECT_GE(calls, 1);
  EXPECT_TRUE(tracker.IsShutdownComplete());
  int at_stop = 0;
  TaskTracker idle([&at_stop] { ++at_stop; });
  idle.StartShutdown();  // Nothing counted: complete at once.
  EXPECT_EQ(at_stop, 1);
}

}  // namespace
}  // namespace blocks_internal
}  // namespace orderly
