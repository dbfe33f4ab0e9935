// Copyright 2026 The orderly Authors.

#include "blocks/thread_pool.h"

#include <unistd.h>

#include <atomic>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "blocks/internal/destructor_budget.h"
#include "runtime/internal/exception_text.h"
#include "runtime/internal/fork_epoch.h"
#include "runtime/internal/text_out.h"

namespace orderly {

const char* ShutdownBehaviorName(ShutdownBehavior behavior) {
  switch (behavior) {
    case ShutdownBehavior::kContinueOnShutdown:
      return "CONTINUE_ON_SHUTDOWN";
    case ShutdownBehavior::kSkipOnShutdown:
      return "SKIP_ON_SHUTDOWN";
    case ShutdownBehavior::kBlockShutdown:
      return "BLOCK_SHUTDOWN";
  }
  return "?";
}

namespace blocks_internal {
namespace {

// The accounting word: bit 0 = shutdown started; the rest counts the tasks
// that block shutdown (kBlockShutdown from submission to completion,
// kSkipOnShutdown from start to completion), in units of kBlockingOne.
constexpr uint64_t kShutdownBit = 1;
constexpr uint64_t kBlockingOne = 2;

constexpr int kMaxThreads = 1024;
constexpr uint64_t kFlushEvery = 64;

}  // namespace

struct Task {
  absl::AnyInvocable<void()> fn;
  absl::AnyInvocable<void(absl::Status)> on_done;
  ShutdownBehavior behavior;
};

class PoolCore {
 public:
  PoolCore(std::string name, Runtime* runtime)
      : name_(std::move(name)), runtime_(runtime) {}

  // Starts `n` workers and waits until each has registered (or failed to).
  absl::Status StartWorkers(int n);
  absl::Status Post(ShutdownBehavior behavior, absl::AnyInvocable<void()> fn,
                    absl::AnyInvocable<void(absl::Status)> on_done);
  // Sets the shutdown bit: from now on only counted work is accepted.
  // Non-blocking; idempotent.
  void StartShutdown();
  // Cancels every pending task that does not block shutdown, outside the
  // lock. Requires StartShutdown() first.
  void CancelPending();
  // StartShutdown(), CancelPending(), then joins every worker (they end
  // once nothing blocks shutdown), each within the destructor's budget.
  // False if it detached one (which still uses the core: keep it alive).
  bool ShutdownAndJoin();
  ThreadPool::Stats stats() const;
  const std::string& name() const { return name_; }

 private:
  struct alignas(64) Worker {
    std::string name;  // Set before the thread starts.
    // Regular workers: touched by StartWorkers() and ShutdownAndJoin(). The
    // helper's: under the core's mu_.
    std::thread thread;
    // Notified by the thread as its last step: after it, join() returns at
    // once (a bounded join for the pool's destructor).
    absl::Notification finished;
    // Set by the worker before its registration ends: from then on it only
    // leaves, so it is waited for even after the sequence (ShutdownAndJoin).
    std::atomic<bool> ending{false};
    // Runs a continue-on-shutdown task (a daemon meanwhile, never demoted):
    // also waited for after the sequence, within the budget.
    std::atomic<bool> continuing{false};
    // Only the worker's own thread touches this: whether it runs counted
    // kBlockShutdown work now (may post more of it after the stop).
    bool running_block = false;
    std::atomic<int64_t> completed{0};  // Written by the worker only.
    // Blocking tasks this worker finished but has not yet subtracted from
    // the accounting word (worker's own thread only). Subtracted in one go
    // every kFlushEvery tasks and before the worker waits or ends, so the
    // count never reads lower than the truth: shutdown may wait a little
    // longer, never less.
    uint64_t unflushed = 0;
  };

  void WorkerMain(int index);
  void Run(Worker& w, Task& task, ThreadRegistration& joined);
  void Execute(Worker& w, Task& task);
  void Cancel(Task& task);
  void DecrementBlocking(uint64_t n = 1);
  void FinishBlocking(Worker& w);
  bool CallerRunsBlockingWork();
  absl::Status Refuse(ShutdownBehavior behavior);
  absl::StatusOr<ThreadRegistration> Register(const Worker& w, bool daemon);
  // True once nothing can arrive that a worker must run.
  bool Finished() const {
    const uint64_t s = state_.load(std::memory_order_acquire);
    return (s & kShutdownBit) != 0 && s < kBlockingOne;
  }

  // Starts the helper worker (workers_.back()) if blocking work waits and
  // every regular worker runs a continue-on-shutdown task. Called by the
  // drain cleanup (CancelPending()) and by Post() for blocking work queued
  // after the shutdown bit.
  void StartHelperIfAllWorkersContinue();

  const std::string name_;
  Runtime* const runtime_;
  std::atomic<uint64_t> state_{0};
  // Regular workers running a continue-on-shutdown task (daemons meanwhile).
  std::atomic<int> in_continue_{0};
  int regular_workers_ = 0;  // Set by StartWorkers(); workers_ has one more.
  std::atomic<int64_t> cancelled_{0};
  std::atomic<int64_t> refused_{0};
  // Built by StartWorkers() before any worker starts; never resized after.
  // The last one is the helper, started only at shutdown (see
  // StartHelperIfAllWorkersContinue()).
  std::vector<std::unique_ptr<Worker>> workers_;

  mutable absl::Mutex mu_;
  absl::CondVar work_cv_;
  std::deque<Task> queue_ ABSL_GUARDED_BY(mu_);
  int64_t accepted_ ABSL_GUARDED_BY(mu_) = 0;
  int idle_ ABSL_GUARDED_BY(mu_) = 0;     // Workers waiting for work.
  int signaled_ ABSL_GUARDED_BY(mu_) = 0; // Signals not yet consumed.
  std::vector<std::thread::id> ids_ ABSL_GUARDED_BY(mu_);
  int started_ ABSL_GUARDED_BY(mu_) = 0;
  bool helper_started_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status start_error_ ABSL_GUARDED_BY(mu_);
};

absl::Status PoolCore::StartWorkers(int n) {
  regular_workers_ = n;
  for (int i = 0; i < n; ++i) {
    workers_.push_back(std::make_unique<Worker>());
    workers_.back()->name = absl::StrCat(name_, "/", i);
  }
  workers_.push_back(std::make_unique<Worker>());  // The helper.
  workers_.back()->name = absl::StrCat(name_, "/shutdown-helper");
  {
    absl::MutexLock lock(&mu_);
    ids_.resize(n + 1);
  }
  int launched = 0;
  for (; launched < n; ++launched) {
    Worker* w = workers_[launched].get();
    try {
      w->thread = std::thread([this, launched] {
        WorkerMain(launched);
        workers_[launched]->finished.Notify();
      });
    } catch (const std::system_error& e) {
      absl::MutexLock lock(&mu_);
      start_error_ = absl::ResourceExhaustedError(absl::StrCat(
          "ThreadPool \"", name_, "\": could not start worker ", launched,
          ": ", e.what()));
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

absl::StatusOr<ThreadRegistration> PoolCore::Register(const Worker& w,
                                                      bool daemon) {
  ThreadOptions options;
  options.daemon = daemon;
  // The registration ends on the worker, before the worker ends, and the
  // core outlives its workers: `this` stays valid while this can run.
  options.on_terminate = [this] { StartShutdown(); };
  return runtime_->RegisterThread(w.name, std::move(options));
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
  mu_.Lock();
  for (;;) {
    while (queue_.empty()) {
      if (w.unflushed > 0) {
        mu_.Unlock();  // DecrementBlocking() may take mu_.
        DecrementBlocking(std::exchange(w.unflushed, 0));
        mu_.Lock();
        continue;  // The queue may have changed meanwhile.
      }
      if (Finished()) break;
      ++idle_;
      work_cv_.Wait(&mu_);
      --idle_;
      if (signaled_ > 0) --signaled_;
    }
    if (queue_.empty()) break;  // Shut down, and nothing blocks it.
    Task task = std::move(queue_.front());
    queue_.pop_front();
    mu_.Unlock();
    Run(w, task, joined);
    mu_.Lock();
  }
  mu_.Unlock();
  w.ending.store(true, std::memory_order_release);  // `joined` ends next.
}

void PoolCore::Run(Worker& w, Task& task, ThreadRegistration& joined) {
  switch (task.behavior) {
    case ShutdownBehavior::kBlockShutdown:
      Execute(w, task);  // Counted since its submission.
      FinishBlocking(w);
      return;
    case ShutdownBehavior::kSkipOnShutdown:
      // Start and count in one step: either shutdown waits for this task,
      // or the task sees that shutdown started and is dropped.
      if (state_.fetch_add(kBlockingOne, std::memory_order_acq_rel) &
          kShutdownBit) {
        DecrementBlocking();
        Cancel(task);
        return;
      }
      Execute(w, task);
      FinishBlocking(w);
      return;
    case ShutdownBehavior::kContinueOnShutdown: {
      // Count ourselves in first, then look at the shutdown bit (both
      // seq_cst, against StartShutdown()'s fetch_or and the drain's read of
      // in_continue_): either the drain sees this worker as busy and starts
      // the helper, or this worker sees the shutdown and drops its task.
      in_continue_.fetch_add(1, std::memory_order_seq_cst);
      if (state_.load(std::memory_order_seq_cst) & kShutdownBit) {
        in_continue_.fetch_sub(1, std::memory_order_seq_cst);
        Cancel(task);
        return;
      }
      // Never waited for: while it runs, this worker is a daemon (still
      // known to the runtime, so a report names it if it outlives
      // `threads`), not a thread the `threads` phase joins. Nor may the
      // blocking tasks it finished before wait for it: subtract them now,
      // or the count stays high while this task runs, and every idle
      // worker waits for it at shutdown.
      if (w.unflushed > 0) DecrementBlocking(std::exchange(w.unflushed, 0));
      absl::StatusOr<ThreadRegistration> daemon = Register(w, /*daemon=*/true);
      w.continuing.store(true, std::memory_order_release);
      joined.Reset();
      Execute(w, task);
      w.continuing.store(false, std::memory_order_release);
      in_continue_.fetch_sub(1, std::memory_order_acq_rel);
      absl::StatusOr<ThreadRegistration> again = Register(w, /*daemon=*/false);
      // Refused once `threads` has joined: the worker stays unjoined (it is
      // shut down by then and ends as soon as its queue allows).
      if (again.ok()) joined = std::move(*again);
      return;  // `daemon` ends here, after `joined` is back.
    }
  }
}

void PoolCore::Execute(Worker& w, Task& task) {
  w.running_block = task.behavior == ShutdownBehavior::kBlockShutdown;
  absl::Status status;
  try {
    task.fn();
  } catch (...) {
    status = absl::UnknownError(absl::StrCat(
        "ThreadPool \"", name_, "\": the task ",
        runtime_internal::DescribeCurrentException()));
  }
  task.fn = nullptr;  // Its captures go before the completion is published.
  w.completed.fetch_add(1, std::memory_order_relaxed);
  if (task.on_done) {
    try {
      task.on_done(std::move(status));
    } catch (...) {
      // The completion callback is the last word on this task: nobody is
      // left to tell. It is part of the task, which already counted.
    }
  }
  task.on_done = nullptr;
  w.running_block = false;
}

void PoolCore::Cancel(Task& task) {
  cancelled_.fetch_add(1, std::memory_order_relaxed);
  task.fn = nullptr;
  if (task.on_done) {
    try {
      task.on_done(absl::CancelledError(absl::StrCat(
          "ThreadPool \"", name_, "\": shutdown in progress; the ",
          ShutdownBehaviorName(task.behavior),
          " task was dropped before it started")));
    } catch (...) {
    }
  }
  task.on_done = nullptr;
}

void PoolCore::FinishBlocking(Worker& w) {
  // Batched: one contended read-modify-write per kFlushEvery tasks instead
  // of one per task.
  if (++w.unflushed == kFlushEvery) DecrementBlocking(std::exchange(w.unflushed, 0));
}

void PoolCore::DecrementBlocking(uint64_t n) {
  const uint64_t old =
      state_.fetch_sub(n * kBlockingOne, std::memory_order_acq_rel);
  if (old == (n * kBlockingOne | kShutdownBit)) {
    // The last blocking task after the stop: waiting workers may end now.
    absl::MutexLock lock(&mu_);
    work_cv_.SignalAll();
  }
}

void PoolCore::StartShutdown() {
  const uint64_t old =
      state_.fetch_or(kShutdownBit, std::memory_order_seq_cst);  // See Run().
  if ((old & kShutdownBit) == 0) {
    absl::MutexLock lock(&mu_);
    work_cv_.SignalAll();
  }
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
      " task refused (after the stop request, only BLOCK_SHUTDOWN work "
      "posted by running BLOCK_SHUTDOWN work is accepted)"));
}

absl::Status PoolCore::Post(ShutdownBehavior behavior,
                            absl::AnyInvocable<void()> fn,
                            absl::AnyInvocable<void(absl::Status)> on_done) {
  if (!fn) {
    return absl::InvalidArgumentError(
        absl::StrCat("ThreadPool \"", name_, "\": the task is empty"));
  }
  // The runtime's flag turns before its stop callbacks run: see it at once.
  if ((state_.load(std::memory_order_relaxed) & kShutdownBit) == 0 &&
      runtime_->stop_requested()) {
    StartShutdown();
  }
  const bool blocks = behavior == ShutdownBehavior::kBlockShutdown;
  if (blocks) {
    // The check and the accounting in one atomic step.
    const uint64_t old =
        state_.fetch_add(kBlockingOne, std::memory_order_acq_rel);
    if ((old & kShutdownBit) != 0 && !CallerRunsBlockingWork()) {
      DecrementBlocking();
      return Refuse(behavior);
    }
  }
  bool queued = false;
  {
    absl::MutexLock lock(&mu_);
    // Under the lock that CancelPending() and the workers' exit take: a task
    // that does not block shutdown is queued before them, or refused.
    const bool refused =
        !blocks && (state_.load(std::memory_order_acquire) & kShutdownBit);
    if (!refused) {
      queue_.push_back(Task{std::move(fn), std::move(on_done), behavior});
      ++accepted_;
      if (idle_ > signaled_) {  // One signal per idle worker.
        ++signaled_;
        work_cv_.Signal();
      }
      queued = true;
    }
  }
  if (!queued) return Refuse(behavior);
  // Blocking work counted before the shutdown bit may be queued after the
  // drain cleanup looked at the queue (torture seed 350): look again.
  if (blocks && (state_.load(std::memory_order_seq_cst) & kShutdownBit)) {
    StartHelperIfAllWorkersContinue();
  }
  return absl::OkStatus();
}

void PoolCore::CancelPending() {
  std::deque<Task> dropped;
  {
    absl::MutexLock lock(&mu_);
    std::deque<Task> kept;
    for (Task& t : queue_) {
      (t.behavior == ShutdownBehavior::kBlockShutdown ? kept : dropped)
          .push_back(std::move(t));
    }
    queue_.swap(kept);
  }
  // Outside the lock: completion callbacks may call into the pool.
  for (Task& t : dropped) Cancel(t);
  StartHelperIfAllWorkersContinue();
}

void PoolCore::StartHelperIfAllWorkersContinue() {
  // After StartShutdown() no continue-on-shutdown task starts (Run() drops
  // it), so the workers inside one only get fewer. If they are all inside
  // one now, nobody would run the queued BLOCK_SHUTDOWN work, and the
  // runtime, which waits only for non-daemon threads, would end `threads`
  // without it. A helper, registered non-daemon, runs it and is joined.
  // (Registration is open until `threads` has joined: for threads like
  // this one.)
  if (in_continue_.load(std::memory_order_seq_cst) < regular_workers_) return;
  // Counted blocking work, not the queue: a task counted before the shutdown
  // bit may not be queued yet (its Post() preempted), and no worker in a
  // continue task runs or holds counted work (they flush their counts
  // before such a task). The helper waits for the push like any idle worker.
  if (state_.load(std::memory_order_seq_cst) < kBlockingOne) return;
  Worker& helper = *workers_.back();
  absl::MutexLock lock(&mu_);
  if (helper_started_) return;
  helper_started_ = true;
  const int index = regular_workers_;
  try {
    // Under mu_ (see ShutdownAndJoin()); the helper takes mu_ only once it
    // has registered.
    helper.thread = std::thread([this, index] {
      WorkerMain(index);
      workers_[index]->finished.Notify();
    });
  } catch (const std::system_error&) {
    // No thread: the regular workers run the work once their continue
    // tasks end, and the pool's destructor waits for them.
    return;
  }
  // Return only once the helper is registered (or refused): registered
  // before the `threads` phase closes registration, it is joined there, so
  // Shutdown() waits for the work it runs (torture seed 512).
  struct Registered {
    int* started;
    int regular;
    static bool Check(Registered* r) { return *r->started > r->regular; }
  };
  Registered registered{&started_, regular_workers_};
  mu_.Await(absl::Condition(&Registered::Check, &registered));
}

bool PoolCore::ShutdownAndJoin() {
  StartShutdown();
  CancelPending();
  std::vector<std::pair<std::thread, Worker*>> threads;
  for (int i = 0; i < regular_workers_; ++i) {
    threads.emplace_back(std::move(workers_[i]->thread), workers_[i].get());
  }
  {
    // The helper's thread is started under mu_ (possibly by the runtime's
    // `drain` cleanup, on another thread): take it under mu_, and let no
    // helper start after this.
    absl::MutexLock lock(&mu_);
    helper_started_ = true;
    threads.emplace_back(std::move(workers_.back()->thread),
                         workers_.back().get());
  }
  // Bounded (DESIGN.md, Handles): within the join budget. After the
  // sequence, a worker neither ending nor in a continue-on-shutdown task
  // was demoted past its join budget and is never waited for. One line
  // on stderr names each worker given up on.
  const bool sequence_over = runtime_->shutdown_complete();
  const absl::Time deadline =
      absl::Now() + DestructorBudget(std::nullopt, runtime_->options());
  const std::thread::id me = std::this_thread::get_id();
  bool all_joined = true;
  for (auto& [t, w] : threads) {
    if (!t.joinable()) continue;
    if (t.get_id() == me) {
      t.detach();  // Misuse (a task destroyed its pool): no deadlock.
      all_joined = false;
    } else if ((!sequence_over ||
                w->ending.load(std::memory_order_acquire) ||
                w->continuing.load(std::memory_order_acquire)) &&
               w->finished.WaitForNotificationWithDeadline(deadline)) {
      t.join();
    } else {
      t.detach();
      all_joined = false;
      runtime_internal::WriteAll(
          STDERR_FILENO,
          absl::StrCat("orderly: ThreadPool worker \"", w->name,
                       "\" still running when the pool was destroyed; "
                       "detached, not joined\n"));
    }
  }
  return all_joined;
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

absl::StatusOr<std::unique_ptr<ThreadPool>> ThreadPool::Create(
    absl::string_view name, ThreadPoolOptions options) {
  if (name.empty()) {
    return absl::InvalidArgumentError(
        "ThreadPool::Create: the name is empty; name the pool, so that a "
        "shutdown report can say whose workers hang");
  }
  if (options.num_threads < 1 ||
      options.num_threads > blocks_internal::kMaxThreads) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ThreadPool::Create(\"", name, "\"): num_threads is ",
        options.num_threads, "; it must be between 1 and ",
        blocks_internal::kMaxThreads));
  }
  Runtime& rt =
      options.runtime != nullptr ? *options.runtime : Runtime::Default();
  absl::StatusOr<Component> component = rt.AddComponent(name);
  if (!component.ok()) return component.status();
  auto core =
      std::make_shared<blocks_internal::PoolCore>(std::string(name), &rt);
  absl::Status s = core->StartWorkers(options.num_threads);
  if (s.ok()) {
    s = component->AddCleanup("drain", "cancel-pending", [core] {
      core->StartShutdown();
      core->CancelPending();
    });
  }
  const std::pair<const char*, int64_t Stats::*> counters[] = {
      {"accepted", &Stats::accepted},
      {"completed", &Stats::completed},
      {"cancelled", &Stats::cancelled},
      {"refused", &Stats::refused}};
  for (const auto& [counter, field] : counters) {
    if (!s.ok()) break;
    s = rt.AddReportCounter(absl::StrCat(name, ".", counter),
                            [core, field = field] {
                              return core->stats().*field;
                            });
  }
  if (!s.ok()) {
    if (!core->ShutdownAndJoin()) runtime_internal::LeakForever(core);
    return s;
  }
  std::unique_ptr<ThreadPool> pool(new ThreadPool(core));
  pool->on_stop_ = std::make_unique<StopCallback<absl::AnyInvocable<void()>>>(
      rt.stop_token(), [c = core.get()] { c->StartShutdown(); },
      absl::StrCat(name, ": stop accepting"));
  return pool;
}

ThreadPool::ThreadPool(std::shared_ptr<blocks_internal::PoolCore> core)
    : core_(std::move(core)), epoch_(runtime_internal::ForkEpoch()) {}

bool ThreadPool::inherited() const {
  return epoch_ != runtime_internal::ForkEpoch();
}

ThreadPool::~ThreadPool() {
  if (inherited()) {
    // A fork() child: the workers, and the stop state the callback is
    // registered with, are the parent's. Leak; touch nothing.
    (void)on_stop_.release();
    runtime_internal::LeakForever(std::move(core_));
    return;
  }
  on_stop_.reset();
  // A worker given up on still runs on the core: keep it alive for good.
  if (!core_->ShutdownAndJoin()) runtime_internal::LeakForever(core_);
}

absl::Status ThreadPool::Post(ShutdownBehavior behavior,
                              absl::AnyInvocable<void()> task,
                              absl::AnyInvocable<void(absl::Status)> on_done) {
  if (inherited()) {
    return runtime_internal::InheritedAcrossFork(absl::StrCat(
        "ThreadPool \"", core_->name(), "\": Post"));
  }
  return core_->Post(behavior, std::move(task), std::move(on_done));
}

TaskHandle ThreadPool::Submit(ShutdownBehavior behavior,
                              absl::AnyInvocable<void()> task) {
  TaskHandle handle = TaskHandle::Make();
  if (inherited()) {
    handle.Complete(runtime_internal::InheritedAcrossFork(
        absl::StrCat("ThreadPool \"", core_->name(), "\": Submit")));
    return handle;
  }
  absl::Status posted =
      core_->Post(behavior, std::move(task),
                  [handle](absl::Status s) { handle.Complete(std::move(s)); });
  if (!posted.ok()) handle.Complete(std::move(posted));
  return handle;
}

ThreadPool::Stats ThreadPool::stats() const {
  return inherited() ? Stats() : core_->stats();
}

}  // namespace orderly
