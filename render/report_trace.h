// Copyright 2026 The orderly Authors.
//
// report_trace.h: a shutdown report as a Chrome trace, to *see* the timeline.
//
//   std::string json = orderly::ToChromeTrace(**report);
//   // Save it and open it in https://ui.perfetto.dev (Open trace file) or
//   // chrome://tracing (Load). report_files.h writes it for you.
//
// The output is the trace-event format's JSON object form,
// {"traceEvents":[...], "displayTimeUnit":"ms", "otherData":{...}}, which
// both viewers read. All times are microseconds since the stop request
// (`ts` 0 is the stop request), with nanosecond precision.
//
// Tracks. One process ("orderly shutdown: <reason>") with one track (tid)
// per phase, per component and per thread:
//   "shutdown"         one slice for the whole sequence, from the stop
//                      request to the end; its args carry the verdict, the
//                      counters and the daemons still running;
//   "phase <name>"     one per phase, in the order they ran, each holding
//                      that phase's slice (a staircase, read top-down);
//   "stop callbacks"   the stop callbacks, if any;
//   "thread <name>"    a registered thread's "terminate <name>" and
//                      "join <name>" steps;
//   "component <name>" a component's cleanups, each named after itself;
// the last three in the order each is first used.
// Perfetto shows the tracks in that order (thread_sort_index).
//
// Each step is a complete event ("ph":"X") with args: phase, kind, outcome,
// duration (in words and in microseconds), and when there is one: the
// budget (the report records it for a step that outlived it), component and
// error. Problems stand out three ways: the slice name gets a
// suffix (" [ERROR]", " [TIMED OUT]", " [STRAGGLER]", " [SKIPPED]"), a
// colour ("cname", the page's colours in chrome://tracing's reserved names;
// Perfetto colours by name instead), and, for a timed-out step or a
// straggler, an instant event ("ph":"i") on its track where orderly stopped
// waiting. Global instant events mark the stop request, the deadline (when
// it is finite) and "deadline exceeded"; each entry of
// ShutdownReport::stragglers is an instant event on the "shutdown" track.
//
// Strings from the service (names, error texts) are escaped for JSON with
// invalid UTF-8 replaced by U+FFFD; `<`, `>` and `&` are \u-escaped, so the
// text can be inlined in an HTML <script> element too.
//
// Thread-safety: a pure function of an immutable report; call it from any
// thread. Cost: linear in the number of steps; no I/O.

#ifndef ORDERLY_RENDER_REPORT_TRACE_H_
#define ORDERLY_RENDER_REPORT_TRACE_H_

#include "runtime/version.h"  // First: checks for C++17.

#include <string>

#include "runtime/report.h"

namespace orderly {

std::string ToChromeTrace(const ShutdownReport& report);

}  // namespace orderly

#endif  // ORDERLY_RENDER_REPORT_TRACE_H_
