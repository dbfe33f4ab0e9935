// Copyright 2026 The orderly Authors.
//
// watchdog.h (internal): what the sequence does when its overall deadline
// passes (DESIGN.md, "Deadlines and the watchdog").
//
// The sequencer thread never runs user code (StepRunner does), so it always
// sees the deadline pass; it then calls Watchdog::Fire() with the report so
// far and the step that is still running. Fire():
//   1. writes the last words to stderr with write(2) (no stdio lock, which a
//      stuck thread may hold): the deadline, which phase and which step or
//      threads still run and for how long, the report so far, and the action
//      about to be taken;
//   2. tells every SequenceListener which threads are stuck, so that a
//      listener can show where they are blocked (hooks/stack_dump.h);
//   3. takes RuntimeOptions::on_deadline: _Exit(deadline_exit_code) (no
//      static destructors: threads still run), abort() for a core dump, or
//      return, and the sequence goes on with the running step abandoned.
//
// Thread-safety: sequencer thread only (checked in debug builds).
// Lifetime: owned by the Sequencer; the pointers it is given outlive it.

#ifndef ORDERLY_RUNTIME_INTERNAL_WATCHDOG_H_
#define ORDERLY_RUNTIME_INTERNAL_WATCHDOG_H_

#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "runtime/internal/check.h"
#include "runtime/internal/step_runner.h"
#include "runtime/internal/thread_registry.h"
#include "runtime/report.h"
#include "runtime/runtime_options.h"
#include "runtime/sequence_listener.h"

namespace orderly {
namespace runtime_internal {

class Watchdog {
 public:
  // `listeners` is the sequencer's list of the listeners of the running
  // sequence; it may change between calls, never during one.
  // `unknown_threads` lists the process's threads the runtime does not
  // know, for the last words.
  Watchdog(const RuntimeOptions& options, ThreadRegistry* registry,
           const StepRunner* runner,
           const std::vector<SequenceListener*>* listeners,
           absl::AnyInvocable<std::vector<UnknownThread>() const>
               unknown_threads);
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  // Binds the watchdog to the calling thread, the sequencer thread; every
  // other call must come from it. Call once, before the sequence runs.
  void BindToCurrentThread();

  // Records that phase `name` began at `start`: the last words name it when
  // the deadline passes during its joins or between its steps.
  void EnterPhase(absl::string_view name, absl::Time start);

  // The overall deadline passed at `now` while `running` ran (an empty
  // record: between steps; kind kJoin: joining the threads it names). See
  // the file comment. Returns only for DeadlineAction::kReportOnly.
  void Fire(const ShutdownReport& report, const StepRecord& running,
            absl::Time now);

  // The text Fire() writes to stderr; for tests.
  std::string LastWordsForTesting(const ShutdownReport& report,
                                  const StepRecord& running, absl::Time now) {
    return LastWords(report, running, now);
  }

 private:
  std::string LastWords(const ShutdownReport& report,
                        const StepRecord& running, absl::Time now) const;
  std::string StillRunningLine(const StepRecord& running,
                               absl::Time now) const;
  std::string ActionLine() const;
  std::vector<StuckThread> StuckThreads(const StepRecord& running) const;
  void TakeAction() const;

  const RuntimeOptions& options_;
  ThreadRegistry* const registry_;
  const StepRunner* const runner_;
  const std::vector<SequenceListener*>* const listeners_;
  const absl::AnyInvocable<std::vector<UnknownThread>() const>
      unknown_threads_;
  ThreadChecker sequencer_thread_;
  std::string current_phase_ ABSL_GUARDED_BY(sequencer_thread_);
  absl::Time current_phase_start_ ABSL_GUARDED_BY(sequencer_thread_);
};

}  // namespace runtime_internal
}  // namespace orderly

#endif  // ORDERLY_RUNTIME_INTERNAL_WATCHDOG_H_
