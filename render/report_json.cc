// Copyright 2026 The orderly Authors.

#include "render/report_json.h"

#include <unistd.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "render/internal/render_text.h"
#include "render/report_files.h"
#include "runtime/internal/text_out.h"

namespace orderly {
namespace {

using render_internal::JsonString;
using render_internal::Micros;

std::string Budget(absl::Duration budget) {
  return budget == absl::InfiniteDuration() ? "null" : Micros(budget);
}

// Whole microseconds: Micros() clamps at 1e15 us, before today's epoch time.
std::string UnixMicros(absl::Time t) {
  return absl::StrCat(absl::ToUnixMicros(t));
}

void AppendStep(const StepRecord& s, absl::Time t0, std::string* out) {
  absl::StrAppend(out, "{\"kind\":", JsonString(StepKindName(s.kind)),
                  ",\"component\":", JsonString(s.component),
                  ",\"name\":", JsonString(s.name),
                  ",\"start_us\":", Micros(s.start - t0),
                  ",\"duration_us\":", Micros(s.duration),
                  ",\"outcome\":", JsonString(OutcomeName(s.outcome)),
                  ",\"error\":", JsonString(s.error),
                  ",\"budget_us\":", Budget(s.budget), "}");
}

// The steps of `phase` ("" for stop callbacks) as a JSON array.
void AppendSteps(const ShutdownReport& r, absl::string_view phase,
                 std::string* out) {
  out->push_back('[');
  bool first = true;
  for (const StepRecord& s : r.steps) {
    if (s.phase != phase) continue;
    if (!first) out->push_back(',');
    first = false;
    AppendStep(s, r.stop_requested, out);
  }
  out->push_back(']');
}

void AppendPhases(const ShutdownReport& r, std::string* out) {
  out->append(",\"phases\":[");
  for (size_t i = 0; i < r.phases.size(); ++i) {
    const PhaseRecord& p = r.phases[i];
    absl::StrAppend(out, i == 0 ? "" : ",", "{\"name\":", JsonString(p.name),
                    ",\"start_us\":", Micros(p.start - r.stop_requested),
                    ",\"duration_us\":", Micros(p.duration),
                    ",\"budget_us\":", Budget(p.budget), ",\"steps\":");
    AppendSteps(r, p.name, out);
    out->push_back('}');
  }
  out->push_back(']');
}

void AppendTail(const ShutdownReport& r, std::string* out) {
  out->append(",\"stragglers\":[");
  for (size_t i = 0; i < r.stragglers.size(); ++i) {
    const Straggler& s = r.stragglers[i];
    absl::StrAppend(out, i == 0 ? "" : ",", "{\"name\":", JsonString(s.name),
                    ",\"why\":", JsonString(s.why),
                    ",\"since_us\":", Micros(s.since - r.stop_requested), "}");
  }
  out->append("],\"daemons_running\":[");
  for (size_t i = 0; i < r.daemons_running.size(); ++i) {
    absl::StrAppend(out, i == 0 ? "" : ",", JsonString(r.daemons_running[i]));
  }
  for (const auto& [key, threads] :
       {std::make_pair("unknown_threads_when_cleanups_began",
                       &r.unknown_threads_when_cleanups_began),
        std::make_pair("unknown_threads_at_end", &r.unknown_threads_at_end)}) {
    absl::StrAppend(out, "],\"", key, "\":[");
    for (size_t i = 0; i < threads->size(); ++i) {
      const UnknownThread& t = (*threads)[i];
      absl::StrAppend(out, i == 0 ? "" : ",", "{\"tid\":", t.tid,
                      ",\"name\":", JsonString(t.name), "}");
    }
  }
  out->append("],\"counters\":{");
  for (size_t i = 0; i < r.counters.size(); ++i) {
    absl::StrAppend(out, i == 0 ? "" : ",", JsonString(r.counters[i].name),
                    ":", r.counters[i].value);
  }
  out->append("}");
}

}  // namespace

std::string RenderReportJson(const ShutdownReport& r,
                             const ReportJsonOptions& options) {
  std::string out = absl::StrCat(
      "{\"schema\":", JsonString(kReportJsonSchema),
      ",\"instance\":", JsonString(options.instance),
      ",\"pid\":", options.pid, ",\"ok\":", r.ok() ? "true" : "false",
      ",\"reason\":", JsonString(r.reason.ToString()),
      ",\"stop_requested_unix_us\":", UnixMicros(r.stop_requested),
      ",\"deadline_unix_us\":", UnixMicros(r.deadline),
      ",\"finished_unix_us\":", UnixMicros(r.finished),
      ",\"deadline_exceeded\":", r.deadline_exceeded ? "true" : "false",
      ",\"duration_us\":", Micros(r.finished - r.stop_requested),
      ",\"stop_callbacks\":");
  AppendSteps(r, "", &out);
  AppendPhases(r, &out);
  AppendTail(r, &out);
  out.push_back('}');
  return out;
}

absl::Status WriteReportJson(const ShutdownReport& report,
                             absl::string_view destination,
                             const ReportJsonOptions& options) {
  if (destination.empty() || destination.back() == '/') {
    return absl::InvalidArgumentError(absl::StrCat(
        "WriteReportJson: destination \"", destination,
        "\" is neither \"-\" (stderr) nor a file path"));
  }
  std::string doc = RenderReportJson(report, options);
  if (destination == "-") {
    doc.push_back('\n');
    runtime_internal::WriteAll(STDERR_FILENO, doc);
    return absl::OkStatus();
  }
  const size_t slash = destination.rfind('/');
  const std::string directory =
      slash == absl::string_view::npos
          ? ""
          : std::string(slash == 0 ? "/" : destination.substr(0, slash));
  const absl::string_view name = slash == absl::string_view::npos
                                     ? destination
                                     : destination.substr(slash + 1);
  return WriteFileAtomically(directory, name, doc);
}

}  // namespace orderly
