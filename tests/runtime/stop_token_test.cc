// Copyright 2026 The orderly Authors.
//
// stop_token.h's own promises: the seven divergences of issue 17 (each a
// regression test), the throwing-callback policy of both flavours, and the
// runtime's documented differences from C++20. The behavioural cases of
// libc++, libstdc++, Microsoft STL and P0660's reference implementation are
// ported in the other stop_*_test.cc files of this target.

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/report.h"
#include "runtime/runtime.h"
#include "runtime/stop_token.h"
#include "tests/runtime/stop_harness.h"
#include "tests/test_util.h"

namespace orderly {
namespace {

using ::testing::HasSubstr;

using StopTokenTest = StopFlavourTest;

// Issue 17, divergence 1: the source of a move has no state.
TEST_P(StopTokenTest, MovedFromTokenHasNoState) {
  StopToken t1 = h_.token();
  StopToken t2(std::move(t1));
  StopToken t3;
  t3 = std::move(t2);
  bool ran = false;
  StopCallback cb(t1, [&] { ran = true; });  // NOLINT: use after move.
  h_.RequestStopAndWait();
  for (const StopToken* t : {&t1, &t2}) {
    EXPECT_FALSE(t->stop_possible());
    EXPECT_FALSE(t->stop_requested());
  }
  EXPECT_TRUE(t3.stop_requested());
  EXPECT_FALSE(ran);
}

// Issue 17, divergence 2: StopCallback(std::move(token), f) takes the token.
TEST_P(StopTokenTest, RvalueTokenIsTakenByItsCallback) {
  StopToken token = h_.token();
  bool ran = false;
  StopCallback cb(std::move(token), [&] { ran = true; });
  EXPECT_FALSE(token.stop_possible());  // NOLINT: use after move.
  h_.RequestStopAndWait();
  EXPECT_TRUE(ran);
}

// Issue 17, divergence 3: invoked as std::forward<Callback>(callback)().
TEST_P(StopTokenTest, RegisteredCallbackIsInvokedAsAnRvalue) {
  struct F {
    std::string* seen;
    void operator()() & { *seen += "&"; }
    void operator()() && { *seen += "&&"; }
  };
  std::string seen;
  StopCallback<F> by_value(h_.token(), F{&seen});
  h_.RequestStopAndWait();
  EXPECT_EQ(seen, "&&");
}

TEST_P(StopTokenTest, CallbacksRunOldestFirst) {
  std::vector<int> order;
  std::vector<std::unique_ptr<StopCallback<std::function<void()>>>> cbs;
  for (int i = 0; i < 5; ++i) {
    cbs.push_back(std::make_unique<StopCallback<std::function<void()>>>(
        h_.token(), [&order, i] { order.push_back(i); }));
  }
  h_.RequestStopAndWait();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST_P(StopTokenTest, RequestFromInsideACallbackReturnsFalse) {
  std::optional<bool> again;
  StopCallback cb(h_.token(), [&] { again = h_.RequestStopNoWait(); });
  EXPECT_TRUE(h_.RequestStopAndWait());
  EXPECT_EQ(again, false);
}

// Both flavours: a callback run at once, in the constructor, that throws
// ends the process, as in C++20.
TEST_P(StopTokenTest, ThrowingCallbackRunAtOnceTerminates) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  h_.RequestStopAndWait();
  EXPECT_DEATH(
      { StopCallback cb(h_.token(), [] { throw std::runtime_error("late"); }); },
      "");
}

// Registration and deregistration race the request: each callback runs at
// most once, never after its StopCallback was destroyed, and a callback that
// stays registered across the request always runs (none is skipped).
TEST_P(StopTokenTest, RegistrationRacesTheRequest) {
  constexpr int kRounds = 200;
  constexpr int kThreads = 3;
  for (int round = 0; round < kRounds; ++round) {
    StopHarness h(GetParam());
    const StopToken token = h.token();
    std::atomic<int> kept_runs{0};
    Latch started(kThreads + 1);
    std::vector<std::thread> threads;
    std::vector<std::optional<StopCallback<std::function<void()>>>> kept(
        kThreads);
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        kept[i].emplace(token, [&] { ++kept_runs; });
        started.ArriveAndWait();
        while (!token.stop_requested()) {
          auto alive = std::make_shared<std::atomic<int>>(1);
          {
            StopCallback cb(token, [alive] { EXPECT_EQ((*alive)++, 1); });
          }
          *alive = 100;  // A run after the destructor fails the check.
        }
      });
    }
    started.ArriveAndWait();
    h.RequestStopAndWait();
    for (std::thread& t : threads) t.join();
    EXPECT_EQ(kept_runs.load(), kThreads) << "round " << round;
  }
}

INSTANTIATE_TEST_SUITE_P(Flavours, StopTokenTest,
                         ::testing::Values(Flavour::kStandalone,
                                           Flavour::kRuntime),
                         FlavourName);

// Issue 17, divergence 4 (policy, standalone): a throwing callback ends the
// process, as C++20's noexcept request_stop(). P0660's test_stokenrace.cpp,
// testCallbackThrow, checks the same.
TEST(StandaloneStopTokenTest, ThrowingCallbackTerminates) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        StopSource source;
        StopCallback cb(source.token(), [] { throw "callback called"; });
        source.RequestStop();
      },
      "");
}

// --- A runtime's token -------------------------------------------------------

std::shared_ptr<const ShutdownReport> MustShutdown(Runtime& rt) {
  auto report = rt.Shutdown();
  EXPECT_TRUE(report.ok()) << report.status();
  return report.ok() ? *report : nullptr;
}

const StepRecord* FindStep(const ShutdownReport& report,
                           const std::string& name) {
  for (const StepRecord& step : report.steps) {
    if (step.kind == StepKind::kStopCallback && step.name == name) return &step;
  }
  return nullptr;
}

// Issue 17, divergences 4 and 7 (policy, runtime): a throwing callback is
// recorded, the next one runs, and its StopCallback can be destroyed from
// another thread.
TEST(RuntimeStopTokenTest, ThrowingCallbackIsRecordedAndTheNextRuns) {
  Runtime rt(HarnessOptions());
  bool next_ran = false;
  std::optional<StopCallback<void (*)()>> thrower(
      std::in_place, rt.stop_token(), [] { throw std::runtime_error("bad"); },
      "thrower");
  StopCallback next(rt.stop_token(), [&] { next_ran = true; }, "next");
  auto report = MustShutdown(rt);
  EXPECT_TRUE(next_ran);
  const StepRecord* step = FindStep(*report, "thrower");
  ASSERT_NE(step, nullptr) << report->ToText();
  EXPECT_EQ(step->outcome, Outcome::kError);
  EXPECT_THAT(step->error, HasSubstr("bad"));
  absl::Notification destroyed;
  std::thread other([&] {
    thrower.reset();
    destroyed.Notify();
  });
  EXPECT_TRUE(destroyed.WaitForNotificationWithTimeout(kHangGuard));
  other.join();
}

// Issue 17, divergence 5: destroying a StopCallback whose callback has not
// started waits for no other callback, and its callback never runs.
TEST(RuntimeStopTokenTest, DestroyedBeforeItsTurnNeverRunsAndNeverWaits) {
  Runtime rt(HarnessOptions());
  absl::Notification running, release;
  std::atomic<bool> second_ran{false};
  StopCallback first(rt.stop_token(), [&] {
    running.Notify();
    release.WaitForNotification();
  }, "first");
  std::optional<StopCallback<std::function<void()>>> second(
      std::in_place, rt.stop_token(), [&] { second_ran = true; }, "second");
  rt.RequestStop();
  running.WaitForNotification();
  absl::Notification destroyed;
  std::thread destroyer([&] {
    second.reset();
    destroyed.Notify();
  });
  EXPECT_TRUE(destroyed.WaitForNotificationWithTimeout(kHangGuard));
  release.Notify();
  destroyer.join();
  auto report = MustShutdown(rt);
  EXPECT_FALSE(second_ran.load());
  EXPECT_EQ(FindStep(*report, "second"), nullptr) << report->ToText();
}

// Issue 17, divergence 6: a callback destroys another, not-yet-run
// StopCallback without a stall (even with an infinite callback budget).
TEST(RuntimeStopTokenTest, CallbackDestroysAnotherWithoutAStall) {
  RuntimeOptions options = HarnessOptions();
  options.deadline = kHangGuard;
  options.on_deadline = DeadlineAction::kReportOnly;
  Runtime rt(options);
  bool victim_ran = false;
  std::optional<StopCallback<std::function<void()>>> victim;
  StopCallback killer(rt.stop_token(), [&] { victim.reset(); }, "killer");
  victim.emplace(rt.stop_token(), [&] { victim_ran = true; }, "victim");
  auto report = MustShutdown(rt);
  EXPECT_FALSE(report->deadline_exceeded) << report->ToText();
  EXPECT_FALSE(victim_ran);
  EXPECT_FALSE(victim.has_value());
}

// Documented difference: a callback past its budget is abandoned and the
// next one runs meanwhile; the report says it timed out.
TEST(RuntimeStopTokenTest, AbandonedCallbackDoesNotHoldUpTheNext) {
  RuntimeOptions options = HarnessOptions();
  options.callback_budget = absl::Milliseconds(50);
  Runtime rt(options);
  absl::Notification release, next_ran;
  StopCallback slow(rt.stop_token(), [&] { release.WaitForNotification(); },
                    "slow");
  StopCallback next(rt.stop_token(), [&] { next_ran.Notify(); }, "next");
  rt.RequestStop();
  next_ran.WaitForNotification();  // While `slow` still runs.
  release.Notify();
  auto report = MustShutdown(rt);
  const StepRecord* step = FindStep(*report, "slow");
  ASSERT_NE(step, nullptr) << report->ToText();
  EXPECT_EQ(step->outcome, Outcome::kTimedOut);
}

// Documented difference: a runtime is its token's source for its whole
// life, so stop_possible() stays true.
TEST(RuntimeStopTokenTest, StopPossibleForTheRuntimesLife) {
  Runtime rt;
  const StopToken token = rt.stop_token();
  EXPECT_TRUE(token.stop_possible());
  EXPECT_TRUE(token == rt.stop_token());
  MustShutdown(rt);
  EXPECT_TRUE(token.stop_possible() && token.stop_requested());
}

// Moved here from runtime_test.cc.
TEST(RuntimeStopTokenTest, StopCallbacksRunOnceAndLateOnesRunAtOnce) {
  Runtime rt;
  std::atomic<int> early{0};
  StopCallback cb(rt.stop_token(), [&] { ++early; }, "early");
  MustShutdown(rt);
  EXPECT_EQ(early.load(), 1);
  int late = 0;
  StopCallback late_cb(rt.stop_token(), [&] { ++late; });
  EXPECT_EQ(late, 1);  // Ran in the constructor.
  EXPECT_TRUE(rt.stop_token().stop_requested());
}

}  // namespace
}  // namespace orderly
