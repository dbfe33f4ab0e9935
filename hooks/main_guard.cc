// Copyright 2026 The orderly Authors.

#include "hooks/main_guard.h"

#include <unistd.h>

#include <cstdlib>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "hooks/fork_hook.h"
#include "hooks/systemd_notify.h"
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

MainGuard::~MainGuard() {
  Runtime::ShutdownOptions shutdown;
  shutdown.reason = StopReason::Message("main returned");
  shutdown.abandon_calling_thread = true;  // main is done.
  auto report = Runtime::Default().Shutdown(shutdown);
  if (!report.ok()) {
    Note(report.status());
    return;
  }
  const ShutdownReport& r = **report;
  std::optional<int> code;
  if (options_.exit_code) {
    code = options_.exit_code(r);
  } else if (!r.ok()) {
    code = options_.exit_code_when_not_ok;
  }
  // Through exit(): the exit hook prints the report and ends the process as
  // process_end.h says.
  if (code.has_value()) std::exit(*code);
}

}  // namespace orderly
