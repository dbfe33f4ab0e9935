// Copyright 2026 The orderly Authors.
//
// exit_hook.h: exit() and a return from main run the shutdown sequence.
//
// Once the hook is installed, exit(), std::exit() and a return from main
// (which calls exit()) run Runtime::Default()'s sequence once, before the
// static destructors of every object constructed before the hook was
// installed, then end the process as process_end.h says.
//
// When it is installed ("first use")
//   - A binary that links //hooks:exit_hook (or //hooks) installs it when
//     Runtime::Default() is created, i.e. at the first use of the default
//     runtime: nothing to call.
//   - InstallExitHook() and MainGuard install it again, at the top of main:
//     atexit handlers run last-registered first, so the hook then runs before
//     the destructor of every global constructed before main. An object
//     constructed after the last installation (a function-local static first
//     used later) is destroyed before the sequence runs: do not let threads
//     use such objects, or never destroy them (absl::NoDestructor).
//
// What each exit() caller gets (glibc runs atexit handlers without a lock
// held, so two exit() calls at once would otherwise run static destructors
// on two threads while the sequence runs)
//   - The first thread to reach the hook runs (or waits for) the sequence. A
//     registered thread is not waited for by the sequence it runs
//     (Runtime::ShutdownOptions::abandon_calling_thread).
//   - Every caller waits for the same report. The first to get it ends the
//     process with its own exit code; the others park for good inside exit()
//     (they never return; they touch nothing). So two threads calling exit(1)
//     and exit(2) at once end the process once, with 1 or 2.
//   - exit() from inside the sequence (a stop, terminate or cleanup callback)
//     parks the calling thread for good; the sequence stops waiting for that
//     step at once (reported as an error) and goes on. The process ends with
//     the exit code of whoever ends it (another exit(), the guard).
//   - Each caller runs its own thread's thread_local destructors first (glibc
//     does, before any handler).
//   Several copies of the handler are registered per installation, and each
//   caller registers one more, so that a concurrent caller always finds one
//   before any static destructor.
//
// Exit codes (docs/sequence.md, How the process ends)
//   Each exit() caller is counted before it requests the stop. MainGuard's
//   Shutdown() (main returning) gives way to every caller in flight: if one
//   of them ends the process, or will, main parks for good instead of
//   returning into exit() (where it would pop a static destructor off the
//   list the owner is running). So exit(N) from any thread wins over main's
//   return and the guard's code; the watchdog and a second signal win over
//   all. A registered thread whose terminate callback is abandoned past its
//   budget is demoted at once, so exit() does not wait for it until the
//   deadline (regression test: ExitTest.ExitWhileHoldingALockACallbackNeeds).
//   A quick_exit() caller (quick_exit_hook.h) wins over every exit() caller
//   that comes after it: they park.
//
// Thread-safety: InstallExitHook() may be called from any thread, at any
// time before exit() starts. Lifetime: the hook lives until the process
// ends; it only uses Runtime::Default(), which is never destroyed.
// After fork(): the child keeps the hook (atexit handlers are inherited) and
// forgets which parent thread ended the process (fork_hook.h). Without the
// fork hook, the exit hook resets the child's default runtime itself, so the
// child's exit() never waits for the parent's sequencer thread.

#ifndef ORDERLY_HOOKS_EXIT_HOOK_H_
#define ORDERLY_HOOKS_EXIT_HOOK_H_

#include "runtime/version.h"  // First: checks for C++17.

#include "absl/status/status.h"
#include "hooks/process_end.h"

namespace orderly {

struct ExitHookOptions {
  // Write ShutdownReport::ToText() to stderr when !report.ok().
  bool print_report_when_not_ok = true;
  ProcessEndOptions process_end;
};

// Installs the hook at the current top of the atexit list, with `options`
// (the latest call's options apply to every installation). Errors:
// ResourceExhausted after kMaxExitHookInstalls calls (each adds handlers to
// the atexit list), Internal if the C library refuses a handler.
absl::Status InstallExitHook(ExitHookOptions options = {});

inline constexpr int kMaxExitHookInstalls = 16;

}  // namespace orderly

#endif  // ORDERLY_HOOKS_EXIT_HOOK_H_
