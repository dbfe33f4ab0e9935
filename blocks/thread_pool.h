// Copyright 2026 The orderly Authors.
//
// thread_pool.h: a pool of registered workers, with a shutdown behaviour per
// task, as Chromium's base::TaskShutdownBehavior.
//
//   orderly::ThreadPoolOptions options;
//   options.num_threads = 4;
//   auto pool = orderly::ThreadPool::Create("io", options);
//   if (!pool.ok()) return pool.status();
//   using SB = orderly::ShutdownBehavior;
//   (*pool)->Post(SB::kBlockShutdown, [&] { journal.Commit(); });
//   orderly::TaskHandle h = (*pool)->Submit(SB::kSkipOnShutdown, [&] { Scan(); });
//   absl::Status s = h.Wait();  // OK, Cancelled at shutdown, or refused.
//
// Stop tokens and names. A task may take an orderly::StopToken (a callable
// invocable as f(StopToken); detected at compile time, so a task that takes
// none pays nothing). The stop is requested at the terminate step of
// `threads` (each worker's terminate callback asks the task it runs), or by
// the pool's destructor; never earlier: through `drain` the service still
// serves. A task that starts after that sees the stop at once. The token's
// StopCallbacks run on the thread that requests it, within the terminate
// callback's budget (RuntimeOptions::callback_budget): make them quick.
// A task may be named (TaskOptions::name); otherwise it is known by where
// it was posted ("server.cc:42"). When a worker overruns its join budget,
// its straggler entry says which task it runs and for how long, and so do
// the deadline's last words; idle workers are never stragglers (below).
//
//   orderly::TaskOptions fetch;
//   fetch.behavior = orderly::ShutdownBehavior::kSkipOnShutdown;
//   fetch.name = "fetch inventory";
//   orderly::TaskHandle fetched =
//       (*pool)->Submit(fetch, [&feed](orderly::StopToken stop) {
//         orderly::StopCallback wake(stop, [&feed] { feed.Cancel(); });
//         feed.ReadAll();  // Blocks; returns once cancelled.
//       });
//
// (tests/blocks/thread_pool_tasks_test.cc runs this example as written.)
//
// Shutdown behaviours (shutdown_behavior.h: what the sequence does with a task)
//   kContinueOnShutdown  dropped if not started; if running, never waited
//                        for: its worker is a daemon while it runs.
//   kSkipOnShutdown      dropped if not started; finished if started.
//   kBlockShutdown       run even if not started; shutdown waits for it.
//
// How the pool takes part in the sequence (DESIGN.md, The sequence)
// - Create() declares a component named after the pool, with one cleanup
//   "cancel-pending" in `drain`, and counters "<name>.accepted",
//   ".completed", ".cancelled", ".refused".
// - Stop requested (a StopCallback on the runtime's token): the pool stops
//   accepting. Every later Submit()/Post() is refused with FailedPrecondition
//   ("shutdown in progress"), except kBlockShutdown work posted by running
//   kBlockShutdown work (or its completion callback), which is accepted and
//   runs. Under a lame duck this moves to `drain`: see below.
// - Lame duck (RuntimeOptions::lame_duck > 0): the stop request turns the
//   runtime's readiness to not ready, but the service keeps serving until
//   `drain`, so the pool keeps accepting and running work of every
//   behaviour, as before the stop. It stops accepting in its own "drain"
//   cleanup, "cancel-pending": after the drain cleanups of the components
//   that depend on it (dependents first), which may still hand it work;
//   from there on it refuses as above. A kContinueOnShutdown task that
//   started during the lame duck is a running one: never waited for.
//   (tests/blocks/thread_pool_lame_duck_test.cc)
// - `drain`: pending tasks that are not kBlockShutdown are cancelled at once:
//   their handles complete with Cancelled and their callbacks run, so their
//   waiters wake without waiting for the running tasks.
// - `threads`: workers are registered non-daemon threads. Each ends when no
//   kBlockShutdown task is pending or running and no kSkipOnShutdown task is
//   running; the phase joins them all. Once the pool has stopped accepting,
//   a worker with nothing to run ends at once while another worker still
//   runs such a task (that one comes back for whatever its task posts), so
//   a stuck task holds back its own worker only: the report names that
//   worker and its task, not the idle ones. Follow-ups posted by running
//   kBlockShutdown work then run when a busy worker comes back: a task must
//   not wait for a follow-up it posted during shutdown.
//
// Workers. Create() starts `num_threads` workers, "<name>/0" and on, and one
// reserve worker, "<name>/reserve"; all are registered before it returns.
// The reserve runs nothing until shutdown has started, and then only while
// every other worker runs a kContinueOnShutdown task (each a daemon
// meanwhile, so the `threads` phase would not wait for it). It never runs a
// kContinueOnShutdown task itself (after the stop none starts), and it ends
// only once nothing blocks shutdown. So at every moment of a shutdown a
// non-daemon worker is there for the blocking work, and `threads` waits for
// it: no thread is started during the shutdown for that, and none has to
// register late. Before the stop, at most `num_threads` tasks run at once;
// during it, at most `num_threads` + 1.
//
// The accounting is one atomic word (blocks/internal/task_tracker.h, as
// Chromium's TaskTracker): the "shutdown started" bit and the count of tasks
// that block shutdown. A kBlockShutdown submission is counted in one step
// with the read of the bit; a kSkipOnShutdown task likewise when it starts.
// So a submission racing the stop is either counted (and run, and waited
// for) or refused; never accepted and then forgotten. Tasks that do not
// block shutdown are checked against the bit under the queue's lock, which
// the cancelling drain also takes: each is run, cancelled or refused.
//
// Contract
// - Post() returns OK if the task was accepted, or the refusal. `on_done`
//   of an accepted task runs exactly once: after the task, on its worker,
//   with OK or Unknown (it threw); or with Cancelled, on the thread that
//   cancels it. It is not called for a refused task.
// - Submit() always returns a handle (task_handle.h) that completes.
// - The destructor shuts the pool down as the sequence would: refuses new
//   work, cancels what is pending, waits for kBlockShutdown work and running
//   kSkipOnShutdown work, joins every worker (so it also waits for running
//   kContinueOnShutdown tasks). Do not destroy a pool from one of its own
//   tasks.
//
// - `site` (the last parameter of Post() and Submit()) is captured where
//   they are called, by a default argument: never pass it.
//
// Thread-safety: Post(), Submit() and stats() are thread-safe.
// Lifetime: the runtime's cleanup and counters share the pool's internal
// state; the pool may be destroyed before or after its runtime shuts down.
// Cost: one lock per submission and per task start (a task's name, if
// any, adds one allocation; its site, nothing; a StopToken, one reference
// count; a queue that grows needs a block of 128 tasks every 128
// submissions, which one submitter makes outside the lock, then takes the
// lock once more to hand it over); a kBlockShutdown submission adds one
// fetch_add, a kSkipOnShutdown start one;
// workers subtract finished blocking tasks in batches (the count may read
// high for a moment, never low). A worker that finds many tasks queued
// behind the one it takes (2 per worker, plus 2, or more) takes a share of
// them at once (the queue's length over the number of workers plus one,
// at most 16) and runs them in order without the pool's lock: a pool
// outrun by its submitters takes the lock once per batch. They stay the
// pool's: a worker about to wait or end puts them back in the queue first,
// a worker coming back to the queue takes over those held by a worker that
// has been in one task for 5 ms or more, and the `drain` cancellation
// reaches them too. So a long task holds back the tasks its worker took
// ahead for about 5 ms at most while another worker is free. Order: tasks
// start in submission order, except that other workers may start later
// tasks while one runs those it took ahead. A kContinueOnShutdown task
// pays two registrations (its worker turns daemon while it runs). The reserve is one
// more thread per pool, parked until a shutdown needs it. See
// benchmarks/README-blocks.md.

// Destruction and fork() (DESIGN.md, Handles and the ways a process ends)
// - ~ThreadPool() stops accepting, cancels what has not started, and joins
//   every worker within the runtime's join budget (else its deadline, else
//   25 s); past it, one line on stderr names the worker, which is detached
//   (the pool's state is then kept alive for good). After the sequence, a
//   worker that the sequence demoted is not waited for while it is still
//   inside that task; once the task has returned (its TaskHandle is done),
//   it is, as is one running a continue-on-shutdown task, within that
//   budget. So a Runtime may be destroyed after the pool once the stuck
//   task has returned.
// - In the child of fork(), a pool made in the parent refuses Post() and
//   Submit() at once with FailedPrecondition ("inherited across fork()"),
//   stats() is zero, and the destructor leaks the pool on purpose: its
//   workers exist only in the parent.

#ifndef ORDERLY_BLOCKS_THREAD_POOL_H_
#define ORDERLY_BLOCKS_THREAD_POOL_H_

#include "runtime/version.h"  // First: checks for C++17.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "runtime/runtime.h"
#include "runtime/stop_token.h"
#include "blocks/internal/pool_task.h"
#include "blocks/shutdown_behavior.h"
#include "blocks/task_handle.h"

namespace orderly {
namespace blocks_internal {
class PoolCore;
}  // namespace blocks_internal

struct ThreadPoolOptions {
  // The runtime whose sequence shuts the pool down; null: Default().
  Runtime* runtime = nullptr;
  // Number of worker threads (1 to 1024), besides the reserve (see above).
  int num_threads = 4;
};

// How a task is posted: its shutdown behaviour, and what a report calls it.
struct TaskOptions {
  ShutdownBehavior behavior = ShutdownBehavior::kSkipOnShutdown;
  // Shown where the report names the task (a worker past its join budget,
  // the deadline's last words). Empty: the posting site, "file.cc:42". A
  // name costs one allocation per task; an unnamed task none.
  std::string name;
};

class ThreadPool {
  template <typename F>
  using IfTakesStopToken =
      std::enable_if_t<std::is_invocable_v<std::decay_t<F>&, StopToken>, int>;

 public:
  struct Stats {
    int64_t accepted = 0;   // Post()/Submit() returned OK.
    int64_t completed = 0;  // Ran (returned or threw).
    int64_t cancelled = 0;  // Accepted, then dropped at shutdown.
    int64_t refused = 0;    // Refused at submission.
  };

  // Declares the component, its cleanup and counters, and starts the
  // workers (each registered before this returns). Errors: InvalidArgument
  // (empty name, bad thread count), AlreadyExists (a component of that
  // name), FailedPrecondition (the runtime's sequence is past `threads`).
  static absl::StatusOr<std::unique_ptr<ThreadPool>> Create(
      absl::string_view name, ThreadPoolOptions options = {});

  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Queues `task`. Returns OK if it was accepted, or the refusal (see
  // Contract). `site` is captured where Post() is called: leave it.
  absl::Status Post(ShutdownBehavior behavior, absl::AnyInvocable<void()> task,
                    absl::AnyInvocable<void(absl::Status)> on_done = nullptr,
                    TaskSite site = TaskSite::Here()) {
    return PostTask(blocks_internal::Task(behavior, site, std::move(task),
                                          std::move(on_done)));
  }
  absl::Status Post(TaskOptions options, absl::AnyInvocable<void()> task,
                    absl::AnyInvocable<void(absl::Status)> on_done = nullptr,
                    TaskSite site = TaskSite::Here()) {
    return PostTask(Named(std::move(options.name),
                          blocks_internal::Task(options.behavior, site,
                                                std::move(task),
                                                std::move(on_done))));
  }
  // A task that takes a StopToken (see "Stop tokens and names" above).
  template <typename F, IfTakesStopToken<F> = 0>
  absl::Status Post(ShutdownBehavior behavior, F&& task,
                    absl::AnyInvocable<void(absl::Status)> on_done = nullptr,
                    TaskSite site = TaskSite::Here()) {
    return PostTask(blocks_internal::Task(behavior, site,
                                          TokenFn(std::forward<F>(task)),
                                          std::move(on_done)));
  }
  template <typename F, IfTakesStopToken<F> = 0>
  absl::Status Post(TaskOptions options, F&& task,
                    absl::AnyInvocable<void(absl::Status)> on_done = nullptr,
                    TaskSite site = TaskSite::Here()) {
    return PostTask(Named(
        std::move(options.name),
        blocks_internal::Task(options.behavior, site,
                              TokenFn(std::forward<F>(task)),
                              std::move(on_done))));
  }

  // As Post(), with a handle that completes (task_handle.h).
  TaskHandle Submit(ShutdownBehavior behavior, absl::AnyInvocable<void()> task,
                    TaskSite site = TaskSite::Here()) {
    return SubmitTask(
        blocks_internal::Task(behavior, site, std::move(task), nullptr));
  }
  TaskHandle Submit(TaskOptions options, absl::AnyInvocable<void()> task,
                    TaskSite site = TaskSite::Here()) {
    return SubmitTask(Named(std::move(options.name),
                            blocks_internal::Task(options.behavior, site,
                                                  std::move(task), nullptr)));
  }
  template <typename F, IfTakesStopToken<F> = 0>
  TaskHandle Submit(ShutdownBehavior behavior, F&& task,
                    TaskSite site = TaskSite::Here()) {
    return SubmitTask(blocks_internal::Task(
        behavior, site, TokenFn(std::forward<F>(task)), nullptr));
  }
  template <typename F, IfTakesStopToken<F> = 0>
  TaskHandle Submit(TaskOptions options, F&& task,
                    TaskSite site = TaskSite::Here()) {
    return SubmitTask(Named(
        std::move(options.name),
        blocks_internal::Task(options.behavior, site,
                              TokenFn(std::forward<F>(task)), nullptr)));
  }

  // Zero in a fork() child (see above).
  Stats stats() const;

 private:
  bool inherited() const;
  explicit ThreadPool(std::shared_ptr<blocks_internal::PoolCore> core);
  using TokenFn = absl::AnyInvocable<void(StopToken)>;
  static blocks_internal::Task Named(std::string&& name,
                                     blocks_internal::Task&& task) {
    task.set_name(std::move(name));
    return std::move(task);
  }
  absl::Status PostTask(blocks_internal::Task&& task);
  TaskHandle SubmitTask(blocks_internal::Task&& task);

  std::shared_ptr<blocks_internal::PoolCore> core_;
  // Stops accepting on the runtime's stop request; destroyed first.
  std::unique_ptr<StopCallback<absl::AnyInvocable<void()>>> on_stop_;
  // runtime_internal::ForkEpoch() at Create() (fork_epoch.h).
  const uint32_t epoch_;
};

}  // namespace orderly

#endif  // ORDERLY_BLOCKS_THREAD_POOL_H_
