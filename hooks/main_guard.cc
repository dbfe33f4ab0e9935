// Copyright 2026 The orderly Authors.

#include "hooks/main_guard.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "hooks/fork_hook.h"
#include "hooks/internal/exit_hook_internal.h"
#include "hooks/systemd_notify.h"
#include "runtime/internal/check.h"
#include "runtime/internal/text_out.h"
#include "runtime/runtime.h"
#include "runtime/stop_token.h"

namespace orderly {

MainGuard::MainGuard() : MainGuard(MainGuardOptions()) {}

MainGuard::MainGuard(MainGuardOptions options) : options_(std::move(options)) {
  Install(options_);
}

void MainGuard::Install(const MainGuardOptions& options) {
  // Options first: anything below may create the default runtime.
  if (options.runtime.has_value()) {
    Note(Runtime::SetDefaultOptions(*options.runtime));
  }
  // Signals before the runtime's threads start, so that they inherit the
  // block (signals.h).
  if (options.handle_signals) Note(InstallSignalHandling(options.signals));
  Note(InstallExitHook(options.exit));
  if (options.quick_exit_hook) {
    Note(InstallQuickExitHook(options.quick_exit));
  }
  if (options.fork_hook) Note(InstallForkHook());
  if (options.stack_dump) {
    Note(InstallStackDumpOnDeadline(options.stack_dump_options));
  }
  if (options.systemd_notify) Note(InstallSystemdNotifier().status());
}

void MainGuard::Note(absl::Status status) {
  if (status.ok()) return;
  runtime_internal::WriteAll(
      STDERR_FILENO, absl::StrCat("orderly: MainGuard: ", status.ToString(),
                                  "\n"));
  if (status_.ok()) status_ = std::move(status);
}

void MainGuard::WaitForStop() {
  absl::Notification stopped;
  {
    // Its destructor waits for a running callback, so `stopped` outlives
    // Notify().
    StopCallback on_stop(Runtime::Default().stop_token(),
                         [&stopped] { stopped.Notify(); },
                         "MainGuard::WaitForStop");
    stopped.WaitForNotification();
  }
}

std::optional<int> MainGuard::CodeFor(const ShutdownReport& r) const {
  if (options_.exit_code) return options_.exit_code(r);
  if (!r.ok()) return options_.exit_code_when_not_ok;
  return std::nullopt;
}

int MainGuard::Shutdown(int code_when_ok) {
  ORDERLY_DCHECK(!shut_down_, "MainGuard::Shutdown: call once");
  ORDERLY_DCHECK(syscall(SYS_gettid) == getpid(),
                 "MainGuard::Shutdown: call on the main thread");
  shut_down_ = true;
  Runtime::ShutdownOptions shutdown;
  shutdown.reason = StopReason::Message("main returned");
  shutdown.abandon_calling_thread = true;  // main is done.
  auto report = Runtime::Default().Shutdown(shutdown);
  // From here on main only returns: its exit() gives way to any exit()
  // caller already in flight (exit_hook.h, Exit codes).
  hooks_internal::NoteMainReturning();
  if (!report.ok()) {
    Note(report.status());
    return options_.exit_code_when_not_ok;
  }
  return CodeFor(**report).value_or(code_when_ok);
}

int MainGuard::WaitForShutdown(int code_when_ok) {
  WaitForStop();
  return Shutdown(code_when_ok);
}

MainGuard::~MainGuard() {
  if (shut_down_) return;  // main returns Shutdown()'s code: it stands.
  runtime_internal::WriteAll(
      STDERR_FILENO,
      "orderly: MainGuard destroyed before Shutdown() was called: main's "
      "locals were destroyed before the shutdown sequence ran; end main "
      "with `return guard.Shutdown();`\n");
  Runtime::ShutdownOptions shutdown;
  shutdown.reason = StopReason::Message("main returned");
  shutdown.abandon_calling_thread = true;  // main is done.
  auto report = Runtime::Default().Shutdown(shutdown);
  hooks_internal::NoteMainReturning();
  if (!report.ok()) {
    Note(report.status());
    return;
  }
  const std::optional<int> code = CodeFor(**report);
  // Through exit(): the exit hook prints the report and ends the process as
  // process_end.h says.
  if (code.has_value()) std::exit(*code);
}

}  // namespace orderly
