// Copyright 2026 The orderly Authors.
//
// quick_exit_hook.h: quick_exit() delivers what consumers hold, within a
// budget, then ends the process with the caller's code.
//
// std::quick_exit(code) runs the at_quick_exit handlers, then _Exit(code):
// no static destructor, no atexit handler, no stdio flush. Without this
// hook, every item queued on a BackgroundConsumer is lost. With it, the
// handler runs Runtime::Default()'s sequence (which drains every consumer in
// `flush`, and runs the service's own cleanups) and waits for it at most
// QuickExitHookOptions::budget; then quick_exit() goes on to _Exit(code).
//
//   orderly::QuickExitHookOptions options;
//   options.budget = absl::Milliseconds(200);
//   orderly::InstallQuickExitHook(options).IgnoreError();  // MainGuard does.
//   ...
//   std::quick_exit(3);  // Consumers drained (within 200 ms); exit code 3.
//
// Contract
// - The process ends with the caller's code, within the budget plus the
//   time to write one line. No static destructor runs (quick_exit's own
//   rule), and no exit() caller takes over: one that reaches the exit hook
//   from then on parks (exit_hook.h, Exit codes).
// - If the sequence has not finished within the budget, one line on stderr
//   says so and counts what consumers still held: every report counter
//   named "*.undelivered" that is not zero (BackgroundConsumer adds one).
//   The sequence is abandoned where it is.
// - quick_exit() called from inside the sequence (a cleanup) or after it
//   finished ends the process at once, with its code.
// - Called on a registered thread, that thread is not waited for.
//
// Thread-safety: InstallQuickExitHook() may be called from any thread; the
// first call registers the handler (at_quick_exit), later ones only change
// the options. Errors: InvalidArgument, naming it, for a budget that is not
// positive and finite; Internal if at_quick_exit() refuses the handler.
// Tested in tests/hooks/quick_exit_hook_test.cc (options) and
// ExitTest.QuickExitDeliversEveryQueuedRecord (tests/hooks/exits_test.cc, in
// a child process).
// After fork(): the child keeps the handler, and runs its own (fresh)
// runtime's sequence.

#ifndef ORDERLY_HOOKS_QUICK_EXIT_HOOK_H_
#define ORDERLY_HOOKS_QUICK_EXIT_HOOK_H_

#include "runtime/version.h"  // First: checks for C++17.

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace orderly {

struct QuickExitHookOptions {
  // How long quick_exit() waits for the sequence (consumers drained).
  absl::Duration budget = absl::Milliseconds(500);
};

absl::Status InstallQuickExitHook(QuickExitHookOptions options = {});

}  // namespace orderly

#endif  // ORDERLY_HOOKS_QUICK_EXIT_HOOK_H_
