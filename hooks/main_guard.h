// Copyright 2026 The orderly Authors.
//
// main_guard.h: one object at the top of main for an orderly process end.
//
//   int main(int argc, char** argv) {
//     orderly::MainGuard guard;        // First, before any thread starts.
//     Server server;                   // Registers threads and cleanups.
//     server.Start();
//     guard.WaitForStop();             // Until SIGTERM, SIGINT or a request.
//     return 0;
//   }  // ~MainGuard: runs the sequence; the report decides the exit code.
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
//   - the fork hook (fork_hook.h);
//   - the watchdog's stack dump (stack_dump.h);
//   - the systemd notifier, when NOTIFY_SOCKET is set (systemd_notify.h).
// Each can be turned off. What fails to install is written to stderr once
// and kept in status(); the guard still runs the sequence at the end.
//
// Destruction (main returns) runs Runtime::Default().Shutdown() and waits for
// the sequence. Then `exit_code(report)` decides:
//   - a code: the process ends with it, through exit() (so the exit hook's
//     report printing and process-end policy apply);
//   - nullopt: main's own return value stands.
// The default: nullopt when report.ok() (main's value stands), else
// exit_code_when_not_ok (1). The report is written to stderr when it is not
// ok (ExitHookOptions::print_report_when_not_ok). If threads may still run,
// the process then ends without static destructors (ProcessEndOptions).
//
// Contract: one guard per process, created on the main thread, first thing
// in main; it must be destroyed on the main thread, by main's return. It is
// not copyable nor movable.
// Thread-safety: WaitForStop() may be called from any thread.

#ifndef ORDERLY_HOOKS_MAIN_GUARD_H_
#define ORDERLY_HOOKS_MAIN_GUARD_H_

#include "runtime/version.h"  // First: checks for C++17.

#include <optional>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "hooks/exit_hook.h"
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
  bool fork_hook = true;
  bool stack_dump = true;
  StackDumpOptions stack_dump_options;
  bool systemd_notify = true;  // Only acts when NOTIFY_SOCKET is set.

  // The exit code for a finished sequence; nullopt keeps main's value.
  // Unset: nullopt when report.ok(), else exit_code_when_not_ok.
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
  void WaitForStop();

 private:
  void Install(const MainGuardOptions& options);
  void Note(absl::Status status);

  MainGuardOptions options_;
  absl::Status status_;
};

}  // namespace orderly

#endif  // ORDERLY_HOOKS_MAIN_GUARD_H_
