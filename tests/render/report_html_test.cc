// Copyright 2026 The orderly Authors.
//
// ToHtmlTimeline: one bar and one table row per step with its outcome's
// class, the stop and deadline markers, the text report, and no name that
// escaped its escaping: every tag in the page is one the renderer writes.

#include "render/report_html.h"

#include <set>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "render/internal/render_text.h"
#include "tests/mini_json.h"
#include "tests/render/report_fixture.h"

namespace orderly {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

int Count(absl::string_view text, absl::string_view what) {
  int n = 0;
  for (size_t at = text.find(what); at != absl::string_view::npos;
       at = text.find(what, at + what.size())) {
    ++n;
  }
  return n;
}

// True if `text` is valid UTF-8 (a JSON string of it parses strictly).
bool ValidUtf8(const std::string& text) {
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
  }
  std::string error;
  return Json::Parse(quoted + "\"", &error).has_value();
}

// The names of every start and end tag, in a tokenizer's view: text from
// '<' to the next '>'.
std::set<std::string> TagNames(const std::string& html) {
  std::set<std::string> names;
  for (size_t lt = html.find('<'); lt != std::string::npos;
       lt = html.find('<', lt + 1)) {
    size_t i = lt + 1;
    if (i < html.size() && (html[i] == '/' || html[i] == '!')) ++i;
    size_t end = i;
    while (end < html.size() && absl::ascii_isalnum(html[end])) ++end;
    names.insert(absl::AsciiStrToLower(html.substr(i, end - i)));
  }
  return names;
}

class HtmlTest : public ::testing::Test {
 protected:
  const ShutdownReport report_ = fixture::NastyReport();
  const std::string html_ = ToHtmlTimeline(report_);
};

TEST_F(HtmlTest, IsOneSelfContainedPageWithoutScriptOrFetches) {
  EXPECT_TRUE(absl::StartsWith(html_, "<!DOCTYPE html>\n")) << html_;
  EXPECT_TRUE(absl::EndsWith(html_, "</html>\n"));
  EXPECT_THAT(html_, HasSubstr("<meta charset=\"utf-8\">"));
  EXPECT_THAT(html_,
              HasSubstr("Content-Security-Policy\" content=\"default-src "
                        "'none'"));
  const std::string lower = absl::AsciiStrToLower(html_);
  EXPECT_THAT(lower, Not(HasSubstr("<script")));
  EXPECT_THAT(lower, Not(HasSubstr(" src=")));
  EXPECT_THAT(lower, Not(HasSubstr(" href=")));
  EXPECT_THAT(lower, Not(HasSubstr("url(")));
  EXPECT_TRUE(ValidUtf8(html_));
}

TEST_F(HtmlTest, EveryTagIsOneTheRendererWrites) {
  const std::set<std::string> allowed = {
      "doctype", "html", "head", "meta", "title", "style", "body",
      "h1",      "h2",   "p",    "span", "b",     "i",     "div",
      "svg",     "rect", "line", "text", "tspan", "g",     "table",
      "tr",      "th",   "td",   "pre",  "ul",    "li"};
  for (const std::string& name : TagNames(html_)) {
    EXPECT_TRUE(allowed.count(name)) << "unexpected tag <" << name << ">";
  }
}

TEST_F(HtmlTest, NamesAppearOnlyEscaped) {
  EXPECT_THAT(html_, Not(HasSubstr(fixture::kStore)));
  EXPECT_THAT(html_, HasSubstr("&lt;b&gt;store&lt;/b&gt; &amp; &#39;co&#39;"));
  EXPECT_THAT(html_, Not(HasSubstr("</script>")));
  EXPECT_THAT(html_, HasSubstr("worker &quot;1&quot; \\ &lt;/script&gt;"));
  EXPECT_THAT(html_, HasSubstr("disk &quot;full&quot;\\ &lt;/script&gt;"
                               "&lt;script&gt;alert(1)&lt;/script&gt;"
                               "\xEF\xBF\xBD \xEF\xBF\xBD end"));
  EXPECT_THAT(html_, HasSubstr(fixture::kJournal));  // UTF-8 as is.
  EXPECT_EQ(html_.find('\x01'), std::string::npos);
}

TEST_F(HtmlTest, OneBarAndOneTableRowPerStepColouredByOutcome) {
  EXPECT_EQ(Count(html_, "class=\"bar "), 9);
  EXPECT_EQ(Count(html_, "class=\"bar ok\""), 5);
  EXPECT_EQ(Count(html_, "class=\"bar error\""), 1);
  EXPECT_EQ(Count(html_, "class=\"bar timed-out\""), 1);
  EXPECT_EQ(Count(html_, "class=\"bar straggler\""), 1);
  EXPECT_EQ(Count(html_, "class=\"bar skipped\""), 1);
  EXPECT_EQ(Count(html_, "<tr class=\"row-"), 9);
  EXPECT_EQ(Count(html_, "<tr class=\"row-straggler\">"), 1);
  // A budget is shown where the report has one (steps that outlived it).
  EXPECT_EQ(Count(html_, "<td class=\"num\">&mdash;</td>"), 7);
  // One header row (a phase band's label) per phase, plus stop callbacks.
  EXPECT_EQ(Count(html_, "class=\"phase\""), 4);
  EXPECT_EQ(Count(html_, "<rect class=\"band-"), 4);
  EXPECT_THAT(html_, HasSubstr(">stop callbacks <tspan"));
  EXPECT_THAT(html_, HasSubstr("TIMED OUT 100.00ms</text>"));
}

TEST_F(HtmlTest, TooltipsCarryTheFullFacts) {
  EXPECT_THAT(
      html_,
      HasSubstr("<title>cleanup &lt;b&gt;store&lt;/b&gt; &amp; "
                "&#39;co&#39;/close\nnow\n"
                "phase close\nerror, 5.00ms\nerror: disk &quot;full&quot;"));
  EXPECT_THAT(html_, HasSubstr("<title>join worker &quot;1&quot; \\ "
                               "&lt;/script&gt;\nphase threads\nstraggler, "
                               "2.000s (budget 2.000s)\nerror: not joined"));
}

TEST_F(HtmlTest, ShowsVerdictMarkersLegendAndTheTextReport) {
  EXPECT_THAT(html_, HasSubstr("<span class=\"verdict bad\">1 error, 1 timed "
                               "out, 1 skipped, 1 straggling</span>"));
  EXPECT_THAT(html_, HasSubstr("class=\"stop-line\""));
  // 5 s from a 2.81 s sequence: drawn to scale.
  EXPECT_THAT(html_, HasSubstr("class=\"deadline-line\""));
  EXPECT_THAT(html_, HasSubstr("<p class=\"legend\">"));
  EXPECT_THAT(html_, HasSubstr(absl::StrCat(
                         "<pre>", render_internal::HtmlText(report_.ToText()),
                         "</pre>")));
  EXPECT_THAT(html_, HasSubstr("<b>threads may still run</b>"));
}

TEST(HtmlDeadlineTest, AFarDeadlineIsAnArrowNotALine) {
  ShutdownReport r = fixture::NastyReport();
  r.deadline = r.stop_requested + absl::Seconds(25);
  const std::string html = ToHtmlTimeline(r);
  EXPECT_THAT(html, Not(HasSubstr("class=\"deadline-line\"")));
  EXPECT_THAT(html, HasSubstr("deadline 25.000s (off scale)"));
}

TEST(HtmlRobustnessTest, InfiniteAndUnsetTimesStillRenderAPage) {
  ShutdownReport r = fixture::NastyReport();
  r.deadline = absl::InfiniteFuture();
  r.finished = absl::Time();  // Unset: a report written at the deadline.
  r.steps[1].duration = absl::InfiniteDuration();
  const std::string html = ToHtmlTimeline(r);
  EXPECT_TRUE(absl::EndsWith(html, "</html>\n"));
  EXPECT_THAT(html, Not(HasSubstr("nan")));
  EXPECT_THAT(html, Not(HasSubstr("inf\"")));
  EXPECT_THAT(html, Not(HasSubstr("class=\"deadline-line\"")));
}

TEST(HtmlTextTest, EscapesTheFiveCharactersAndControls) {
  EXPECT_EQ(render_internal::HtmlText("a&b<c>d\"e'f\ng\th\x01i\x7f"),
            "a&amp;b&lt;c&gt;d&quot;e&#39;f\ng\th\xEF\xBF\xBDi\xEF\xBF\xBD");
  EXPECT_EQ(render_internal::HtmlText("\xff\xC3\xA9"), "\xEF\xBF\xBD\xC3\xA9");
}

}  // namespace
}  // namespace orderly
