// Copyright 2026 The orderly Authors.

#include "runtime/internal/step_runner.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace orderly {
namespace runtime_internal {
namespace {

constexpr size_t kNone = std::numeric_limits<size_t>::max();

std::string Label(const StepRecord& r) {
  return r.component.empty() ? r.name : absl::StrCat(r.component, "/", r.name);
}

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
};

StepRunner::~StepRunner() {
  std::vector<std::thread> executors;
  {
    absl::MutexLock lock(&mu_);
    executors.swap(executors_);
  }
  for (std::thread& t : executors) t.join();
}

bool StepRunner::IsExecutorThread() const {
  absl::MutexLock lock(&mu_);
  return std::find(executor_ids_.begin(), executor_ids_.end(),
                   std::this_thread::get_id()) != executor_ids_.end();
}

bool StepRunner::AbandonCallingStep(const char* why) {
  std::shared_ptr<Batch> batch;
  {
    absl::MutexLock lock(&mu_);
    const auto it = std::find(executor_ids_.begin(), executor_ids_.end(),
                              std::this_thread::get_id());
    if (it == executor_ids_.end()) return false;
    batch = batches_[static_cast<size_t>(it - executor_ids_.begin())];
  }
  absl::MutexLock lock(&batch->mu);
  if (batch->abandoned || batch->running == kNone) return false;
  batch->left_why = why;
  batch->wake = true;
  return true;
}

void StepRunner::ExecutorMain(std::shared_ptr<Batch> batch) {
  pthread_setname_np(pthread_self(), "orderly-exec");
  Batch& b = *batch;
  b.mu.Lock();
  while (!b.abandoned && b.next < b.steps.size()) {
    const size_t i = b.next++;
    absl::AnyInvocable<bool(StepRecord&)> run = std::move(b.steps[i].run);
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
  b.done = true;
  b.mu.Unlock();
}

void StepRunner::RunAll(std::vector<Step> steps, absl::Time batch_deadline,
                        absl::Time* overall_deadline,
                        DeadlineHandler on_overall_deadline,
                        std::vector<StepRecord>* out,
                        std::vector<Straggler>* stragglers) {
  while (!steps.empty()) {
    if (absl::Now() >= batch_deadline) {
      for (Step& step : steps) {
        StepRecord record = std::move(step.record);
        record.start = absl::Now();
        record.outcome = Outcome::kSkipped;
        record.error = "not run: its phase's budget ran out first";
        out->push_back(std::move(record));
      }
      return;
    }
    auto batch = std::make_shared<Batch>();
    Batch& b = *batch;
    b.mu.Lock();
    b.keep.assign(steps.size(), false);
    b.steps = std::move(steps);
    steps.clear();
    {
      absl::MutexLock lock(&mu_);
      executors_.emplace_back(&StepRunner::ExecutorMain, batch);
      executor_ids_.push_back(executors_.back().get_id());
      batches_.push_back(batch);
      current_executor_ = executors_.back().native_handle();
    }
    size_t abandoned_at = kNone;
    for (;;) {
      if (b.done) break;
      if (b.left_why != nullptr && b.running != kNone) {
        abandoned_at = b.running;
        break;
      }
      const absl::Time now = absl::Now();
      if (now >= *overall_deadline) {
        StepRecord running;
        if (b.running != kNone) {
          running = b.steps[b.running].record;
          running.start = b.running_since;
        }
        b.mu.Unlock();
        on_overall_deadline(running, now);  // Returns only to go on.
        b.mu.Lock();
        *overall_deadline = absl::InfiniteFuture();
        if (b.running != kNone) {
          abandoned_at = b.running;
          break;
        }
        continue;
      }
      absl::Time wake;
      if (b.running != kNone) {
        const absl::Time step_deadline = std::min(
            b.running_since + b.steps[b.running].budget, batch_deadline);
        if (now >= step_deadline) {
          abandoned_at = b.running;
          break;
        }
        wake = std::min(step_deadline, *overall_deadline);
      } else {
        if (now >= batch_deadline) {
          b.abandoned = true;  // Between steps: take no further step.
          break;
        }
        wake = std::min(batch_deadline, *overall_deadline);
      }
      b.sequencer_wakes_at = wake;
      b.wake = false;
      b.mu.AwaitWithDeadline(
          absl::Condition(
              +[](Batch* p) ABSL_NO_THREAD_SAFETY_ANALYSIS {
                return p->done || p->wake;
              },
              &b),
          wake);
    }
    // Collect what ran; hand what did not to the next executor.
    const size_t finished = abandoned_at != kNone ? abandoned_at
                            : b.done              ? b.steps.size()
                                                  : b.next;
    for (size_t i = 0; i < finished; ++i) {
      if (b.keep[i]) out->push_back(std::move(b.steps[i].record));
    }
    size_t rest = finished;
    if (abandoned_at != kNone) {
      b.abandoned = true;
      StepRecord record = std::move(b.steps[abandoned_at].record);
      record.start = b.running_since;
      record.duration = absl::Now() - record.start;
      record.budget = b.steps[abandoned_at].budget;
      if (b.left_why != nullptr) {
        // Parked for good by its own request: an error, not a straggler.
        record.outcome = Outcome::kError;
        record.error = b.left_why;
      } else {
        record.outcome = Outcome::kTimedOut;
        record.error = absl::StrCat(
            "still running after ", absl::FormatDuration(record.duration),
            " (budget ", absl::FormatDuration(record.budget),
            "); abandoned, its thread left running it");
        stragglers->push_back(Straggler{
            absl::StrCat(StepKindName(record.kind), " ", Label(record)),
            "abandoned past its budget; may still be running",
            record.start + record.duration});
      }
      out->push_back(std::move(record));
      rest = abandoned_at + 1;
    }
    for (size_t i = rest; i < b.steps.size(); ++i) {
      steps.push_back(std::move(b.steps[i]));
    }
    b.mu.Unlock();
  }
}

}  // namespace runtime_internal
}  // namespace orderly
