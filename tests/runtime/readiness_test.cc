// Copyright 2026 The orderly Authors.
//
// Readiness (runtime/readiness.h) and the lame duck
// (RuntimeOptions::lame_duck): the state, its listeners, and where the
// lame-duck wait sits in the sequence.

#include "runtime/readiness.h"

#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/runtime.h"
#include "tests/test_util.h"

namespace orderly {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Rounds of SetReady(true) racing RequestStop(); runs under TSan.
constexpr int kRaceRounds = 200;

TEST(ReadinessTest, StartsReadyAndTurnsNotReadyInRequestStop) {
  Runtime rt;
  EXPECT_TRUE(rt.readiness().ready());
  rt.RequestStop();
  // No sequence step is needed: RequestStop() itself flips it.
  EXPECT_FALSE(rt.readiness().ready());
  EXPECT_TRUE(rt.stop_requested());
  ASSERT_TRUE(rt.Shutdown().ok());
  EXPECT_FALSE(rt.readiness().ready());
}

TEST(ReadinessTest, WarmUpThenReady) {
  Runtime rt;
  ASSERT_TRUE(rt.readiness().SetReady(false).ok());
  EXPECT_FALSE(rt.readiness().ready());
  ASSERT_TRUE(rt.readiness().SetReady(true).ok());
  EXPECT_TRUE(rt.readiness().ready());
}

TEST(ReadinessTest, SetReadyTrueAfterStopIsRefused) {
  Runtime rt;
  rt.RequestStop();
  const absl::Status status = rt.readiness().SetReady(true);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("stop was requested"));
  EXPECT_FALSE(rt.readiness().ready());
  EXPECT_TRUE(rt.readiness().SetReady(false).ok());
}

TEST(ReadinessTest, EmptyListenerIsRefused) {
  Runtime rt;
  EXPECT_EQ(rt.readiness().AddListener(nullptr).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ReadinessTest, ListenersSeeEachChangeOnceInOrder) {
  EventLog log;
  {
    Runtime rt;
    ASSERT_TRUE(rt.readiness()
                    .AddListener([&](bool ready) {
                      log.Add(ready ? "ready" : "not ready");
                    })
                    .ok());
    ASSERT_TRUE(rt.readiness().SetReady(false).ok());
    ASSERT_TRUE(rt.readiness().SetReady(false).ok());  // No change.
    ASSERT_TRUE(rt.readiness().SetReady(true).ok());
    auto report = rt.Shutdown();
    ASSERT_TRUE(report.ok());
    // The stop's notification is a step of the report.
    bool found = false;
    for (const StepRecord& step : (*report)->steps) {
      found |= step.kind == StepKind::kStopCallback &&
               step.name == "readiness: not ready";
    }
    EXPECT_TRUE(found) << (*report)->ToText();
  }
  EXPECT_THAT(log.Take(), ElementsAre("not ready", "ready", "not ready"));
}

TEST(ReadinessTest, StopWhileNotReadyNotifiesNothingMore) {
  EventLog log;
  Runtime rt;
  ASSERT_TRUE(rt.readiness().SetReady(false).ok());
  ASSERT_TRUE(rt.readiness()
                  .AddListener([&](bool ready) {
                    log.Add(ready ? "ready" : "not ready");
                  })
                  .ok());
  ASSERT_TRUE(rt.Shutdown().ok());
  EXPECT_THAT(log.Take(), ElementsAre());
}

TEST(ReadinessTest, ListenerAddedAfterTheStopIsToldAtOnce) {
  EventLog log;
  Runtime rt;
  rt.RequestStop();
  ASSERT_TRUE(rt.readiness()
                  .AddListener([&](bool ready) {
                    log.Add(ready ? "ready" : "not ready");
                  })
                  .ok());
  EXPECT_THAT(log.Take(), ElementsAre("not ready"));
}

TEST(ReadinessTest, SetReadyRacingTheStopNeverEndsReady) {
  for (int round = 0; round < kRaceRounds; ++round) {
    Runtime rt;
    ASSERT_TRUE(rt.readiness().SetReady(false).ok());
    std::thread warm([&] { (void)rt.readiness().SetReady(true); });
    rt.RequestStop();
    warm.join();
    ASSERT_FALSE(rt.readiness().ready()) << "round " << round;
  }
}

// --- The lame duck -------------------------------------------------------

std::vector<std::string> PlannedPhases(const Runtime& rt) {
  std::vector<std::string> names;
  for (const PlannedPhase& phase : rt.Plan().phases) {
    names.push_back(phase.name);
  }
  return names;
}

TEST(LameDuckTest, ZeroDeclaresNothing) {
  Runtime rt;
  EXPECT_THAT(PlannedPhases(rt),
              ElementsAre("drain", "threads", "flush", "close", "release"));
}

TEST(LameDuckTest, IsAPhaseBeforeDrain) {
  RuntimeOptions options;
  options.lame_duck = absl::Milliseconds(1);
  Runtime rt(options);
  EXPECT_THAT(PlannedPhases(rt), ElementsAre("lame-duck", "drain", "threads",
                                             "flush", "close", "release"));
}

// The order a service relies on: not ready at the stop request; still
// serving (drain not begun) for the whole lame duck; then drain.
TEST(LameDuckTest, NotReadyThenLameDuckThenDrain) {
  RuntimeOptions options;
  options.lame_duck = absl::Milliseconds(50);
  Runtime rt(options);
  EventLog log;
  auto server = rt.AddComponent("server");
  ASSERT_TRUE(server.ok());
  ASSERT_TRUE(server
                  ->AddCleanup("drain", "stop-accepting",
                               [&] {
                                 log.Add(absl::StrCat(
                                     "drain, ready=",
                                     rt.readiness().ready()));
                               })
                  .ok());
  StopCallback on_stop(
      rt.stop_token(),
      [&] {
        log.Add(absl::StrCat("stop, ready=", rt.readiness().ready()));
      },
      "test: stop");
  auto report = rt.Shutdown();
  ASSERT_TRUE(report.ok());
  EXPECT_THAT(log.Take(), ElementsAre("stop, ready=0", "drain, ready=0"));
  const ShutdownReport& r = **report;
  ASSERT_GE(r.phases.size(), 2u);
  EXPECT_EQ(r.phases[0].name, "lame-duck");
  EXPECT_EQ(r.phases[1].name, "drain");
  // The wait ends lame_duck after the stop request, never earlier: drain
  // starts after it (a lower bound; no upper bound is asserted).
  EXPECT_GE(r.phases[1].start, r.stop_requested + options.lame_duck);
  bool found = false;
  for (const StepRecord& step : r.steps) {
    if (step.phase != "lame-duck") continue;
    found = true;
    EXPECT_EQ(step.component, "orderly");
    EXPECT_EQ(step.name, "lame-duck");
    EXPECT_EQ(step.outcome, Outcome::kOk);
  }
  EXPECT_TRUE(found) << r.ToText();
  EXPECT_TRUE(r.ok()) << r.ToText();
}

// An hour of lame duck, ended by the service: the test would hang if
// EndLameDuck() did not end the wait.
TEST(LameDuckTest, EndLameDuckEndsTheWait) {
  RuntimeOptions options;
  options.lame_duck = absl::Hours(1);
  options.deadline = absl::Hours(4);
  Runtime rt(options);
  StopCallback on_stop(rt.stop_token(), [&] { rt.EndLameDuck(); },
                       "test: end lame duck");
  auto report = rt.Shutdown();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE((*report)->ok()) << (*report)->ToText();
}

TEST(LameDuckTest, EndLameDuckBeforeTheStopSkipsTheWait) {
  RuntimeOptions options;
  options.lame_duck = absl::Hours(1);
  options.deadline = absl::Hours(4);
  Runtime rt(options);
  rt.EndLameDuck();
  rt.EndLameDuck();  // Idempotent.
  EXPECT_TRUE(rt.Shutdown().ok());
}

// lame_duck longer than the deadline: the wait ends at half the deadline,
// leaving the other half to the rest, so the deadline holds.
TEST(LameDuckTest, DeadlineCutsTheLameDuckShort) {
  RuntimeOptions options;
  options.lame_duck = absl::Hours(1);
  options.deadline = absl::Seconds(2);
  options.on_deadline = DeadlineAction::kReportOnly;
  Runtime rt(options);
  auto report = rt.Shutdown();
  ASSERT_TRUE(report.ok());
  const ShutdownReport& r = **report;
  EXPECT_FALSE(r.deadline_exceeded) << r.ToText();
  ASSERT_GE(r.phases.size(), 2u);
  EXPECT_EQ(r.phases[1].name, "drain");
  EXPECT_GE(r.phases[1].start, r.stop_requested + options.deadline / 2);
  EXPECT_LE(r.phases[1].start, r.deadline);
}

}  // namespace
}  // namespace orderly
