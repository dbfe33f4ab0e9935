// Copyright 2026 The orderly Authors.

#include "runtime/runtime.h"

#include <pthread.h>
#include <time.h>

#include <algorithm>
#include <cassert>
#include <new>
#include <utility>

#include "absl/base/optimization.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "runtime/internal/sequencer.h"
#include "runtime/internal/thread_registry.h"

namespace orderly {

// Defined by //hooks:exit_hook when a binary links it (alwayslink): installs
// the exit hook when the default runtime is created. Weak, so that the core
// does not depend on the hooks.
extern "C" void OrderlyInternalOnDefaultRuntimeCreated() __attribute__((weak));

namespace {

// The lame-duck phase's and step's budget beyond the wait itself, so that a
// wait ending on time is never reported as timed out.
constexpr absl::Duration kLameDuckSlack = absl::Seconds(1);

// The default instance's storage: its options until it exists, and whether
// it does. Never destroyed.
struct DefaultStorage {
  absl::Mutex mu;
  RuntimeOptions options ABSL_GUARDED_BY(mu);
  bool created ABSL_GUARDED_BY(mu) = false;
};

DefaultStorage& Storage() {
  static DefaultStorage* const storage = new DefaultStorage();
  return *storage;
}

}  // namespace

Runtime& Runtime::Default() {
  // The one process-wide object: never destroyed, so usable from static
  // destructors and atexit handlers (DESIGN.md, Concepts).
  static Runtime* const instance = [] {
    RuntimeOptions options;
    {
      DefaultStorage& storage = Storage();
      absl::MutexLock lock(&storage.mu);
      storage.created = true;
      options = storage.options;
    }
    Runtime* runtime = new Runtime(std::move(options));
    if (&OrderlyInternalOnDefaultRuntimeCreated != nullptr) {
      OrderlyInternalOnDefaultRuntimeCreated();
    }
    return runtime;
  }();
  return *instance;
}

absl::Status Runtime::SetDefaultOptions(RuntimeOptions options) {
  DefaultStorage& storage = Storage();
  absl::MutexLock lock(&storage.mu);
  if (storage.created) {
    return absl::FailedPreconditionError(
        "Runtime::SetDefaultOptions: Runtime::Default() exists already (it "
        "was used, e.g. by a global constructor); set its options before "
        "its first use");
  }
  storage.options = std::move(options);
  return absl::OkStatus();
}

Runtime::Runtime() : Runtime(RuntimeOptions()) {}

Runtime::Runtime(RuntimeOptions options) : options_(std::move(options)) {
  StartFresh();
}

void Runtime::StartFresh() {
  registry_ =
      std::make_unique<runtime_internal::ThreadRegistry>(options_.join_budget);
  graph_ =
      std::make_unique<runtime_internal::CleanupGraph>(options_.phase_budget);
  readiness_ = std::unique_ptr<Readiness>(new Readiness(this));
  lame_duck_end_ = std::make_unique<absl::Notification>();
  if (options_.lame_duck > absl::ZeroDuration()) DeclareLameDuck();
  sequencer_ = std::make_unique<runtime_internal::Sequencer>(
      options_, &stop_state_.get(), registry_.get(), graph_.get(), &reason_,
      &stop_time_ns_);
}

void Runtime::ResetAfterForkInChild() {
  // absl::Mutex's debug deadlock detector takes one process-wide lock in
  // every Lock(); a parent thread may have held it at fork(), and every
  // lock in the child would then spin for good. The child has one thread:
  // no cycle to detect (regression test: ExitTest.
  // ForkChildUsesInheritedHandles).
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  // Leak, never destroy: the parent's threads did not follow, and their
  // locks, slots and callbacks may be in any state.
  (void)registry_.release();
  (void)graph_.release();
  fork_leftovers_ = new ForkLeftovers{
      readiness_.release(), lame_duck_end_.release(), fork_leftovers_};
  (void)sequencer_.release();
  stop_state_.ResetInChild();
  reason_.store(0, std::memory_order_relaxed);
  stop_time_ns_.store(0, std::memory_order_relaxed);
  StartFresh();
}

Runtime::~Runtime() {
  RequestStop(StopReason::Destroyed());
  sequencer_->WaitForReport();
  sequencer_.reset();  // Joins the sequencer and every executor.
}

void Runtime::RequestStop(StopReason reason) noexcept {
  // Only async-signal-safe operations: atomics, clock_gettime, sem_post.
  uint64_t none = 0;
  if (reason_.compare_exchange_strong(none, reason.Pack(),
                                      std::memory_order_acq_rel)) {
    timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    stop_time_ns_.store(int64_t{now.tv_sec} * 1000000000 + now.tv_nsec,
                        std::memory_order_release);
  }
  const bool first = stop_state_.get().SetRequested();
  // After the stop state: whoever sees not ready also sees the stop.
  readiness_->MarkStoppingNoNotify();
  if (first) sequencer_->Wake();
}

void Runtime::EndLameDuck() {
  if (!lame_duck_end_->HasBeenNotified()) lame_duck_end_->Notify();
}

void Runtime::DeclareLameDuck() {
  // Names no user can have declared yet: the graph is new.
  absl::Status status = graph_->AddPhase(
      "lame-duck", "drain", "", options_.lame_duck + kLameDuckSlack);
  status.Update(graph_->AddComponent("orderly", {}));
  status.Update(graph_->AddCleanup(
      "orderly", "lame-duck", "lame-duck",
      [this]() -> absl::Status {
        const absl::Time stop = absl::FromUnixNanos(
            stop_time_ns_.load(std::memory_order_acquire));
        const absl::Duration wait =
            std::min(options_.lame_duck, options_.deadline / 2);
        lame_duck_end_->WaitForNotificationWithDeadline(stop + wait);
        return absl::OkStatus();
      },
      options_.lame_duck + kLameDuckSlack));
  // Cannot fail on a fresh graph; a broken invariant is a bug here.
  assert(status.ok());
  (void)status;
}

absl::StatusOr<std::shared_ptr<const ShutdownReport>> Runtime::Shutdown() {
  return Shutdown(ShutdownOptions());
}

absl::StatusOr<std::shared_ptr<const ShutdownReport>> Runtime::Shutdown(
    const ShutdownOptions& options) {
  if (options.abandon_calling_thread) registry_->AbandonThread(pthread_self());
  RequestStop(options.reason);
  if (sequencer_->IsSequenceThread()) {
    if (options.abandon_calling_thread) {
      sequencer_->AbandonCallingStep(
          "called exit() from inside the sequence: parked there for the rest "
          "of the process, abandoned; the sequence goes on");
    }
    return absl::FailedPreconditionError(
        "Shutdown() called from inside the shutdown sequence (a stop "
        "callback, terminate callback or cleanup): it would wait for itself. "
        "The sequence is already running; return from the callback instead");
  }
  std::string name;
  if (!sequencer_->done() &&
      registry_->FindNonDaemon(pthread_self(), &name)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "Shutdown() called on registered thread \"", name,
        "\", which the `threads` phase waits for: waiting here would "
        "deadlock. The stop is requested; end this thread's registration "
        "(return from the thread), or register it as a daemon"));
  }
  std::shared_ptr<const ShutdownReport> report =
      sequencer_->WaitForReport(options.wait_until);
  if (report == nullptr) {
    return absl::DeadlineExceededError(
        "Shutdown(): the sequence was still running at "
        "ShutdownOptions::wait_until; it goes on");
  }
  return report;
}

std::vector<std::pair<std::string, int64_t>> Runtime::ReadCounters() const {
  return sequencer_->ReadCounters();
}

bool Runtime::shutdown_complete() const { return sequencer_->done(); }

absl::StatusOr<ThreadRegistration> Runtime::RegisterThread(
    absl::string_view name, ThreadOptions&& options) {
  if (ABSL_PREDICT_FALSE(!options.uses.empty() || !options.ended_by.empty())) {
    std::vector<absl::string_view> named(options.uses.begin(),
                                         options.uses.end());
    if (!options.ended_by.empty()) named.push_back(options.ended_by);
    for (absl::string_view c : named) {
      if (!graph_->HasComponent(c)) {
        return absl::NotFoundError(absl::StrCat(
            "RegisterThread(\"", name, "\"): unknown component \"", c,
            "\" in ThreadOptions::", c == options.ended_by ? "ended_by" : "uses",
            "; declare it with AddComponent() first"));
      }
    }
  }
  return registry_->Register(name, std::move(options));
}

absl::Status Runtime::AddTerminateHook(absl::string_view component,
                                       absl::string_view name,
                                       absl::AnyInvocable<void()> fn) {
  const std::string what =
      absl::StrCat("AddTerminateHook(\"", component, "\", \"", name, "\")");
  if (name.empty() || !fn) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": needs a name and a callback"));
  }
  if (!graph_->HasComponent(component)) {
    return absl::NotFoundError(
        absl::StrCat(what, ": unknown component \"", component, "\""));
  }
  ThreadOptions options;
  options.on_terminate = std::move(fn);
  absl::StatusOr<ThreadRegistration> hook = registry_->Register(
      name, std::move(options),
      runtime_internal::ThreadRegistry::Kind::kComponentHook, component);
  if (!hook.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        what, ": refused, the `threads` phase has finished: ",
        hook.status().message()));
  }
  // Removed meanwhile: the hook ends here, with the registration.
  return graph_->AddHook(component, *std::move(hook));
}

absl::Status Runtime::RemoveComponent(absl::string_view name) {
  const std::vector<runtime_internal::ThreadRegistry::Live> users =
      registry_->Users({std::string(name)});
  if (!users.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "RemoveComponent(\"", name, "\"): thread \"", users[0].name,
        "\" declared it in ThreadOptions::uses and is still registered; "
        "end that thread first"));
  }
  return graph_->RemoveComponent(name);
}

absl::Status Runtime::RemoveCleanup(absl::string_view component,
                                    absl::string_view name) {
  return graph_->RemoveCleanup(component, name);
}

absl::StatusOr<ComponentAccess> Runtime::Access(absl::string_view component) {
  absl::StatusOr<std::shared_ptr<runtime_internal::AccessGate>> gate =
      graph_->Gate(component);
  if (!gate.ok()) return gate.status();
  return ComponentAccess(*std::move(gate));
}

absl::StatusOr<ThreadRegistration>
runtime_internal::ThreadActivityAccess::RegisterThread(
    Runtime& runtime, absl::string_view name, ThreadOptions&& options,
    const ThreadActivity* activity) {
  return runtime.registry_->Register(
      name, std::move(options),
      runtime_internal::ThreadRegistry::Kind::kThread, {}, activity);
}

absl::Status Runtime::AddPhase(absl::string_view name, PhasePlacement placement,
                               std::optional<absl::Duration> budget) {
  return graph_->AddPhase(name, placement.before(), placement.after(),
                          budget.value_or(options_.phase_budget));
}

absl::Status Runtime::SetPhaseBudget(absl::string_view phase,
                                     absl::Duration budget) {
  return graph_->SetPhaseBudget(phase, budget);
}

absl::StatusOr<Component> Runtime::AddComponent(
    absl::string_view name, const std::vector<std::string>& depends_on) {
  absl::Status status = graph_->AddComponent(name, depends_on);
  if (!status.ok()) return status;
  return Component(this, std::string(name));
}

absl::Status Runtime::AddDependency(absl::string_view component,
                                    absl::string_view depends_on) {
  return graph_->AddDependency(component, depends_on);
}

absl::Status Runtime::AddCleanupImpl(absl::string_view component,
                                     absl::string_view phase,
                                     absl::string_view name,
                                     runtime_internal::CleanupFn fn,
                                     std::optional<absl::Duration> budget) {
  return graph_->AddCleanup(component, phase, name, std::move(fn),
                            budget.value_or(options_.cleanup_budget));
}

absl::Status Runtime::AddReportCounter(
    absl::string_view name, absl::AnyInvocable<int64_t() const> read) {
  return sequencer_->AddCounter(name, std::move(read));
}

void Runtime::AddListener(SequenceListener* listener) {
  sequencer_->AddListener(listener);
}

ShutdownPlan Runtime::Plan() const {
  ShutdownPlan plan;
  plan.phases = graph_->Plan();
  for (PlannedPhase& phase : plan.phases) {
    if (!phase.is_threads) continue;
    for (const auto& live : registry_->Snapshot()) {
      // A component's hook shows as "component/name (hook)": it is in the
      // terminate order, but no thread (never joined).
      phase.threads.push_back(
          live.hook ? PlannedThread{absl::StrCat(StepLabel(live.component,
                                                           live.name),
                                                 " (hook)"),
                                    true}
                    : PlannedThread{live.name, live.daemon});
    }
  }
  return plan;
}

}  // namespace orderly
