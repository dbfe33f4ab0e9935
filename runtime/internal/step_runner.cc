// Copyright 2026 The orderly Authors.

#include "runtime/internal/step_runner.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <limits>
#include <memory>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "runtime/internal/os_threads.h"
#include "runtime/internal/text_out.h"

namespace orderly {
namespace runtime_internal {
namespace {

constexpr size_t kNone = std::numeric_limits<size_t>::max();

}  // namespace

struct StepRunner::Batch {
  absl::Mutex mu;
  std::vector<Step> steps ABSL_GUARDED_BY(mu);
  std::vector<bool> keep ABSL_GUARDED_BY(mu);
  size_t next ABSL_GUARDED_BY(mu) = 0;
  size_t running ABSL_GUARDED_BY(mu) = kNone;
  absl::Time running_since ABSL_GUARDED_BY(mu);
  // When the sequencer plans to look next; a step that must time out
  // earlier wakes it (`wake`), so that no step waits past its budget.
  absl::Time sequencer_wakes_at ABSL_GUARDED_BY(mu) = absl::InfiniteFuture();
  bool wake ABSL_GUARDED_BY(mu) = false;
  // Set by AbandonCallingStep(): the running step never returns.
  const char* left_why ABSL_GUARDED_BY(mu) = nullptr;
  bool abandoned ABSL_GUARDED_BY(mu) = false;
  bool done ABSL_GUARDED_BY(mu) = false;

  // The sequencer's side of one round, under `mu`.
  // Sleeps until the batch is done, or returns the index of the step to
  // abandon (kNone: none; the batch is done or stopped between steps).
  // Unlocks `mu` while the deadline handler runs.
  size_t Watch(absl::Time batch_deadline, absl::Time* overall_deadline,
               DeadlineHandler on_overall_deadline)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // Appends what ran to `out`, the abandoned step too; returns the steps
  // the next round takes.
  std::vector<Step> Collect(size_t abandoned_at, std::vector<StepRecord>* out,
                            std::vector<Straggler>* stragglers)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  StepRecord RecordAbandoned(size_t i, std::vector<Straggler>* stragglers)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
};

// One executor thread. Its fields are guarded by the runner's mu_, except
// `tid` (written once by the thread itself).
struct StepRunner::Executor {
  StepRunner* runner = nullptr;
  std::thread thread;
  std::thread::id id;
  std::atomic<int32_t> tid{0};
  // The batch it runs now, or ran last (AbandonCallingStep() looks here).
  std::shared_ptr<Batch> batch;
  // Handed over by StartExecutor(), not taken yet.
  std::shared_ptr<Batch> next;

  static bool HasWork(Executor* e) ABSL_NO_THREAD_SAFETY_ANALYSIS {
    return e->next != nullptr || e->runner->quitting_;
  }
};

StepRunner::StepRunner() = default;

StepRunner::~StepRunner() {
  // executors_ stays as it is while they are joined: a step still running
  // on one (abandoned) is still told it runs on an executor.
  std::vector<std::thread*> threads;
  {
    absl::MutexLock lock(&mu_);
    quitting_ = true;  // A parked executor returns; a busy one after it.
    parked_ = nullptr;
    for (const std::unique_ptr<Executor>& e : executors_) {
      threads.push_back(&e->thread);
    }
  }
  for (std::thread* t : threads) t->join();
}

void StepRunner::Prestart() {
  absl::MutexLock lock(&mu_);
  if (parked_ == nullptr && executors_.empty()) parked_ = SpawnLocked();
}

StepRunner::Executor* StepRunner::SpawnLocked() {
  try {
    auto e = std::make_unique<Executor>();
    e->runner = this;
    // It waits on mu_, held here, before it looks for its batch.
    e->thread = std::thread(&StepRunner::ExecutorMain, this, e.get());
    e->id = e->thread.get_id();
    executors_.push_back(std::move(e));
    return executors_.back().get();
  } catch (const std::exception&) {  // std::system_error, std::bad_alloc.
    return nullptr;
  }
}

bool StepRunner::IsExecutorThread() const {
  const std::thread::id me = std::this_thread::get_id();
  absl::MutexLock lock(&mu_);
  for (const std::unique_ptr<Executor>& e : executors_) {
    if (e->id == me) return true;
  }
  return false;
}

bool StepRunner::AbandonCallingStep(const char* why) {
  const std::thread::id me = std::this_thread::get_id();
  std::shared_ptr<Batch> batch;
  {
    absl::MutexLock lock(&mu_);
    for (const std::unique_ptr<Executor>& e : executors_) {
      if (e->id == me) batch = e->batch;
    }
  }
  if (batch == nullptr) return false;
  absl::MutexLock lock(&batch->mu);
  if (batch->abandoned || batch->running == kNone) return false;
  batch->left_why = why;
  batch->wake = true;
  return true;
}

std::vector<int32_t> StepRunner::ExecutorTids() const {
  absl::MutexLock lock(&mu_);
  std::vector<int32_t> tids;
  tids.reserve(executors_.size());
  for (const std::unique_ptr<Executor>& e : executors_) {
    tids.push_back(e->tid.load(std::memory_order_relaxed));
  }
  return tids;
}

void StepRunner::ExecutorMain(StepRunner* runner, Executor* self) {
  pthread_setname_np(pthread_self(), "orderly-exec");
  self->tid.store(KernelTid(), std::memory_order_relaxed);
  for (;;) {
    std::shared_ptr<Batch> batch;
    {
      absl::MutexLock lock(&runner->mu_);
      runner->mu_.Await(absl::Condition(&Executor::HasWork, self));
      if (self->next == nullptr) return;  // The runner is destroyed.
      batch = std::move(self->next);
      self->next = nullptr;
    }
    if (!runner->RunBatch(self, *batch)) return;  // Left behind.
  }
}

bool StepRunner::RunBatch(Executor* self, Batch& b) {
  b.mu.Lock();
  while (!b.abandoned && b.next < b.steps.size()) {
    const size_t i = b.next++;
    absl::AnyInvocable<bool(StepRecord&)> run = std::move(b.steps[i].run);
    // A copy: the sequencer reads the running step's record (an overall
    // deadline, an abandonment).
    StepRecord record = b.steps[i].record;
    record.start = absl::Now();
    b.running = i;
    b.running_since = record.start;
    if (record.start + b.steps[i].budget < b.sequencer_wakes_at) {
      b.wake = true;
    }
    b.mu.Unlock();

    const bool keep = run(record);  // User code: no lock held.
    run = nullptr;                  // Its captures die here, unlocked too.

    b.mu.Lock();
    if (b.abandoned) break;  // Recorded as timed out by the sequencer.
    b.steps[i].record = std::move(record);
    b.keep[i] = keep;
    b.running = kNone;
  }
  const bool reusable = !b.abandoned;
  if (reusable) {
    // Parked before `done`: the sequencer's next batch, which may start the
    // moment it sees `done`, finds this executor. Lock order: a batch's mu,
    // then the runner's (as in RunAll()).
    absl::MutexLock lock(&mu_);
    if (!quitting_) parked_ = self;
  }
  b.done = true;
  b.mu.Unlock();
  return reusable;
}

void StepRunner::RunAll(std::vector<Step> steps, absl::Time batch_deadline,
                        absl::Time* overall_deadline,
                        DeadlineHandler on_overall_deadline,
                        std::vector<StepRecord>* out,
                        std::vector<Straggler>* stragglers) {
  ORDERLY_DCHECK_CALLED_ON(sequencer_thread_);
  // One executor per round: a round ends when its batch is done, or when a
  // step is abandoned (the rest go to the next round's fresh executor), or
  // when the batch deadline passes between steps.
  while (!steps.empty()) {
    if (absl::Now() >= batch_deadline) {
      RecordSkipped(std::move(steps),
                    "not run: its phase's budget ran out first", out);
      return;
    }
    auto batch = std::make_shared<Batch>();
    absl::MutexLock lock(&batch->mu);
    batch->keep.assign(steps.size(), false);
    batch->steps = std::move(steps);
    steps.clear();
    if (!StartExecutor(batch)) {
      RecordSkipped(std::move(batch->steps),
                    "not run: no thread could be started to run it (out of "
                    "threads or memory)",
                    out);
      return;
    }
    const size_t abandoned_at =
        batch->Watch(batch_deadline, overall_deadline, on_overall_deadline);
    steps = batch->Collect(abandoned_at, out, stragglers);
  }
}

void StepRunner::RecordSkipped(std::vector<Step> steps, const char* why,
                               std::vector<StepRecord>* out) {
  for (Step& step : steps) {
    StepRecord record = std::move(step.record);
    record.start = absl::Now();
    record.outcome = Outcome::kSkipped;
    record.error = why;
    out->push_back(std::move(record));
  }
}

bool StepRunner::StartExecutor(const std::shared_ptr<Batch>& batch) {
  ORDERLY_DCHECK_CALLED_ON(sequencer_thread_);
  absl::MutexLock lock(&mu_);
  Executor* e = std::exchange(parked_, nullptr);
  if (e == nullptr) e = SpawnLocked();
  if (e == nullptr) return false;
  e->batch = batch;
  e->next = batch;
  current_executor_ = e->thread.native_handle();
  return true;
}

size_t StepRunner::Batch::Watch(absl::Time batch_deadline,
                                absl::Time* overall_deadline,
                                DeadlineHandler on_overall_deadline) {
  for (;;) {
    if (done) return kNone;
    if (left_why != nullptr && running != kNone) return running;
    const absl::Time now = absl::Now();
    if (now >= *overall_deadline) {
      StepRecord current;
      if (running != kNone) {
        current = steps[running].record;
        current.start = running_since;
      }
      mu.Unlock();
      on_overall_deadline(current, now);  // Returns only to go on.
      mu.Lock();
      *overall_deadline = absl::InfiniteFuture();
      if (running != kNone) return running;
      continue;
    }
    absl::Time wake_at;
    if (running != kNone) {
      const absl::Time step_deadline =
          std::min(running_since + steps[running].budget, batch_deadline);
      if (now >= step_deadline) return running;
      wake_at = std::min(step_deadline, *overall_deadline);
    } else {
      if (now >= batch_deadline) {
        abandoned = true;  // Between steps: take no further step.
        return kNone;
      }
      wake_at = std::min(batch_deadline, *overall_deadline);
    }
    sequencer_wakes_at = wake_at;
    wake = false;
    mu.AwaitWithDeadline(
        absl::Condition(
            +[](Batch* p) ABSL_NO_THREAD_SAFETY_ANALYSIS {
              return p->done || p->wake;
            },
            this),
        wake_at);
  }
}

std::vector<Step> StepRunner::Batch::Collect(
    size_t abandoned_at, std::vector<StepRecord>* out,
    std::vector<Straggler>* stragglers) {
  const size_t finished = abandoned_at != kNone ? abandoned_at
                          : done                 ? steps.size()
                                                 : next;
  out->reserve(out->size() + finished + 1);
  for (size_t i = 0; i < finished; ++i) {
    if (keep[i]) out->push_back(std::move(steps[i].record));
  }
  size_t rest = finished;
  if (abandoned_at != kNone) {
    abandoned = true;
    out->push_back(RecordAbandoned(abandoned_at, stragglers));
    rest = abandoned_at + 1;
  }
  std::vector<Step> left;
  for (size_t i = rest; i < steps.size(); ++i) {
    left.push_back(std::move(steps[i]));
  }
  return left;
}

StepRecord StepRunner::Batch::RecordAbandoned(
    size_t i, std::vector<Straggler>* stragglers) {
  StepRecord record = std::move(steps[i].record);
  record.start = running_since;
  record.duration = absl::Now() - record.start;
  record.budget = steps[i].budget;
  if (left_why != nullptr) {
    // Parked for good by its own request: an error, not a straggler.
    record.outcome = Outcome::kError;
    record.error = left_why;
    return record;
  }
  record.outcome = Outcome::kTimedOut;
  record.error = absl::StrCat("still running after ",
                              HumanDuration(record.duration), " (budget ",
                              HumanDuration(record.budget),
                              "); abandoned, its thread left running it");
  stragglers->push_back(Straggler{
      absl::StrCat(StepKindName(record.kind), " ",
                   StepLabel(record.component, record.name)),
      "abandoned past its budget; may still be running",
      record.start + record.duration});
  return record;
}

}  // namespace runtime_internal
}  // namespace orderly
