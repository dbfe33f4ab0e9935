// Copyright 2026 The orderly Authors.
//
// report_html.h: a shutdown report as one self-contained HTML page.
//
//   std::string html = orderly::ToHtmlTimeline(**report);
//   // Save it (report_files.h does) and open it in any browser.
//
// What the page shows, top to bottom, for a person reading it at 3 a.m.:
//   - the verdict ("orderly shutdown report: OK", or what went wrong, in
//     red), the stop reason, how long it took of what deadline;
//   - a legend of the colours;
//   - the timeline, an inline SVG: time runs left to right from the stop
//     request (a vertical line at 0) with a tick axis; each phase is a band
//     across every row, with a header row naming it, its duration and
//     budget; below it, each stop callback, terminate callback, join and
//     cleanup is a bar on its own row, coloured by outcome (ok green, error
//     red, timed out orange, straggler purple, skipped grey and hatched),
//     with its duration and outcome written beside it. The deadline is a red
//     dashed vertical line, or an arrow at the right edge when it lies far
//     beyond the sequence's end (a 25 s deadline would squash a 40 ms
//     shutdown into one pixel). Hovering a bar shows its tooltip (SVG
//     <title>): the full name, kind, phase, outcome, duration, budget and
//     error text;
//   - a table of every step with the same facts, problems tinted;
//   - stragglers, daemon threads still running, counters;
//   - the text report (ShutdownReport::ToText()) in a <pre>.
//
// Self-contained: inline CSS and SVG only; no script, no font, no network.
// A Content-Security-Policy meta tag forbids scripts and every fetch, so even
// a name that slipped through the escaping could not run or load anything.
//
// Escaping: every string from the service (names, error texts, the text
// report) is HTML-escaped (& < > " '), control characters other than tab and
// newline and invalid UTF-8 become U+FFFD. The page is UTF-8.
//
// Thread-safety: a pure function of an immutable report; call it from any
// thread. Cost: linear in the number of steps; no I/O.

#ifndef ORDERLY_RENDER_REPORT_HTML_H_
#define ORDERLY_RENDER_REPORT_HTML_H_

#include "runtime/version.h"  // First: checks for C++17.

#include <string>

#include "runtime/report.h"

namespace orderly {

std::string ToHtmlTimeline(const ShutdownReport& report);

}  // namespace orderly

#endif  // ORDERLY_RENDER_REPORT_HTML_H_
