// Copyright 2026 The orderly Authors.
//
// report_json.h: a shutdown report as one JSON document, for fleets.
//
// Every instance of a service writes the same document at the end of its
// sequence, so that an operator can collect the shutdowns of many instances
// (a file per instance, or one line each in journald or a log shipper) and
// compare them: which phase took how long, on which instance, what failed.
//
//   auto report = orderly::Runtime::Default().Shutdown();
//   orderly::ReportJsonOptions options;
//   options.instance = "kv-2";
//   absl::Status s = orderly::WriteReportJson(**report, "-", options);
//   // one line on stderr: {"schema":"orderly.shutdown_report/v1",...}
//
// Schema "orderly.shutdown_report/v1" (docs/report_json.md has an example).
// Times are microseconds as JSON numbers: `*_unix_us` whole ones since the
// Unix epoch; every other `*_us` time is an offset
// from the stop request, with fractions for nanoseconds; a budget with no
// limit is null. Members, in order:
//   schema            "orderly.shutdown_report/v1". A reader checks it; a
//                     later version adds members, v2 would change them.
//   instance          ReportJsonOptions::instance ("" when not given).
//   pid               ReportJsonOptions::pid (0 when not given).
//   ok                ShutdownReport::ok(): every step ok, no straggler, the
//                     deadline held.
//   reason            the stop reason as text: "SIGTERM (signal 15)",
//                     "exit(3)".
//   stop_requested_unix_us, deadline_unix_us, finished_unix_us
//   deadline_exceeded bool.
//   duration_us       finished - stop request.
//   stop_callbacks    steps (below) run before any phase.
//   phases            array in the order run: {name, start_us,
//                     duration_us, budget_us, steps: [step, ...]}.
//   step              {kind ("stop callback", "terminate", "join",
//                     "cleanup"), component ("" unless a cleanup), name,
//                     start_us, duration_us, outcome ("ok", "error",
//                     "timed out", "straggler", "skipped"), error ("" when
//                     ok), budget_us}.
//   stragglers        array of {name, why, since_us}.
//   daemons_running   array of names.
//   unknown_threads_when_cleanups_began, unknown_threads_at_end
//                     arrays of {tid, name}: threads orderly does not know
//                     (ShutdownReport, report.h); added in 0.3.0.
//   counters          object: counter name -> integer value, in the order
//                     the counters were added.
// Strings are escaped as the trace renderer does (render_text.h): always
// valid UTF-8, no raw control characters; the document is one line.
//
// Thread-safety: pure functions, except WriteReportJson's output.
// Not async-signal-safe (they allocate): call after Runtime::Shutdown() or
// from SequenceListener::OnFinished.

#ifndef ORDERLY_RENDER_REPORT_JSON_H_
#define ORDERLY_RENDER_REPORT_JSON_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "runtime/report.h"

namespace orderly {

inline constexpr char kReportJsonSchema[] = "orderly.shutdown_report/v1";

struct ReportJsonOptions {
  std::string instance;  // Who shut down: a pod name, host:port, unit name.
  int64_t pid = 0;
};

// The document, on one line, without a trailing newline.
std::string RenderReportJson(const ShutdownReport& report,
                             const ReportJsonOptions& options = {});

// Writes the document where `destination` says: "-" writes it as one line
// (newline-terminated, one write(2)) on stderr, for journald or a log
// shipper; anything else is a file path, written whole or not at all (as
// WriteFileAtomically in report_files.h). Errors: InvalidArgument for an
// empty destination or a path ending in '/'; the file system's, naming the
// path.
absl::Status WriteReportJson(const ShutdownReport& report,
                             absl::string_view destination,
                             const ReportJsonOptions& options = {});

}  // namespace orderly

#endif  // ORDERLY_RENDER_REPORT_JSON_H_
