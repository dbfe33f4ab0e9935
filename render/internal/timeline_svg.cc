// Copyright 2026 The orderly Authors.

#include "render/internal/timeline_svg.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "render/internal/render_text.h"

namespace orderly {
namespace render_internal {
namespace {

// Geometry, in SVG user units (pixels at 100% zoom).
constexpr double kWidth = 1200;
constexpr double kLabelX = 10;
constexpr double kPlotLeft = 340;
constexpr double kPlotRight = 1070;  // Leaves room for text after a bar.
constexpr double kTop = 48;
constexpr double kRowHeight = 22;
constexpr double kBarHeight = 14;
constexpr double kMinBarWidth = 2;     // A 5 us step must still be seen.
constexpr size_t kMaxLabelChars = 46;  // The full name is in the tooltip.
// The deadline is drawn to scale unless it is this many times farther
// from the stop request than the sequence's end.
constexpr double kDeadlineOnScale = 4;

// A header row (a phase, or the stop callbacks) and the steps under it.
struct Group {
  std::string title;
  const PhaseRecord* phase = nullptr;  // Null for stop callbacks.
  std::vector<const StepRecord*> steps;
};

std::vector<Group> Groups(const ShutdownReport& report) {
  std::vector<Group> groups;
  Group callbacks{"stop callbacks", nullptr, {}};
  for (const StepRecord& s : report.steps) {
    if (s.phase.empty()) callbacks.steps.push_back(&s);
  }
  if (!callbacks.steps.empty()) groups.push_back(std::move(callbacks));
  for (const PhaseRecord& p : report.phases) {
    Group g{absl::StrCat("phase ", p.name), &p, {}};
    for (const StepRecord& s : report.steps) {
      if (s.phase == p.name) g.steps.push_back(&s);
    }
    groups.push_back(std::move(g));
  }
  // Steps of a phase with no record (a report written at the deadline,
  // while that phase ran).
  for (const StepRecord& s : report.steps) {
    const bool recorded =
        std::any_of(report.phases.begin(), report.phases.end(),
                    [&](const PhaseRecord& p) { return p.name == s.phase; });
    if (s.phase.empty() || recorded) continue;
    const std::string title = absl::StrCat("phase ", s.phase, " (unfinished)");
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&](const Group& g) { return g.title == title; });
    if (it == groups.end()) it = groups.insert(it, Group{title, nullptr, {}});
    it->steps.push_back(&s);
  }
  return groups;
}

// At most `max_chars` code points of `text`, with "…" if cut.
std::string Truncate(absl::string_view text, size_t max_chars) {
  size_t chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (++chars > max_chars) {
      return absl::StrCat(text.substr(0, i), "\xE2\x80\xA6");
    }
  }
  return std::string(text);
}

std::string StepLabel(const StepRecord& s) {
  return absl::StrCat(StepKindName(s.kind), " ",
                      orderly::StepLabel(s.component, s.name));
}

std::string StepTooltip(const StepRecord& s) {
  std::string text = absl::StrCat(
      StepLabel(s), "\n",
      s.phase.empty() ? "before the phases" : "phase " + s.phase, "\n",
      OutcomeName(s.outcome), ", ", HumanDuration(s.duration));
  if (s.budget != absl::InfiniteDuration()) {
    absl::StrAppend(&text, " (budget ", HumanDuration(s.budget), ")");
  }
  if (!s.error.empty()) absl::StrAppend(&text, "\nerror: ", s.error);
  return text;
}

// 1, 2 or 5 times a power of ten: about `target` ticks over `span`.
absl::Duration TickStep(absl::Duration span, int target) {
  const double raw = absl::ToDoubleMicroseconds(span) / target;
  const double pow10 =
      std::pow(10.0, std::floor(std::log10(std::max(raw, 1e-3))));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * pow10 >= raw) return absl::Microseconds(m * pow10);
  }
  return absl::Microseconds(10 * pow10);
}

std::string Num(double v) { return absl::StrFormat("%.1f", v); }

class Picture {
 public:
  explicit Picture(const ShutdownReport& report)
      : report_(report), groups_(Groups(report)) {
    const absl::Duration span = TimelineEnd(report) - report.stop_requested;
    const absl::Duration to_deadline = report.deadline - report.stop_requested;
    deadline_on_scale_ = report.deadline != absl::InfiniteFuture() &&
                         to_deadline > absl::ZeroDuration() &&
                         to_deadline <= span * kDeadlineOnScale;
    axis_ = std::max(deadline_on_scale_ ? std::max(span, to_deadline) : span,
                     absl::Microseconds(1)) *
            1.04;
    rows_ = 0;
    for (const Group& g : groups_)
      rows_ += 1 + static_cast<int>(g.steps.size());
    bottom_ = kTop + rows_ * kRowHeight;
  }

  std::string Render() {
    absl::StrAppend(&out_,
                    "<svg xmlns=\"http://www.w3.org/2000/svg\" "
                    "class=\"timeline\" width=\"",
                    Num(kWidth), "\" height=\"", Num(bottom_ + 12),
                    "\" viewBox=\"0 0 ", Num(kWidth), " ", Num(bottom_ + 12),
                    "\">\n");
    Bands();
    Ticks();
    Markers();
    double y = kTop;
    for (const Group& g : groups_) {
      HeaderRow(g, y);
      y += kRowHeight;
      for (const StepRecord* s : g.steps) {
        StepRow(*s, y);
        y += kRowHeight;
      }
    }
    absl::StrAppend(&out_, "</svg>\n");
    return std::move(out_);
  }

 private:
  double X(absl::Time t) const {
    const double f = absl::FDivDuration(t - report_.stop_requested, axis_);
    return kPlotLeft + std::clamp(f, 0.0, 1.0) * (kPlotRight - kPlotLeft);
  }

  void Bands() {
    int i = 0;
    for (const PhaseRecord& p : report_.phases) {
      const double x = X(p.start);
      const double w = std::max(X(p.start + p.duration) - x, 1.0);
      absl::StrAppend(&out_, "<rect class=\"",
                      (i++ % 2 == 0) ? "band-a" : "band-b", "\" x=\"", Num(x),
                      "\" y=\"", Num(kTop - 4), "\" width=\"", Num(w),
                      "\" height=\"", Num(bottom_ - kTop + 4), "\"/>\n");
    }
  }

  void Ticks() {
    const absl::Duration step = TickStep(axis_, 8);
    int ticks = 0;  // Bounded, whatever the durations.
    for (absl::Duration t; t <= axis_ && ticks < 12; t += step, ++ticks) {
      const double x = X(report_.stop_requested + t);
      absl::StrAppend(&out_, "<line class=\"tick\" x1=\"", Num(x), "\" x2=\"",
                      Num(x), "\" y1=\"", Num(kTop - 4), "\" y2=\"",
                      Num(bottom_), "\"/><text class=\"dim\" x=\"", Num(x),
                      "\" y=\"", Num(kTop - 10), "\" text-anchor=\"middle\">",
                      t == absl::ZeroDuration() ? "0" : HumanDuration(t),
                      "</text>\n");
    }
  }

  void Markers() {
    absl::StrAppend(&out_, "<line class=\"stop-line\" x1=\"", Num(kPlotLeft),
                    "\" x2=\"", Num(kPlotLeft), "\" y1=\"14\" y2=\"",
                    Num(bottom_), "\"/><text class=\"label\" x=\"",
                    Num(kPlotLeft + 4), "\" y=\"14\">stop requested (",
                    HtmlText(report_.reason.ToString()), ")</text>\n");
    const std::string deadline = absl::StrCat(
        "deadline ", HumanDuration(report_.deadline - report_.stop_requested),
        report_.deadline_exceeded ? " EXCEEDED" : "");
    if (deadline_on_scale_) {
      const double x = X(report_.deadline);
      absl::StrAppend(&out_, "<line class=\"deadline-line\" x1=\"", Num(x),
                      "\" x2=\"", Num(x), "\" y1=\"14\" y2=\"", Num(bottom_),
                      "\"/><text class=\"deadline-text\" x=\"", Num(x - 4),
                      "\" y=\"14\" text-anchor=\"end\">", deadline,
                      "</text>\n");
    } else if (report_.deadline != absl::InfiniteFuture()) {
      absl::StrAppend(&out_, "<text class=\"deadline-text\" x=\"",
                      Num(kWidth - 8), "\" y=\"14\" text-anchor=\"end\">",
                      deadline, " (off scale) \xE2\x86\x92</text>\n");
    }
  }

  void HeaderRow(const Group& g, double y) {
    std::string detail;
    if (g.phase != nullptr) {
      detail = HumanDuration(g.phase->duration);
      if (g.phase->budget != absl::InfiniteDuration()) {
        absl::StrAppend(&detail, " of ", HumanDuration(g.phase->budget));
      }
    }
    absl::StrAppend(&out_, "<g class=\"row\"><title>",
                    HtmlText(absl::StrCat(g.title, "\n", detail)), "</title>",
                    HoverRect(y), "<text class=\"group\" x=\"", Num(kLabelX),
                    "\" y=\"", Num(y + 15), "\">",
                    HtmlText(Truncate(g.title, kMaxLabelChars)),
                    " <tspan class=\"dim\">", detail, "</tspan></text>");
    if (g.phase != nullptr) {
      const double x = X(g.phase->start);
      const double w =
          std::max(X(g.phase->start + g.phase->duration) - x, kMinBarWidth);
      absl::StrAppend(&out_, "<rect class=\"phase\" x=\"", Num(x), "\" y=\"",
                      Num(y + 8), "\" width=\"", Num(w), "\" height=\"6\"/>");
    }
    absl::StrAppend(&out_, "</g>\n");
  }

  void StepRow(const StepRecord& s, double y) {
    const double x = X(s.start);
    const double w = std::max(X(s.start + s.duration) - x, kMinBarWidth);
    // A problem is shouted, as in ToText(): "TIMED OUT 100.00ms".
    std::string note;
    if (s.outcome != Outcome::kOk) {
      note = OutcomeName(s.outcome);
      for (char& c : note) c = static_cast<char>(std::toupper(c));
      note += ' ';
    }
    note += HumanDuration(s.duration);
    // Beside the bar; before it when the bar reaches the right edge.
    const bool after = x + w + 120 < kWidth;
    absl::StrAppend(
        &out_, "<g class=\"row\"><title>", HtmlText(StepTooltip(s)), "</title>",
        HoverRect(y), "<text class=\"label\" x=\"", Num(kLabelX + 14),
        "\" y=\"", Num(y + 15), "\">",
        HtmlText(Truncate(StepLabel(s), kMaxLabelChars)),
        "</text><rect class=\"bar ", OutcomeClass(s.outcome), "\" x=\"", Num(x),
        "\" y=\"", Num(y + (kRowHeight - kBarHeight) / 2), "\" width=\"",
        Num(w), "\" height=\"", Num(kBarHeight), "\"/><text class=\"note ",
        OutcomeClass(s.outcome), "-text\" x=\"", Num(after ? x + w + 4 : x - 4),
        "\" y=\"", Num(y + 15), "\"", after ? "" : " text-anchor=\"end\"", ">",
        note, "</text></g>\n");
  }

  static std::string HoverRect(double y) {
    return absl::StrCat("<rect class=\"hover\" x=\"0\" y=\"", Num(y),
                        "\" width=\"", Num(kWidth), "\" height=\"",
                        Num(kRowHeight), "\"/>");
  }

  const ShutdownReport& report_;
  const std::vector<Group> groups_;
  bool deadline_on_scale_ = false;
  absl::Duration axis_;
  int rows_ = 0;
  double bottom_ = 0;
  std::string out_;
};

}  // namespace

const char* OutcomeClass(Outcome outcome) {
  switch (outcome) {
    case Outcome::kOk:
      return "ok";
    case Outcome::kError:
      return "error";
    case Outcome::kTimedOut:
      return "timed-out";
    case Outcome::kStraggler:
      return "straggler";
    case Outcome::kSkipped:
      return "skipped";
  }
  return "ok";
}

std::string TimelineSvg(const ShutdownReport& report) {
  return Picture(report).Render();
}

}  // namespace render_internal
}  // namespace orderly
