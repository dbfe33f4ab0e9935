// Copyright 2026 The orderly Authors.

#include "hooks/quick_exit_hook.h"

#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "hooks/internal/exit_hook_internal.h"
#include "runtime/internal/text_out.h"
#include "runtime/runtime.h"

namespace orderly {
namespace {

// Never destroyed (used by quick_exit(), at any time). The budget as
// nanoseconds: read by the handler without a lock a parent thread may hold
// in a fork() child.
std::atomic<int64_t>& BudgetNanos() {
  static std::atomic<int64_t>* const nanos = new std::atomic<int64_t>(0);
  return *nanos;
}

std::string Undelivered() {
  std::vector<std::string> parts;
  for (const auto& [name, value] : Runtime::Default().ReadCounters()) {
    if (value != 0 && absl::EndsWith(name, ".undelivered")) {
      parts.push_back(absl::StrCat(name, " ", value));
    }
  }
  return parts.empty() ? "none counted" : absl::StrJoin(parts, ", ");
}

void OnQuickExit() {
  hooks_internal::NoteQuickExit();
  const absl::Duration budget =
      absl::Nanoseconds(BudgetNanos().load(std::memory_order_relaxed));
  Runtime::ShutdownOptions shutdown;
  shutdown.reason = StopReason::Message("quick_exit()");
  shutdown.abandon_calling_thread = true;
  shutdown.wait_until = absl::Now() + budget;
  auto report = Runtime::Default().Shutdown(shutdown);
  if (absl::IsDeadlineExceeded(report.status())) {
    runtime_internal::WriteAll(
        STDERR_FILENO,
        absl::StrCat("orderly: quick_exit: the shutdown sequence did not "
                     "finish within ",
                     runtime_internal::HumanDuration(budget),
                     "; ending now. Not delivered: ", Undelivered(), "\n"));
  }
  // quick_exit() goes on to _Exit(its code).
}

}  // namespace

absl::Status InstallQuickExitHook(QuickExitHookOptions options) {
  if (options.budget <= absl::ZeroDuration() ||
      options.budget == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "InstallQuickExitHook: budget is ",
        runtime_internal::HumanDuration(options.budget),
        "; it must be positive and finite (quick_exit() must end the "
        "process; the default is 500ms)"));
  }
  Runtime::Default();  // Exists before the hook can run.
  BudgetNanos().store(absl::ToInt64Nanoseconds(options.budget),
                      std::memory_order_relaxed);
  static const int registered = at_quick_exit(&OnQuickExit);
  if (registered != 0) {
    return absl::InternalError(
        "InstallQuickExitHook: at_quick_exit() refused the handler");
  }
  return absl::OkStatus();
}

}  // namespace orderly
