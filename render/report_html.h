// Copyright 2026 The orderly Authors.
//
// report_html.h: a shutdown report as one self-contained HTML page.
//
//   std::string html = orderly::ToHtmlTimeline(**report);
//   // Save it (report_files.h does) and open it in any browser.
//
// Contract:
//   - Complete: every phase, step, straggler, daemon and counter of the
//     report appears on the page, and so does the whole text report
//     (ShutdownReport::ToText()), so nothing the text says is lost.
//   - The verdict first: ShutdownReport::Summary() heads the page with the
//     stop reason and the time taken of the deadline.
//   - A timeline (inline SVG) with time running left to right from the stop
//     request: each phase a band, each step a bar on its own row, the
//     deadline marked even when it lies far beyond the end. A step's outcome
//     is written next to its bar, so it never depends on colour alone, and
//     each bar's tooltip gives the step's every field.
//   - A table of the steps with the same facts, in the order they ran.
//   - Finite for any input: unset or infinite times give a bounded axis
//     (render_internal::TimelineEnd), never NaN or an infinite width.
// How it looks (colours, sizes) is not part of the contract; the tests
// check the facts above (tests/render/report_html_test.cc).
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
