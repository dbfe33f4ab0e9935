// Copyright 2026 The orderly Authors.
//
// pool_core.h (internal): the workers and the queue behind a ThreadPool
// (blocks/thread_pool.h), shared by the pool, its `drain` cleanup and its
// report counters. Whether a task may be queued or started, and when nothing
// blocks shutdown, is decided by the TaskTracker (task_tracker.h); this class
// owns the threads, the queue, the lock and the wake-ups.
//
// Workers. `n` regular workers take tasks from one FIFO queue. A regular
// worker that takes a continue-on-shutdown task is a daemon while it runs it
// (never waited for), and is counted in `in_continue_` until it comes back.
// The reserve worker takes tasks only after the shutdown bit and while every
// regular worker is in a continue task; after the bit, a continue task it
// takes is dropped, never run.
//
// Invariants (each names its regression test in tests/blocks/)
// W1. A worker ends only once the tracker says shutdown is complete (and,
//     for a regular worker, its queue is empty). The tracker keeps
//     "complete" once it is true, so no work can arrive after that which a
//     worker must run. (ThreadPoolTest.DestroyingThePoolRunsBlockingWorkAndCancelsTheRest)
// W2. A non-daemon worker is there for blocking work at every moment of a
//     shutdown: a regular worker outside a continue-on-shutdown task, or the
//     reserve, which is woken whenever shutdown has started, blocking work
//     may be queued, and every regular worker runs a continue task or has
//     ended (each place that makes this true signals it, under mu_). A
//     regular worker that ended early (W5) because the reserve ran counted
//     work leaves what that work posts to the reserve. The reserve is
//     registered in Create() and ends only by W1, so `threads` waits for it.
//     (ThreadPoolTest.BlockingWorkRunsEvenWhenEveryWorkerIsInAContinueTask,
//     ThreadPoolTest.LoadBlockingWorkRacingTheStopWhileWorkersEnterContinueTasks)
// W3. A worker subtracts the blocking tasks it finished (its Batch) before
//     it waits, ends, or runs a continue-on-shutdown task, so nobody waits
//     for that task. (ThreadPoolTest.LongContinueTaskDoesNotHoldBackTheOtherWorkers)
// W4. Every accepted task is run, cancelled (by a worker that may not start
//     it, or by CancelPending()), exactly once; a refused one is neither.
//     (ThreadPoolTest.ChainedSubmissionsFromCompletionsDuringShutdown)
// W5. After the shutdown bit, a worker with nothing it may take ends at
//     once if another worker runs counted work (`busy_` > 0): that one is
//     non-daemon and comes back to the queue (for what its task posts, too),
//     so W2 holds without the idle one; and the idle one is not left waiting
//     behind a stuck task, to be reported as a straggler in its place.
//     (ThreadPoolTaskTest.IdleWorkersEndAndTheStuckTaskIsNamed)
// W6. A regular worker that takes a task while the queue is long takes up
//     to kAhead more behind it (never a continue-on-shutdown task) and runs
//     them next without mu_: a worker outrun by its posters takes mu_ once
//     per batch, not once per task. They are still the pool's. A worker
//     about to wait or to end first puts every task the others hold ahead
//     back into the queue, oldest batch first; a worker coming back to the
//     queue first takes over the tasks held ahead by a worker whose current
//     task started kStaleAheadNs ago or more (so a long task holds them
//     back that long at most, even while the queue never empties); and
//     CancelPending() cancels those that do not block shutdown. Only one
//     worker's ahead_mu is held at a time. Lock order: mu_, then ahead_mu.
//     (ThreadPoolTest.TasksTakenAheadByAStuckWorkerRunElsewhere,
//     ThreadPoolTest.TasksTakenAheadRunUnderSteadyLoad)
// T1. Each worker has one StopSource for its whole life; a task that takes
//     a StopToken gets its token. The worker's terminate callback (the
//     `threads` phase's terminate step) and the pool's destructor request
//     it, so the task in flight then, and every later task of that worker,
//     sees the stop. A source is never reset: a requested stop is final.
//     (ThreadPoolTaskTest.StuckTaskIsAskedToStopAtTheTerminateStep)

#ifndef ORDERLY_BLOCKS_INTERNAL_POOL_CORE_H_
#define ORDERLY_BLOCKS_INTERNAL_POOL_CORE_H_

#include <time.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "blocks/internal/block_queue.h"
#include "blocks/internal/pool_task.h"
#include "blocks/internal/task_tracker.h"
#include "blocks/shutdown_behavior.h"
#include "blocks/thread_pool.h"
#include "runtime/internal/thread_activity.h"
#include "runtime/runtime.h"
#include "runtime/stop_token.h"

namespace orderly {
namespace blocks_internal {

// Per task: a coarse clock (a few ns, millisecond resolution) is enough to
// say how long a stuck task has run.
inline int64_t CoarseNowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

// Thread-safety: Post(), StartShutdown(), CancelPending() and stats() may be
// called from any thread, at any time (the runtime's stop callback, `drain`
// cleanup and counters call them too). StartWorkers() is called once, before
// anything else; ShutdownAndJoin() once, last (the pool's destructor, or
// Create() when it fails).
// Lifetime: shared by the ThreadPool, its `drain` cleanup and its counters;
// ShutdownAndJoin() joins every worker, so the core outlives them.
class PoolCore {
 public:
  static constexpr int kMaxThreads = 1024;
  // W6: at most this many tasks taken ahead by one worker.
  static constexpr size_t kAhead = 16;
  // W6: a worker in one task this long (or preempted that long) has its
  // tasks taken ahead taken over. Coarse-clock time: 1-4 ms resolution.
  static constexpr int64_t kStaleAheadNs = 5 * 1000 * 1000;

  PoolCore(std::string name, Runtime* runtime)
      : name_(std::move(name)),
        runtime_(runtime),
        refuses_at_stop_(runtime->options().lame_duck <= absl::ZeroDuration()),
        tracker_([this] { WakeAll(); }) {}  // Never called under mu_.

  // Whether the stop request itself sets the shutdown bit (no lame duck).
  // With RuntimeOptions::lame_duck > 0 the pool keeps accepting until its
  // `drain` cleanup (or a worker's terminate callback, or the destructor)
  // calls StartShutdown(): the service still serves during the lame duck.
  // (ThreadPoolLameDuckTest.AcceptsAndRunsEveryBehaviourDuringTheLameDuck)
  bool refuses_at_stop() const { return refuses_at_stop_; }

  // Starts `n` regular workers and the reserve; waits until each has
  // registered (or failed to).
  absl::Status StartWorkers(int n);
  absl::Status Post(Task&& task);
  // Sets the shutdown bit (from now on only follow-ups of blocking work are
  // accepted) and wakes the workers. Non-blocking; idempotent.
  void StartShutdown();
  // Cancels every pending task that does not block shutdown, outside the
  // lock. Requires StartShutdown() first.
  void CancelPending();
  // StartShutdown(), CancelPending(), then joins every worker (they end
  // once nothing blocks shutdown), each within the destructor's budget
  // (destructor_budget.h). False if it detached one, which still uses the
  // core: the caller then keeps the core alive for good.
  bool ShutdownAndJoin();
  ThreadPool::Stats stats() const;
  const std::string& name() const { return name_; }

 private:
  struct alignas(64) Worker final : runtime_internal::ThreadActivity {
    // `task "fetch" (SKIP_ON_SHUTDOWN) for 1.2s`, or "" when idle. Takes
    // ahead_mu (the registry calls it with its own lock held; the pool
    // never calls the registry under a lock).
    std::string Describe() const override;

    PoolCore* core = nullptr;  // Set before the thread starts.
    std::string name;      // Set before the thread starts.
    bool reserve = false;  // Set before the thread starts.
    // T1. Created with the worker, never replaced.
    StopSource stop;
    // Guards `ahead`, `current` and `current_since_ns`. A leaf lock.
    mutable absl::Mutex ahead_mu;
    // W6. Taken from the queue after the task it runs; FIFO. Added to only
    // under core->mu_ (and ahead_mu).
    BlockQueue<Task, 16> ahead ABSL_GUARDED_BY(ahead_mu);
    // ahead.size(), read under core->mu_ without ahead_mu: it grows only
    // under core->mu_, so a reader holding that never sees it too small.
    std::atomic<size_t> ahead_size{0};
    // Which batch `ahead` holds (core->next_ahead_epoch_ when taken): the
    // lower, the older its tasks. Touched under core->mu_ only.
    uint64_t ahead_epoch = 0;
    // The task it runs now (on the worker's stack); null when idle.
    const Task* current ABSL_GUARDED_BY(ahead_mu) = nullptr;
    // Since when (CLOCK_MONOTONIC_COARSE, ns): stored under ahead_mu, read
    // without it to tell a stuck worker (W6).
    std::atomic<int64_t> current_since_ns{0};
    // Touched by StartWorkers() and ShutdownAndJoin() only.
    std::thread thread;
    // Notified by the thread as its last step: after it, join() returns at
    // once (a bounded join for the pool's destructor).
    absl::Notification finished;
    // Set by the worker before its registration ends: from then on it only
    // leaves, so it is waited for even after the sequence (ShutdownAndJoin).
    std::atomic<bool> ending{false};
    // Runs a continue-on-shutdown task (a daemon meanwhile, never demoted),
    // or came back from one after `threads` had joined (unregistered, on its
    // way out): also waited for after the sequence, within the budget.
    std::atomic<bool> continuing{false};
    // Inside a task's function now (written by the worker only): a demoted
    // worker out of its task is on its way out, and is waited for.
    std::atomic<bool> in_task{false};
    // Only the worker's own thread touches this: whether it runs counted
    // kBlockShutdown work now (may post follow-ups after the stop).
    bool running_block = false;
    std::atomic<int64_t> completed{0};  // Written by the worker only.
  };

  void WorkerMain(int index);
  // Joins `w` within `deadline` (false: detached it, with one line on
  // stderr). After the sequence (`sequence_over`), a worker still inside
  // the task it was demoted in (neither ending nor in a continue-on-shutdown
  // task) is never waited for.
  bool JoinWorker(Worker& w, absl::Time deadline, bool sequence_over);
  // With mu_ held: waits until `w` may take a task (true) or may end
  // (false). Unlocks meanwhile to flush `batch` (W3).
  bool AwaitTaskLocked(Worker& w, TaskTracker::Batch& batch)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool MayTakeLocked(const Worker& w) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Pops the front task for `w`; counts `w` into a continue-on-shutdown one.
  // Then takes tasks ahead for `w` (W6).
  Task TakeLocked(Worker& w) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // W6 (pool_core_ahead.cc, as the three below): takes tasks ahead for
  // `w` while the queue is long.
  void TakeAheadLocked(Worker& w) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // W6: moves the next task `w` took ahead into `task` and makes it
  // current; false (and nothing current) when there is none.
  bool TakeAhead(Worker& w, Task& task);
  // W6, for `thief`, whose own ahead is empty. `all`: the queue is empty;
  // every task held ahead goes back into it, oldest batch first. Else:
  // the tasks held by the one stale worker with the oldest batch become
  // `thief`'s own, run next. True if any moved.
  bool ReclaimAheadLocked(Worker& thief, bool all)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // W6: moves the tasks stale worker `v` holds ahead to `thief`'s (empty)
  // ahead, to run next. True if any moved.
  bool TakeOverLocked(Worker& thief, Worker& v)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // W6: stores v.ahead.size() in v.ahead_size and counts `v` in holders_.
  void SetAheadSize(Worker& v) ABSL_EXCLUSIVE_LOCKS_REQUIRED(v.ahead_mu);
  // W6: moves the tasks taken ahead that do not block shutdown to
  // `dropped`, for CancelPending().
  void CancelAheadLocked(std::vector<Task>& dropped)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Run(Worker& w, Task& task, TaskTracker::Batch& batch,
           ThreadRegistration& joined);
  void RunContinueTask(Worker& w, Task& task, TaskTracker::Batch& batch,
                       ThreadRegistration& joined);
  void Execute(Worker& w, Task& task);
  void Cancel(Task& task);
  // Wakes every worker: the bit was set, or shutdown completed (the
  // tracker's on_complete; every tracker call that can complete the
  // shutdown is made without mu_).
  void WakeAll();
  // W5: counts `w`'s next task in busy_, and wakes the waiting workers
  // when that lets them end.
  void CountBusyLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // W6: `w` (a regular worker) holds tasks taken over from a stuck one.
  bool HoldsAheadLocked(const Worker& w) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return !w.reserve && w.ahead_size.load(std::memory_order_relaxed) > 0;
  }
  // W2: every regular worker runs a continue task or has ended.
  bool NoRegularWorkerCanTakeLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return in_continue_ + ended_regulars_ == regular_workers_;
  }
  // Signals the reserve if it has work now (W2).
  void MaybeWakeReserveLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Makes the growing queue's next block outside mu_ and hands it over
  // (BlockQueue::Spare). Called by the one poster that set spare_coming_.
  void MakeSpareForQueue() ABSL_LOCKS_EXCLUDED(mu_);
  bool CallerRunsBlockingWork();
  absl::Status Refuse(ShutdownBehavior behavior);
  absl::StatusOr<ThreadRegistration> Register(Worker& w, bool daemon);
  // Requests every worker's stop (T1).
  void StopAllTasks();
  // W5.
  bool MayEndEarlyLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string name_;
  Runtime* const runtime_;
  const bool refuses_at_stop_;
  TaskTracker tracker_;
  std::atomic<int64_t> cancelled_{0};
  std::atomic<int64_t> refused_{0};
  // Built by StartWorkers() before any worker starts; never resized after.
  // The last one is the reserve.
  std::vector<std::unique_ptr<Worker>> workers_;
  int regular_workers_ = 0;  // Set by StartWorkers() before any starts.

  mutable absl::Mutex mu_;
  absl::CondVar work_cv_;     // Regular workers wait here.
  absl::CondVar reserve_cv_;  // The reserve waits here.
  // Recycles its blocks: no allocation under mu_ in a steady state. While
  // it grows, Post() makes its next block outside mu_ (BlockQueue::Spare).
  BlockQueue<Task> queue_ ABSL_GUARDED_BY(mu_);
  // A poster makes the queue's next block outside mu_ (Post()).
  bool spare_coming_ ABSL_GUARDED_BY(mu_) = false;
  int64_t accepted_ ABSL_GUARDED_BY(mu_) = 0;
  int idle_ ABSL_GUARDED_BY(mu_) = 0;      // Regular workers waiting.
  int signaled_ ABSL_GUARDED_BY(mu_) = 0;  // Signals not yet consumed.
  // Regular workers that took a continue-on-shutdown task and have not come
  // back for the next one (daemons meanwhile, if it runs).
  int in_continue_ ABSL_GUARDED_BY(mu_) = 0;
  // Regular workers that have ended (W2: the reserve stands in for them
  // too; one that ended early behind the reserve's task, W5, leaves what
  // that task posts to the reserve).
  int ended_regulars_ ABSL_GUARDED_BY(mu_) = 0;
  // Workers that took a task and have not come back for the next, except
  // regular workers in a continue-on-shutdown task (W5).
  int busy_ ABSL_GUARDED_BY(mu_) = 0;
  // W6: batches taken ahead so far (Worker::ahead_epoch).
  uint64_t next_ahead_epoch_ ABSL_GUARDED_BY(mu_) = 0;
  // W6: workers whose ahead is not empty. Grows under mu_ only, so a
  // reader holding mu_ that sees 0 knows nothing is held ahead.
  std::atomic<int> holders_{0};
  std::vector<std::thread::id> ids_ ABSL_GUARDED_BY(mu_);
  int started_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status start_error_ ABSL_GUARDED_BY(mu_);
};

}  // namespace blocks_internal
}  // namespace orderly

#endif  // ORDERLY_BLOCKS_INTERNAL_POOL_CORE_H_
