// Copyright 2026 The orderly Authors.
//
// report.h: what a shutdown sequence did, step by step.
//
// `Runtime::Shutdown()` returns one `ShutdownReport` per sequence; every
// caller gets the same, immutable object. It lists, in the order they ran:
// the stop callbacks, then each phase with its steps (terminate callbacks and
// joins in `threads`, cleanups elsewhere), each with start, duration, outcome
// and error text; then the stragglers (threads or steps still running when
// the sequence ended) and the daemon threads that were still running when the
// cleanup phases began.
//
// `ToText()` renders it for a person reading stderr at 3 a.m.; `ok()` says
// whether anything went wrong.
//
// Thread-safety: a finished report is immutable and safe to read from any
// thread.

#ifndef ORDERLY_RUNTIME_REPORT_H_
#define ORDERLY_RUNTIME_REPORT_H_

#include "runtime/version.h"  // First: checks for C++17.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "runtime/stop_reason.h"


namespace orderly {

enum class StepKind {
  kStopCallback,       // A StopCallback, right after the stop request.
  kTerminateCallback,  // A registered thread's terminate callback.
  kJoin,               // Waiting for a non-daemon thread's registration to end.
  kCleanup,            // A component's cleanup.
  kFence,              // Before a component's teardown: waiting for the
                       // threads and uses that declared it (fence.h).
};

enum class Outcome {
  kOk,
  kError,      // Returned a non-OK status or threw; `error` says what.
  kTimedOut,   // Outlived its budget; abandoned, may still be running.
  kStraggler,  // A thread not joined within its budget; no longer waited for.
  kSkipped,    // Not run: its phase's budget (or the deadline) ran out
               // first, or its component is held past its fence.
};

const char* StepKindName(StepKind kind);  // "stop callback", "terminate", ...
const char* OutcomeName(Outcome outcome);  // "ok", "error", "timed out", ...

// How a report, a plan and the watchdog name a step: "component/name" for a
// cleanup, `name` alone when `component` is empty (threads, callbacks).
std::string StepLabel(absl::string_view component, absl::string_view name);

struct StepRecord {
  std::string phase;      // Empty for stop callbacks (they precede phases).
  StepKind kind = StepKind::kCleanup;
  std::string component;  // Cleanups only.
  std::string name;       // Cleanup, thread or callback name.
  absl::Time start;
  absl::Duration duration;
  Outcome outcome = Outcome::kOk;
  std::string error;      // Empty when ok.
  // For steps that outlived their budget: the budget they had.
  absl::Duration budget = absl::InfiniteDuration();
};

struct PhaseRecord {
  std::string name;
  absl::Time start;
  absl::Duration duration;
  absl::Duration budget = absl::InfiniteDuration();
};

// Something still running when the sequence ended: a thread past its join
// budget, or a callback or cleanup abandoned past its budget.
struct Straggler {
  std::string name;   // "thread worker-2", "cleanup store/close".
  std::string why;    // "not joined within its 2s join budget".
  absl::Time since;   // When orderly stopped waiting for it.
};

// A thread of the process that orderly does not know (see
// ShutdownReport::unknown_threads_at_end): its kernel tid and its name as
// /proc/self/task/<tid>/comm says (at most 15 characters; pthread_setname_np
// sets it, and a new thread inherits its creator's).
struct UnknownThread {
  int32_t tid = 0;
  std::string name;
};

struct ShutdownReport {
  StopReason reason;
  absl::Time stop_requested;  // When the sequence saw the stop request.
  absl::Time deadline;        // stop_requested + RuntimeOptions::deadline.
  absl::Time finished;
  bool deadline_exceeded = false;

  std::vector<PhaseRecord> phases;  // In the order they ran.
  std::vector<StepRecord> steps;    // In the order they ran.
  std::vector<Straggler> stragglers;
  // Daemon threads (and demoted stragglers) still registered when the first
  // phase after `threads` began: they may still touch what cleanups free.
  std::vector<std::string> daemons_running;

  // Threads of the process that orderly does not know, read from
  // /proc/self/task (Linux; empty elsewhere) when the first phase after
  // `threads` began, and when the sequence finished. Not known means none
  // of: registered with this runtime (now, or earlier: a thread that ended
  // its registration may still be on its way out); orderly's own threads
  // ("orderly-seq", "orderly-exec", "orderly-signals", of any runtime); the
  // process's main thread; a thread waiting in this runtime's Shutdown()
  // (the sequence's callers, such as the thread that called exit()).
  // Typically a library's own threads (a logger's pool, a client's I/O
  // threads) and the sanitizers' or libc's helpers. Reported only: they do
  // not make ok() or all_threads_ended() false (hooks/process_end.h can
  // count them).
  std::vector<UnknownThread> unknown_threads_when_cleanups_began;
  std::vector<UnknownThread> unknown_threads_at_end;

  // Counters registered with Runtime::AddReportCounter(), read when the
  // sequence finished: what building blocks dropped, refused or delivered.
  struct Counter {
    std::string name;
    int64_t value = 0;
  };
  std::vector<Counter> counters;

  int CountOutcome(Outcome outcome) const;
  // True when every step ended ok, nothing straggles and the deadline held.
  bool ok() const;
  // True when no thread orderly knows of is still running: not a straggler,
  // not a daemon, not an abandoned step. Static destructors are then safe.
  bool all_threads_ended() const;

  // The verdict in a few words, ToText()'s first line after its prefix:
  // "OK", or the problems, e.g. "1 error, 2 timed out, 1 straggling,
  // DEADLINE EXCEEDED".
  std::string Summary() const;

  // A multi-line, human-readable rendering (tests/runtime/report_test.cc
  // shows the shape).
  std::string ToText() const;
};

}  // namespace orderly

#endif  // ORDERLY_RUNTIME_REPORT_H_
