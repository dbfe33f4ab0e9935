// Copyright 2026 The orderly Authors.
//
// fence.h (internal): a component is not torn down while something that
// declared it still runs (DESIGN.md, The sequence, step 3: daemon threads
// are fenced).
//
// What holds a component C: a live registration whose ThreadOptions::uses
// names C or a component that depends on C (transitively: a thread that
// uses `store`, which uses `log`, holds `log` too), and a use in progress of
// C's ComponentAccess. The teardown of C begins at its first cleanup in a
// phase after `threads`; a fence step goes first. It marks C held (so a
// cleanup of C that would run while the fence step is abandoned is skipped,
// never run early), closes C's access, waits for the holders within the
// fence budget (and the phase's budget), then either releases C or leaves
// it held together with every component C depends on: their cleanups are
// skipped for the rest of the sequence, and the report says who held them.
//
// At the end of the sequence, registrations that must have ended by then
// (those with uses, and those ended_by a component) are waited for within
// the fence budget; those still running become stragglers.
//
// Thread-safety: FenceStep() and AwaitAccountable() are called by the
// sequencer; a fence step's body and HeldReason() run on executors. The held
// map is under mu_.

#ifndef ORDERLY_RUNTIME_INTERNAL_FENCE_H_
#define ORDERLY_RUNTIME_INTERNAL_FENCE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "runtime/internal/cleanup_graph.h"
#include "runtime/internal/step_runner.h"
#include "runtime/internal/thread_registry.h"
#include "runtime/report.h"

namespace orderly {
namespace runtime_internal {

class Fences {
 public:
  Fences(ThreadRegistry* registry, CleanupGraph* graph,
         absl::Duration budget)
      : registry_(registry), graph_(graph), budget_(budget) {}
  Fences(const Fences&) = delete;
  Fences& operator=(const Fences&) = delete;

  // The fence step for `component` in `phase`, the first time the
  // sequencer asks for that component; nullopt afterwards.
  std::optional<Step> FenceStep(const std::string& component,
                                const std::string& phase);

  // Why `component` must not be torn down ("held by thread ingest ..."),
  // or empty.
  std::string HeldReason(const std::string& component) const;

  // Waits (within the fence budget and `deadline`) for registrations that
  // must have ended by the end of the sequence; returns those still
  // running, as stragglers.
  std::vector<Straggler> AwaitAccountable(absl::Time deadline);

 private:
  // The body of a fence step; false when nothing held the component.
  bool Fence(const std::string& component, StepRecord& record);
  void Hold(const std::string& component, const std::string& reason);

  ThreadRegistry* const registry_;
  CleanupGraph* const graph_;
  const absl::Duration budget_;

  absl::flat_hash_set<std::string> fenced_;  // Sequencer thread only.
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::string> held_ ABSL_GUARDED_BY(mu_);
};

}  // namespace runtime_internal
}  // namespace orderly

#endif  // ORDERLY_RUNTIME_INTERNAL_FENCE_H_
