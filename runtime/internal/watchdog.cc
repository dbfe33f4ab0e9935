// Copyright 2026 The orderly Authors.

#include "runtime/internal/watchdog.h"

#include <unistd.h>

#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "runtime/internal/text_out.h"
#include "runtime/stop_reason.h"

namespace orderly {
namespace runtime_internal {

Watchdog::Watchdog(const RuntimeOptions& options, ThreadRegistry* registry,
                   const StepRunner* runner,
                   const std::vector<SequenceListener*>* listeners,
                   absl::AnyInvocable<std::vector<UnknownThread>() const>
                       unknown_threads)
    : options_(options),
      registry_(registry),
      runner_(runner),
      listeners_(listeners),
      unknown_threads_(std::move(unknown_threads)) {}

void Watchdog::BindToCurrentThread() { sequencer_thread_.Bind(); }

void Watchdog::EnterPhase(absl::string_view name, absl::Time start) {
  ORDERLY_DCHECK_CALLED_ON(sequencer_thread_);
  current_phase_ = std::string(name);
  current_phase_start_ = start;
}

void Watchdog::Fire(const ShutdownReport& report, const StepRecord& running,
                    absl::Time now) {
  ORDERLY_DCHECK_CALLED_ON(sequencer_thread_);
  WriteAll(STDERR_FILENO, LastWords(report, running, now));
  if (!listeners_->empty()) {
    const std::vector<StuckThread> stuck = StuckThreads(running);
    for (SequenceListener* l : *listeners_) l->OnDeadline(stuck);
  }
  TakeAction();
}

std::string Watchdog::LastWords(const ShutdownReport& report,
                                const StepRecord& running,
                                absl::Time now) const {
  ShutdownReport so_far = report;
  so_far.deadline_exceeded = true;
  so_far.finished = now;
  // Read now: which threads nobody registered run at the deadline.
  if (unknown_threads_) so_far.unknown_threads_at_end = unknown_threads_();
  return absl::StrCat("orderly: SHUTDOWN DEADLINE EXCEEDED: ",
                      HumanDuration(options_.deadline),
                      " after the stop request (", report.reason.ToString(),
                      ")\n", StillRunningLine(running, now), so_far.ToText(),
                      ActionLine());
}

std::string Watchdog::StillRunningLine(const StepRecord& running,
                                       absl::Time now) const {
  ORDERLY_DCHECK_CALLED_ON(sequencer_thread_);
  const std::string what = StepLabel(running.component, running.name);
  if (running.kind == StepKind::kJoin) {
    return absl::StrCat("orderly: still running: phase ", current_phase_,
                        " for ", HumanDuration(now - current_phase_start_),
                        ", joining threads: ", what, "\n");
  }
  if (what.empty()) {
    return absl::StrCat("orderly: still running: phase ", current_phase_,
                        "\n");
  }
  return absl::StrCat("orderly: still running: ",
                      running.phase.empty() ? "" : "phase ", running.phase,
                      running.phase.empty() ? "" : ", ",
                      StepKindName(running.kind), " ", what, " for ",
                      HumanDuration(now - running.start), "\n");
}

std::string Watchdog::ActionLine() const {
  switch (options_.on_deadline) {
    case DeadlineAction::kExit:
      return absl::StrCat("orderly: ending the process now with exit code ",
                          options_.deadline_exit_code,
                          " (no static destructors: threads still run)\n");
    case DeadlineAction::kAbort:
      return "orderly: aborting for a core dump\n";
    case DeadlineAction::kReportOnly:
      return "orderly: going on (on_deadline = report only); the running "
             "step is abandoned\n";
  }
  return "";
}

std::vector<StuckThread> Watchdog::StuckThreads(
    const StepRecord& running) const {
  std::vector<StuckThread> stuck;
  const std::string what = StepLabel(running.component, running.name);
  if (running.kind != StepKind::kJoin && !what.empty()) {
    stuck.push_back(
        StuckThread{absl::StrCat(StepKindName(running.kind), " ", what),
                    runner_->current_executor()});
  }
  for (auto& [name, thread] : registry_->OverdueThreads()) {
    stuck.push_back(StuckThread{absl::StrCat("thread ", name), thread});
  }
  return stuck;
}

void Watchdog::TakeAction() const {
  switch (options_.on_deadline) {
    case DeadlineAction::kExit:
      std::_Exit(options_.deadline_exit_code);
    case DeadlineAction::kAbort:
      std::abort();
    case DeadlineAction::kReportOnly:
      return;
  }
}

}  // namespace runtime_internal
}  // namespace orderly
