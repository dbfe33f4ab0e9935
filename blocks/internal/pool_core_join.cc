// Copyright 2026 The orderly Authors.
//
// pool_core_join.cc: how a pool's destructor ends its workers, each within
// the destructor's budget (blocks/internal/destructor_budget.h).

#include <unistd.h>

#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "blocks/internal/destructor_budget.h"
#include "blocks/internal/pool_core.h"
#include "runtime/internal/text_out.h"

namespace orderly {
namespace blocks_internal {

bool PoolCore::ShutdownAndJoin() {
  StartShutdown();
  CancelPending();
  StopAllTasks();  // T1: as the terminate step would.
  // Bounded (DESIGN.md, Handles): within the join budget. One line on
  // stderr names each worker given up on.
  const bool sequence_over = runtime_->shutdown_complete();
  const absl::Time deadline =
      absl::Now() + DestructorBudget(std::nullopt, runtime_->options());
  bool all_joined = true;
  for (const std::unique_ptr<Worker>& w : workers_) {
    if (!JoinWorker(*w, deadline, sequence_over)) all_joined = false;
  }
  return all_joined;
}

bool PoolCore::JoinWorker(Worker& w, absl::Time deadline, bool sequence_over) {
  if (!w.thread.joinable()) return true;
  if (w.thread.get_id() == std::this_thread::get_id()) {
    w.thread.detach();  // Misuse (a task destroyed its pool): no deadlock.
    return false;
  }
  // A demoted worker is waited for once it is out of its task: it then
  // only leaves, or takes a next task (the join stays bounded by
  // `deadline`). Regression test: ThreadPoolTaskTest.
  // UnnamedTaskIsNamedByWhereItWasPosted (released, then destroyed).
  const bool may_wait = !sequence_over ||
                        w.ending.load(std::memory_order_acquire) ||
                        w.continuing.load(std::memory_order_acquire) ||
                        !w.in_task.load(std::memory_order_acquire);
  if (may_wait && w.finished.WaitForNotificationWithDeadline(deadline)) {
    w.thread.join();
    return true;
  }
  w.thread.detach();
  runtime_internal::WriteAll(
      STDERR_FILENO,
      absl::StrCat("orderly: ThreadPool worker \"", w.name,
                   "\" still running when the pool was destroyed; "
                   "detached, not joined\n"));
  return false;
}

}  // namespace blocks_internal
}  // namespace orderly
