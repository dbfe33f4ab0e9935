// Copyright 2026 The orderly Authors.

#include "runtime/plan.h"

#include "absl/strings/str_cat.h"
#include "runtime/internal/text_out.h"
#include "runtime/report.h"

namespace orderly {
namespace {

std::string Budget(absl::Duration budget) {
  return budget == absl::InfiniteDuration()
             ? ""
             : absl::StrCat(" (budget ", runtime_internal::HumanDuration(budget), ")");
}

}  // namespace

std::string ShutdownPlan::ToText() const {
  std::string out;
  for (const PlannedPhase& phase : phases) {
    absl::StrAppend(&out, "phase ", phase.name, Budget(phase.budget), "\n");
    for (const PlannedThread& t : phase.threads) {
      absl::StrAppend(&out, "  terminate ", t.name,
                      t.daemon ? " (daemon)" : "", "\n");
    }
    for (const PlannedThread& t : phase.threads) {
      if (!t.daemon) absl::StrAppend(&out, "  join ", t.name, "\n");
    }
    for (const PlannedCleanup& c : phase.cleanups) {
      absl::StrAppend(&out, "  cleanup ", StepLabel(c.component, c.name),
                      Budget(c.budget), "\n");
    }
  }
  return out;
}

}  // namespace orderly
