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
// Thread-safety: all methods are thread-safe. Returned cleanups run outside
// the lock.

#ifndef ORDERLY_RUNTIME_INTERNAL_CLEANUP_GRAPH_H_
#define ORDERLY_RUNTIME_INTERNAL_CLEANUP_GRAPH_H_

#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "runtime/plan.h"

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

  struct Cleanup {
    std::string component;
    std::string name;
    absl::Duration budget;
    CleanupFn fn;
  };
  struct Phase {
    std::string name;
    absl::Duration budget;
    std::vector<Cleanup> cleanups;  // In run order.
  };
  // Takes the first phase not yet taken, with its cleanups in run order.
  // False when every phase was taken; every declaration is refused after.
  bool TakeNextPhase(Phase* phase);

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
    CleanupFn fn;
  };
  struct ComponentDecl {
    std::string name;
    std::vector<int> depends_on;     // Indices into components_.
    std::vector<CleanupDecl> cleanups;  // In registration order.
  };

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
};

}  // namespace runtime_internal
}  // namespace orderly

#endif  // ORDERLY_RUNTIME_INTERNAL_CLEANUP_GRAPH_H_
