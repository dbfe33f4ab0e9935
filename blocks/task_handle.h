// Copyright 2026 The orderly Authors.
//
// task_handle.h: the outcome of one task submitted to a ThreadPool.
//
//   orderly::TaskHandle h = pool->Submit(
//       orderly::ShutdownBehavior::kSkipOnShutdown, [&] { Compact(); });
//   absl::Status s = h.Wait();  // OK, or why the task did not run.
//
// A handle always completes, exactly once, with one of:
//   OK                  the task ran and returned;
//   Unknown             the task ran and threw (the message says what);
//   Cancelled           it was accepted but dropped at shutdown, not started;
//   FailedPrecondition  it was refused at submission (shutdown in progress).
// So no waiter waits forever: every accepted task is either run or
// cancelled before its pool is gone.
//
// Thread-safety: copies share one state; Wait(), WaitFor() and done() may be
// called from any number of threads at once.
// Ordering: everything the task did happens-before Wait() returns OK or
// Unknown.
// Lifetime: a handle may outlive its pool and runtime.

#ifndef ORDERLY_BLOCKS_TASK_HANDLE_H_
#define ORDERLY_BLOCKS_TASK_HANDLE_H_

#include "runtime/version.h"  // First: checks for C++17.

#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace orderly {

class TaskHandle {
 public:
  // A handle of no task: Wait() returns FailedPrecondition.
  TaskHandle() = default;

  bool valid() const { return state_ != nullptr; }
  bool done() const {
    return state_ == nullptr || state_->done.HasBeenNotified();
  }

  // Blocks until the task's outcome is known; returns it (see above).
  absl::Status Wait() const {
    if (state_ == nullptr) return NoTask();
    state_->done.WaitForNotification();
    return state_->status;
  }

  // As Wait(), for at most `timeout`: DeadlineExceeded if not done by then.
  absl::Status WaitFor(absl::Duration timeout) const {
    if (state_ == nullptr) return NoTask();
    if (!state_->done.WaitForNotificationWithTimeout(timeout)) {
      return absl::DeadlineExceededError(
          "TaskHandle::WaitFor: the task has not completed yet");
    }
    return state_->status;
  }

 private:
  friend class ThreadPool;

  struct State {
    absl::Notification done;
    absl::Status status;  // Written once, before `done` is notified.
  };

  static TaskHandle Make() {
    TaskHandle h;
    h.state_ = std::make_shared<State>();
    return h;
  }
  // Call exactly once.
  void Complete(absl::Status status) const {
    state_->status = std::move(status);
    state_->done.Notify();
  }
  static absl::Status NoTask() {
    return absl::FailedPreconditionError(
        "TaskHandle: an empty handle (default-constructed) has no task");
  }

  std::shared_ptr<State> state_;
};

}  // namespace orderly

#endif  // ORDERLY_BLOCKS_TASK_HANDLE_H_
