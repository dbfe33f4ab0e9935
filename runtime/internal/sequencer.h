// Copyright 2026 The orderly Authors.
//
// sequencer.h (internal): the thread that runs a runtime's sequence.
//
// Started with the runtime, it sleeps on a POSIX semaphore until
// RequestStop() posts it (sem_post is async-signal-safe), then runs the
// sequence once (see runtime.h), publishes the report and exits. It is also
// the watchdog: it never runs user code itself (StepRunner does), so it can
// always see the deadline pass and act (watchdog.h).
//
// Thread model: the sequencer thread owns the running sequence's state
// (ABSL_GUARDED_BY(sequencer_thread_), checked in debug builds); Wake() is
// async-signal-safe; the other public methods are thread-safe (mu_).

#ifndef ORDERLY_RUNTIME_INTERNAL_SEQUENCER_H_
#define ORDERLY_RUNTIME_INTERNAL_SEQUENCER_H_

#include <semaphore.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "runtime/internal/check.h"
#include "runtime/internal/cleanup_graph.h"
#include "runtime/internal/step_runner.h"
#include "runtime/internal/stop_state.h"
#include "runtime/internal/thread_registry.h"
#include "runtime/internal/watchdog.h"
#include "runtime/internal/fence.h"
#include "runtime/report.h"
#include "runtime/runtime_options.h"
#include "runtime/sequence_listener.h"

namespace orderly {
namespace runtime_internal {

class Sequencer {
 public:
  Sequencer(const RuntimeOptions& options, StopState* stop_state,
            ThreadRegistry* registry, CleanupGraph* graph,
            const std::atomic<uint64_t>* reason,
            const std::atomic<int64_t>* stop_time_ns);
  // Requires that the sequence ran (the runtime requests a stop first).
  ~Sequencer();

  // Async-signal-safe.
  void Wake() noexcept { sem_post(&wake_); }

  // The report, once the sequence is done; null if `deadline` came first.
  std::shared_ptr<const ShutdownReport> WaitForReport(
      absl::Time deadline = absl::InfiniteFuture());
  // Every report counter's current value, in the order they were added.
  std::vector<std::pair<std::string, int64_t>> ReadCounters() const;
  bool done() const;

  // The process's threads this runtime does not know (report.h,
  // ShutdownReport::unknown_threads_at_end), read now. Any thread.
  std::vector<UnknownThread> UnknownThreads() const;

  // True on the sequencer thread or one of its executors.
  bool IsSequenceThread() const;

  // See StepRunner::AbandonCallingStep().
  bool AbandonCallingStep(const char* why) {
    return runner_.AbandonCallingStep(why);
  }

  void AddListener(SequenceListener* listener);
  absl::Status AddCounter(absl::string_view name,
                          absl::AnyInvocable<int64_t() const> read);

 private:
  void Main();
  // The steps of the sequence, in order; sequencer thread only.
  ShutdownReport Run();
  ShutdownReport BeginReport();
  void RunStopCallbacks(ShutdownReport& report);
  void RunPhase(CleanupGraph::Phase& phase, ShutdownReport& report);
  void RunThreadsPhase(absl::Time phase_deadline, ShutdownReport& report);
  void RunTerminateCallbacks(absl::Time phase_deadline,
                             ShutdownReport& report);
  void AwaitJoins(absl::Time phase_deadline, ShutdownReport& report);
  void RunCleanups(CleanupGraph::Phase& phase, absl::Time phase_deadline,
                   ShutdownReport& report);
  void FinishReport(ShutdownReport& report);
  // Runs `steps` on the step runner; the watchdog fires if the overall
  // deadline passes meanwhile.
  void RunSteps(std::vector<Step> steps, absl::Time batch_deadline,
                ShutdownReport& report);

  const RuntimeOptions& options_;
  StopState* const stop_state_;
  ThreadRegistry* const registry_;
  CleanupGraph* const graph_;
  const std::atomic<uint64_t>* const reason_;
  const std::atomic<int64_t>* const stop_time_ns_;

  // What the terminate callbacks' steps share (RunTerminateCallbacks()).
  struct TerminateBatch;
  // Before runner_, as fences_ is: a callback abandoned past its budget
  // still runs on its executor until ~StepRunner joins it. So each step
  // holds a plain pointer (no allocation or reference count per step; a
  // step's closure fits in absl::AnyInvocable's inline storage). Freed as
  // soon as every callback has returned.
  std::unique_ptr<TerminateBatch> terminate_batch_
      ABSL_GUARDED_BY(sequencer_thread_);
  // Before runner_: an abandoned executor may still run a fence step until
  // ~StepRunner joins it.
  Fences fences_;
  sem_t wake_;
  StepRunner runner_;
  // Bound to the sequencer thread when it starts.
  ThreadChecker sequencer_thread_;
  absl::Time overall_deadline_ ABSL_GUARDED_BY(sequencer_thread_);
  // True once `threads` has run: later phases are teardowns (fenced).
  bool teardown_ ABSL_GUARDED_BY(sequencer_thread_) = false;
  // Copied from listeners_ when the sequence starts. Written only by the
  // sequencer thread; the watchdog reads it on that thread too.
  std::vector<SequenceListener*> running_listeners_
      ABSL_GUARDED_BY(sequencer_thread_);
  Watchdog watchdog_;

  mutable absl::Mutex mu_;
  std::shared_ptr<const ShutdownReport> report_ ABSL_GUARDED_BY(mu_);
  std::vector<SequenceListener*> listeners_ ABSL_GUARDED_BY(mu_);
  // Kernel tids of the threads in WaitForReport() (the sequence's callers).
  std::vector<int32_t> waiters_ ABSL_GUARDED_BY(mu_);
  std::atomic<int32_t> sequencer_tid_{0};  // Set by Main() first thing.
  struct Counter {
    std::string name;
    absl::AnyInvocable<int64_t() const> read;
  };
  std::vector<Counter> counters_ ABSL_GUARDED_BY(mu_);

  std::thread thread_;  // Last: starts once everything above exists.
};

}  // namespace runtime_internal
}  // namespace orderly

#endif  // ORDERLY_RUNTIME_INTERNAL_SEQUENCER_H_
