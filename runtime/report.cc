// Copyright 2026 The orderly Authors.

#include "runtime/report.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "runtime/internal/text_out.h"

namespace orderly {
namespace {

using runtime_internal::HumanDuration;

std::string Upper(const char* s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(c));
  return out;
}

void AppendStep(const StepRecord& step, std::string* out) {
  // Failures stand out in capitals, so that a scan of the left column finds
  // them.
  const std::string outcome = step.outcome == Outcome::kOk
                                  ? "ok"
                                  : Upper(OutcomeName(step.outcome));
  const std::string what = StepLabel(step.component, step.name);
  absl::StrAppend(out, absl::StrFormat("    %-10s %-13s %-32s %9s",
                                       outcome, StepKindName(step.kind), what,
                                       HumanDuration(step.duration)));
  if (!step.error.empty()) absl::StrAppend(out, "  ", step.error);
  absl::StrAppend(out, "\n");
}

// `tid 4242 "spdlog-pool", tid 4250 "zmq-io"`.
std::string ThreadList(const std::vector<UnknownThread>& threads) {
  std::vector<std::string> items;
  items.reserve(threads.size());
  for (const UnknownThread& t : threads) {
    items.push_back(absl::StrCat("tid ", t.tid, " \"", t.name, "\""));
  }
  return absl::StrJoin(items, ", ");
}

}  // namespace

std::string StepLabel(absl::string_view component, absl::string_view name) {
  return component.empty() ? std::string(name)
                           : absl::StrCat(component, "/", name);
}

const char* StepKindName(StepKind kind) {
  switch (kind) {
    case StepKind::kStopCallback:
      return "stop callback";
    case StepKind::kTerminateCallback:
      return "terminate";
    case StepKind::kJoin:
      return "join";
    case StepKind::kCleanup:
      return "cleanup";
    case StepKind::kFence:
      return "fence";
  }
  return "step";
}

const char* OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kOk:
      return "ok";
    case Outcome::kError:
      return "error";
    case Outcome::kTimedOut:
      return "timed out";
    case Outcome::kStraggler:
      return "straggler";
    case Outcome::kSkipped:
      return "skipped";
  }
  return "?";
}

int ShutdownReport::CountOutcome(Outcome outcome) const {
  return static_cast<int>(
      std::count_if(steps.begin(), steps.end(),
                    [&](const StepRecord& s) { return s.outcome == outcome; }));
}

bool ShutdownReport::ok() const {
  return !deadline_exceeded && stragglers.empty() &&
         std::all_of(steps.begin(), steps.end(), [](const StepRecord& s) {
           return s.outcome == Outcome::kOk;
         });
}

bool ShutdownReport::all_threads_ended() const {
  return stragglers.empty() && daemons_running.empty();
}

std::string ShutdownReport::Summary() const {
  std::vector<std::string> problems;
  for (Outcome o : {Outcome::kError, Outcome::kTimedOut, Outcome::kSkipped}) {
    if (int n = CountOutcome(o); n > 0) {
      problems.push_back(absl::StrCat(n, " ", OutcomeName(o)));
    }
  }
  if (!stragglers.empty()) {
    problems.push_back(absl::StrCat(stragglers.size(), " straggling"));
  }
  if (deadline_exceeded) problems.push_back("DEADLINE EXCEEDED");
  return problems.empty() ? "OK" : absl::StrJoin(problems, ", ");
}

std::string ShutdownReport::ToText() const {
  std::string out;
  absl::StrAppend(&out, "orderly shutdown report: ", Summary(), "\n");
  absl::StrAppend(&out, "  reason: ", reason.ToString(), "\n");
  absl::StrAppend(&out, "  took:   ", HumanDuration(finished - stop_requested),
                  " of a ", HumanDuration(deadline - stop_requested), " deadline\n");
  bool any_stop_callbacks = false;
  for (const StepRecord& step : steps) {
    if (!step.phase.empty()) continue;
    if (!any_stop_callbacks) absl::StrAppend(&out, "  stop callbacks\n");
    any_stop_callbacks = true;
    AppendStep(step, &out);
  }
  for (const PhaseRecord& phase : phases) {
    absl::StrAppend(&out, "  phase ", phase.name, " (", HumanDuration(phase.duration),
                    phase.budget == absl::InfiniteDuration()
                        ? ""
                        : absl::StrCat(" of ", HumanDuration(phase.budget)),
                    ")\n");
    for (const StepRecord& step : steps) {
      if (step.phase == phase.name) AppendStep(step, &out);
    }
  }
  if (!stragglers.empty()) {
    absl::StrAppend(&out, "  stragglers (may still be running):\n");
    for (const Straggler& s : stragglers) {
      absl::StrAppend(&out, "    ", s.name, ": ", s.why, "\n");
    }
  }
  if (!counters.empty()) {
    absl::StrAppend(&out, "  counters:\n");
    for (const Counter& c : counters) {
      absl::StrAppend(&out, "    ", c.name, " = ", c.value, "\n");
    }
  }
  if (!daemons_running.empty()) {
    absl::StrAppend(&out, "  daemon threads still running when cleanups "
                          "began: ",
                    absl::StrJoin(daemons_running, ", "), "\n");
  }
  // Two lines an operator can act on: which threads nobody registered (a
  // library's own, the sanitizers'), and whether they outlived the sequence.
  if (!unknown_threads_when_cleanups_began.empty()) {
    absl::StrAppend(&out,
                    "  threads orderly does not know (not registered), "
                    "running when cleanups began: ",
                    ThreadList(unknown_threads_when_cleanups_began), "\n");
  }
  if (!unknown_threads_at_end.empty()) {
    absl::StrAppend(&out,
                    "  threads orderly does not know (not registered), "
                    "still running at the end: ",
                    ThreadList(unknown_threads_at_end), "\n");
  }
  return out;
}

}  // namespace orderly
