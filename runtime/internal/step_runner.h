// Copyright 2026 The orderly Authors.
//
// step_runner.h (internal): runs the sequence's user code within budgets.
//
// The sequencer never runs user code itself: it hands a batch of steps (stop
// callbacks, terminate callbacks, one phase's cleanups) to an executor
// thread, which runs them in order, and watches the clock. A step still
// running at its deadline is recorded as timed out and abandoned: its
// executor is left to finish it (and then exits), and the remaining steps run
// on a fresh executor. So a stuck cleanup costs its budget, never the
// sequence.
//
// An executor that finished its batch waits for the next one: a sequence
// starts a thread only for its first batch and after an abandoned step, not
// once per phase. Prestart() starts that first one ahead of time (the
// sequencer does, when the runtime is made), so a shutdown creates no
// thread at all unless a step gets stuck: none of its time goes to
// creating one, and it cannot fail for want of one. If no thread can be
// started, the batch's steps are recorded as skipped, with the reason.
// So callbacks and cleanups share one thread from phase to phase: what one
// leaves in a thread_local, the next sees, and its destructor runs when the
// runtime is destroyed (never, for Runtime::Default()).
//
// The executor publishes which step runs and since when; the sequencer
// sleeps until that step's deadline, and only re-checks then. A fast batch
// costs one clock read and one uncontended lock per step, not a context
// switch per step.
//
// Thread-safety: one thread (the sequencer) runs RunAll() and reads
// current_executor() (checked in debug builds); IsExecutorThread() and
// AbandonCallingStep() are thread-safe.
// Lifetime: the destructor joins every executor, abandoned ones included:
// whoever destroys a runtime must first release what its steps wait for.

#ifndef ORDERLY_RUNTIME_INTERNAL_STEP_RUNNER_H_
#define ORDERLY_RUNTIME_INTERNAL_STEP_RUNNER_H_

#include <pthread.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/functional/function_ref.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "runtime/internal/check.h"
#include "runtime/report.h"

namespace orderly {
namespace runtime_internal {

struct Step {
  // Prefilled by the caller: phase, kind, component, name.
  StepRecord record;
  // Runs the user code and fills record.outcome / error (see CallGuarded).
  // Returns false when there was nothing to run (the record is dropped).
  absl::AnyInvocable<bool(StepRecord&)> run;
  absl::Duration budget = absl::InfiniteDuration();
};

class StepRunner {
 public:
  // What the sequencer sees when the overall deadline passes mid-step.
  // Returns to let the sequence go on (the step is then abandoned).
  using DeadlineHandler =
      absl::FunctionRef<void(const StepRecord& running, absl::Time now)>;

  StepRunner();
  ~StepRunner();
  StepRunner(const StepRunner&) = delete;
  StepRunner& operator=(const StepRunner&) = delete;

  // Runs `steps` in order; appends their records to `out` and a Straggler to
  // `stragglers` for each abandoned step. A step's deadline is the earliest
  // of its start + budget and `batch_deadline`; when `batch_deadline` passes,
  // the steps not started are recorded as skipped. When `*overall_deadline`
  // passes, `on_overall_deadline` runs once and `*overall_deadline` becomes
  // InfiniteFuture (the watchdog fired; later steps keep their own budgets).
  void RunAll(std::vector<Step> steps, absl::Time batch_deadline,
              absl::Time* overall_deadline,
              DeadlineHandler on_overall_deadline,
              std::vector<StepRecord>* out,
              std::vector<Straggler>* stragglers);

  // Starts an executor that waits for the first batch, if none exists yet.
  // A thread that cannot be started is left to RunAll() to try again.
  void Prestart();

  // True if the calling thread is (or was) one of this runner's executors.
  bool IsExecutorThread() const;

  // Called by a step on its own executor when it will never return (it
  // called exit(), which parks it): the sequencer stops waiting for it now,
  // records it as an error saying `why`, and runs the remaining steps on a
  // fresh executor. False if the caller is not running a step of this runner.
  bool AbandonCallingStep(const char* why);

  // The executor of the batch RunAll() runs now (or ran last); sequencer
  // thread only. For the watchdog, to show where a stuck step is blocked.
  pthread_t current_executor() const {
    ORDERLY_DCHECK_CALLED_ON(sequencer_thread_);
    return current_executor_;
  }

  // The kernel tids of the executors started so far (0 for one that has
  // not stored it yet), so that a scan of the process's threads need not
  // open their names to know them (Sequencer::UnknownThreads()). The tids
  // of executors that have ended are kept: the kernel hands a tid out again
  // only after the pid space wraps, and a foreign thread given one would
  // then go unlisted, never listed wrongly. Thread-safe.
  std::vector<int32_t> ExecutorTids() const;

 private:
  struct Batch;
  struct Executor;
  static void ExecutorMain(StepRunner* runner, Executor* self);
  // Runs `b` on the calling executor `self`; false if a step was abandoned
  // (the executor then exits). Parks `self` before it says the batch is
  // done, so that the sequencer's next batch finds it.
  bool RunBatch(Executor* self, Batch& b);
  static void RecordSkipped(std::vector<Step> steps, const char* why,
                            std::vector<StepRecord>* out);
  // Hands `batch` to the parked executor, or starts one; false if no
  // thread could be started.
  bool StartExecutor(const std::shared_ptr<Batch>& batch);
  Executor* SpawnLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::vector<std::unique_ptr<Executor>> executors_ ABSL_GUARDED_BY(mu_);
  // Done with its batch (or prestarted), waiting for the next. At most one:
  // one batch runs at a time.
  Executor* parked_ ABSL_GUARDED_BY(mu_) = nullptr;
  bool quitting_ ABSL_GUARDED_BY(mu_) = false;  // The destructor runs.
  ThreadChecker sequencer_thread_;  // Binds on RunAll()'s first call.
  pthread_t current_executor_ ABSL_GUARDED_BY(sequencer_thread_){};
};

}  // namespace runtime_internal
}  // namespace orderly

#endif  // ORDERLY_RUNTIME_INTERNAL_STEP_RUNNER_H_
