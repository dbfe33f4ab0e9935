// Copyright 2026 The orderly Authors.
//
// RuntimeOptions: the documented defaults, each budget's effect, and each
// DeadlineAction (kExit and kAbort end the process: death tests, run in a
// child process).

#include "runtime/runtime_options.h"

#include <string>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/runtime.h"
#include "tests/runtime/sequence_fixture.h"

namespace orderly {
namespace {

using ::testing::HasSubstr;

TEST(RuntimeOptionsTest, Defaults) {
  const RuntimeOptions o;
  EXPECT_EQ(o.deadline, absl::Seconds(25));
  EXPECT_EQ(o.on_deadline, DeadlineAction::kExit);
  EXPECT_EQ(o.deadline_exit_code, 124);
  EXPECT_EQ(o.callback_budget, absl::Seconds(1));
  EXPECT_EQ(o.cleanup_budget, absl::InfiniteDuration());
  EXPECT_EQ(o.join_budget, absl::InfiniteDuration());
  EXPECT_EQ(o.phase_budget, absl::InfiniteDuration());
}

TEST(RuntimeOptionsTest, CleanupBudgetIsTheDefaultOfEveryCleanup) {
  absl::Notification release;  // Outlives the runtime (its executor waits).
  RuntimeOptions options;
  options.cleanup_budget = absl::Milliseconds(20);
  Runtime rt(options);
  ASSERT_TRUE(rt.AddComponent("c").ok());
  ASSERT_TRUE(rt.AddCleanup("c", kClosePhase, "stuck", [&] {
                  release.WaitForNotification();
                }).ok());
  auto report = MustShutdown(rt);
  release.Notify();
  ASSERT_NE(report, nullptr);
  ASSERT_EQ(report->steps.size(), 1u);
  EXPECT_EQ(report->steps[0].outcome, Outcome::kTimedOut);
  EXPECT_EQ(report->steps[0].budget, absl::Milliseconds(20));
}

TEST(RuntimeOptionsTest, PhaseBudgetSkipsWhatItLeavesNoTimeFor) {
  absl::Notification release;
  RuntimeOptions options;
  options.phase_budget = absl::Milliseconds(200);
  Runtime rt(options);
  ASSERT_TRUE(rt.AddComponent("c").ok());
  // Last-registered first: "stuck" runs before "after".
  ASSERT_TRUE(rt.AddCleanup("c", kFlushPhase, "after", [] {}).ok());
  ASSERT_TRUE(rt.AddCleanup("c", kFlushPhase, "stuck", [&] {
                  release.WaitForNotification();
                }).ok());
  ASSERT_TRUE(rt.AddCleanup("c", kClosePhase, "next-phase", [] {}).ok());
  auto report = MustShutdown(rt);
  release.Notify();
  ASSERT_NE(report, nullptr);
  ASSERT_EQ(report->steps.size(), 3u);
  EXPECT_EQ(report->steps[0].name, "stuck");
  EXPECT_EQ(report->steps[0].outcome, Outcome::kTimedOut);
  EXPECT_EQ(report->steps[1].name, "after");
  EXPECT_EQ(report->steps[1].outcome, Outcome::kSkipped);
  EXPECT_EQ(report->steps[2].name, "next-phase");  // Its own phase's budget.
  EXPECT_EQ(report->steps[2].outcome, Outcome::kOk);
}

TEST(RuntimeOptionsTest, ReportOnlyGoesOnPastTheDeadline) {
  absl::Notification release;
  RuntimeOptions options;
  options.deadline = absl::Milliseconds(20);
  options.on_deadline = DeadlineAction::kReportOnly;
  Runtime rt(options);
  ASSERT_TRUE(rt.AddComponent("c").ok());
  // Its own budget ends it if its executor starts it only after the
  // deadline (the watchdog then fires between steps).
  ASSERT_TRUE(rt.AddCleanup(
                    "c", kFlushPhase, "stuck",
                    [&] { release.WaitForNotification(); }, absl::Seconds(2))
                  .ok());
  ASSERT_TRUE(rt.AddCleanup("c", kClosePhase, "later", [] {}).ok());
  auto report = MustShutdown(rt);
  release.Notify();
  ASSERT_NE(report, nullptr);
  EXPECT_TRUE(report->deadline_exceeded);
  ASSERT_EQ(report->steps.size(), 2u);
  EXPECT_EQ(report->steps[0].outcome, Outcome::kTimedOut);
  EXPECT_EQ(report->steps[1].name, "later");
  EXPECT_EQ(report->steps[1].outcome, Outcome::kOk);
}

// The watchdog's hard exits, in a child process each. The parent's
// Notification is never released in the child: the child ends first.
void StuckPastTheDeadline(DeadlineAction action) {
  static absl::Notification never;
  RuntimeOptions options;
  options.deadline = absl::Milliseconds(20);
  options.on_deadline = action;
  options.deadline_exit_code = 42;
  auto* rt = new Runtime(options);  // Never destroyed: the process ends.
  (void)rt->AddComponent("store");
  (void)rt->AddCleanup("store", kClosePhase, "close-db",
                       [] { never.WaitForNotification(); });
  (void)rt->Shutdown();
}

TEST(RuntimeOptionsDeathTest, ExitEndsTheProcessWithTheExitCode) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(StuckPastTheDeadline(DeadlineAction::kExit),
              ::testing::ExitedWithCode(42),
              // The step is named too when its executor had started it by
              // the deadline (not guaranteed on a loaded machine).
              "SHUTDOWN DEADLINE EXCEEDED(.|\n)*still running: phase "
              "close(.|\n)*with exit code 42");
}

TEST(RuntimeOptionsDeathTest, AbortEndsTheProcessWithSigabrt) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(StuckPastTheDeadline(DeadlineAction::kAbort),
              ::testing::KilledBySignal(SIGABRT),
              "SHUTDOWN DEADLINE EXCEEDED(.|\n)*aborting for a core dump");
}

}  // namespace
}  // namespace orderly
