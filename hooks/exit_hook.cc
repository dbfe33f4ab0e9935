// Copyright 2026 The orderly Authors.

#include "hooks/exit_hook.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <new>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "hooks/internal/exit_hook_internal.h"
#include "hooks/internal/park.h"
#include "runtime/internal/text_out.h"
#include "runtime/runtime.h"

namespace orderly {
namespace {

// Handlers per installation: the first caller pops one, and each caller
// replaces the one it popped; the spare ones cover callers that arrive
// between a pop and its replacement.
constexpr int kHandlersPerInstall = 4;

struct ExitState {
  absl::Mutex mu;
  ExitHookOptions options ABSL_GUARDED_BY(mu);
  int installs ABSL_GUARDED_BY(mu) = 0;
  // The thread ending the process, once one got the report.
  bool has_owner ABSL_GUARDED_BY(mu) = false;
  pthread_t owner ABSL_GUARDED_BY(mu){};
  // exit() callers other than main's return that entered the hook and may
  // still end the process (exit_hook.h, Exit codes).
  int pending_exits ABSL_GUARDED_BY(mu) = 0;
  // The thread returning from main (MainGuard), whose exit() gives way.
  bool main_returning ABSL_GUARDED_BY(mu) = false;
  pthread_t main_thread ABSL_GUARDED_BY(mu){};
  // A quick_exit() caller ends the process: every exit() caller parks.
  bool quick_exit ABSL_GUARDED_BY(mu) = false;
  // InstallForkHook() was called: its child handler resets everything.
  std::atomic<bool> fork_hook{false};
};

ExitState& State() {
  // Never destroyed: used by exit() itself, after static destructors began.
  static ExitState* const state = new ExitState();
  return *state;
}

bool IsOwner(ExitState& state) {
  absl::MutexLock lock(&state.mu);
  return state.has_owner && pthread_equal(state.owner, pthread_self());
}

bool IsMainReturn(ExitState& state) {
  absl::MutexLock lock(&state.mu);
  return state.main_returning && pthread_equal(state.main_thread, pthread_self());
}

// True if the calling thread is, from now on, the one ending the process.
// Main's return gives way to every exit() caller still in flight: it waits
// until one of them owns the end or none is left (each either claims, or
// parks inside the sequence and says so).
bool ClaimOwner(ExitState& state, bool main_return, ExitHookOptions* options) {
  absl::MutexLock lock(&state.mu);
  if (main_return) {
    state.mu.Await(absl::Condition(
        +[](ExitState* s) ABSL_NO_THREAD_SAFETY_ANALYSIS {
          return s->has_owner || s->quick_exit || s->pending_exits == 0;
        },
        &state));
  }
  if (state.has_owner || state.quick_exit) return false;
  state.has_owner = true;
  state.owner = pthread_self();
  *options = state.options;
  return true;
}

void AddPending(ExitState& state, int n) {
  absl::MutexLock lock(&state.mu);
  state.pending_exits += n;
}

void OnExit(int status, void*);

bool RegisterHandler() {
#if defined(__GLIBC__)
  return on_exit(&OnExit, nullptr) == 0;  // Passes the exit status.
#else
  return atexit(+[] { OnExit(0, nullptr); }) == 0;
#endif
}

void OnExit(int status, void*) {
  ExitState& state = State();
  // The owner passing its own later copies: nothing to do.
  if (IsOwner(state)) return;
  // Keep a handler on top for the next caller (glibc calls it after this
  // one returns, or another thread pops it meanwhile).
  (void)RegisterHandler();

  // Counted before the stop request: main, woken by that request, can only
  // return after this caller is counted, so it gives way to it.
  const bool main_return = IsMainReturn(state);
  if (!main_return) AddPending(state, 1);
  Runtime::ShutdownOptions shutdown;
  shutdown.reason = StopReason::Exit(status);
  shutdown.abandon_calling_thread = true;
  auto report = Runtime::Default().Shutdown(shutdown);
  if (!report.ok()) {
    // exit() from inside the sequence: the runtime stops waiting for this
    // step; whoever ends the process does so without us.
    if (!main_return) AddPending(state, -1);
    hooks_internal::ParkForever();
  }
  ExitHookOptions options;
  if (!ClaimOwner(state, main_return, &options)) {
    // Another exit() caller got the report first and ends the process.
    hooks_internal::ParkForever();
  }
  const ShutdownReport& r = **report;
  if (options.print_report_when_not_ok && !r.ok()) {
    runtime_internal::WriteAll(STDERR_FILENO, r.ToText());
  }
  EndProcessIfThreadsRun(r, status, options.process_end);
  // Static destructors, stdio flush and _exit(status) follow in exit().
}

// The child of fork() without the fork hook: the runtime and this state are
// reset anyway, or the child's exit() would wait for the parent's sequencer
// thread, which did not follow (regression test: ExitTest.
// ForkChildUsesInheritedHandles, "nohook" variant).
void InChildWithoutForkHook() {
  if (State().fork_hook.load(std::memory_order_relaxed)) return;
  Runtime::Default().ResetAfterForkInChild();
  hooks_internal::ResetExitHookAfterForkInChild();
}

absl::Status InstallLocked(ExitState& state) ABSL_EXCLUSIVE_LOCKS_REQUIRED(
    state.mu) {
  static const int atfork =
      pthread_atfork(nullptr, nullptr, &InChildWithoutForkHook);
  (void)atfork;  // Out of memory: the child behaves as before this hook.
  if (state.installs >= kMaxExitHookInstalls) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "InstallExitHook: called ", state.installs,
        " times already, the most it allows; install it once, at the top of "
        "main (MainGuard does)"));
  }
  ++state.installs;
  for (int i = 0; i < kHandlersPerInstall; ++i) {
    if (!RegisterHandler()) {
      return absl::InternalError(
          "InstallExitHook: the C library refused an atexit handler (out of "
          "memory, or exit() has already finished its handlers)");
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status InstallExitHook(ExitHookOptions options) {
  Runtime::Default();  // Exists before the hook can run.
  ExitState& state = State();
  absl::MutexLock lock(&state.mu);
  state.options = options;
  return InstallLocked(state);
}

namespace hooks_internal {

void ResetExitHookAfterForkInChild() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  // The child has one thread. A parent thread that did not follow may have
  // held the mutex at fork: read without it, and start a fresh state over the
  // old one (which holds nothing to free), as Runtime::ResetAfterForkInChild
  // does.
  ExitState& state = State();
  const ExitHookOptions options = state.options;
  const int installs = state.installs;
  const bool fork_hook = state.fork_hook.load(std::memory_order_relaxed);
  new (&state) ExitState();
  state.options = options;
  state.installs = installs;
  state.fork_hook.store(fork_hook, std::memory_order_relaxed);
}

void NoteMainReturning() {
  ExitState& state = State();
  {
    absl::MutexLock lock(&state.mu);
    state.main_returning = true;
    state.main_thread = pthread_self();
    // Main gives way to every exit() caller in flight: one that owns the
    // end, or will, ends the process; main must not race it through exit()
    // (it would pop a static destructor off the list the owner runs).
    state.mu.Await(absl::Condition(
        +[](ExitState* s) ABSL_NO_THREAD_SAFETY_ANALYSIS {
          return s->has_owner || s->quick_exit || s->pending_exits == 0;
        },
        &state));
    if (!state.has_owner && !state.quick_exit) return;
  }
  hooks_internal::ParkForever();
}

void NoteForkHookInstalled() {
  State().fork_hook.store(true, std::memory_order_relaxed);
}

void NoteQuickExit() {
  ExitState& state = State();
  absl::MutexLock lock(&state.mu);
  state.quick_exit = true;
}

}  // namespace hooks_internal
}  // namespace orderly

// The first use of Runtime::Default() installs the hook (runtime.cc).
extern "C" void OrderlyInternalOnDefaultRuntimeCreated() {
  orderly::ExitState& state = orderly::State();
  absl::MutexLock lock(&state.mu);
  (void)orderly::InstallLocked(state);
}
