// Copyright 2026 The orderly Authors.
//
// main_guard.h: one object at the top of main for an orderly process end.
//
//   int main(int argc, char** argv) {
//     orderly::MainGuard guard;        // First, before any thread starts.
//     Server server;                   // Registers threads and cleanups.
//     server.Start();
//     guard.WaitForStop();             // Until SIGTERM, SIGINT or a request.
//     return guard.Shutdown();         // The sequence, while `server` lives.
//   }
//
// or, the same for a main that only waits: `return guard.WaitForShutdown();`.
//
// `return guard.Shutdown();` is the one way to end main: the sequence runs
// (threads terminated and joined, every cleanup run) while main's locals
// still exist, so a cleanup that `server` registered, capturing `this`, never
// runs on a destroyed `server`. Only then are the locals destroyed; their
// handles find their threads joined. (Before, the examples let ~MainGuard
// run the sequence: main's locals were destroyed first. ~MainGuard still
// runs it if Shutdown() was not called, and says so on stderr.) Tested in
// DocumentedMainTest.RunsTheSequenceBeforeMainsLocalsGo
// (tests/hooks/exits_test.cc).
//
// Construction installs, with MainGuardOptions:
//   - the default runtime's options (RuntimeOptions: the deadline to fit
//     your supervisor's grace period), if given — before anything else uses
//     Runtime::Default();
//   - signal handling (signals.h): SIGTERM and SIGINT request a stop, a
//     second one ends the process at once;
//   - the exit hook (exit_hook.h) at the top of the atexit list: exit() from
//     anywhere runs the sequence once, and the process ends as
//     process_end.h says;
//   - the quick_exit hook (quick_exit_hook.h): quick_exit() drains the
//     consumers within a budget;
//   - the fork hook (fork_hook.h);
//   - the watchdog's stack dump (stack_dump.h);
//   - the systemd notifier, when NOTIFY_SOCKET is set (systemd_notify.h).
// Each can be turned off. What fails to install is written to stderr once
// and kept in status(); the guard still runs the sequence at the end.
//
// WaitForStop() returns when a stop is *requested*: the sequence then starts
// on orderly's own thread and runs while the caller goes on. It does not
// wait for the sequence; Shutdown() does.
//
// Shutdown(code_when_ok) runs Runtime::Default().Shutdown(), waits for the
// sequence to end and returns main's exit code:
// `exit_code(report)` if set, else code_when_ok when report.ok(), else
// exit_code_when_not_ok (1). The report is written to stderr when it is not
// ok (as main's return goes through the exit hook:
// ExitHookOptions::print_report_when_not_ok), and if threads may still run
// the process ends without static destructors (ProcessEndOptions).
//
// Exit codes, highest precedence first (exit_hook.h, Exit codes):
//   1. the watchdog at the deadline (RuntimeOptions::deadline_exit_code);
//   2. a second signal (128 + its number);
//   3. exit(N) or quick_exit(N) called by any thread before main returned:
//      N (one of the callers' codes, if several);
//   4. Shutdown()'s result (above), which main returns.
//
// Contract: one guard per process, created on the main thread, first thing
// in main; it must be destroyed on the main thread, by main's return.
// Shutdown() is called once, on the main thread. It is not copyable nor
// movable.
// Thread-safety: WaitForStop() may be called from any thread.

#ifndef ORDERLY_HOOKS_MAIN_GUARD_H_
#define ORDERLY_HOOKS_MAIN_GUARD_H_

#include "runtime/version.h"  // First: checks for C++17.

#include <optional>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "hooks/exit_hook.h"
#include "hooks/quick_exit_hook.h"
#include "hooks/signals.h"
#include "hooks/stack_dump.h"
#include "runtime/report.h"
#include "runtime/runtime_options.h"

namespace orderly {

struct MainGuardOptions {
  // Options for Runtime::Default(); unset keeps the defaults. Fails (see
  // status()) if the default runtime was already used, e.g. by a global
  // constructor.
  std::optional<RuntimeOptions> runtime;

  bool handle_signals = true;
  SignalOptions signals;
  ExitHookOptions exit;  // Report printing and process-end policy.
  bool quick_exit_hook = true;
  QuickExitHookOptions quick_exit;  // How long quick_exit() drains.
  bool fork_hook = true;
  bool stack_dump = true;
  StackDumpOptions stack_dump_options;
  bool systemd_notify = true;  // Only acts when NOTIFY_SOCKET is set.

  // The exit code for a finished sequence; nullopt keeps main's value
  // (code_when_ok, for Shutdown()). Unset: nullopt when report.ok(), else
  // exit_code_when_not_ok.
  absl::AnyInvocable<std::optional<int>(const ShutdownReport&) const>
      exit_code;
  int exit_code_when_not_ok = 1;
};

class MainGuard {
 public:
  MainGuard();
  explicit MainGuard(MainGuardOptions options);
  ~MainGuard();
  MainGuard(const MainGuard&) = delete;
  MainGuard& operator=(const MainGuard&) = delete;

  // OK, or the first hook that failed to install.
  const absl::Status& status() const { return status_; }

  // Blocks until a stop is requested (a signal, RequestStop(), exit()).
  // Returns at the request, not at the end of the sequence: call Shutdown()
  // next.
  void WaitForStop();

  // Requests a stop if none was, waits until the sequence is done and
  // returns the exit code for main to return (see above). Call once, on the
  // main thread, as `return guard.Shutdown();`.
  int Shutdown(int code_when_ok = 0);

  // WaitForStop(), then Shutdown(code_when_ok): for a server whose main
  // only waits, `return guard.WaitForShutdown();`.
  int WaitForShutdown(int code_when_ok = 0);

 private:
  void Install(const MainGuardOptions& options);
  void Note(absl::Status status);

  // The code for `report` (see Shutdown()); nullopt keeps main's own.
  std::optional<int> CodeFor(const ShutdownReport& report) const;

  MainGuardOptions options_;
  absl::Status status_;
  bool shut_down_ = false;  // Shutdown() was called (main thread only).
};

}  // namespace orderly

#endif  // ORDERLY_HOOKS_MAIN_GUARD_H_
