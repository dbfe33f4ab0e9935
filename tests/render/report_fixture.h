// Copyright 2026 The orderly Authors.
//
// report_fixture.h: a synthetic ShutdownReport for the renderer tests, with
// one step of each outcome and names a service could really produce at its
// worst: quotes, a backslash, "</script>", "<b>", a newline, a control
// character, UTF-8 and a byte that is not UTF-8.
//
// Times (from the stop request at kT0): stop callback at +10us; drain
// +20us..+1.02ms; threads +1.1ms..+2.5011s; flush +2.6s..+2.8s; close
// +2.8s..+2.81s; deadline +5s.

#ifndef ORDERLY_TESTS_REPORT_FIXTURE_H_
#define ORDERLY_TESTS_REPORT_FIXTURE_H_

#include <csignal>
#include <string>

#include "absl/time/time.h"
#include "runtime/report.h"

namespace orderly {
namespace fixture {

inline const absl::Time kT0 = absl::FromUnixSeconds(1'700'000'000);

// The nasty names, raw.
inline const std::string kWorker = "worker \"1\" \\ </script>";
inline const std::string kStore = "<b>store</b> & 'co'";
inline const std::string kStoreCleanup = "close\nnow";
inline const std::string kStoreError =
    "disk \"full\"\\ </script><script>alert(1)</script>\x01 \xff end";
inline const std::string kJournal =
    "journal-\xC3\xA9\xE2\x9C\x93\xF0\x9F\x98\x80";

inline StepRecord Step(std::string phase, StepKind kind, std::string component,
                       std::string name, absl::Duration start,
                       absl::Duration duration, Outcome outcome = Outcome::kOk,
                       std::string error = "",
                       absl::Duration budget = absl::InfiniteDuration()) {
  StepRecord s;
  s.phase = std::move(phase);
  s.kind = kind;
  s.component = std::move(component);
  s.name = std::move(name);
  s.start = kT0 + start;
  s.duration = duration;
  s.outcome = outcome;
  s.error = std::move(error);
  s.budget = budget;
  return s;
}

inline PhaseRecord Phase(std::string name, absl::Duration start,
                         absl::Duration duration,
                         absl::Duration budget = absl::InfiniteDuration()) {
  PhaseRecord p;
  p.name = std::move(name);
  p.start = kT0 + start;
  p.duration = duration;
  p.budget = budget;
  return p;
}

inline ShutdownReport NastyReport() {
  using absl::Microseconds;
  using absl::Milliseconds;
  using absl::Seconds;
  ShutdownReport r;
  r.reason = StopReason::Signal(SIGTERM);
  r.stop_requested = kT0;
  r.deadline = kT0 + Seconds(5);
  r.finished = kT0 + Milliseconds(2810);
  r.phases = {
      Phase("drain", Microseconds(20), Milliseconds(1), Seconds(1)),
      Phase("threads", Microseconds(1100), Microseconds(2'500'000), Seconds(3)),
      Phase("flush", Milliseconds(2600), Milliseconds(200)),
      Phase("close", Milliseconds(2800), Milliseconds(10)),
  };
  r.steps = {
      Step("", StepKind::kStopCallback, "", "wake-main", Microseconds(10),
           Microseconds(5)),
      Step("drain", StepKind::kCleanup, "server", "stop-accepting",
           Microseconds(30), Microseconds(900)),
      Step("threads", StepKind::kTerminateCallback, "", kWorker,
           Microseconds(1200), Microseconds(40)),
      Step("threads", StepKind::kTerminateCallback, "", "acceptor",
           Microseconds(1250), Microseconds(30)),
      Step("threads", StepKind::kJoin, "", kWorker, Microseconds(1300),
           Seconds(2), Outcome::kStraggler,
           "not joined within its 2s join budget", Seconds(2)),
      Step("threads", StepKind::kJoin, "", "acceptor", Microseconds(1400),
           Microseconds(50)),
      Step("flush", StepKind::kCleanup, kJournal, "flush", Milliseconds(2600),
           Milliseconds(100), Outcome::kTimedOut, "outlived its 100ms budget",
           Milliseconds(100)),
      Step("close", StepKind::kCleanup, kStore, kStoreCleanup,
           Milliseconds(2800), Milliseconds(5), Outcome::kError, kStoreError),
      Step("close", StepKind::kCleanup, "log", "close-file", Milliseconds(2805),
           absl::ZeroDuration(), Outcome::kSkipped,
           "the deadline ran out first"),
  };
  r.stragglers = {{"thread " + kWorker, "not joined within its 2s join budget",
                   kT0 + Microseconds(2'001'300)}};
  r.daemons_running = {"metrics"};
  r.counters = {{"access-log.processed", 42}};
  return r;
}

}  // namespace fixture
}  // namespace orderly

#endif  // ORDERLY_TESTS_REPORT_FIXTURE_H_
