// Copyright 2026 The orderly Authors.
//
// ThreadPool tasks as a report and a shutdown see them (thread_pool.h,
// "Stop tokens and names"): a task may take a StopToken, stopped at the
// terminate step of `threads` or by the pool's destructor, never earlier;
// a worker past its join budget is reported with the task it runs; idle
// workers end and are never stragglers. The header's example runs here as
// written.

#include <atomic>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "blocks/thread_pool.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/runtime.h"

namespace orderly {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using SB = ShutdownBehavior;

ThreadPoolOptions On(Runtime& rt, int threads) {
  ThreadPoolOptions options;
  options.runtime = &rt;
  options.num_threads = threads;
  return options;
}

// Workers are joined for at most `join`; the deadline is far.
RuntimeOptions WithJoinBudget(absl::Duration join) {
  RuntimeOptions options;
  options.join_budget = join;
  options.deadline = absl::Seconds(60);
  return options;
}

std::vector<std::string> StragglerNames(const ShutdownReport& report) {
  std::vector<std::string> names;
  for (const Straggler& s : report.stragglers) names.push_back(s.name);
  return names;
}

// A named task blocks (ignoring any stop) on one of two workers. Before
// the fix (W5 in pool_core.h) every worker waited until shutdown was
// complete, i.e. behind the stuck task: the idle worker and the reserve
// were reported as stragglers beside it, and the entry did not say what the
// stuck one ran.
TEST(ThreadPoolTaskTest, IdleWorkersEndAndTheStuckTaskIsNamed) {
  Runtime rt(WithJoinBudget(absl::Milliseconds(300)));
  auto pool = ThreadPool::Create("pool", On(rt, 2));
  ASSERT_TRUE(pool.ok()) << pool.status();
  absl::Notification started, release;
  TaskOptions fetch;
  fetch.behavior = SB::kSkipOnShutdown;
  fetch.name = "fetch inventory";
  TaskHandle h = (*pool)->Submit(fetch, [&] {
    started.Notify();
    release.WaitForNotification();
  });
  started.WaitForNotification();
  auto report = rt.Shutdown();
  ASSERT_TRUE(report.ok()) << report.status();
  const ShutdownReport& r = **report;
  ASSERT_EQ(r.stragglers.size(), 1u) << r.ToText();
  EXPECT_THAT(r.stragglers[0].name, ::testing::StartsWith("thread pool/"));
  EXPECT_THAT(r.stragglers[0].name, Not(HasSubstr("reserve")));
  EXPECT_THAT(r.stragglers[0].why,
              HasSubstr("running task \"fetch inventory\" (SKIP_ON_SHUTDOWN) "
                        "for "));
  EXPECT_THAT(r.ToText(), HasSubstr("task \"fetch inventory\""));
  release.Notify();
  EXPECT_TRUE(h.Wait().ok());
}

// Unnamed: the entry names where the task was posted.
TEST(ThreadPoolTaskTest, UnnamedTaskIsNamedByWhereItWasPosted) {
  Runtime rt(WithJoinBudget(absl::Milliseconds(300)));
  auto pool = ThreadPool::Create("pool", On(rt, 1));
  ASSERT_TRUE(pool.ok()) << pool.status();
  absl::Notification started, release;
  auto task = [&] {
    started.Notify();
    release.WaitForNotification();
  };
  // One line: compilers differ on which line of a longer call they report.
  const int line = __LINE__; TaskHandle h = (*pool)->Submit(SB::kBlockShutdown, task);  // NOLINT

  started.WaitForNotification();
  auto report = rt.Shutdown();
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_THAT(StragglerNames(**report), ElementsAre("thread pool/0"))
      << (*report)->ToText();
  EXPECT_THAT((*report)->stragglers[0].why,
              HasSubstr(absl::StrCat("the task posted at ", __FILE__, ":",
                                     line, " (BLOCK_SHUTDOWN) for ")));
  release.Notify();
  EXPECT_TRUE(h.Wait().ok());  // Its worker is done with this frame.
}

// Remembers a token so that a cleanup can look at it.
class TokenBox {
 public:
  void Put(StopToken token) {
    absl::MutexLock lock(&mu_);
    token_ = std::move(token);
  }
  StopToken Get() {
    absl::MutexLock lock(&mu_);
    return token_;
  }

 private:
  absl::Mutex mu_;
  StopToken token_ ABSL_GUARDED_BY(mu_);
};

// The stop comes at the terminate step of `threads`: not at the stop
// request, not in `drain` (a cleanup there sees it unrequested), and the
// stuck task, once asked, returns: nothing straggles.
TEST(ThreadPoolTaskTest, StuckTaskIsAskedToStopAtTheTerminateStep) {
  Runtime rt(WithJoinBudget(absl::Seconds(30)));
  auto pool = ThreadPool::Create("pool", On(rt, 2));
  ASSERT_TRUE(pool.ok()) << pool.status();
  TokenBox box;
  std::atomic<bool> requested_in_drain{true};
  auto watcher = rt.AddComponent("watcher", {"pool"});
  ASSERT_TRUE(watcher.ok());
  ASSERT_TRUE(watcher
                  ->AddCleanup(kDrainPhase, "look",
                               [&] {
                                 requested_in_drain.store(
                                     box.Get().stop_requested());
                               })
                  .ok());
  absl::Notification started;
  std::atomic<bool> saw_stop{false};
  TaskHandle h =
      (*pool)->Submit(SB::kBlockShutdown, [&](StopToken stop) {
        box.Put(stop);
        absl::Notification wake;
        StopCallback on_stop(stop, [&] { wake.Notify(); });
        started.Notify();
        wake.WaitForNotification();
        saw_stop.store(stop.stop_requested());
      });
  started.WaitForNotification();
  EXPECT_FALSE(box.Get().stop_requested());
  auto report = rt.Shutdown();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE((*report)->ok()) << (*report)->ToText();
  EXPECT_TRUE((*report)->all_threads_ended()) << (*report)->ToText();
  EXPECT_FALSE(requested_in_drain.load());
  EXPECT_TRUE(h.Wait().ok());
  EXPECT_TRUE(saw_stop.load());
}

// The destructor asks too, before it joins (DESIGN.md, Handles: a handle
// destroyed before the sequence stops its work as the sequence would).
TEST(ThreadPoolTaskTest, DestroyingThePoolAsksItsTasksToStop) {
  Runtime rt;
  auto pool = ThreadPool::Create("pool", On(rt, 1));
  ASSERT_TRUE(pool.ok()) << pool.status();
  absl::Notification started;
  TaskOptions named;
  named.behavior = SB::kContinueOnShutdown;
  named.name = "poll";
  ASSERT_TRUE((*pool)
                  ->Post(named,
                         [&](StopToken stop) {
                           absl::Notification wake;
                           StopCallback on_stop(stop, [&] { wake.Notify(); });
                           started.Notify();
                           wake.WaitForNotification();
                         })
                  .ok());
  started.WaitForNotification();
  pool->reset();  // Returns: the task was asked to stop.
  ASSERT_TRUE(rt.Shutdown().ok());
}

// The watchdog's last words (and a SequenceListener's stuck threads, which
// hooks/stack_dump.h prints) name the task a joined worker runs.
class StuckRecorder : public SequenceListener {
 public:
  void OnDeadline(const std::vector<StuckThread>& stuck) override {
    for (const StuckThread& t : stuck) names.push_back(t.name);
  }
  std::vector<std::string> names;  // Written on the sequencer thread only.
};

TEST(ThreadPoolTaskTest, DeadlineNamesTheTaskAJoinedWorkerRuns) {
  RuntimeOptions options;
  options.deadline = absl::Milliseconds(300);
  options.on_deadline = DeadlineAction::kReportOnly;
  Runtime rt(options);
  StuckRecorder recorder;
  rt.AddListener(&recorder);
  auto pool = ThreadPool::Create("pool", On(rt, 1));
  ASSERT_TRUE(pool.ok()) << pool.status();
  absl::Notification started, release;
  TaskOptions named;
  named.behavior = SB::kBlockShutdown;
  named.name = "commit";
  TaskHandle h = (*pool)->Submit(named, [&] {
    started.Notify();
    release.WaitForNotification();
  });
  started.WaitForNotification();
  auto report = rt.Shutdown();  // Reads `recorder` after the sequence.
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_THAT(recorder.names,
              ElementsAre(::testing::StartsWith(
                  "thread pool/0 (task \"commit\" (BLOCK_SHUTDOWN) for ")));
  release.Notify();
  EXPECT_TRUE(h.Wait().ok());  // Its worker is done with this frame.
}

// --- thread_pool.h's example, as written --------------------------------

// Blocks in ReadAll() until Cancel().
class Feed {
 public:
  void Cancel() { cancelled_.Notify(); }
  void ReadAll() { cancelled_.WaitForNotification(); }

 private:
  absl::Notification cancelled_;
};

TEST(ThreadPoolTaskTest, HeaderExampleRunsAsWritten) {
  Runtime rt;
  auto pool = ThreadPool::Create("io", On(rt, 2));
  ASSERT_TRUE(pool.ok()) << pool.status();
  Feed feed;
  // From thread_pool.h:
  orderly::TaskOptions fetch;
  fetch.behavior = orderly::ShutdownBehavior::kSkipOnShutdown;
  fetch.name = "fetch inventory";
  orderly::TaskHandle fetched =
      (*pool)->Submit(fetch, [&feed](orderly::StopToken stop) {
        orderly::StopCallback wake(stop, [&feed] { feed.Cancel(); });
        feed.ReadAll();  // Blocks; returns once cancelled.
      });
  // End of the example.
  auto report = rt.Shutdown();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE((*report)->ok()) << (*report)->ToText();
  // Started before the stop (then asked to stop) or dropped unstarted.
  const absl::Status s = fetched.Wait();
  EXPECT_TRUE(s.ok() || s.code() == absl::StatusCode::kCancelled) << s;
}

// W2 with W5: the only regular worker comes back from a continue task
// while the reserve runs blocking work; with nothing to take it ends
// early. What that work posts then is the reserve's to run: before the
// fix the reserve took tasks only while every regular worker was in a
// continue task, so the follow-up waited for a worker that had ended, and
// the shutdown hung (seen in tests/torture). Each round races the regular
// worker's end against the post; a round that loses the race hangs
// without the fix.
TEST(ThreadPoolTaskTest, ReserveRunsFollowUpsWhenTheRegularWorkersEnded) {
  for (int round = 0; round < 25; ++round) {
    absl::Notification c_in, c_release, b_in, b_gate, y_ran;
    Runtime rt;
    auto pool = ThreadPool::Create("pool", On(rt, 1));
    ASSERT_TRUE(pool.ok()) << pool.status();
    ThreadPool* p = pool->get();
    ASSERT_TRUE(p->Post(SB::kContinueOnShutdown, [&] {
                   c_in.Notify();
                   c_release.WaitForNotification();
                 }).ok());
    c_in.WaitForNotification();
    ASSERT_TRUE(p->Post(SB::kBlockShutdown, [&] {
                   b_in.Notify();
                   b_gate.WaitForNotification();
                   // A follow-up of running blocking work: accepted.
                   EXPECT_TRUE(p->Post(SB::kBlockShutdown, [&] {
                                  y_ran.Notify();
                                }).ok());
                 }).ok());
    std::thread shutdown([&] { rt.Shutdown().IgnoreError(); });
    b_in.WaitForNotification();  // On the reserve: the regular one is in C.
    c_release.Notify();          // It comes back, finds nothing, ends.
    b_gate.Notify();             // Races that end.
    EXPECT_TRUE(y_ran.WaitForNotificationWithTimeout(absl::Seconds(10)))
        << "round " << round << ": the follow-up never ran";
    shutdown.join();
    if (::testing::Test::HasFailure()) break;
  }
}

}  // namespace
}  // namespace orderly
