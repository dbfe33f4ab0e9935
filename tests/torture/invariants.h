// Copyright 2026 The orderly Authors.
//
// invariants.h: what must hold after every torture round (DESIGN.md).
//
//   std::vector<std::string> broken = CheckInvariants(scenario, observed);
//   EXPECT_THAT(broken, IsEmpty()) << scenario.Describe();
//
// Each violation is one line that names the invariant and the step, e.g.
// "terminate order: got [t3 t1], want [t1 t3] (reverse creation order)".
// The invariants, checked independently of the runtime's own bookkeeping
// where the round can know the answer itself:
//   phases      the report's phases, and Plan()'s, are the scenario's order;
//   cleanups    each ran at most once; every accepted one ran; in phase
//               order; dependents first; last-registered first within a
//               component; as Plan() said for those declared before it;
//               and as the report lists them;
//   terminate   each callback ran exactly once (none for a registration
//               that ended first), in reverse creation order at the
//               terminate pass, or at once inside RegisterThread() for a
//               registration made after the stop; Plan() said the same;
//   joins       every non-daemon registration ended before the report, or
//               is reported as a straggler by name, exactly when the round
//               blocked it on purpose;
//   faults      every injected error, exception and timeout is in the
//               report by name, with its outcome; nothing else failed;
//   deadline    the sequence finished within its deadline plus a margin;
//   consumers   every accepted item was handled exactly once, in order per
//               producer; what was accepted and not handled was counted as
//               dropped;
//   pools       every handle completed; a task ran iff its handle says so;
//               refusals only after the stop; blocking work done before
//               Shutdown() returned;
//   spot checks what callbacks checked as they ran (Recorder::Violation).

#ifndef ORDERLY_TESTS_TORTURE_INVARIANTS_H_
#define ORDERLY_TESTS_TORTURE_INVARIANTS_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "blocks/overflow_policy.h"
#include "runtime/plan.h"
#include "runtime/report.h"
#include "blocks/thread_pool.h"
#include "tests/torture/recorder.h"
#include "tests/torture/scenario.h"

namespace orderly {
namespace torture {

struct ConsumerObserved {
  std::string name;
  OverflowPolicy overflow = OverflowPolicy::kBlock;
  std::vector<std::vector<int>> accepted;  // Per producer: Push() said OK.
  std::vector<std::pair<int, int>> handled;  // (producer, item), in order.
};

struct TaskObserved {
  std::string label;  // "w0/3"
  ShutdownBehavior behavior = ShutdownBehavior::kSkipOnShutdown;
  bool throws = false;
  bool posted_by_blocking_task = false;
  int runs = 0;
  bool done_at_report = false;  // When Shutdown() returned.
  absl::Status status;          // After the pool was destroyed.
  bool completed = false;       // The handle completed by then.
};

struct Observed {
  Recorded recorded;
  // Recorded::threads as they were when Shutdown() returned.
  std::vector<ThreadRecord> threads_at_report;
  ShutdownPlan plan;  // Taken right before the stop.
  std::shared_ptr<const ShutdownReport> report;
  std::vector<ConsumerObserved> consumers;
  std::vector<TaskObserved> tasks;
  // False if the round was not torn down (Release() not run): the checks
  // that need the end of the round (handles after the pool is gone) skip.
  bool torn_down = true;
};

std::vector<std::string> CheckInvariants(const Scenario& scenario,
                                         const Observed& observed);

}  // namespace torture
}  // namespace orderly

#endif  // ORDERLY_TESTS_TORTURE_INVARIANTS_H_
