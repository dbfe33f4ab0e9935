// Copyright 2026 The orderly Authors.
//
// timeline_svg.h: the timeline picture of report_html.h, as an inline <svg>
// element. Not for users: report_html.h describes what it shows.
//
// The SVG uses CSS classes the page defines (report_html.cc): "band-a" and
// "band-b" (alternating phase bands), "phase" (a phase's header bar), "bar"
// plus one outcome class per step: "ok", "error", "timed-out", "straggler",
// "skipped"; "stop-line", "deadline-line", "tick", "label", "dim".
//
// Thread-safety: a pure function.

#ifndef ORDERLY_RENDER_INTERNAL_TIMELINE_SVG_H_
#define ORDERLY_RENDER_INTERNAL_TIMELINE_SVG_H_

#include <string>

#include "runtime/report.h"

namespace orderly {
namespace render_internal {

// The CSS class of a step's bar and table row for `outcome`.
const char* OutcomeClass(Outcome outcome);

std::string TimelineSvg(const ShutdownReport& report);

}  // namespace render_internal
}  // namespace orderly

#endif  // ORDERLY_RENDER_INTERNAL_TIMELINE_SVG_H_
