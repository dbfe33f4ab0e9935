// Copyright 2026 The orderly Authors.

#include "runtime/internal/sequencer.h"

#include <errno.h>
#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "runtime/internal/call_guarded.h"
#include "runtime/internal/os_threads.h"
#include "runtime/stop_reason.h"

namespace orderly {
namespace runtime_internal {

// The registrations, newest first, and one flag per callback, set when it
// returns. One allocation for all of them, sized once: with thousands of
// threads, per-step copies and allocations cost the sequencer more than
// the callbacks did (BM_ShutdownThreads/4000, benchmarks/README.md).
struct Sequencer::TerminateBatch {
  TerminateBatch(ThreadRegistry* r, std::vector<ThreadRegistry::Live> l)
      : registry(r),
        lives(std::move(l)),
        returned(new std::atomic<bool>[lives.size()]()) {}
  ThreadRegistry* const registry;
  const std::vector<ThreadRegistry::Live> lives;
  const std::unique_ptr<std::atomic<bool>[]> returned;
};

Sequencer::Sequencer(const RuntimeOptions& options, StopState* stop_state,
                     ThreadRegistry* registry, CleanupGraph* graph,
                     const std::atomic<uint64_t>* reason,
                     const std::atomic<int64_t>* stop_time_ns)
    : options_(options),
      stop_state_(stop_state),
      registry_(registry),
      graph_(graph),
      reason_(reason),
      stop_time_ns_(stop_time_ns),
      fences_(registry, graph, options.fence_budget),
      watchdog_(options, registry, &runner_, &running_listeners_,
                [this] { return UnknownThreads(); }) {
  sem_init(&wake_, /*pshared=*/0, /*value=*/0);
  thread_ = std::thread(&Sequencer::Main, this);
}

Sequencer::~Sequencer() {
  ORDERLY_DCHECK(stop_state_->stop_requested(),
                 "~Sequencer: the runtime must request a stop first, or the "
                 "join below waits forever");
  thread_.join();
  sem_destroy(&wake_);
}

void Sequencer::Main() {
  pthread_setname_np(pthread_self(), "orderly-seq");
  sequencer_tid_.store(KernelTid(), std::memory_order_relaxed);
  sequencer_thread_.Bind();
  watchdog_.BindToCurrentThread();
  // The first batch's executor, started now rather than in the shutdown
  // (step_runner.h).
  runner_.Prestart();
  while (!stop_state_->stop_requested()) {
    if (sem_wait(&wake_) != 0 && errno != EINTR) std::abort();
  }
  ShutdownReport report = Run();
  absl::MutexLock lock(&mu_);
  report_ = std::make_shared<const ShutdownReport>(std::move(report));
}

std::shared_ptr<const ShutdownReport> Sequencer::WaitForReport(
    absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  // A caller of the sequence: not an unknown thread while it waits.
  const int32_t tid = KernelTid();
  waiters_.push_back(tid);
  struct Done {
    std::vector<int32_t>& waiters;
    int32_t tid;
    ~Done() { waiters.erase(std::find(waiters.begin(), waiters.end(), tid)); }
  } done{waiters_, tid};
  mu_.AwaitWithDeadline(
      absl::Condition(
          +[](std::shared_ptr<const ShutdownReport>* r) {
            return *r != nullptr;
          },
          &report_),
      deadline);
  return report_;
}

std::vector<std::pair<std::string, int64_t>> Sequencer::ReadCounters() const {
  absl::MutexLock lock(&mu_);
  std::vector<std::pair<std::string, int64_t>> values;
  values.reserve(counters_.size());
  for (const Counter& c : counters_) values.emplace_back(c.name, c.read());
  return values;
}

bool Sequencer::done() const {
  absl::MutexLock lock(&mu_);
  return report_ != nullptr;
}

void Sequencer::AddListener(SequenceListener* listener) {
  absl::MutexLock lock(&mu_);
  listeners_.push_back(listener);
}

absl::Status Sequencer::AddCounter(absl::string_view name,
                                   absl::AnyInvocable<int64_t() const> read) {
  if (name.empty() || !read) {
    return absl::InvalidArgumentError(
        "AddReportCounter: needs a name and a function that reads it");
  }
  absl::MutexLock lock(&mu_);
  for (const Counter& c : counters_) {
    if (c.name == name) {
      return absl::AlreadyExistsError(absl::StrCat(
          "AddReportCounter: a counter named \"", name, "\" exists already"));
    }
  }
  counters_.push_back(Counter{std::string(name), std::move(read)});
  return absl::OkStatus();
}

std::vector<UnknownThread> Sequencer::UnknownThreads() const {
  std::vector<int32_t> known = registry_->KnownTids();
  known.push_back(static_cast<int32_t>(getpid()));  // The main thread.
  // orderly's own threads, by tid: their names need not be read.
  known.push_back(sequencer_tid_.load(std::memory_order_relaxed));
  known.push_back(SignalThreadTid());
  for (int32_t tid : runner_.ExecutorTids()) known.push_back(tid);
  {
    absl::MutexLock lock(&mu_);
    known.insert(known.end(), waiters_.begin(), waiters_.end());
  }
  std::sort(known.begin(), known.end());
  known.erase(std::unique(known.begin(), known.end()), known.end());
  // Usually every thread is known: count them before listing any
  // (AllThreadsKnown(); at the fence after a shutdown of 100 threads, the
  // list cost 0.1-0.25 ms, most of the sequence's own time after the joins).
  if (AllThreadsKnown(known)) return {};
  std::vector<UnknownThread> unknown;
  for (UnknownThread& t : ListProcessThreads(known)) {
    if (!IsOrderlyThreadName(t.name)) unknown.push_back(std::move(t));
  }
  return unknown;
}

bool Sequencer::IsSequenceThread() const {
  return std::this_thread::get_id() == thread_.get_id() ||
         runner_.IsExecutorThread();
}

ShutdownReport Sequencer::Run() {
  ORDERLY_DCHECK_CALLED_ON(sequencer_thread_);
  ShutdownReport report = BeginReport();
  RunStopCallbacks(report);
  CleanupGraph::Phase phase;
  bool after_threads = false;
  while (graph_->TakeNextPhase(&phase)) {
    if (phase.name == kThreadsPhase) {
      RunPhase(phase, report);
      after_threads = true;
      teardown_ = true;
      continue;
    }
    if (after_threads) {
      // The fence: which daemons still run as the cleanups begin, and
      // which threads nobody registered.
      report.daemons_running = registry_->LiveDaemons();
      report.unknown_threads_when_cleanups_began = UnknownThreads();
      after_threads = false;
    }
    RunPhase(phase, report);
  }
  // Threads that declared uses, or that a component's cleanups end, must
  // have ended by now.
  for (Straggler& s : fences_.AwaitAccountable(overall_deadline_)) {
    report.stragglers.push_back(std::move(s));
  }
  FinishReport(report);
  return report;
}

ShutdownReport Sequencer::BeginReport() {
  ORDERLY_DCHECK_CALLED_ON(sequencer_thread_);
  ShutdownReport report;
  report.reason = StopReason::Unpack(reason_->load(std::memory_order_acquire));
  const int64_t ns = stop_time_ns_->load(std::memory_order_acquire);
  report.stop_requested = ns != 0 ? absl::FromUnixNanos(ns) : absl::Now();
  report.deadline = report.stop_requested + options_.deadline;
  overall_deadline_ = report.deadline;
  {
    absl::MutexLock lock(&mu_);
    running_listeners_ = listeners_;
  }
  for (SequenceListener* l : running_listeners_) {
    l->OnStopRequested(report.reason, report.deadline);
  }
  return report;
}

void Sequencer::RunPhase(CleanupGraph::Phase& phase, ShutdownReport& report) {
  ORDERLY_DCHECK_CALLED_ON(sequencer_thread_);
  PhaseRecord record{phase.name, absl::Now(), absl::ZeroDuration(),
                     phase.budget};
  watchdog_.EnterPhase(phase.name, record.start);
  const absl::Time phase_deadline = record.start + phase.budget;
  for (SequenceListener* l : running_listeners_) {
    l->OnPhaseBegin(phase.name, phase_deadline, report.deadline);
  }
  if (phase.name == kThreadsPhase) {
    RunThreadsPhase(phase_deadline, report);
  } else {
    RunCleanups(phase, phase_deadline, report);
  }
  record.duration = absl::Now() - record.start;
  report.phases.push_back(std::move(record));
}

void Sequencer::FinishReport(ShutdownReport& report) {
  ORDERLY_DCHECK_CALLED_ON(sequencer_thread_);
  {
    absl::MutexLock lock(&mu_);
    for (const Counter& c : counters_) {
      report.counters.push_back(ShutdownReport::Counter{c.name, c.read()});
    }
  }
  report.unknown_threads_at_end = UnknownThreads();
  report.finished = absl::Now();
  if (report.finished > report.deadline) report.deadline_exceeded = true;
  for (SequenceListener* l : running_listeners_) l->OnFinished(report);
}

void Sequencer::RunSteps(std::vector<Step> steps, absl::Time batch_deadline,
                         ShutdownReport& report) {
  ORDERLY_DCHECK_CALLED_ON(sequencer_thread_);
  runner_.RunAll(
      std::move(steps), batch_deadline, &overall_deadline_,
      [&](const StepRecord& running, absl::Time now) {
        watchdog_.Fire(report, running, now);
      },
      &report.steps, &report.stragglers);
}

void Sequencer::RunStopCallbacks(ShutdownReport& report) {
  // One step per callback registered before the stop (none can register
  // later: they run at once). Each step takes its callback only when it
  // starts, so a StopCallback destroyed before then is simply gone: its
  // step records nothing, and nobody waits.
  std::vector<Step> steps;
  for (StopState::Pending& pending : stop_state_->PendingCallbacks()) {
    Step step;
    step.record.kind = StepKind::kStopCallback;
    step.record.name = std::move(pending.name);
    step.budget = options_.callback_budget;
    step.run = [state = stop_state_, id = pending.id](StepRecord& record) {
      bool ran = false;
      CallGuarded([&] { ran = state->RunPending(id); }, &record);
      return ran || record.outcome != Outcome::kOk;
    };
    steps.push_back(std::move(step));
  }
  RunSteps(std::move(steps), absl::InfiniteFuture(), report);
}

void Sequencer::RunThreadsPhase(absl::Time phase_deadline,
                                ShutdownReport& report) {
  RunTerminateCallbacks(phase_deadline, report);
  AwaitJoins(phase_deadline, report);
  const size_t first_join = report.steps.size();
  registry_->AppendJoinRecords(&report.steps);
  for (size_t i = first_join; i < report.steps.size(); ++i) {
    const StepRecord& r = report.steps[i];
    if (r.outcome == Outcome::kStraggler) {
      report.stragglers.push_back(Straggler{absl::StrCat("thread ", r.name),
                                            r.error, r.start + r.duration});
    }
  }
  for (StepRecord& r : registry_->TakeLateRecords()) {
    report.steps.push_back(std::move(r));
  }
}

void Sequencer::RunTerminateCallbacks(absl::Time phase_deadline,
                                      ShutdownReport& report) {
  ORDERLY_DCHECK_CALLED_ON(sequencer_thread_);
  ORDERLY_DCHECK(terminate_batch_ == nullptr,
                 "Sequencer::RunTerminateCallbacks: once per sequence");
  // A callback still running after RunAll() was abandoned past its budget:
  // its thread is demoted at once, not waited for until the deadline (its
  // owner's unregistration waits for the callback; regression test:
  // ExitTest.ExitWhileHoldingALockACallbackNeeds).
  terminate_batch_ =
      std::make_unique<TerminateBatch>(registry_, registry_->BeginTerminate());
  const TerminateBatch* const batch = terminate_batch_.get();
  const size_t n = batch->lives.size();
  // The report takes one record per callback and, later, one per join
  // (RunThreadsPhase()): room for both now, not two regrowths of it.
  report.steps.reserve(report.steps.size() + 2 * n);
  std::vector<Step> steps;
  steps.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const ThreadRegistry::Live& live = batch->lives[i];
    Step step;
    step.record.phase = std::string(kThreadsPhase);
    step.record.kind = StepKind::kTerminateCallback;
    if (live.hook) {
      step.record.component = live.component;
      step.record.name = live.name;
    } else {
      step.record.name =
          !live.ended_by.empty()
              ? absl::StrCat(live.name, " (ended by ", live.ended_by, ")")
          : live.daemon ? absl::StrCat(live.name, " (daemon)")
                        : live.name;
    }
    step.budget = options_.callback_budget;
    // Two words: held inline by absl::AnyInvocable, no allocation.
    step.run = [batch, i](StepRecord& record) {
      bool ran = false;
      CallGuarded(
          [&] { ran = batch->registry->RunTerminateCallback(batch->lives[i]); },
          &record);
      batch->returned[i].store(true, std::memory_order_release);
      // A thread that ended before its turn has nothing to report.
      return ran || record.outcome != Outcome::kOk;
    };
    steps.push_back(std::move(step));
  }
  RunSteps(std::move(steps), phase_deadline, report);
  bool all_returned = true;
  for (size_t i = 0; i < n; ++i) {
    if (!batch->returned[i].load(std::memory_order_acquire)) {
      all_returned = false;
      registry_->DemoteBeforeJoin(batch->lives[i]);
    }
  }
  // No step can touch the batch any more: its N names need not live as long
  // as the runtime (for Runtime::Default(), the process).
  if (all_returned) terminate_batch_.reset();
  for (StepRecord& r : registry_->TakeLateRecords()) {
    report.steps.push_back(std::move(r));
  }
}

void Sequencer::AwaitJoins(absl::Time phase_deadline, ShutdownReport& report) {
  ORDERLY_DCHECK_CALLED_ON(sequencer_thread_);
  // Wait until no non-daemon registration remains, late ones too.
  // Registration closes by itself at that moment (ThreadRegistry::closed()).
  registry_->BeginJoin(absl::Now());
  for (;;) {
    const absl::Time wake = std::min(
        {registry_->NextJoinDeadline(), phase_deadline, overall_deadline_});
    if (registry_->AwaitJoins(wake)) return;
    const absl::Time now = absl::Now();
    if (now >= overall_deadline_) {
      StepRecord running;
      running.phase = std::string(kThreadsPhase);
      running.kind = StepKind::kJoin;
      running.name = absl::StrJoin(registry_->StillJoining(), ", ");
      running.start = now;
      watchdog_.Fire(report, running, now);  // Returns only to go on.
      overall_deadline_ = absl::InfiniteFuture();
      registry_->DemoteOverdue(now, /*all=*/true);
      continue;
    }
    registry_->DemoteOverdue(now, /*all=*/now >= phase_deadline);
  }
}

void Sequencer::RunCleanups(CleanupGraph::Phase& phase,
                            absl::Time phase_deadline,
                            ShutdownReport& report) {
  ORDERLY_DCHECK_CALLED_ON(sequencer_thread_);
  // Fences guard teardowns: phases after `threads`. Phases before it stop
  // intake while every thread still runs, by design.
  const bool teardown = teardown_;
  std::vector<Step> steps;
  steps.reserve(phase.cleanups.size());
  for (CleanupGraph::Cleanup& cleanup : phase.cleanups) {
    if (teardown) {
      std::optional<Step> fence = fences_.FenceStep(cleanup.component,
                                                    phase.name);
      if (fence) steps.push_back(std::move(*fence));
    }
    Step step;
    step.record.phase = phase.name;
    step.record.kind = StepKind::kCleanup;
    step.record.component = std::move(cleanup.component);
    step.record.name = std::move(cleanup.name);
    step.budget = cleanup.budget;
    step.run = [graph = graph_, fences = &fences_, teardown,
                id = cleanup.id](StepRecord& record) {
      if (teardown) {
        std::string held = fences->HeldReason(record.component);
        if (!held.empty()) {
          record.outcome = Outcome::kSkipped;
          record.error = absl::StrCat("not run: ", std::move(held));
          return true;
        }
      }
      // False: removed (RemoveComponent/RemoveCleanup) before its turn.
      return graph->RunCleanup(
          id, [&record](CleanupFn& fn) { CallGuarded(fn, &record); });
    };
    steps.push_back(std::move(step));
  }
  RunSteps(std::move(steps), phase_deadline, report);
}

}  // namespace runtime_internal
}  // namespace orderly
