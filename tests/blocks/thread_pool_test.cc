// Copyright 2026 The orderly Authors.
//
// ThreadPool: the bpo-31783 seed (work submitted from completions during
// shutdown), per-task shutdown behaviour, cancellation waking every waiter,
// the reserve worker. LONG-FILE: longer than ~450 lines because it keeps
// every earlier pool test with its assertions next to the reserve's three;
// the accounting has its own file (task_tracker_test.cc).

#include "blocks/thread_pool.h"

#include <atomic>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/runtime.h"
#include "tests/test_util.h"

namespace orderly {
namespace {

using ::testing::HasSubstr;
using SB = ShutdownBehavior;

// The seed asks for 1,000 rounds under TSan. Measured here: ~5 ms a round
// in the normal build, ~8 ms under TSan (a runtime, 4 workers, a sequence),
// so every build runs all 1,000 (~5 s normal, ~8 s TSan).
constexpr int kSeedRounds = 1000;

ThreadPoolOptions On(Runtime& rt, int threads) {
  ThreadPoolOptions options;
  options.runtime = &rt;
  options.num_threads = threads;
  return options;
}

// A counter a test can wait on without polling.
class Counter {
 public:
  void Add() {
    absl::MutexLock lock(&mu_);
    ++n_;
  }
  void AwaitAtLeast(int n) {
    absl::MutexLock lock(&mu_);
    auto reached = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return n_ >= n;
    };
    mu_.Await(absl::Condition(&reached));
  }
  int value() {
    absl::MutexLock lock(&mu_);
    return n_;
  }

 private:
  absl::Mutex mu_;
  int n_ ABSL_GUARDED_BY(mu_) = 0;
};

// CPython bpo-31783: every task's completion submits the next one, and the
// shutdown lands mid-chain. Nothing accepted may be forgotten, every chain
// must end (refused or cancelled), every worker must be joined.
TEST(ThreadPoolTest, ChainedSubmissionsFromCompletionsDuringShutdown) {
  constexpr int kChains = 4;
  for (int round = 0; round < kSeedRounds; ++round) {
    Counter ran, chain_ends;
    std::function<void()> link;  // Outlives the pool whose workers call it.
    Runtime rt;
    auto pool = ThreadPool::Create("pool", On(rt, 4));
    ASSERT_TRUE(pool.ok()) << pool.status();
    ThreadPool* p = pool->get();
    // Submits a link; its completion submits the next. A chain ends when a
    // submission is refused or a link is cancelled.
    link = [&] {
      absl::Status posted = p->Post(
          SB::kSkipOnShutdown, [&] { ran.Add(); },
          [&](absl::Status done) {
            if (done.ok()) {
              link();
            } else {
              EXPECT_EQ(done.code(), absl::StatusCode::kCancelled) << done;
              chain_ends.Add();
            }
          });
      if (!posted.ok()) {
        EXPECT_EQ(posted.code(), absl::StatusCode::kFailedPrecondition);
        chain_ends.Add();
      }
    };
    for (int c = 0; c < kChains; ++c) link();
    ran.AwaitAtLeast(2 * kChains);  // Mid-chain.
    auto report = rt.Shutdown();
    ASSERT_TRUE(report.ok());
    EXPECT_TRUE((*report)->ok()) << (*report)->ToText();
    EXPECT_TRUE((*report)->all_threads_ended()) << (*report)->ToText();
    EXPECT_EQ(chain_ends.value(), kChains) << "round " << round;
    const ThreadPool::Stats s = (*pool)->stats();
    EXPECT_EQ(s.accepted, s.completed + s.cancelled) << "round " << round;
    EXPECT_EQ(s.completed, ran.value());
    if (::testing::Test::HasFailure()) break;
  }
}

// Opens when the runtime's sequence reaches a phase.
class PhaseWatcher : public SequenceListener {
 public:
  explicit PhaseWatcher(std::string phase) : phase_(std::move(phase)) {}
  void OnPhaseBegin(absl::string_view phase, absl::Time, absl::Time) override {
    if (phase == phase_) began.Notify();
  }
  absl::Notification began;

 private:
  const std::string phase_;
};

class ShutdownBehaviorTest : public ::testing::TestWithParam<SB> {};

// What the sequence did with a pending task and a task posted by running
// work, of `behavior`, once the running task was released.
void ExpectOutcome(SB behavior, const ShutdownReport& report,
                   const TaskHandle& pending, bool pending_ran,
                   const TaskHandle& child, bool child_ran) {
  if (behavior == SB::kContinueOnShutdown) {
    EXPECT_THAT(report.daemons_running, ::testing::ElementsAre("pool/0"));
  } else {
    EXPECT_TRUE(report.ok()) << report.ToText();
    EXPECT_TRUE(report.all_threads_ended()) << report.ToText();
  }
  if (behavior == SB::kBlockShutdown) {
    EXPECT_TRUE(pending.Wait().ok());
    EXPECT_TRUE(pending_ran);
    EXPECT_TRUE(child.Wait().ok());  // BLOCK work posted by BLOCK work runs.
    EXPECT_TRUE(child_ran);
  } else {
    EXPECT_FALSE(pending_ran);
    EXPECT_EQ(child.Wait().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_FALSE(child_ran);
  }
}

// One worker runs a task of the behaviour under test (parked on `release`),
// another of the same behaviour waits behind it; then the stop.
TEST_P(ShutdownBehaviorTest, WhatRunsWhatIsDroppedWhatShutdownWaitsFor) {
  const SB behavior = GetParam();
  absl::Notification started, release, shut_down;  // Outlive the runtime.
  PhaseWatcher flush("flush");
  std::atomic<bool> pending_ran{false}, child_ran{false};
  TaskHandle child;  // Written by the running task; read after it.
  Runtime rt;
  rt.AddListener(&flush);
  auto pool = ThreadPool::Create("pool", On(rt, 1));
  ASSERT_TRUE(pool.ok()) << pool.status();
  TaskHandle running = (*pool)->Submit(behavior, [&] {
    started.Notify();
    release.WaitForNotification();
    // Work posted by running work, after the stop.
    child = (*pool)->Submit(behavior, [&] { child_ran = true; });
  });
  started.WaitForNotification();
  TaskHandle pending =
      (*pool)->Submit(behavior, [&] { pending_ran = true; });

  rt.RequestStop();
  // Refused at once, from a thread that is not running pool work.
  absl::Status late = (*pool)->Submit(behavior, [] {}).Wait();
  EXPECT_EQ(late.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(late.message(), HasSubstr("shutdown in progress"));

  std::shared_ptr<const ShutdownReport> report;
  std::thread shutdown([&] {
    auto r = rt.Shutdown();
    ASSERT_TRUE(r.ok());
    report = *r;
    shut_down.Notify();
  });
  if (behavior != SB::kBlockShutdown) {
    // Dropped, not started; its waiter wakes while the other still runs.
    EXPECT_EQ(pending.Wait().code(), absl::StatusCode::kCancelled);
  }
  if (behavior == SB::kContinueOnShutdown) {
    // Never waited for: the sequence ends while the task still runs.
    EXPECT_TRUE(shut_down.WaitForNotificationWithTimeout(absl::Seconds(30)));
  } else {
    // Waited for: `threads` does not finish while the task runs. A bounded
    // negative check (a broken pool reaches `flush` within microseconds).
    EXPECT_FALSE(flush.began.WaitForNotificationWithTimeout(
        absl::Milliseconds(100)));
  }
  release.Notify();
  EXPECT_TRUE(running.Wait().ok());
  shutdown.join();
  ExpectOutcome(behavior, *report, pending, pending_ran, child, child_ran);
  pool->reset();  // Joins the worker (a CONTINUE one may still be ending).
}

INSTANTIATE_TEST_SUITE_P(
    Behaviors, ShutdownBehaviorTest,
    ::testing::Values(SB::kContinueOnShutdown, SB::kSkipOnShutdown,
                      SB::kBlockShutdown),
    [](const ::testing::TestParamInfo<SB>& info) {
      return std::string(ShutdownBehaviorName(info.param));
    });

TEST(ThreadPoolTest, CancellingPendingTasksWakesAllTheirWaitersAtOnce) {
  constexpr int kPending = 1000;
  constexpr int kWaiters = 4;
  absl::Notification release;  // Outlives the runtime.
  Latch both_running(3);
  Runtime rt;
  auto pool = ThreadPool::Create("pool", On(rt, 2));
  ASSERT_TRUE(pool.ok()) << pool.status();
  std::vector<TaskHandle> busy;
  for (int i = 0; i < 2; ++i) {
    busy.push_back((*pool)->Submit(SB::kSkipOnShutdown, [&] {
      both_running.ArriveAndWait();
      release.WaitForNotification();
    }));
  }
  both_running.ArriveAndWait();  // Both workers are parked.
  std::vector<TaskHandle> pending;
  for (int i = 0; i < kPending; ++i) {
    pending.push_back((*pool)->Submit(SB::kSkipOnShutdown, [] {}));
  }
  std::vector<std::thread> waiters;
  for (int w = 0; w < kWaiters; ++w) {
    waiters.emplace_back([&, w] {
      for (int i = w; i < kPending; i += kWaiters) {
        EXPECT_EQ(pending[i].Wait().code(), absl::StatusCode::kCancelled);
      }
    });
  }
  std::thread shutdown([&] { EXPECT_TRUE(rt.Shutdown().ok()); });
  // Every waiter returns while both running tasks still hold their workers:
  // the `drain` cleanup cancelled the pending ones in one go.
  for (auto& t : waiters) t.join();
  EXPECT_FALSE(busy[0].done());
  EXPECT_FALSE(busy[1].done());
  release.Notify();
  shutdown.join();
  EXPECT_TRUE(busy[0].Wait().ok());
  EXPECT_TRUE(busy[1].Wait().ok());
  EXPECT_EQ((*pool)->stats().cancelled, kPending);
}

TEST(ThreadPoolTest, ThrowingTaskCompletesItsHandleWithTheError) {
  Runtime rt;
  auto pool = ThreadPool::Create("pool", On(rt, 2));
  ASSERT_TRUE(pool.ok()) << pool.status();
  absl::Status s = (*pool)
                       ->Submit(SB::kSkipOnShutdown,
                                [] { throw std::runtime_error("no disk"); })
                       .Wait();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnknown);
  EXPECT_THAT(s.message(), HasSubstr("no disk"));
  EXPECT_TRUE((*pool)->Submit(SB::kSkipOnShutdown, [] {}).Wait().ok());
}

// Found by the torture suite: a worker that finished a SKIP_ON_SHUTDOWN task
// and then started a long CONTINUE_ON_SHUTDOWN one kept the finished task in
// its unflushed batch, so the blocking count never reached zero and the idle
// worker waited for it: `threads` waited for continue-on-shutdown work, which
// must never be waited for. (Invariant W3 in blocks/internal/pool_core.h.)
TEST(ThreadPoolTest, LongContinueTaskDoesNotHoldBackTheOtherWorkers) {
  RuntimeOptions options;
  options.on_deadline = DeadlineAction::kReportOnly;
  options.join_budget = absl::Seconds(5);  // Demotes the idle worker if stuck.
  Runtime rt(options);
  auto pool = ThreadPool::Create("pool", On(rt, 2));
  ASSERT_TRUE(pool.ok()) << pool.status();
  ThreadPool& p = **pool;
  Latch both_busy(2);  // Each worker runs one of the skip tasks.
  absl::Notification continue_started, release;
  TaskHandle continue_task;
  TaskHandle first = p.Submit(SB::kSkipOnShutdown, [&] {
    both_busy.ArriveAndWait();
    // Queued while the other worker is busy: this worker takes it next,
    // with this skip task finished but not yet subtracted.
    continue_task = p.Submit(SB::kContinueOnShutdown, [&] {
      continue_started.Notify();
      release.WaitForNotification();
    });
  });
  TaskHandle second = p.Submit(SB::kSkipOnShutdown, [&] {
    both_busy.ArriveAndWait();
    continue_started.WaitForNotification();
  });
  ASSERT_TRUE(first.Wait().ok());
  ASSERT_TRUE(second.Wait().ok());
  auto report = rt.Shutdown();  // The continue task still runs.
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE((*report)->stragglers.empty()) << (*report)->ToText();
  EXPECT_FALSE(continue_task.done());
  release.Notify();
  EXPECT_TRUE(continue_task.Wait().ok());
}

// Found by the torture suite: every worker runs a continue-on-shutdown task
// (a daemon meanwhile) while block-shutdown work waits in the queue.
// Shutdown must still wait for that work: the pool's reserve worker runs it
// (invariant W2 in blocks/internal/pool_core.h).
TEST(ThreadPoolTest, BlockingWorkRunsEvenWhenEveryWorkerIsInAContinueTask) {
  absl::Notification release;  // Outlives the runtime (see runtime.h).
  Runtime rt;
  auto pool = ThreadPool::Create("pool", On(rt, 2));
  ASSERT_TRUE(pool.ok()) << pool.status();
  ThreadPool& p = **pool;
  Latch both_busy(3);  // The two continue tasks and this thread.
  TaskHandle c1 = p.Submit(SB::kContinueOnShutdown, [&] {
    both_busy.ArriveAndWait();
    release.WaitForNotification();
  });
  TaskHandle c2 = p.Submit(SB::kContinueOnShutdown, [&] {
    both_busy.ArriveAndWait();
    release.WaitForNotification();
  });
  both_busy.ArriveAndWait();  // No worker is free now.
  std::atomic<bool> blocking_ran{false};
  TaskHandle blocking =
      p.Submit(SB::kBlockShutdown, [&] { blocking_ran = true; });
  auto report = rt.Shutdown();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(blocking_ran.load()) << "Shutdown() returned before the "
                                      "BLOCK_SHUTDOWN task ran";
  EXPECT_TRUE(blocking.done());
  EXPECT_TRUE((*report)->stragglers.empty()) << (*report)->ToText();
  release.Notify();
  EXPECT_TRUE(c1.Wait().ok());
  EXPECT_TRUE(c2.Wait().ok());
}

// As above with one worker: the reserve is what runs the blocking work, and
// the report names the worker that runs the continue task as a daemon.
TEST(ThreadPoolTest, OneWorkerPoolRunsBlockingWorkWhileItsWorkerContinues) {
  absl::Notification started, release;  // Outlive the runtime.
  Runtime rt;
  auto pool = ThreadPool::Create("pool", On(rt, 1));
  ASSERT_TRUE(pool.ok()) << pool.status();
  TaskHandle c = (*pool)->Submit(SB::kContinueOnShutdown, [&] {
    started.Notify();
    release.WaitForNotification();
  });
  started.WaitForNotification();
  std::atomic<bool> blocking_ran{false};
  TaskHandle blocking =
      (*pool)->Submit(SB::kBlockShutdown, [&] { blocking_ran = true; });
  auto report = rt.Shutdown();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(blocking_ran.load());
  EXPECT_TRUE(blocking.Wait().ok());
  EXPECT_THAT((*report)->daemons_running, ::testing::ElementsAre("pool/0"));
  EXPECT_TRUE((*report)->stragglers.empty()) << (*report)->ToText();
  release.Notify();
  EXPECT_TRUE(c.Wait().ok());
}

// Before the stop the pool runs at most num_threads tasks: the reserve takes
// nothing, so a task queued behind a running continue task waits, and is
// dropped at the stop.
TEST(ThreadPoolTest, ReserveRunsNoTaskBeforeTheStop) {
  absl::Notification started, release;  // Outlive the runtime.
  Runtime rt;
  auto pool = ThreadPool::Create("pool", On(rt, 1));
  ASSERT_TRUE(pool.ok()) << pool.status();
  TaskHandle c = (*pool)->Submit(SB::kContinueOnShutdown, [&] {
    started.Notify();
    release.WaitForNotification();
  });
  started.WaitForNotification();
  std::atomic<bool> skip_ran{false};
  TaskHandle skip =
      (*pool)->Submit(SB::kSkipOnShutdown, [&] { skip_ran = true; });
  ASSERT_TRUE(rt.Shutdown().ok());
  EXPECT_EQ(skip.Wait().code(), absl::StatusCode::kCancelled);
  EXPECT_FALSE(skip_ran.load());
  release.Notify();
  EXPECT_TRUE(c.Wait().ok());
}

// The races behind the shutdown helper this pool used to start (a worker
// between its shutdown check and entering a continue task; blocking work
// counted before the stop but queued after the drain looked; a helper that
// registered after `threads` had closed registration): a submitter puts
// both workers into continue-on-shutdown tasks and posts blocking work
// until refused, while the stop lands. Every accepted blocking task must
// have run when Shutdown() returns.
TEST(ThreadPoolTest, LoadBlockingWorkRacingTheStopWhileWorkersEnterContinueTasks) {
  constexpr int kRounds = 200;
  for (int round = 0; round < kRounds; ++round) {
    absl::Notification release, submitting;  // Outlive the runtime.
    std::atomic<int> blocking_ran{0};
    Runtime rt;
    auto pool = ThreadPool::Create("pool", On(rt, 2));
    ASSERT_TRUE(pool.ok()) << pool.status();
    ThreadPool& p = **pool;
    std::vector<TaskHandle> blocking, continuing;
    std::thread submitter([&] {
      for (int i = 0; i < 2; ++i) {
        continuing.push_back(p.Submit(SB::kContinueOnShutdown,
                                      [&] { release.WaitForNotification(); }));
      }
      submitting.Notify();
      for (;;) {
        TaskHandle h = p.Submit(SB::kBlockShutdown, [&] { ++blocking_ran; });
        blocking.push_back(h);
        if (h.done() && h.Wait().code() == absl::StatusCode::kFailedPrecondition) {
          return;
        }
      }
    });
    submitting.WaitForNotification();
    auto report = rt.Shutdown();
    const int ran_at_return = blocking_ran.load();
    ASSERT_TRUE(report.ok()) << report.status();
    submitter.join();
    int accepted = 0;
    for (const TaskHandle& h : blocking) {
      const absl::Status s = h.Wait();
      EXPECT_TRUE(s.ok() || s.code() == absl::StatusCode::kFailedPrecondition)
          << s;
      accepted += s.ok();
    }
    EXPECT_EQ(ran_at_return, accepted)
        << "round " << round << ": Shutdown() returned before the "
        << "BLOCK_SHUTDOWN work it accepted had run";
    EXPECT_TRUE((*report)->stragglers.empty()) << (*report)->ToText();
    release.Notify();
    for (const TaskHandle& h : continuing) {
      const absl::StatusCode code = h.Wait().code();
      EXPECT_TRUE(code == absl::StatusCode::kOk ||
                  code == absl::StatusCode::kCancelled)
          << h.Wait();
    }
    if (::testing::Test::HasFailure()) break;
  }
}

TEST(ThreadPoolTest, DestroyingThePoolRunsBlockingWorkAndCancelsTheRest) {
  absl::Notification release;
  Runtime rt;
  auto pool = ThreadPool::Create("pool", On(rt, 1));
  ASSERT_TRUE(pool.ok()) << pool.status();
  absl::Notification started;
  TaskHandle first = (*pool)->Submit(SB::kSkipOnShutdown, [&] {
    started.Notify();
    release.WaitForNotification();
  });
  started.WaitForNotification();
  TaskHandle skip = (*pool)->Submit(SB::kSkipOnShutdown, [] {});
  TaskHandle block = (*pool)->Submit(SB::kBlockShutdown, [] {});
  std::thread destroyer([&] { pool->reset(); });
  EXPECT_EQ(skip.Wait().code(), absl::StatusCode::kCancelled);
  release.Notify();
  destroyer.join();
  EXPECT_TRUE(first.Wait().ok());
  EXPECT_TRUE(block.Wait().ok());
}

TEST(ThreadPoolTest, RefusedPostDoesNotCallItsCallback) {
  Runtime rt;
  auto pool = ThreadPool::Create("pool", On(rt, 1));
  ASSERT_TRUE(pool.ok()) << pool.status();
  rt.RequestStop();
  bool called = false;
  absl::Status s = (*pool)->Post(
      SB::kBlockShutdown, [] {}, [&](absl::Status) { called = true; });
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("\"pool\": shutdown in progress"));
  EXPECT_FALSE(called);
  EXPECT_EQ((*pool)->stats().refused, 1);
}

TEST(ThreadPoolTest, BadInputIsRefusedWithAClearError) {
  Runtime rt;
  EXPECT_THAT(ThreadPool::Create("", On(rt, 1)).status().message(),
              HasSubstr("name is empty"));
  EXPECT_THAT(ThreadPool::Create("p", On(rt, 0)).status().message(),
              HasSubstr("num_threads is 0"));
  auto pool = ThreadPool::Create("dup", On(rt, 1));
  ASSERT_TRUE(pool.ok());
  EXPECT_EQ(ThreadPool::Create("dup", On(rt, 1)).status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ((*pool)->Post(SB::kSkipOnShutdown, nullptr).code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(rt.Shutdown().ok());
  EXPECT_EQ(ThreadPool::Create("late", On(rt, 1)).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace orderly
