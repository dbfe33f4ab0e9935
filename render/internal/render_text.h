// Copyright 2026 The orderly Authors.
//
// render_text.h: escaping and number formatting shared by the report
// renderers (report_trace.h, report_html.h). Not for users.
//
// Names in a report come from the service: thread, component and cleanup
// names, error texts (often an exception's what(), i.e. anything). Every
// renderer passes each such string through exactly one of the functions
// below, at the point where it is written into its output format.
//
// UTF-8 policy (both formats): well-formed UTF-8 passes through unchanged;
// every byte that is not part of a well-formed sequence (a stray
// continuation byte, a truncated or overlong sequence, a surrogate, a code
// point above U+10FFFF) becomes U+FFFD. So the output is always valid UTF-8,
// which JSON (RFC 8259) requires and the HTML page declares.
//
// Thread-safety: pure functions.

#ifndef ORDERLY_RENDER_INTERNAL_RENDER_TEXT_H_
#define ORDERLY_RENDER_INTERNAL_RENDER_TEXT_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "runtime/internal/text_out.h"
#include "runtime/report.h"

namespace orderly {
namespace render_internal {

// `text` as a JSON string literal, quotes included. Escapes `"` and `\`,
// every control character (U+0000..U+001F, U+007F: \n \t \r \b \f by name,
// the others as \u00XX), and `<`, `>`, `&` as \u003c, \u003e, \u0026 so
// that the JSON can also sit inside an HTML <script> element unharmed
// ("</script>" cannot end it). U+2028 and U+2029 become \u2028, \u2029
// (legal in JSON, line breaks in older JavaScript parsers).
std::string JsonString(absl::string_view text);

// `text` escaped for HTML text and for a quoted attribute value: & < > " '
// become &amp; &lt; &gt; &quot; &#39;. Control characters other than tab and
// newline (which HTML forbids in text) become U+FFFD.
std::string HtmlText(absl::string_view text);

using runtime_internal::HumanDuration;  // runtime/internal/text_out.h

// Microseconds of `d` with nanosecond precision, for a JSON number:
// "1234.567". Infinite durations are clamped to +/-1e15 (31 years), so the
// output is always a finite JSON number.
std::string Micros(absl::Duration d);

// Where the timeline ends: the latest of `finished` and the end of every
// phase and step (a report written at the deadline is not finished yet),
// ignoring infinite times; never before `stop_requested`.
absl::Time TimelineEnd(const ShutdownReport& report);

}  // namespace render_internal
}  // namespace orderly

#endif  // ORDERLY_RENDER_INTERNAL_RENDER_TEXT_H_
