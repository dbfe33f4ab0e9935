// Copyright 2026 The orderly Authors.

#include "render/report_html.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "render/internal/render_text.h"
#include "render/internal/timeline_svg.h"

namespace orderly {
namespace {

using render_internal::HtmlText;
using render_internal::HumanDuration;

// Colours: green, red, orange, purple and grey are told apart by most
// colour-blind readers too; the outcome is also written beside each bar.
constexpr const char kStyle[] = R"css(
body { font: 14px/1.4 -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       margin: 24px; color: #1d1d1f; background: #fff; }
h1 { font-size: 22px; margin: 0 0 6px; }
h1 .verdict { padding: 2px 10px; border-radius: 4px; color: #fff; }
h1 .verdict.good { background: #2e9e4f; } h1 .verdict.bad { background: #d62728; }
h2 { font-size: 16px; margin: 24px 0 8px; }
.facts { color: #444; margin: 0 0 12px; }
.legend span { display: inline-block; margin-right: 16px; }
.legend i { display: inline-block; width: 14px; height: 12px; margin-right: 5px;
            vertical-align: -1px; border-radius: 2px; }
.legend i.line { width: 3px; height: 14px; border-radius: 0; }
.scroll { overflow-x: auto; border: 1px solid #ddd; border-radius: 4px; }
svg.timeline { display: block; font-size: 12px; }
svg .band-a { fill: #eaf1fb; } svg .band-b { fill: #f5f5f5; }
svg .tick { stroke: #ccc; stroke-width: 0.5; }
svg .dim { fill: #777; font-size: 11px; }
svg .label { fill: #1d1d1f; }
svg .group { fill: #1d1d1f; font-weight: bold; }
svg .phase { fill: #5a7fb5; }
svg .hover { fill: transparent; } svg .row:hover .hover { fill: rgba(0,0,0,0.06); }
svg .note { font-size: 11px; fill: #555; }
svg .stop-line { stroke: #1d1d1f; stroke-width: 1.5; }
svg .deadline-line { stroke: #d62728; stroke-width: 1.5; stroke-dasharray: 5 3; }
svg .deadline-text { fill: #d62728; font-weight: bold; }
.ok { fill: #2e9e4f; background: #2e9e4f; }
.error { fill: #d62728; background: #d62728; }
.timed-out { fill: #ff7f0e; background: #ff7f0e; }
.straggler { fill: #9467bd; background: #9467bd; }
.skipped { fill: #c7c7c7; background: #c7c7c7; stroke: #888; stroke-dasharray: 3 2; }
svg .error-text { fill: #d62728; font-weight: bold; }
svg .timed-out-text { fill: #c25e00; font-weight: bold; }
svg .straggler-text { fill: #7446a3; font-weight: bold; }
svg .skipped-text { fill: #777; font-weight: bold; }
.stop-swatch { background: #1d1d1f; } .deadline-swatch { background: #d62728; }
table { border-collapse: collapse; font-size: 13px; }
th, td { text-align: left; padding: 3px 10px; border-bottom: 1px solid #eee;
         vertical-align: top; }
th { background: #fafafa; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.row-error td { background: #fdecea; } tr.row-timed-out td { background: #fff2e0; }
tr.row-straggler td { background: #f3ecfa; } tr.row-skipped td { color: #777; }
td.outcome { font-weight: bold; } td.err { color: #b00; white-space: pre-wrap; }
pre { background: #f7f7f7; border: 1px solid #ddd; padding: 12px; overflow-x: auto;
      font-size: 12px; }
)css";

void AppendHeader(const ShutdownReport& r, std::string* out) {
  const std::string summary = r.Summary();
  absl::StrAppend(
      out,
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
      "'none'; style-src 'unsafe-inline'\">\n"
      "<meta name=\"viewport\" content=\"width=device-width\">\n"
      "<title>orderly shutdown: ",
      HtmlText(summary), "</title>\n<style>", kStyle,
      "</style>\n</head>\n<body>\n",
      "<h1>orderly shutdown report: <span class=\"verdict ",
      r.ok() ? "good" : "bad", "\">", HtmlText(summary), "</span></h1>\n",
      "<p class=\"facts\">reason: <b>", HtmlText(r.reason.ToString()),
      "</b> &middot; took <b>", HumanDuration(r.finished - r.stop_requested),
      "</b> of a ", HumanDuration(r.deadline - r.stop_requested),
      " deadline &middot; ", r.steps.size(), " steps in ", r.phases.size(),
      " phases &middot; ",
      r.all_threads_ended() ? "every thread ended"
                            : "<b>threads may still run</b>",
      "</p>\n");
}

void AppendLegend(std::string* out) {
  absl::StrAppend(out, "<p class=\"legend\">");
  for (Outcome o : {Outcome::kOk, Outcome::kError, Outcome::kTimedOut,
                    Outcome::kStraggler, Outcome::kSkipped}) {
    absl::StrAppend(out, "<span><i class=\"", render_internal::OutcomeClass(o),
                    "\"></i>", OutcomeName(o), "</span>");
  }
  absl::StrAppend(out,
                  "<span><i class=\"line stop-swatch\"></i>stop request</span>"
                  "<span><i class=\"line deadline-swatch\"></i>deadline</span>"
                  "<span>bands: phases &middot; hover a row for details</span>"
                  "</p>\n");
}

// The report records a step's budget only when the step outlived it.
std::string Budget(absl::Duration budget) {
  return budget == absl::InfiniteDuration() ? "&mdash;" : HumanDuration(budget);
}

void AppendStepTable(const ShutdownReport& r, std::string* out) {
  absl::StrAppend(out,
                  "<h2>Steps</h2>\n<table>\n<tr><th>#</th><th>start</th>"
                  "<th>duration</th><th>budget</th><th>phase</th>"
                  "<th>kind</th><th>step</th><th>outcome</th><th>error</th>"
                  "</tr>\n");
  int i = 0;
  for (const StepRecord& s : r.steps) {
    const std::string what = StepLabel(s.component, s.name);
    absl::StrAppend(
        out, "<tr class=\"row-", render_internal::OutcomeClass(s.outcome),
        "\"><td class=\"num\">", ++i, "</td><td class=\"num\">+",
        HumanDuration(s.start - r.stop_requested), "</td><td class=\"num\">",
        HumanDuration(s.duration), "</td><td class=\"num\">", Budget(s.budget),
        "</td><td>", HtmlText(s.phase), "</td><td>", StepKindName(s.kind),
        "</td><td>", HtmlText(what), "</td><td class=\"outcome\">",
        OutcomeName(s.outcome), "</td><td class=\"err\">", HtmlText(s.error),
        "</td></tr>\n");
  }
  absl::StrAppend(out, "</table>\n");
}

void AppendOthers(const ShutdownReport& r, std::string* out) {
  if (!r.stragglers.empty()) {
    absl::StrAppend(out, "<h2>Stragglers (may still be running)</h2>\n<ul>\n");
    for (const Straggler& s : r.stragglers) {
      absl::StrAppend(out, "<li><b>", HtmlText(s.name),
                      "</b>: ", HtmlText(s.why), " (since +",
                      HumanDuration(s.since - r.stop_requested), ")</li>\n");
    }
    absl::StrAppend(out, "</ul>\n");
  }
  if (!r.daemons_running.empty()) {
    absl::StrAppend(out,
                    "<h2>Daemon threads still running when cleanups "
                    "began</h2>\n<ul>\n");
    for (const std::string& d : r.daemons_running) {
      absl::StrAppend(out, "<li>", HtmlText(d), "</li>\n");
    }
    absl::StrAppend(out, "</ul>\n");
  }
  if (!r.unknown_threads_at_end.empty()) {
    absl::StrAppend(out,
                    "<h2>Threads orderly does not know (not registered), "
                    "still running at the end</h2>\n<ul>\n");
    for (const UnknownThread& t : r.unknown_threads_at_end) {
      absl::StrAppend(out, "<li>tid ", t.tid, " <b>", HtmlText(t.name),
                      "</b></li>\n");
    }
    absl::StrAppend(out, "</ul>\n");
  }
  if (!r.counters.empty()) {
    absl::StrAppend(out, "<h2>Counters</h2>\n<table>\n");
    for (const ShutdownReport::Counter& c : r.counters) {
      absl::StrAppend(out, "<tr><td>", HtmlText(c.name),
                      "</td><td class=\"num\">", c.value, "</td></tr>\n");
    }
    absl::StrAppend(out, "</table>\n");
  }
}

}  // namespace

std::string ToHtmlTimeline(const ShutdownReport& report) {
  std::string out;
  AppendHeader(report, &out);
  AppendLegend(&out);
  absl::StrAppend(&out, "<div class=\"scroll\">\n",
                  render_internal::TimelineSvg(report), "</div>\n");
  AppendStepTable(report, &out);
  AppendOthers(report, &out);
  absl::StrAppend(&out, "<h2>Text report</h2>\n<pre>",
                  HtmlText(report.ToText()), "</pre>\n</body>\n</html>\n");
  return out;
}

}  // namespace orderly
