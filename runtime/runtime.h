// Copyright 2026 The orderly Authors.
//
// runtime.h: one ordered shutdown sequence for a process (or a test).
//
// A `Runtime` owns one shutdown sequence. Services use the process-wide
// `Runtime::Default()`; tests build their own instances.
//
//   orderly::Runtime& rt = orderly::Runtime::Default();
//   auto log = rt.AddComponent("log");
//   auto store = rt.AddComponent("store", {"log"});  // store uses log
//   store->AddCleanup("close", "close-db", [&] { db.Close(); });
//   log->AddCleanup("flush", "flush-file", [&] { return file.Flush(); });
//   ...
//   rt.RequestStop(orderly::StopReason::Signal(SIGTERM));  // or Shutdown()
//   auto report = rt.Shutdown();
//   std::cerr << (*report)->ToText();
//
// The sequence (DESIGN.md, The sequence)
//   1. Stop requested: stop_requested() turns true; stop callbacks run.
//   2. Phases before `threads` run (default: `drain`).
//   3. `threads`: terminate callbacks of every live registration, daemons
//      included, newest first; then every non-daemon registration is joined
//      within its join budget and the phase budget. A thread past its budget
//      is demoted: reported as a straggler, no longer waited for.
//   4. Phases after `threads` run in declared order (default: `flush`,
//      `close`, `release`).
//   5. The report is final; every Shutdown() caller returns it.
// Within a phase, cleanups run dependents first (a component before the
// components it depends on) and last-registered first within a component.
// Errors never stop the sequence: a cleanup that fails, throws or outlives
// its budget is recorded and the next step runs.
//
// Who runs it. RequestStop() only flips a flag and wakes the runtime's
// sequencer thread (started with the runtime), which runs the sequence. User
// code (stop callbacks, terminate callbacks, cleanups) runs on an executor
// thread the sequencer watches, so that a step past its budget is abandoned
// rather than blocking the sequence. The sequencer is also the watchdog: when
// RuntimeOptions::deadline passes, it writes the report so far to stderr and
// takes RuntimeOptions::on_deadline.
//
// Thread-safety: every method is thread-safe. RequestStop() and
// stop_requested() are also async-signal-safe.
//
// Lifetime: Runtime::Default() is created on first use and never destroyed,
// so it stays usable during static destruction. A test's Runtime, when
// destroyed, runs its sequence if nobody did (reason kDestroyed) and joins
// every thread it started, including executors abandoned with a stuck step:
// release what such a step waits for before destroying the runtime.
// Registrations, tokens and callbacks must end before their runtime.
//
// State: nothing is global. The default instance's storage is the only
// process-wide object; every registry, lock and thread belongs to an
// instance.

#ifndef ORDERLY_RUNTIME_RUNTIME_H_
#define ORDERLY_RUNTIME_RUNTIME_H_

#include "runtime/version.h"  // First: checks for C++17.

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "absl/functional/any_invocable.h"
#include "runtime/component_access.h"
#include "runtime/internal/cleanup_graph.h"
#include "runtime/internal/stop_state.h"
#include "runtime/plan.h"
#include "runtime/readiness.h"
#include "runtime/report.h"
#include "runtime/runtime_options.h"
#include "runtime/sequence_listener.h"
#include "runtime/stop_reason.h"
#include "runtime/stop_token.h"
#include "runtime/thread_registration.h"

namespace orderly {

namespace runtime_internal {
class Sequencer;
class ThreadRegistry;
struct ThreadActivityAccess;
}  // namespace runtime_internal

class Component;

// Where AddPhase() puts a new phase: right before or right after another.
class PhasePlacement {
 public:
  static PhasePlacement Before(absl::string_view phase) {
    return PhasePlacement(phase, "");
  }
  static PhasePlacement After(absl::string_view phase) {
    return PhasePlacement("", phase);
  }
  absl::string_view before() const { return before_; }
  absl::string_view after() const { return after_; }

 private:
  PhasePlacement(absl::string_view before, absl::string_view after)
      : before_(before), after_(after) {}
  absl::string_view before_;
  absl::string_view after_;
};

class Runtime {
 public:
  // The process-wide runtime: created on first use, never destroyed.
  static Runtime& Default();

  // Sets the options Default() will be created with (deadline, budgets). Call
  // before anything uses Default(), e.g. first thing in main (MainGuard does
  // it from MainGuardOptions::runtime). Errors: FailedPrecondition once
  // Default() exists.
  static absl::Status SetDefaultOptions(RuntimeOptions options);

  Runtime();
  explicit Runtime(RuntimeOptions options);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  const RuntimeOptions& options() const { return options_; }

  // --- Stopping ---------------------------------------------------------

  // Starts the sequence and returns at once. The first call's reason is the
  // one reported. Lock-free, allocation-free and async-signal-safe.
  void RequestStop(StopReason reason = StopReason()) noexcept;

  // One atomic load (acquire): true once a stop was requested.
  bool stop_requested() const noexcept {
    return stop_state_.get().stop_requested();
  }

  // A token for StopCallback; see stop_token.h.
  StopToken stop_token() { return StopToken(&stop_state_.get()); }

  // Requests a stop if none was, waits until the sequence is done and
  // returns its report; every caller, on any thread, gets the same one.
  // Called from inside the sequence — a stop, terminate or cleanup callback,
  // or a registered non-daemon thread, which the sequence would wait for —
  // it requests the stop and returns FailedPrecondition at once, naming
  // where it was called from, instead of deadlocking.
  absl::StatusOr<std::shared_ptr<const ShutdownReport>> Shutdown();

  struct ShutdownOptions {
    // Recorded if this call is the one that requests the stop.
    StopReason reason = StopReason::Message("Shutdown()");
    // For exit() called on a registered thread: that thread runs the
    // sequence, so it is not waited for (nor reported as running); its
    // terminate callback still runs. Without this, Shutdown() on a
    // registered non-daemon thread returns FailedPrecondition.
    // For exit() called from inside the sequence (a callback or cleanup):
    // the calling step never returns, so the sequence stops waiting for it
    // at once (reported as an error: it called exit()) and goes on; the
    // call still returns FailedPrecondition.
    bool abandon_calling_thread = false;
    // Waits for the sequence until then; past it, returns DeadlineExceeded
    // and the sequence goes on (the quick_exit hook waits a bounded time).
    absl::Time wait_until = absl::InfiniteFuture();
  };
  absl::StatusOr<std::shared_ptr<const ShutdownReport>> Shutdown(
      const ShutdownOptions& options);

  // True once the sequence has finished (the report is final).
  bool shutdown_complete() const;

  // --- Readiness and lame duck (see readiness.h) -------------------------

  // Whether this instance wants traffic: turns not ready at the stop
  // request (in RequestStop(), before any phase), for a /readyz endpoint.
  Readiness& readiness() { return *readiness_; }

  // The lame duck (RuntimeOptions::lame_duck) ends now, or as soon as it
  // begins: e.g. when the service knows no load balancer routes to it any
  // more. Idempotent; a no-op without a lame duck.
  void EndLameDuck();

  // --- Threads (see thread_registration.h) -------------------------------

  // Registers the calling thread. Errors: InvalidArgument (empty name),
  // NotFound (ThreadOptions::uses or ended_by names an undeclared
  // component), FailedPrecondition (the `threads` phase has finished its
  // joins), ResourceExhausted (too many threads registered at once).
  // `options` is taken by rvalue reference (ThreadOptions is move-only:
  // pass std::move(options) or a temporary), so that registering moves its
  // callback once, into the registry, and no copy of the options is made
  // and destroyed on the way.
  absl::StatusOr<ThreadRegistration> RegisterThread(
      absl::string_view name, ThreadOptions&& options = {});

  // --- Phases ----------------------------------------------------------

  // Declares a phase right before or after an existing one. `budget` bounds
  // the whole phase (default: RuntimeOptions::phase_budget). Errors:
  // InvalidArgument (empty name), AlreadyExists (duplicate), NotFound
  // (unknown anchor; the message lists the phases), FailedPrecondition (the
  // sequence has run past that point).
  absl::Status AddPhase(absl::string_view name, PhasePlacement placement,
                        std::optional<absl::Duration> budget = std::nullopt);
  absl::Status SetPhaseBudget(absl::string_view phase, absl::Duration budget);

  // --- Components and cleanups ----------------------------------------

  // Declares an owner of resources. Each name in `depends_on` must be
  // declared already (NotFound otherwise); dependents are torn down first.
  // Errors: InvalidArgument (empty name), AlreadyExists (duplicate).
  absl::StatusOr<Component> AddComponent(
      absl::string_view name, const std::vector<std::string>& depends_on = {});

  // Adds the edge "`component` depends on `depends_on`" between declared
  // components. A cycle is refused with InvalidArgument naming it:
  // "dependency cycle: a -> b -> c -> a".
  absl::Status AddDependency(absl::string_view component,
                             absl::string_view depends_on);

  // Registers a cleanup of `component` in `phase`. `fn` returns void or
  // absl::Status; an error or exception is recorded, never fatal. `budget`
  // defaults to RuntimeOptions::cleanup_budget. Errors: NotFound (unknown
  // component or phase), InvalidArgument (empty name or fn, or the
  // `threads` phase), AlreadyExists (the component has a cleanup of that
  // name), FailedPrecondition (the phase has already run).
  template <typename F>
  absl::Status AddCleanup(absl::string_view component,
                          absl::string_view phase, absl::string_view name,
                          F&& fn,
                          std::optional<absl::Duration> budget = std::nullopt) {
    return AddCleanupImpl(component, phase, name,
                          ToCleanupFn(std::forward<F>(fn)), budget);
  }

  // Registers an "ask to stop" callback of `component`, for a resource whose
  // stop belongs to no thread (zmq_ctx_shutdown(), io_context::stop()). It
  // runs in the terminate step of `threads`, alongside the threads'
  // terminate callbacks, newest first in one creation order with them,
  // within RuntimeOptions::callback_budget; like them it must only ask (not
  // block), and one registered during the sequence, before the joins end,
  // runs at once on the calling thread. It lives until the component is
  // removed. Errors: InvalidArgument (empty name or fn), NotFound (unknown
  // component), FailedPrecondition (the `threads` phase has finished).
  absl::Status AddTerminateHook(absl::string_view component,
                                absl::string_view name,
                                absl::AnyInvocable<void()> fn);

  // Removes a component: its cleanups (they will not run; one running now
  // is waited for), its terminate hooks, and its access (uses are refused
  // from now on; uses in progress are waited for). For code that goes away
  // before the process does: a dlclose()d plugin (docs/shared_objects.md).
  // The name may be declared again afterwards. Errors: NotFound (unknown),
  // FailedPrecondition (components still depend on it: they are named; or a
  // live thread declared it in ThreadOptions::uses: it is named).
  absl::Status RemoveComponent(absl::string_view name);
  // Removes one cleanup (waits for it if it is running). NotFound if the
  // component or the cleanup is unknown.
  absl::Status RemoveCleanup(absl::string_view component,
                             absl::string_view name);

  // A scoped access to `component` for threads the runtime does not know
  // (component_access.h). NotFound if unknown.
  absl::StatusOr<ComponentAccess> Access(absl::string_view component);

  // The order the sequence would run now (see plan.h). Phases already run
  // are left out.
  ShutdownPlan Plan() const;

  // --- Integration -------------------------------------------------------

  // Adds a counter to every report: `read` runs on the sequencer thread when
  // the sequence finishes, and must not block. Errors: InvalidArgument
  // (empty name or read), AlreadyExists (duplicate name).
  absl::Status AddReportCounter(absl::string_view name,
                                absl::AnyInvocable<int64_t() const> read);

  // Every counter's current value, read now on the calling thread, in the
  // order they were added (for a hook that must report before the sequence
  // ends, e.g. what the quick_exit hook could not drain).
  std::vector<std::pair<std::string, int64_t>> ReadCounters() const;

  // Adds a listener (see sequence_listener.h). It must outlive the runtime.
  void AddListener(SequenceListener* listener);

  // For the child of fork() only, while it has one thread: forgets the
  // parent's threads, stop callbacks, components, phases, counters and
  // listeners, and starts a fresh sequence (DESIGN.md: the child starts with
  // an empty registry and a fresh runtime state). What the parent's objects
  // held is leaked, never destroyed: their locks may be held by threads that
  // did not follow. hooks/fork_hook.h calls this from a pthread_atfork handler.
  void ResetAfterForkInChild();

 private:
  friend struct runtime_internal::ThreadActivityAccess;
  template <typename F>
  static runtime_internal::CleanupFn ToCleanupFn(F&& fn) {
    using Result = std::invoke_result_t<std::decay_t<F>&>;
    if constexpr (std::is_same_v<Result, absl::Status>) {
      return runtime_internal::CleanupFn(std::forward<F>(fn));
    } else {
      static_assert(std::is_void_v<Result>,
                    "a cleanup returns void or absl::Status");
      return [f = std::forward<F>(fn)]() mutable {
        f();
        return absl::OkStatus();
      };
    }
  }
  absl::Status AddCleanupImpl(absl::string_view component,
                              absl::string_view phase, absl::string_view name,
                              runtime_internal::CleanupFn fn,
                              std::optional<absl::Duration> budget);

  // First member: stop_requested() is one load at a fixed offset.
  runtime_internal::StopStateOwner stop_state_;
  void StartFresh();
  // Declares the `lame-duck` phase and its wait (RuntimeOptions::lame_duck).
  void DeclareLameDuck();

  // StopReason::Pack() of the first request, and its CLOCK_REALTIME time.
  std::atomic<uint64_t> reason_{0};
  std::atomic<int64_t> stop_time_ns_{0};
  const RuntimeOptions options_;
  std::unique_ptr<runtime_internal::ThreadRegistry> registry_;
  std::unique_ptr<runtime_internal::CleanupGraph> graph_;
  std::unique_ptr<Readiness> readiness_;
  // Notified by EndLameDuck(); the lame-duck cleanup waits on it.
  std::unique_ptr<absl::Notification> lame_duck_end_;
  // What ResetAfterForkInChild() leaks (never destroys), kept reachable so
  // that LeakSanitizer does not report it (the registry, graph and
  // sequencer are reachable through the leaked sequencer's own pointers).
  // Regression test: ProcessHooksTest.ForkChildExitsAtOnceAndTheParentShutsDownLater
  // under --config=asan.
  struct ForkLeftovers {
    Readiness* readiness;
    absl::Notification* lame_duck_end;
    ForkLeftovers* older;
  };
  ForkLeftovers* fork_leftovers_ = nullptr;
  // Last: destroyed first, joining its threads before the rest goes.
  std::unique_ptr<runtime_internal::Sequencer> sequencer_;
};

// A declared component: a name bound to its runtime. Cheap to copy; valid
// while the runtime lives.
class Component {
 public:
  const std::string& name() const { return name_; }

  template <typename F>
  absl::Status AddCleanup(absl::string_view phase, absl::string_view name,
                          F&& fn,
                          std::optional<absl::Duration> budget = std::nullopt) {
    return runtime_->AddCleanup(name_, phase, name, std::forward<F>(fn),
                                budget);
  }
  absl::Status DependOn(absl::string_view other) {
    return runtime_->AddDependency(name_, other);
  }
  absl::Status AddTerminateHook(absl::string_view name,
                                absl::AnyInvocable<void()> fn) {
    return runtime_->AddTerminateHook(name_, name, std::move(fn));
  }
  absl::Status RemoveCleanup(absl::string_view name) {
    return runtime_->RemoveCleanup(name_, name);
  }
  // Runtime::RemoveComponent(name()).
  absl::Status Remove() { return runtime_->RemoveComponent(name_); }
  absl::StatusOr<ComponentAccess> Access() { return runtime_->Access(name_); }

 private:
  friend class Runtime;
  Component(Runtime* runtime, std::string name)
      : runtime_(runtime), name_(std::move(name)) {}
  Runtime* runtime_;
  std::string name_;
};

}  // namespace orderly

#endif  // ORDERLY_RUNTIME_RUNTIME_H_
