// Copyright 2026 The orderly Authors.
//
// cleanup_graph.h (internal): phases, components and their cleanups.
//
// Phases form one list: drain, threads, flush, close, release by default,
// with the service's own inserted before or after any of them. The sequencer
// takes phases from the front (TakeNextPhase); a phase taken is closed to new
// cleanups, and no phase may be inserted in front of it.
//
// Components form a DAG of "depends on" edges, checked at each declaration.
// Within a phase, cleanups run dependents first (a component before every
// component it depends on), components unrelated by dependencies in reverse
// declaration order, and each component's own cleanups last-registered
// first (as atexit).
//
// Cleanups stay in the graph until they run: TakeNextPhase() hands out
// their ids, and RunCleanup() takes each one only when its step starts, so a
// component removed before then is simply gone (its cleanups never run),
// and RemoveComponent() waits only for a cleanup that is running. Removed
// components leave a tombstone (their index stays valid for the edges of
// others); a new component may take the name again.
//
// Thread-safety: all methods are thread-safe. Cleanups, and the ending of
// hook registrations, run outside the lock.

#ifndef ORDERLY_RUNTIME_INTERNAL_CLEANUP_GRAPH_H_
#define ORDERLY_RUNTIME_INTERNAL_CLEANUP_GRAPH_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "runtime/internal/access_gate.h"
#include "runtime/plan.h"
#include "runtime/thread_registration.h"

namespace orderly {
namespace runtime_internal {

using CleanupFn = absl::AnyInvocable<absl::Status()>;

class CleanupGraph {
 public:
  explicit CleanupGraph(absl::Duration default_phase_budget);

  // `before` xor `after` names an existing phase.
  absl::Status AddPhase(absl::string_view name, absl::string_view before,
                        absl::string_view after, absl::Duration budget);
  absl::Status SetPhaseBudget(absl::string_view phase, absl::Duration budget);
  absl::Status AddComponent(absl::string_view name,
                            const std::vector<std::string>& depends_on);
  absl::Status AddDependency(absl::string_view component,
                             absl::string_view depends_on);
  absl::Status AddCleanup(absl::string_view component,
                          absl::string_view phase, absl::string_view name,
                          CleanupFn fn, absl::Duration budget);

  // Removes `name`, its cleanups (a running one is waited for), its
  // terminate hooks, and closes its access gate. Errors: NotFound,
  // FailedPrecondition (components still depend on it: they are named).
  absl::Status RemoveComponent(absl::string_view name);
  // Removes one cleanup (waits for it if it is running). NotFound if gone.
  absl::Status RemoveCleanup(absl::string_view component,
                             absl::string_view name);
  bool HasComponent(absl::string_view name) const;
  // Keeps a component's terminate hook registration until the component is
  // removed (or the graph destroyed). NotFound if the component is gone.
  absl::Status AddHook(absl::string_view component, ThreadRegistration hook);
  // The component's access gate, made on first use. NotFound if unknown.
  absl::StatusOr<std::shared_ptr<AccessGate>> Gate(absl::string_view name);
  // `name` and every component that depends on it, transitively.
  std::vector<std::string> WithDependents(absl::string_view name) const;
  // `name` and every component it depends on, transitively.
  std::vector<std::string> WithDependencies(absl::string_view name) const;

  struct Cleanup {
    std::string component;
    std::string name;
    absl::Duration budget;
    uint64_t id = 0;
  };
  struct Phase {
    std::string name;
    absl::Duration budget;
    std::vector<Cleanup> cleanups;  // In run order.
  };
  // Takes the first phase not yet taken, with its cleanups in run order.
  // False when every phase was taken; every declaration is refused after.
  bool TakeNextPhase(Phase* phase);
  // Runs cleanup `id` through `run` (outside the lock) unless it was
  // removed; false if it was. Its function is destroyed after it returns.
  template <typename Run>
  bool RunCleanup(uint64_t id, Run&& run) {
    CleanupFn* fn = StartCleanup(id);
    if (fn == nullptr) return false;
    struct Finisher {
      CleanupGraph* graph;
      uint64_t id;
      ~Finisher() { graph->FinishCleanup(id); }
    } finish{this, id};
    run(*fn);
    return true;
  }

  // The phases not yet taken and their cleanups, in run order. `threads`
  // has no cleanups; the caller fills in its threads.
  std::vector<PlannedPhase> Plan() const;

 private:
  struct PhaseDecl {
    std::string name;
    absl::Duration budget;
    bool taken = false;
  };
  struct CleanupDecl {
    std::string name;
    std::string phase;
    absl::Duration budget;
    // Heap-held, so that RunCleanup() can run it outside the lock while the
    // vector it is in changes.
    std::unique_ptr<CleanupFn> fn;
    uint64_t id = 0;
    bool running = false;
  };
  struct ComponentDecl {
    std::string name;
    std::vector<int> depends_on;     // Indices into components_.
    std::vector<CleanupDecl> cleanups;  // In registration order.
    bool removed = false;            // A tombstone (see the class comment).
    std::vector<ThreadRegistration> hooks;
    std::shared_ptr<AccessGate> gate;
  };

  // An absl::Condition: no cleanup of `component` (or only cleanup `id`,
  // when not 0) is running. Evaluated with mu_ held.
  struct Idle {
    CleanupGraph* graph;
    int component;
    uint64_t id;
    static bool Check(Idle* idle) ABSL_NO_THREAD_SAFETY_ANALYSIS;
  };
  CleanupFn* StartCleanup(uint64_t id);
  void FinishCleanup(uint64_t id);
  // The cleanup `id`, or null; sets *component to its component's index.
  CleanupDecl* FindCleanupLocked(uint64_t id, int* component)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Closure of `name` along edges (dependencies, or reversed: dependents).
  std::vector<std::string> ClosureLocked(int from, bool dependents) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);

  int FindPhaseLocked(absl::string_view name) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  int FindComponentLocked(absl::string_view name) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  std::string PhaseListLocked() const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // The path from `from` to `to` along dependency edges, or empty.
  std::vector<int> PathLocked(int from, int to) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // Component indices, dependents first.
  std::vector<int> TeardownOrderLocked() const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  const absl::Duration default_phase_budget_;
  std::vector<PhaseDecl> phases_ ABSL_GUARDED_BY(mu_);
  std::vector<ComponentDecl> components_ ABSL_GUARDED_BY(mu_);
  bool finished_ ABSL_GUARDED_BY(mu_) = false;  // Every phase was taken.
  uint64_t next_cleanup_id_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace runtime_internal
}  // namespace orderly

#endif  // ORDERLY_RUNTIME_INTERNAL_CLEANUP_GRAPH_H_
