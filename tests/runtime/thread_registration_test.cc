// Copyright 2026 The orderly Authors.
//
// Registered threads in the sequence: terminate callbacks newest first, then
// joins; daemons fenced; stragglers demoted by name; late helpers joined.

#include "runtime/thread_registration.h"

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/runtime.h"
#include "tests/runtime/sequence_fixture.h"
#include "tests/test_util.h"

namespace orderly {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// In the report: every terminate step ended before the first join began.
void ExpectTerminatesBeforeJoins(const ShutdownReport& report, int threads) {
  absl::Time last_terminate_end = absl::InfinitePast();
  absl::Time first_join_start = absl::InfiniteFuture();
  int joins = 0;
  int terminates = 0;
  for (const StepRecord& s : report.steps) {
    if (s.kind == StepKind::kTerminateCallback) {
      ++terminates;
      last_terminate_end = std::max(last_terminate_end, s.start + s.duration);
    } else if (s.kind == StepKind::kJoin) {
      first_join_start = std::min(first_join_start, s.start);
      ++joins;
    }
  }
  // A thread released by the last callback may end before the joins begin:
  // it then has no join record (seen under ASan). The test's latch is what
  // proves that no join preceded a terminate (the test checks report.ok()).
  EXPECT_LE(joins, threads);
  EXPECT_EQ(terminates, threads);
  EXPECT_LE(last_terminate_end, first_join_start);
}

TEST(ThreadRegistrationTest, TerminateCallbacksRunNewestFirstBeforeAnyJoin) {
  constexpr int kThreads = 8;
  EventLog log;
  Runtime rt;
  ASSERT_TRUE(rt.AddComponent("after").ok());
  ASSERT_TRUE(rt.AddCleanup("after", "flush", "mark", [&] {
                  log.Add("cleanup");
                }).ok());
  // Each thread, once asked to stop, waits until *every* terminate callback
  // has run. A sequence that joined a thread before terminating the others
  // would not get past that join: the thread's join budget turns that into
  // a reported straggler instead of a hang.
  Latch all_terminated(kThreads);
  std::vector<std::thread> threads;
  std::vector<std::unique_ptr<absl::Notification>> registered_events;
  for (int i = 0; i < kThreads; ++i) {
    // One at a time, so that creation order is i.
    registered_events.push_back(std::make_unique<absl::Notification>());
    absl::Notification& registered = *registered_events.back();
    threads.emplace_back([&, i] {
      absl::Notification stop;
      ThreadOptions o;
      o.join_budget = absl::Seconds(10);
      o.on_terminate = [&, i] {
        log.Add(absl::StrCat("terminate w", i));
        stop.Notify();
      };
      auto reg = rt.RegisterThread(absl::StrCat("w", i), std::move(o));
      ASSERT_TRUE(reg.ok());
      registered.Notify();
      stop.WaitForNotification();
      all_terminated.ArriveAndWait();
    });
    registered.WaitForNotification();
  }
  auto report = MustShutdown(rt);
  for (auto& t : threads) t.join();
  std::vector<std::string> expected;
  for (int i = kThreads - 1; i >= 0; --i) {
    expected.push_back(absl::StrCat("terminate w", i));
  }
  expected.push_back("cleanup");
  EXPECT_EQ(log.Take(), expected);
  EXPECT_TRUE(report->ok()) << report->ToText();
  ExpectTerminatesBeforeJoins(*report, kThreads);
}

TEST(ThreadRegistrationTest, DaemonIsTerminatedNeverJoinedAndNamedWhenCleanupsBegin) {
  EventLog log;
  Runtime rt;
  // The daemon stays registered (parked) after its terminate callback:
  // Shutdown() returns without waiting for it.
  Waiter daemon(rt, "metrics", log, /*daemon=*/true);
  auto report = MustShutdown(rt);
  EXPECT_THAT(log.Take(), ElementsAre("terminate metrics"));
  // `flush` follows `threads`: the daemon was still registered then.
  EXPECT_THAT(report->daemons_running, ElementsAre("metrics"));
  EXPECT_FALSE(report->all_threads_ended());
  EXPECT_THAT(report->ToText(), HasSubstr("metrics"));
  for (const StepRecord& s : report->steps) {
    EXPECT_NE(s.kind, StepKind::kJoin) << s.name;
  }
  daemon.Release();
}

TEST(ThreadRegistrationTest, StragglerPastItsJoinBudgetIsDemotedByName) {
  absl::Notification release;
  Runtime rt;
  std::thread stuck([&] {
    ThreadOptions o;
    o.join_budget = absl::Milliseconds(30);
    auto reg = rt.RegisterThread("stuck-worker", std::move(o));
    ASSERT_TRUE(reg.ok());
    release.WaitForNotification();  // Ignores its (absent) terminate callback.
  });
  while (rt.Plan().phases.size() < 5 ||
         rt.Plan().phases[1].threads.empty()) {
    std::this_thread::yield();
  }
  auto report = MustShutdown(rt);
  ASSERT_EQ(report->stragglers.size(), 1u);
  EXPECT_EQ(report->stragglers[0].name, "thread stuck-worker");
  EXPECT_EQ(report->CountOutcome(Outcome::kStraggler), 1);
  EXPECT_THAT(report->ToText(), HasSubstr("STRAGGLER"));
  EXPECT_THAT(report->daemons_running, ElementsAre("stuck-worker"));
  release.Notify();
  stuck.join();
}

TEST(ThreadRegistrationTest, HelperStartedAfterTheStopIsTerminatedAndJoined) {
  Runtime rt;
  EventLog log;
  absl::Notification helper_registered;
  std::thread helper;
  std::thread parent([&] {
    absl::Notification stop;
    ThreadOptions o;
    o.on_terminate = [&] { stop.Notify(); };
    auto reg = rt.RegisterThread("parent", std::move(o));
    ASSERT_TRUE(reg.ok());
    stop.WaitForNotification();
    // The stop was requested and our terminate callback ran: start a helper
    // (as a thread pool flushing its last batch might).
    helper = std::thread([&] {
      absl::Notification helper_stop;
      ThreadOptions ho;
      ho.on_terminate = [&] {
        log.Add("terminate helper");
        helper_stop.Notify();
      };
      auto hreg = rt.RegisterThread("helper", std::move(ho));
      ASSERT_TRUE(hreg.ok()) << hreg.status();
      helper_registered.Notify();
      helper_stop.WaitForNotification();
      log.Add("exit helper");
    });
    helper_registered.WaitForNotification();
    log.Add("exit parent");
  });
  while (rt.Plan().phases[1].threads.empty()) std::this_thread::yield();
  auto report = MustShutdown(rt);
  // Both joined before Shutdown() returned.
  const std::vector<std::string> events = log.Take();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0], "terminate helper");  // At once, on registration.
  EXPECT_THAT(events, ::testing::UnorderedElementsAre(
                          "terminate helper", "exit parent", "exit helper"));
  EXPECT_TRUE(report->all_threads_ended()) << report->ToText();
  EXPECT_THAT(report->ToText(), HasSubstr("helper (registered during"));
  parent.join();
  helper.join();
  // After the joins, registration is refused.
  auto late = rt.RegisterThread("too-late");
  EXPECT_EQ(late.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(late.status().message(), HasSubstr("\"too-late\""));
}

// --- Lifetime contract (debug builds) --------------------------------------

#ifdef NDEBUG
#define SKIP_IN_NDEBUG() GTEST_SKIP() << "contract checks are debug-only"
#else
#define SKIP_IN_NDEBUG() (void)0
#endif

TEST(ThreadRegistrationDeathTest, RuntimeDestroyedBeforeItsRegistrationAborts) {
  SKIP_IN_NDEBUG();
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  // Ending `reg` after the runtime would write to freed memory: the
  // runtime's destructor names it and aborts instead.
  EXPECT_DEATH(
      {
        auto rt = std::make_unique<Runtime>();
        ThreadOptions options;
        options.daemon = true;  // Not joined: the sequence finishes.
        auto reg = rt->RegisterThread("leaky-daemon", std::move(options));
        rt.reset();
      },
      "1 thread registration\\(s\\) are active: leaky-daemon");
}

}  // namespace
}  // namespace orderly
