// Copyright 2026 The orderly Authors.
//
// ShutdownReport: the verdict (ok(), Summary(), all_threads_ended()), the
// counts, the step labels and the shape of ToText(), on reports built by
// hand so that every field is known.

#include "runtime/report.h"

#include <string>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace orderly {
namespace {

using ::testing::HasSubstr;

const absl::Time kStop = absl::FromUnixSeconds(1700000000);

StepRecord Step(std::string phase, StepKind kind, std::string component,
                std::string name, absl::Duration start, absl::Duration took,
                Outcome outcome = Outcome::kOk, std::string error = "") {
  StepRecord r;
  r.phase = std::move(phase);
  r.kind = kind;
  r.component = std::move(component);
  r.name = std::move(name);
  r.start = kStop + start;
  r.duration = took;
  r.outcome = outcome;
  r.error = std::move(error);
  return r;
}

// A clean sequence: a stop callback, one terminate and join, one cleanup.
ShutdownReport CleanReport() {
  ShutdownReport r;
  r.reason = StopReason::Signal(15);
  r.stop_requested = kStop;
  r.deadline = kStop + absl::Seconds(25);
  r.finished = kStop + absl::Milliseconds(12);
  r.phases = {{"threads", kStop, absl::Milliseconds(5), absl::Seconds(10)},
              {"close", kStop + absl::Milliseconds(5), absl::Milliseconds(7),
               absl::InfiniteDuration()}};
  r.steps = {
      Step("", StepKind::kStopCallback, "", "flip-health", absl::ZeroDuration(),
           absl::Microseconds(40)),
      Step("threads", StepKind::kTerminateCallback, "", "worker",
           absl::Microseconds(50), absl::Microseconds(30)),
      Step("threads", StepKind::kJoin, "", "worker", absl::Microseconds(80),
           absl::Milliseconds(4)),
      Step("close", StepKind::kCleanup, "store", "close-db",
           absl::Milliseconds(5), absl::Milliseconds(7)),
  };
  return r;
}

TEST(ReportTest, StepLabelIsComponentSlashNameOrTheNameAlone) {
  EXPECT_EQ(StepLabel("store", "close-db"), "store/close-db");
  EXPECT_EQ(StepLabel("", "worker"), "worker");
}

TEST(ReportTest, KindAndOutcomeNames) {
  EXPECT_STREQ(StepKindName(StepKind::kStopCallback), "stop callback");
  EXPECT_STREQ(StepKindName(StepKind::kTerminateCallback), "terminate");
  EXPECT_STREQ(StepKindName(StepKind::kJoin), "join");
  EXPECT_STREQ(StepKindName(StepKind::kCleanup), "cleanup");
  EXPECT_STREQ(OutcomeName(Outcome::kOk), "ok");
  EXPECT_STREQ(OutcomeName(Outcome::kError), "error");
  EXPECT_STREQ(OutcomeName(Outcome::kTimedOut), "timed out");
  EXPECT_STREQ(OutcomeName(Outcome::kStraggler), "straggler");
  EXPECT_STREQ(OutcomeName(Outcome::kSkipped), "skipped");
}

TEST(ReportTest, CleanReportIsOk) {
  const ShutdownReport r = CleanReport();
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(r.all_threads_ended());
  EXPECT_EQ(r.Summary(), "OK");
  EXPECT_EQ(r.CountOutcome(Outcome::kOk), 4);
  EXPECT_EQ(r.CountOutcome(Outcome::kError), 0);
}

// One line per list, each thread as `tid N "name"`; not a problem by
// itself (the verdict stays OK).
TEST(ReportTest, ToTextListsUnknownThreads) {
  ShutdownReport r = CleanReport();
  r.unknown_threads_when_cleanups_began = {{4242, "spdlog-pool"}};
  r.unknown_threads_at_end = {{4242, "spdlog-pool"}, {4250, "zmq-io"}};
  const std::string text = r.ToText();
  EXPECT_NE(text.find("  threads orderly does not know (not registered), "
                      "running when cleanups began: tid 4242 "
                      "\"spdlog-pool\"\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  threads orderly does not know (not registered), "
                      "still running at the end: tid 4242 \"spdlog-pool\", "
                      "tid 4250 \"zmq-io\"\n"),
            std::string::npos)
      << text;
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.Summary(), "OK");
}

TEST(ReportTest, ToTextShape) {
  ShutdownReport r = CleanReport();
  r.counters = {{"log.dropped", 0}};
  EXPECT_EQ(r.ToText(),
            "orderly shutdown report: OK\n"
            "  reason: SIGTERM (signal 15)\n"
            "  took:   12.00ms of a 25.000s deadline\n"
            "  stop callbacks\n"
            "    ok         stop callback flip-health                           40us\n"
            "  phase threads (5.00ms of 10.000s)\n"
            "    ok         terminate     worker                                30us\n"
            "    ok         join          worker                              4.00ms\n"
            "  phase close (7.00ms)\n"
            "    ok         cleanup       store/close-db                      7.00ms\n"
            "  counters:\n"
            "    log.dropped = 0\n");
}

TEST(ReportTest, EachProblemSpoilsTheVerdictAndIsCounted) {
  ShutdownReport r = CleanReport();
  r.steps[3].outcome = Outcome::kError;
  r.steps[3].error = "DATA_LOSS: disk full";
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.Summary(), "1 error");
  EXPECT_THAT(r.ToText(), HasSubstr("    ERROR      cleanup"));
  EXPECT_THAT(r.ToText(), HasSubstr("7.00ms  DATA_LOSS: disk full\n"));

  r.steps[1].outcome = Outcome::kTimedOut;
  r.steps.push_back(Step("close", StepKind::kCleanup, "store", "fsync",
                         absl::Milliseconds(12), absl::ZeroDuration(),
                         Outcome::kSkipped));
  r.stragglers = {{"thread worker", "not joined within its 2s join budget",
                   kStop + absl::Seconds(2)}};
  r.deadline_exceeded = true;
  EXPECT_EQ(r.Summary(),
            "1 error, 1 timed out, 1 skipped, 1 straggling, DEADLINE EXCEEDED");
  EXPECT_EQ(r.ToText().substr(0, r.ToText().find('\n')),
            "orderly shutdown report: " + r.Summary());
  EXPECT_THAT(r.ToText(), HasSubstr("  stragglers (may still be running):\n"
                                    "    thread worker: not joined within its "
                                    "2s join budget\n"));
  EXPECT_FALSE(r.all_threads_ended());
}

TEST(ReportTest, DaemonStillRunningMeansNotAllThreadsEnded) {
  ShutdownReport r = CleanReport();
  r.daemons_running = {"metrics"};
  EXPECT_TRUE(r.ok());  // A daemon is allowed to run...
  EXPECT_FALSE(r.all_threads_ended());  // ...but static destructors are not.
  EXPECT_THAT(r.ToText(), HasSubstr("daemon threads still running when "
                                    "cleanups began: metrics\n"));
}

}  // namespace
}  // namespace orderly
