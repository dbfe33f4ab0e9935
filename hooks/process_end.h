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
// Threads orderly does not know (ShutdownReport::unknown_threads_at_end: a
// library's own threads, never registered) are reported, and by default do
// not keep static destructors from running: sanitizer runtimes, libc and
// many libraries keep helper threads that never touch the service's
// statics, and a process that never ran its destructors because of them
// would lose what they flush. A service whose libraries' threads do touch
// statics (a logger's pool that outlives its flush) treats them as
// daemons: then any of them still alive when the process ends (checked
// again then, by tid and name) makes it end without static destructors,
// except those it names harmless:
//
//   orderly::ProcessEndOptions end;
//   end.unknown_threads = orderly::UnknownThreadPolicy::kTreatAsDaemons;
//   end.harmless_thread_names = {"gmain", "dconf worker"};
//
// Thread-safety: EndProcessIfThreadsRun() may be called from any thread; it
// returns or ends the process.

#ifndef ORDERLY_HOOKS_PROCESS_END_H_
#define ORDERLY_HOOKS_PROCESS_END_H_

#include "runtime/version.h"  // First: checks for C++17.

#include <string>
#include <vector>

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

// What kRunWhenSafe makes of threads orderly does not know (see above).
enum class UnknownThreadPolicy {
  // Listed in the report; they do not keep static destructors from running.
  kReport,
  // Counted as daemons: one still alive at the end (and not named in
  // harmless_thread_names) means no static destructors.
  kTreatAsDaemons,
};

struct ProcessEndOptions {
  StaticDestructors static_destructors = StaticDestructors::kRunWhenSafe;
  UnknownThreadPolicy unknown_threads = UnknownThreadPolicy::kReport;
  // With kTreatAsDaemons: names (as /proc/self/task/<tid>/comm shows them,
  // at most 15 characters) of unknown threads that do not count.
  std::vector<std::string> harmless_thread_names;
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
