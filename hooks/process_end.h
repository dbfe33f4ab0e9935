// Copyright 2026 The orderly Authors.
//
// process_end.h: whether static destructors may run after the sequence.
//
// When the sequence is done, the process ends one of two ways:
//   - normally: exit() goes on to run static destructors and flush stdio;
//   - at once: stdio is flushed (fflush(nullptr)) and the process ends with
//     _exit(), running no static destructor and no later atexit handler.
// Running static destructors while a thread still runs is undefined
// behaviour: the thread may use what they free. So by default the process
// ends at once exactly when the report says a thread orderly knows of may
// still run (!ShutdownReport::all_threads_ended(): a straggler past its join
// budget, a daemon, a step abandoned past its budget), and writes one line
// saying so, naming them. The exit hook (exit_hook.h) applies this policy;
// MainGuard passes its options on.
//
//   orderly::ProcessEndOptions end;
//   end.static_destructors = orderly::StaticDestructors::kNeverRun;
//
// Threads parked by the exit hook (a second exit() caller, a cleanup that
// called exit()) touch nothing, so they do not count as running.
//
// Thread-safety: EndProcessIfThreadsRun() may be called from any thread; it
// returns or ends the process.

#ifndef ORDERLY_HOOKS_PROCESS_END_H_
#define ORDERLY_HOOKS_PROCESS_END_H_

#include "runtime/version.h"  // First: checks for C++17.

#include "absl/time/time.h"
#include "runtime/report.h"

namespace orderly {

enum class StaticDestructors {
  // Run them only when every thread orderly knows of has ended.
  kRunWhenSafe,
  // Always run them, as a program without orderly would (at your own risk).
  kAlwaysRun,
  // Never run them: flush stdio and _exit() after every sequence.
  kNeverRun,
};

struct ProcessEndOptions {
  StaticDestructors static_destructors = StaticDestructors::kRunWhenSafe;
  // fflush(nullptr) blocks if a running thread holds a stream's lock for
  // good; past this budget the process ends without finishing the flush.
  absl::Duration flush_budget = absl::Seconds(1);
};

// Ends the process with `exit_code` at once (after flushing stdio, within
// options.flush_budget) if `options` say static destructors must not run
// after `report`; otherwise returns, and the caller lets exit() go on.
void EndProcessIfThreadsRun(const ShutdownReport& report, int exit_code,
                            const ProcessEndOptions& options);

}  // namespace orderly

#endif  // ORDERLY_HOOKS_PROCESS_END_H_
