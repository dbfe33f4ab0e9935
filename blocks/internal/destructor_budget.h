// Copyright 2026 The orderly Authors.
//
// destructor_budget.h (internal): how long a handle's destructor waits for
// its thread, after asking it to stop, before it detaches it with one line on
// stderr (DESIGN.md, Handles and the ways a process ends).

#ifndef ORDERLY_BLOCKS_INTERNAL_DESTRUCTOR_BUDGET_H_
#define ORDERLY_BLOCKS_INTERNAL_DESTRUCTOR_BUDGET_H_

#include <optional>

#include "absl/time/time.h"
#include "runtime/runtime_options.h"

namespace orderly {
namespace blocks_internal {

// When every budget is infinite: a handle's destructor never hangs.
inline constexpr absl::Duration kDestructorJoinFallback = absl::Seconds(25);

// The thread's own join budget, else the runtime's join budget, else the
// runtime's deadline, else kDestructorJoinFallback: the first finite one.
inline absl::Duration DestructorBudget(const std::optional<absl::Duration>& own,
                                       const RuntimeOptions& rt) {
  for (absl::Duration d : {own.value_or(absl::InfiniteDuration()),
                           rt.join_budget, rt.deadline}) {
    if (d != absl::InfiniteDuration()) return d;
  }
  return kDestructorJoinFallback;
}

}  // namespace blocks_internal
}  // namespace orderly

#endif  // ORDERLY_BLOCKS_INTERNAL_DESTRUCTOR_BUDGET_H_
