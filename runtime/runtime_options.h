// Copyright 2026 The orderly Authors.
//
// runtime_options.h: the time budgets and the deadline policy of a Runtime.
//
// One budget covers the whole sequence (`deadline`, counted from the stop
// request); every phase, callback, cleanup and join runs within it and within
// its own, smaller budget. Fit `deadline` to what your supervisor grants
// before it kills the process, minus a margin for the process to end:
//
//   Kubernetes  terminationGracePeriodSeconds (default 30 s)  -> e.g. 25 s
//   systemd     TimeoutStopSec (default 90 s)                  -> e.g. 80 s
//
// When the deadline passes, the runtime's watchdog writes the report so far
// to stderr (which step is still running, for how long) and takes
// `on_deadline`.

#ifndef ORDERLY_RUNTIME_RUNTIME_OPTIONS_H_
#define ORDERLY_RUNTIME_RUNTIME_OPTIONS_H_

#include "runtime/version.h"  // First: checks for C++17.

#include "absl/time/time.h"

namespace orderly {

enum class DeadlineAction {
  // Write the report so far to stderr, then end the process at once with
  // `deadline_exit_code` (std::_Exit: no atexit handlers, no static
  // destructors, which the threads still running would race).
  kExit,
  // Write the report, then std::abort() for a core dump.
  kAbort,
  // Write the report; the sequence goes on. The step running at the deadline
  // is recorded as timed out and abandoned; later steps keep only their own
  // budgets.
  kReportOnly,
};

struct RuntimeOptions {
  // The whole sequence, from the stop request to the last cleanup.
  absl::Duration deadline = absl::Seconds(25);

  DeadlineAction on_deadline = DeadlineAction::kExit;
  int deadline_exit_code = 124;  // As timeout(1).

  // Budget of each stop callback and terminate callback. They must only
  // *ask* for a stop (set a flag, notify, close a socket); one that runs
  // longer is reported as blocking and abandoned.
  absl::Duration callback_budget = absl::Seconds(1);

  // Default budget of one cleanup, when AddCleanup() names none. Always also
  // bounded by its phase's budget and the deadline.
  absl::Duration cleanup_budget = absl::InfiniteDuration();

  // Default budget of one non-daemon thread's join, counted from the start of
  // the joins, when ThreadOptions names none.
  absl::Duration join_budget = absl::InfiniteDuration();

  // Budget of each built-in phase (drain, threads, flush, close, release),
  // unless AddPhase() or SetPhaseBudget() says otherwise.
  absl::Duration phase_budget = absl::InfiniteDuration();

  // How long the teardown of a component waits, at its first cleanup after
  // `threads`, for the threads that declared they use it
  // (ThreadOptions::uses) and for uses in progress (ComponentAccess); and
  // how long the end of the sequence waits for threads a component's
  // cleanups end (ThreadOptions::ended_by). Also bounded by the phase's
  // budget and the deadline. Past it, that component and every component
  // it depends on are not torn down, and the report says who held them.
  absl::Duration fence_budget = absl::Seconds(1);

  // Lame duck: how long the process keeps serving, not ready, after the
  // stop request, before `drain` stops accepting. Readiness (readiness.h)
  // turns not ready at the stop request; load balancers that health-check
  // it (HAProxy `option httpchk`, a Kubernetes readinessProbe) stop routing
  // here within their check interval times their fall count, and requests
  // already on their way still find a listening socket. Size it to that
  // (e.g. HAProxy `inter 100ms fall 2` -> 300 ms with a margin; Kubernetes
  // periodSeconds * failureThreshold, plus the endpoint propagation).
  //
  // When > 0, the runtime declares a phase `lame-duck` right before `drain`
  // with one cleanup, orderly/lame-duck, that waits until the lame duck is
  // over. It counts inside `deadline`: it ends `lame_duck` after the stop
  // request, or, when that would leave less than half the deadline to the
  // rest of the sequence, at half the deadline; or earlier, when
  // Runtime::EndLameDuck() is called. Zero (the default): no such phase;
  // nothing changes.
  //
  // What keeps working during the lame duck: orderly's ThreadPool keeps
  // accepting every task until its `drain` cleanup (blocks/thread_pool.h),
  // since the service still serves; without a lame duck it refuses from
  // the stop request on. stop_requested() and Runtime::stop_token() turn at
  // the stop request either way: code that stops on them (a StopCallback on
  // the runtime's token) stops at once, lame duck or not, so serving code
  // should end in `drain` (a cleanup there). A ManagedThread's own token is
  // asked later, in `threads`.
  absl::Duration lame_duck = absl::ZeroDuration();
};

}  // namespace orderly

#endif  // ORDERLY_RUNTIME_RUNTIME_OPTIONS_H_
