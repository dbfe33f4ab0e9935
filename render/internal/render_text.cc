// Copyright 2026 The orderly Authors.

#include "render/internal/render_text.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace orderly {
namespace render_internal {
namespace {

constexpr absl::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

bool Continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Length of the well-formed UTF-8 sequence that starts `s` (Unicode 15,
// table 3-7), or 0 if `s` does not start with one.
size_t SequenceLength(absl::string_view s) {
  const auto at = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char b0 = at(0);
  if (b0 < 0x80) return 1;
  // The allowed range of the second byte, and the length, by lead byte.
  unsigned char lo = 0x80, hi = 0xBF;
  size_t length = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    length = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    length = 3;
    if (b0 == 0xE0) lo = 0xA0;  // No overlong forms.
    if (b0 == 0xED) hi = 0x9F;  // No surrogates.
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    length = 4;
    if (b0 == 0xF0) lo = 0x90;  // No overlong forms.
    if (b0 == 0xF4) hi = 0x8F;  // Nothing above U+10FFFF.
  } else {
    return 0;
  }
  if (s.size() < length || at(1) < lo || at(1) > hi) return 0;
  for (size_t i = 2; i < length; ++i) {
    if (!Continuation(at(i))) return 0;
  }
  return length;
}

// Calls `ascii(c)` for each ASCII byte, `other(seq)` for each well-formed
// multi-byte sequence, and `other(kReplacement)` for each byte of a
// malformed one.
template <typename Ascii, typename Other>
void ForEachCharacter(absl::string_view text, Ascii ascii, Other other) {
  while (!text.empty()) {
    const size_t n = SequenceLength(text);
    if (n == 1) {
      ascii(text[0]);
    } else {
      other(n == 0 ? kReplacement : text.substr(0, n));
    }
    text.remove_prefix(n == 0 ? 1 : n);
  }
}

}  // namespace

std::string JsonString(absl::string_view text) {
  std::string out = "\"";
  out.reserve(text.size() + 2);
  ForEachCharacter(
      text,
      [&](char c) {
        switch (c) {
          case '"':
            out += "\\\"";
            return;
          case '\\':
            out += "\\\\";
            return;
          case '\n':
            out += "\\n";
            return;
          case '\r':
            out += "\\r";
            return;
          case '\t':
            out += "\\t";
            return;
          case '\b':
            out += "\\b";
            return;
          case '\f':
            out += "\\f";
            return;
          case '<':
          case '>':
          case '&':
            absl::StrAppendFormat(&out, "\\u%04x",
                                  static_cast<unsigned char>(c));
            return;
        }
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
          absl::StrAppendFormat(&out, "\\u%04x", static_cast<unsigned char>(c));
        } else {
          out += c;
        }
      },
      [&](absl::string_view sequence) {
        if (sequence == "\xE2\x80\xA8") {
          out += "\\u2028";
        } else if (sequence == "\xE2\x80\xA9") {
          out += "\\u2029";
        } else {
          absl::StrAppend(&out, sequence);
        }
      });
  out += '"';
  return out;
}

std::string HtmlText(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  ForEachCharacter(
      text,
      [&](char c) {
        switch (c) {
          case '&':
            out += "&amp;";
            return;
          case '<':
            out += "&lt;";
            return;
          case '>':
            out += "&gt;";
            return;
          case '"':
            out += "&quot;";
            return;
          case '\'':
            out += "&#39;";
            return;
          case '\n':
          case '\t':
            out += c;
            return;
        }
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
          absl::StrAppend(&out, kReplacement);
        } else {
          out += c;
        }
      },
      [&](absl::string_view sequence) { absl::StrAppend(&out, sequence); });
  return out;
}

std::string Micros(absl::Duration d) {
  constexpr int64_t kLimitNs = int64_t{1'000'000'000'000'000'000};  // 1e18
  int64_t ns;
  if (d >= absl::Nanoseconds(kLimitNs)) {
    ns = kLimitNs;
  } else if (d <= absl::Nanoseconds(-kLimitNs)) {
    ns = -kLimitNs;
  } else {
    ns = absl::ToInt64Nanoseconds(d);
  }
  const char* sign = ns < 0 ? "-" : "";
  const uint64_t magnitude =
      ns < 0 ? 0 - static_cast<uint64_t>(ns) : static_cast<uint64_t>(ns);
  return absl::StrFormat("%s%d.%03d", sign, magnitude / 1000, magnitude % 1000);
}

absl::Time TimelineEnd(const ShutdownReport& report) {
  // Unset or infinite times (a malformed report) would stretch the axis to
  // infinity; only finite ends count.
  absl::Time end = report.stop_requested;
  const auto extend = [&](absl::Time t) {
    if (t != absl::InfiniteFuture() && t != absl::InfinitePast()) {
      end = std::max(end, t);
    }
  };
  extend(report.finished);
  for (const PhaseRecord& p : report.phases) extend(p.start + p.duration);
  for (const StepRecord& s : report.steps) extend(s.start + s.duration);
  return end;
}

}  // namespace render_internal
}  // namespace orderly
