// Copyright 2026 The orderly Authors.

#include "blocks/internal/pool_core.h"

#include <unistd.h>

#include <cassert>
#include <new>
#include <optional>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "runtime/internal/check.h"
#include "runtime/internal/exception_text.h"
#include "runtime/internal/text_out.h"

namespace orderly {
namespace blocks_internal {

absl::Status PoolCore::StartWorkers(int n) {
  regular_workers_ = n;
  for (int i = 0; i <= n; ++i) {
    workers_.push_back(std::make_unique<Worker>());
    workers_.back()->core = this;
    workers_.back()->name = absl::StrCat(name_, "/", i);
    absl::MutexLock lock(&workers_.back()->ahead_mu);
    workers_.back()->ahead.ReserveBlock();  // W6: a takeover never throws.
  }
  workers_.back()->name = absl::StrCat(name_, "/reserve");
  workers_.back()->reserve = true;
  {
    absl::MutexLock lock(&mu_);
    ids_.resize(workers_.size());
  }
  int launched = 0;
  for (; launched <= n; ++launched) {
    try {
      workers_[launched]->thread = std::thread([this, launched] {
        WorkerMain(launched);
        workers_[launched]->finished.Notify();  // Its last touch of `this`.
      });
    } catch (const std::system_error& e) {
      absl::MutexLock lock(&mu_);
      start_error_ = absl::ResourceExhaustedError(absl::StrCat(
          "ThreadPool \"", name_, "\": could not start worker ",
          workers_[launched]->name, ": ", e.what()));
      break;
    }
  }
  struct AllStarted {
    int* started;
    int launched;
    static bool Check(AllStarted* a) { return *a->started == a->launched; }
  };
  absl::MutexLock lock(&mu_);
  AllStarted all{&started_, launched};
  mu_.Await(absl::Condition(&AllStarted::Check, &all));
  return start_error_;
}

absl::StatusOr<ThreadRegistration> PoolCore::Register(Worker& w,
                                                      bool daemon) {
  ThreadOptions options;
  options.daemon = daemon;
  // The registration ends on the worker, before the worker ends, and the
  // core outlives its workers: `this` and `w` stay valid while this can
  // run. The terminate step asks the task in flight to stop (T1); its
  // StopCallbacks run here, within the callback's budget.
  options.on_terminate = [this, &w] {
    StartShutdown();
    StopSource(w.stop).RequestStop();  // A copy: `w.stop` is only read.
  };
  return runtime_internal::ThreadActivityAccess::RegisterThread(
      *runtime_, w.name, std::move(options), &w);
}

void PoolCore::StopAllTasks() {
  for (const std::unique_ptr<Worker>& w : workers_) {
    StopSource(w->stop).RequestStop();
  }
}

std::string PoolCore::Worker::Describe() const {
  absl::MutexLock lock(&ahead_mu);
  if (current == nullptr) return "";
  const Task& t = *current;
  const std::string what =
      t.name() != nullptr
          ? absl::StrCat("task \"", *t.name(), "\"")
          : absl::StrCat("the task posted at ", t.site.file(), ":",
                         t.site.line());
  return absl::StrCat(
      what, " (", ShutdownBehaviorName(t.behavior), ") for ",
      runtime_internal::HumanDuration(
          absl::Nanoseconds(CoarseNowNs() -
                        current_since_ns.load(std::memory_order_relaxed))));
}

void PoolCore::WorkerMain(int index) {
  Worker& w = *workers_[index];
  // Non-daemon: the runtime's `threads` phase joins this worker.
  absl::StatusOr<ThreadRegistration> reg = Register(w, /*daemon=*/false);
  {
    absl::MutexLock lock(&mu_);
    ids_[index] = std::this_thread::get_id();
    if (!reg.ok() && start_error_.ok()) {
      start_error_ = absl::Status(
          reg.status().code(),
          absl::StrCat("ThreadPool \"", name_, "\": ", reg.status().message()));
    }
    ++started_;
  }
  if (!reg.ok()) return;
  ThreadRegistration joined = std::move(*reg);
  TaskTracker::Batch batch(tracker_);
  mu_.Lock();
  while (AwaitTaskLocked(w, batch)) {
    Task task = TakeLocked(w);
    const bool continues =
        task.behavior == ShutdownBehavior::kContinueOnShutdown && !w.reserve;
    {
      absl::MutexLock lock(&w.ahead_mu);
      w.current = &task;
      w.current_since_ns.store(CoarseNowNs(), std::memory_order_relaxed);
    }
    mu_.Unlock();
    do {
      Run(w, task, batch, joined);
    } while (TakeAhead(w, task));  // W6. Clears `current` when none is left.
    mu_.Lock();
    if (continues) {
      --in_continue_;  // Back from it (or it was dropped).
    } else {
      --busy_;
    }
  }
  if (!w.reserve) {
    // W2: one fewer regular worker to come back. If it ended early (W5)
    // behind the reserve's task, what that task posts is the reserve's.
    ++ended_regulars_;
    MaybeWakeReserveLocked();
  }
  mu_.Unlock();
  w.ending.store(true, std::memory_order_release);  // `joined` ends next.
}

bool PoolCore::MayTakeLocked(const Worker& w) const {
  if (HoldsAheadLocked(w)) return true;  // W6: taken over; run next.
  if (queue_.empty()) return false;
  if (!w.reserve) return true;
  // The reserve: only while no regular worker can (W2). After the bit, the
  // continue-on-shutdown tasks it may take are only ever dropped.
  return NoRegularWorkerCanTakeLocked() && tracker_.HasShutdownStarted();
}

bool PoolCore::AwaitTaskLocked(Worker& w, TaskTracker::Batch& batch) {
  // W6: what a stuck worker holds ahead runs before the queue's tasks. (The
  // reserve has nothing to take back: it takes tasks only while every
  // regular worker runs a continue task, taken with none ahead.)
  if (!w.reserve) ReclaimAheadLocked(w, /*all=*/false);
  while (!MayTakeLocked(w)) {
    // W6: before it waits or ends, nothing is left behind another's task.
    if (!w.reserve && ReclaimAheadLocked(w, /*all=*/true)) continue;
    if (!batch.empty()) {
      mu_.Unlock();  // WakeAll() takes mu_.
      batch.Flush();  // Calls WakeAll() if that completed the shutdown.
      mu_.Lock();
      continue;  // The queue may have changed meanwhile.
    }
    if (tracker_.IsShutdownComplete()) return false;  // W1.
    if (MayEndEarlyLocked()) return false;             // W5.
    if (w.reserve) {
      reserve_cv_.Wait(&mu_);
      continue;
    }
    ++idle_;
    work_cv_.Wait(&mu_);
    --idle_;
    if (signaled_ > 0) --signaled_;
  }
  return true;
}

bool PoolCore::MayEndEarlyLocked() const {
  return busy_ > 0 && tracker_.HasShutdownStarted();
}

void PoolCore::CountBusyLocked() {
  if (++busy_ == 1 && tracker_.HasShutdownStarted()) {
    // W5: the workers waiting now may end; wake them to look.
    work_cv_.SignalAll();
    reserve_cv_.SignalAll();
  }
}

Task PoolCore::TakeLocked(Worker& w) {
  if (HoldsAheadLocked(w)) {
    // W6: taken over from a stuck worker (never continue-on-shutdown ones).
    CountBusyLocked();
    absl::MutexLock lock(&w.ahead_mu);
    Task task = w.ahead.take_front();
    SetAheadSize(w);
    return task;
  }
  Task task = queue_.take_front();
  if (task.behavior == ShutdownBehavior::kContinueOnShutdown && !w.reserve) {
    ++in_continue_;
    MaybeWakeReserveLocked();
    return task;
  }
  CountBusyLocked();
  if (!w.reserve) TakeAheadLocked(w);  // W6.
  return task;
}

void PoolCore::MaybeWakeReserveLocked() {
  if (NoRegularWorkerCanTakeLocked() && !queue_.empty() &&
      tracker_.HasShutdownStarted()) {
    reserve_cv_.Signal();
  }
}

void PoolCore::Run(Worker& w, Task& task, TaskTracker::Batch& batch,
                   ThreadRegistration& joined) {
  // kSkipOnShutdown: started and counted in one step, or dropped.
  if (!batch.WillRunTask(task.behavior)) {
    Cancel(task);
    return;
  }
  if (task.behavior == ShutdownBehavior::kContinueOnShutdown) {
    RunContinueTask(w, task, batch, joined);
    return;
  }
  Execute(w, task);
  batch.DidRunTask(task.behavior);
}

void PoolCore::RunContinueTask(Worker& w, Task& task,
                               TaskTracker::Batch& batch,
                               ThreadRegistration& joined) {
  // The reserve takes tasks only after the bit, when WillRunTask() drops
  // every continue-on-shutdown one.
  assert(!w.reserve);
  // Never waited for: while it runs, this worker is a daemon (still known to
  // the runtime, so a report names it if it outlives `threads`), not a
  // thread the `threads` phase joins. Nor may the blocking tasks it finished
  // before wait for it (W3).
  batch.Flush();
  absl::StatusOr<ThreadRegistration> daemon = Register(w, /*daemon=*/true);
  w.continuing.store(true, std::memory_order_release);
  joined.Reset();
  Execute(w, task);
  absl::StatusOr<ThreadRegistration> again = Register(w, /*daemon=*/false);
  // Refused once `threads` has joined: the worker stays unjoined (it is
  // shut down by then and ends as soon as its queue allows), and stays
  // `continuing`, so that the pool's destructor still waits for it: it was
  // never demoted (regression test: ThreadPoolTest.
  // LoadBlockingWorkRacingTheStopWhileWorkersEnterContinueTasks under TSan).
  if (again.ok()) {
    joined = std::move(*again);
    w.continuing.store(false, std::memory_order_release);
  }
}  // `daemon` ends here, after `joined` is back.

void PoolCore::Execute(Worker& w, Task& task) {
  w.running_block = task.behavior == ShutdownBehavior::kBlockShutdown;
  absl::Status status;
  w.in_task.store(true, std::memory_order_release);
  try {
    task.Invoke(w.stop);  // T1: the worker's token, if it takes one.
  } catch (...) {
    status = absl::UnknownError(absl::StrCat(
        "ThreadPool \"", name_, "\": the task ",
        runtime_internal::DescribeCurrentException()));
  }
  task.DropFn();  // Its captures go before the completion is published.
  // Out of the task before its completion is published: a pool destroyed
  // by whoever waited for it joins this worker (JoinWorker).
  w.in_task.store(false, std::memory_order_release);
  w.completed.fetch_add(1, std::memory_order_relaxed);
  if (absl::AnyInvocable<void(absl::Status)> on_done = task.TakeOnDone()) {
    try {
      on_done(std::move(status));
    } catch (...) {
      // The completion callback is the last word on this task: nobody is
      // left to tell. It is part of the task, which already counted.
    }
  }
  w.running_block = false;
}

void PoolCore::Cancel(Task& task) {
  cancelled_.fetch_add(1, std::memory_order_relaxed);
  task.DropFn();
  if (absl::AnyInvocable<void(absl::Status)> on_done = task.TakeOnDone()) {
    try {
      on_done(absl::CancelledError(absl::StrCat(
          "ThreadPool \"", name_, "\": shutdown in progress; the ",
          ShutdownBehaviorName(task.behavior),
          " task was dropped before it started")));
    } catch (...) {
    }
  }
}

void PoolCore::WakeAll() {
  absl::MutexLock lock(&mu_);
  work_cv_.SignalAll();
  reserve_cv_.SignalAll();
}

void PoolCore::StartShutdown() {
  // Under mu_ after the bit: a worker that looked before it waits already,
  // one that looks after sees it (W2).
  if (tracker_.StartShutdown()) WakeAll();
}

bool PoolCore::CallerRunsBlockingWork() {
  const std::thread::id me = std::this_thread::get_id();
  absl::MutexLock lock(&mu_);
  for (size_t i = 0; i < ids_.size(); ++i) {
    // `running_block` is only ever touched by its own worker: this one.
    if (ids_[i] == me) return workers_[i]->running_block;
  }
  return false;
}

absl::Status PoolCore::Refuse(ShutdownBehavior behavior) {
  refused_.fetch_add(1, std::memory_order_relaxed);
  return absl::FailedPreconditionError(absl::StrCat(
      "ThreadPool \"", name_, "\": shutdown in progress; ",
      ShutdownBehaviorName(behavior),
      " task refused (from the stop request on, or from `drain` under a "
      "lame duck, only BLOCK_SHUTDOWN work posted by running BLOCK_SHUTDOWN "
      "work is accepted)"));
}

absl::Status PoolCore::Post(Task&& task) {
  const ShutdownBehavior behavior = task.behavior;
  if (task.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("ThreadPool \"", name_, "\": the task is empty"));
  }
  // The runtime's flag turns before its stop callbacks run: see it at once.
  // Under a lame duck the stop request does not end accepting: `drain` does.
  if (refuses_at_stop_ && !tracker_.HasShutdownStarted() &&
      runtime_->stop_requested()) {
    StartShutdown();
  }
  const bool blocks = behavior == ShutdownBehavior::kBlockShutdown;
  if (blocks && !tracker_.WillPostTask(behavior) &&
      !(CallerRunsBlockingWork() && tracker_.WillPostFollowUpTask())) {
    return Refuse(behavior);
  }
  bool accepted = false;
  bool make_spare = false;
  {
    absl::MutexLock lock(&mu_);
    // Under the lock that CancelPending() and the workers' exit take: a task
    // that does not block shutdown is queued before them, or refused (W4).
    if (blocks || tracker_.WillPostTask(behavior)) {
      accepted = true;
      queue_.push_back(std::move(task));
      ++accepted_;
      if (idle_ > signaled_) {  // One signal per idle worker.
        ++signaled_;
        work_cv_.Signal();
      } else {
        MaybeWakeReserveLocked();  // W2.
      }
      make_spare = !spare_coming_ && queue_.WantsSpare();
      spare_coming_ = spare_coming_ || make_spare;
    }
  }
  if (!accepted) return Refuse(behavior);
  if (make_spare) MakeSpareForQueue();
  return absl::OkStatus();
}

void PoolCore::MakeSpareForQueue() {
  // The queue grows: its next block is made here, without mu_.
  BlockQueue<Task>::Spare spare;
  try {
    spare = BlockQueue<Task>::MakeSpare();
  } catch (const std::bad_alloc&) {
    // push_back() allocates it then (and reports the failure).
  }
  {
    absl::MutexLock lock(&mu_);
    spare = queue_.AdoptSpare(std::move(spare));
    spare_coming_ = false;
  }
}  // An unused spare is freed here, without mu_.

void PoolCore::CancelPending() {
  ORDERLY_DCHECK(tracker_.HasShutdownStarted(),
                 "PoolCore::CancelPending: requires StartShutdown() first");
  std::vector<Task> dropped;
  {
    absl::MutexLock lock(&mu_);
    std::vector<Task> kept;
    while (!queue_.empty()) {
      Task t = queue_.take_front();
      (t.behavior == ShutdownBehavior::kBlockShutdown ? kept : dropped)
          .push_back(std::move(t));
    }
    for (Task& t : kept) queue_.push_back(std::move(t));
    CancelAheadLocked(dropped);  // W6.
  }
  // Outside the lock: completion callbacks may call into the pool.
  for (Task& t : dropped) Cancel(t);
}

ThreadPool::Stats PoolCore::stats() const {
  ThreadPool::Stats s;
  {
    absl::MutexLock lock(&mu_);
    s.accepted = accepted_;
  }
  for (const auto& w : workers_) {
    s.completed += w->completed.load(std::memory_order_relaxed);
  }
  s.cancelled = cancelled_.load(std::memory_order_relaxed);
  s.refused = refused_.load(std::memory_order_relaxed);
  return s;
}

}  // namespace blocks_internal
}  // namespace orderly
