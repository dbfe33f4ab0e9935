// Copyright 2026 The orderly Authors.

#include "render/report_trace.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "render/internal/render_text.h"

namespace orderly {
namespace {

using render_internal::HumanDuration;
using render_internal::JsonString;
using render_internal::Micros;

constexpr int kPid = 1;
constexpr int kShutdownTid = 1;

// One "key":value member of an args object; `json` is already encoded.
struct Arg {
  absl::string_view key;
  std::string json;
};

std::string Object(const std::vector<Arg>& members) {
  return absl::StrCat("{",
                      absl::StrJoin(members, ",",
                                    [](std::string* out, const Arg& a) {
                                      absl::StrAppend(out, JsonString(a.key),
                                                      ":", a.json);
                                    }),
                      "}");
}

const char* NameSuffix(Outcome outcome) {
  switch (outcome) {
    case Outcome::kOk:
      return "";
    case Outcome::kError:
      return " [ERROR]";
    case Outcome::kTimedOut:
      return " [TIMED OUT]";
    case Outcome::kStraggler:
      return " [STRAGGLER]";
    case Outcome::kSkipped:
      return " [SKIPPED]";
  }
  return "";
}

// Reserved colour names of chrome://tracing (catapult's color_scheme),
// picked to match the HTML page: ok green, error red, timed out orange,
// straggler purple, skipped light grey. (Perfetto colours by name instead.)
const char* Colour(Outcome outcome) {
  switch (outcome) {
    case Outcome::kOk:
      return "good";  // Green.
    case Outcome::kError:
      return "terrible";  // Red.
    case Outcome::kTimedOut:
      return "bad";  // Dark orange.
    case Outcome::kStraggler:
      return "detailed_memory_dump";  // Purple.
    case Outcome::kSkipped:
      return "grey";
  }
  return "generic_work";
}

// The track a step belongs to (see the header).
std::string TrackLabel(const StepRecord& step) {
  switch (step.kind) {
    case StepKind::kStopCallback:
      return "stop callbacks";
    case StepKind::kTerminateCallback:
    case StepKind::kJoin:
      return absl::StrCat("thread ", step.name);
    case StepKind::kCleanup:
    case StepKind::kFence:
      return step.component.empty()
                 ? "cleanups"
                 : absl::StrCat("component ", step.component);
  }
  return "steps";
}

std::string SliceName(const StepRecord& step) {
  std::string name;
  switch (step.kind) {
    case StepKind::kTerminateCallback:
      name = absl::StrCat("terminate ", step.name);
      break;
    case StepKind::kJoin:
      name = absl::StrCat("join ", step.name);
      break;
    case StepKind::kStopCallback:
    case StepKind::kCleanup:
    case StepKind::kFence:
      name = step.name;
      break;
  }
  return absl::StrCat(name, NameSuffix(step.outcome));
}

// Collects the events; tracks get tids in the order they are first used.
class TraceBuilder {
 public:
  explicit TraceBuilder(const ShutdownReport& report)
      : origin_(report.stop_requested) {
    AddMetadata(0, "process_name",
                {{"name", JsonString(absl::StrCat("orderly shutdown: ",
                                                  report.reason.ToString()))}});
    AddMetadata(0, "process_sort_index", {{"sort_index", "0"}});
    Track("shutdown");
  }

  // The tid of the track named `label`, declared on first use.
  int Track(const std::string& label) {
    auto [it, inserted] =
        tids_.emplace(label, kShutdownTid + static_cast<int>(tids_.size()));
    if (inserted) {
      AddMetadata(it->second, "thread_name", {{"name", JsonString(label)}});
      AddMetadata(it->second, "thread_sort_index",
                  {{"sort_index", absl::StrCat(it->second)}});
    }
    return it->second;
  }

  void Complete(int tid, absl::string_view name, absl::Time start,
                absl::Duration duration, const char* cname,
                std::vector<Arg> args) {
    std::vector<Arg> event = Common(tid, name, "X", start);
    event.push_back({"dur", Micros(std::max(duration, absl::ZeroDuration()))});
    if (cname != nullptr) event.push_back({"cname", JsonString(cname)});
    event.push_back({"args", Object(args)});
    events_.push_back(Object(event));
  }

  // `tid` 0: a global instant (a line across every track).
  void Instant(int tid, absl::string_view name, absl::Time at,
               const char* cname, std::vector<Arg> args) {
    std::vector<Arg> event =
        Common(tid == 0 ? kShutdownTid : tid, name, "i", at);
    event.push_back({"s", JsonString(tid == 0 ? "g" : "t")});
    if (cname != nullptr) event.push_back({"cname", JsonString(cname)});
    event.push_back({"args", Object(args)});
    events_.push_back(Object(event));
  }

  std::string Finish(std::vector<Arg> other_data) {
    return absl::StrCat("{\"traceEvents\":[\n", absl::StrJoin(events_, ",\n"),
                        "\n],\n\"displayTimeUnit\":\"ms\",\n\"otherData\":",
                        Object(other_data), "}\n");
  }

 private:
  std::vector<Arg> Common(int tid, absl::string_view name, const char* ph,
                          absl::Time at) {
    return {{"name", JsonString(name)},
            {"ph", JsonString(ph)},
            {"ts", Micros(at - origin_)},
            {"pid", absl::StrCat(kPid)},
            {"tid", absl::StrCat(tid)}};
  }

  void AddMetadata(int tid, const char* name, std::vector<Arg> args) {
    events_.push_back(Object({{"name", JsonString(name)},
                              {"ph", "\"M\""},
                              {"pid", absl::StrCat(kPid)},
                              {"tid", absl::StrCat(tid)},
                              {"args", Object(args)}}));
  }

  const absl::Time origin_;
  std::map<std::string, int> tids_;
  std::vector<std::string> events_;
};

std::vector<Arg> StepArgs(const StepRecord& step) {
  std::vector<Arg> args = {
      {"phase",
       JsonString(step.phase.empty() ? "(before phases)" : step.phase)},
      {"kind", JsonString(StepKindName(step.kind))},
      {"outcome", JsonString(OutcomeName(step.outcome))},
      {"duration", JsonString(HumanDuration(step.duration))},
      {"duration_us", Micros(step.duration)},
  };
  // Recorded only for a step that outlived its budget (report.h).
  if (step.budget != absl::InfiniteDuration()) {
    args.push_back({"budget", JsonString(HumanDuration(step.budget))});
    args.push_back({"budget_us", Micros(step.budget)});
  }
  if (!step.component.empty()) {
    args.push_back({"component", JsonString(step.component)});
  }
  if (!step.error.empty()) args.push_back({"error", JsonString(step.error)});
  return args;
}

std::string StringArray(const std::vector<std::string>& items) {
  return absl::StrCat("[",
                      absl::StrJoin(items, ",",
                                    [](std::string* out, const std::string& s) {
                                      absl::StrAppend(out, JsonString(s));
                                    }),
                      "]");
}

std::vector<Arg> SummaryArgs(const ShutdownReport& report) {
  std::vector<Arg> args = {
      {"verdict", JsonString(report.Summary())},
      {"reason", JsonString(report.reason.ToString())},
      {"ok", report.ok() ? "true" : "false"},
      {"deadline_exceeded", report.deadline_exceeded ? "true" : "false"},
      {"took",
       JsonString(HumanDuration(report.finished - report.stop_requested))},
      {"deadline",
       JsonString(HumanDuration(report.deadline - report.stop_requested))},
      {"daemons_running", StringArray(report.daemons_running)},
  };
  std::vector<std::string> unknown;
  for (const UnknownThread& t : report.unknown_threads_at_end) {
    unknown.push_back(absl::StrCat(t.tid, " ", t.name));
  }
  args.push_back({"unknown_threads_at_end", StringArray(unknown)});
  std::vector<Arg> counters;
  for (const ShutdownReport::Counter& c : report.counters) {
    counters.push_back({c.name, absl::StrCat(c.value)});
  }
  args.push_back({"counters", Object(counters)});
  return args;
}

}  // namespace

std::string ToChromeTrace(const ShutdownReport& report) {
  TraceBuilder trace(report);
  const absl::Time end = render_internal::TimelineEnd(report);

  trace.Complete(kShutdownTid,
                 absl::StrCat("shutdown: ", report.Summary()),
                 report.stop_requested, end - report.stop_requested,
                 report.ok() ? "good" : "terrible", SummaryArgs(report));
  // The phases first, one track each: a staircase at the top of the view.
  for (const PhaseRecord& phase : report.phases) {
    const std::string name = absl::StrCat("phase ", phase.name);
    trace.Complete(trace.Track(name), name, phase.start, phase.duration,
                   nullptr,
                   {{"duration", JsonString(HumanDuration(phase.duration))},
                    {"budget", JsonString(HumanDuration(phase.budget))}});
  }

  trace.Instant(0, "stop requested", report.stop_requested, nullptr,
                {{"reason", JsonString(report.reason.ToString())}});
  if (report.deadline != absl::InfiniteFuture()) {
    trace.Instant(0, "deadline", report.deadline, "terrible", {});
  }
  if (report.deadline_exceeded) {
    trace.Instant(0, "DEADLINE EXCEEDED", report.deadline, "terrible", {});
  }

  for (const StepRecord& step : report.steps) {
    const int tid = trace.Track(TrackLabel(step));
    trace.Complete(tid, SliceName(step), step.start, step.duration,
                   Colour(step.outcome), StepArgs(step));
    if (step.outcome == Outcome::kTimedOut ||
        step.outcome == Outcome::kStraggler) {
      trace.Instant(tid,
                    absl::StrCat(OutcomeName(step.outcome), ": ", step.name),
                    step.start + step.duration, Colour(step.outcome),
                    {{"budget", JsonString(HumanDuration(step.budget))}});
    }
  }
  for (const Straggler& s : report.stragglers) {
    trace.Instant(kShutdownTid, absl::StrCat("straggler: ", s.name), s.since,
                  Colour(Outcome::kStraggler), {{"why", JsonString(s.why)}});
  }
  return trace.Finish(SummaryArgs(report));
}

}  // namespace orderly
