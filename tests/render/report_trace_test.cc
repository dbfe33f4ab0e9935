// Copyright 2026 The orderly Authors.
//
// ToChromeTrace: the JSON parses (strictly), has the tracks, slices, instant
// events and args a viewer needs, and carries every nasty name intact.

#include "render/report_trace.h"

#include <map>
#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "render/internal/render_text.h"
#include "tests/mini_json.h"
#include "tests/render/report_fixture.h"

namespace orderly {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

Json MustParse(const std::string& text) {
  std::string error;
  std::optional<Json> doc = Json::Parse(text, &error);
  EXPECT_TRUE(doc.has_value()) << error << "\n" << text;
  return doc.value_or(Json());
}

// The trace of the fixture, with its events indexed.
class TraceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    text_ = ToChromeTrace(fixture::NastyReport());
    doc_ = MustParse(text_);
    for (const Json& e : doc_["traceEvents"].array()) {
      if (e["ph"].string() == "M" && e["name"].string() == "thread_name") {
        tracks_[e["args"]["name"].string()] =
            static_cast<int>(e["tid"].number());
      }
    }
  }

  // The events named `name`; fails unless there is exactly one.
  const Json& Event(const std::string& name, const std::string& ph) {
    const Json* found = nullptr;
    int count = 0;
    for (const Json& e : doc_["traceEvents"].array()) {
      if (e["name"].string() == name && e["ph"].string() == ph) {
        found = &e;
        ++count;
      }
    }
    EXPECT_EQ(count, 1) << "events named \"" << name << "\" ph " << ph;
    static const Json* const kNone = new Json();
    return found != nullptr ? *found : *kNone;
  }

  int Tid(const std::string& track) {
    EXPECT_TRUE(tracks_.count(track)) << "no track \"" << track << "\"";
    return tracks_[track];
  }

  std::string text_;
  Json doc_;
  std::map<std::string, int> tracks_;
};

TEST_F(TraceTest, IsATraceEventObjectWhoseEventsAreWellFormed) {
  ASSERT_EQ(doc_.type(), Json::Type::kObject);
  ASSERT_EQ(doc_["traceEvents"].type(), Json::Type::kArray);
  EXPECT_EQ(doc_["displayTimeUnit"].string(), "ms");
  EXPECT_EQ(doc_["otherData"]["verdict"].string(),
            "1 error, 1 timed out, 1 skipped, 1 straggling");
  EXPECT_EQ(doc_["otherData"]["counters"]["access-log.processed"].number(), 42);
  for (const Json& e : doc_["traceEvents"].array()) {
    ASSERT_EQ(e["name"].type(), Json::Type::kString);
    const std::string& ph = e["ph"].string();
    ASSERT_TRUE(ph == "X" || ph == "M" || ph == "i") << ph;
    EXPECT_EQ(e["pid"].number(), 1);
    EXPECT_EQ(e["tid"].type(), Json::Type::kNumber);
    EXPECT_EQ(e["args"].type(), Json::Type::kObject);
    if (ph == "X") {
      EXPECT_EQ(e["ts"].type(), Json::Type::kNumber) << e["name"].string();
      EXPECT_GE(e["dur"].number(), 0) << e["name"].string();
    }
    if (ph == "i") {
      const std::string& scope = e["s"].string();
      EXPECT_TRUE(scope == "g" || scope == "t") << scope;
    }
  }
}

TEST_F(TraceTest, OneTrackPerPhaseComponentAndThreadInOrder) {
  std::vector<std::string> names;
  for (const auto& [name, tid] : tracks_) names.push_back(name);
  EXPECT_THAT(names, UnorderedElementsAre(
                         "shutdown", "phase drain", "phase threads",
                         "phase flush", "phase close", "stop callbacks",
                         "component server", "thread " + fixture::kWorker,
                         "thread acceptor", "component " + fixture::kJournal,
                         "component " + fixture::kStore, "component log"));
  EXPECT_EQ(Tid("shutdown"), 1);
  EXPECT_EQ(Tid("phase drain"), 2);
  EXPECT_EQ(Tid("phase close"), 5);
  EXPECT_EQ(Tid("stop callbacks"), 6);
  EXPECT_EQ(Tid("component server"), 7);
  EXPECT_EQ(Tid("thread " + fixture::kWorker), 8);
  EXPECT_EQ(Tid("component log"), 12);
  // Each track's sort index is its tid, so viewers keep this order.
  int sort_indexes = 0;
  for (const Json& e : doc_["traceEvents"].array()) {
    if (e["name"].string() != "thread_sort_index") continue;
    EXPECT_EQ(e["args"]["sort_index"].number(), e["tid"].number());
    ++sort_indexes;
  }
  EXPECT_EQ(sort_indexes, 12);
  const Json& name = Event("process_name", "M");
  EXPECT_EQ(name["args"]["name"].string(),
            "orderly shutdown: SIGTERM (signal 15)");
}

TEST_F(TraceTest, TheWholeSequenceAndEachPhaseAreSlices) {
  const Json& whole =
      Event("shutdown: 1 error, 1 timed out, 1 skipped, 1 straggling", "X");
  EXPECT_EQ(whole["tid"].number(), 1);
  EXPECT_EQ(whole["ts"].number(), 0);
  EXPECT_EQ(whole["dur"].number(), 2'810'000);
  EXPECT_EQ(whole["cname"].string(), "terrible");
  EXPECT_EQ(whole["args"]["daemons_running"].array().size(), 1u);
  const Json& threads = Event("phase threads", "X");
  EXPECT_EQ(threads["tid"].number(), Tid("phase threads"));
  EXPECT_EQ(threads["ts"].number(), 1100);
  EXPECT_EQ(threads["dur"].number(), 2'500'000);
  EXPECT_EQ(threads["args"]["budget"].string(), "3.000s");
}

TEST_F(TraceTest, StepsAreSlicesWithOutcomeBudgetAndErrorInArgs) {
  const Json& ok = Event("stop-accepting", "X");
  EXPECT_EQ(ok["tid"].number(), Tid("component server"));
  EXPECT_EQ(ok["ts"].number(), 30);
  EXPECT_EQ(ok["dur"].number(), 900);
  EXPECT_EQ(ok["cname"].string(), "good");
  EXPECT_EQ(ok["args"]["outcome"].string(), "ok");
  EXPECT_EQ(ok["args"]["phase"].string(), "drain");
  EXPECT_FALSE(ok["args"].has("error"));
  EXPECT_FALSE(ok["args"].has("budget"));  // Recorded only when outlived.

  const Json& error = Event(fixture::kStoreCleanup + " [ERROR]", "X");
  EXPECT_EQ(error["tid"].number(), Tid("component " + fixture::kStore));
  EXPECT_EQ(error["cname"].string(), "terrible");
  EXPECT_EQ(error["args"]["component"].string(), fixture::kStore);
  // The error text comes back byte for byte, except the byte that is not
  // UTF-8, which became U+FFFD.
  EXPECT_EQ(error["args"]["error"].string(),
            "disk \"full\"\\ </script><script>alert(1)</script>\x01 "
            "\xEF\xBF\xBD end");

  const Json& skipped = Event("close-file [SKIPPED]", "X");
  EXPECT_EQ(skipped["dur"].number(), 0);
  EXPECT_EQ(skipped["cname"].string(), "grey");
}

TEST_F(TraceTest, TimeoutsAndStragglersAreMarkedWithInstants) {
  const Json& timed_out = Event("flush [TIMED OUT]", "X");
  EXPECT_EQ(timed_out["cname"].string(), "bad");
  EXPECT_EQ(timed_out["args"]["budget_us"].number(), 100'000);
  const Json& mark = Event("timed out: flush", "i");
  EXPECT_EQ(mark["tid"].number(), Tid("component " + fixture::kJournal));
  EXPECT_EQ(mark["ts"].number(), 2'700'000);  // Where orderly gave up.
  EXPECT_EQ(mark["s"].string(), "t");

  const Json& straggler =
      Event("join " + fixture::kWorker + " [STRAGGLER]", "X");
  EXPECT_EQ(straggler["tid"].number(), Tid("thread " + fixture::kWorker));
  EXPECT_EQ(straggler["cname"].string(), "detailed_memory_dump");
  EXPECT_EQ(straggler["args"]["error"].string(),
            "not joined within its 2s join budget");
  EXPECT_EQ(Event("straggler: " + fixture::kWorker, "i")["ts"].number(),
            2'001'300);
  const Json& listed = Event("straggler: thread " + fixture::kWorker, "i");
  EXPECT_EQ(listed["tid"].number(), 1);
  EXPECT_EQ(listed["args"]["why"].string(),
            "not joined within its 2s join budget");
}

TEST_F(TraceTest, StopRequestAndDeadlineAreGlobalInstants) {
  const Json& stop = Event("stop requested", "i");
  EXPECT_EQ(stop["ts"].number(), 0);
  EXPECT_EQ(stop["s"].string(), "g");
  EXPECT_EQ(stop["args"]["reason"].string(), "SIGTERM (signal 15)");
  const Json& deadline = Event("deadline", "i");
  EXPECT_EQ(deadline["ts"].number(), 5'000'000);
  EXPECT_EQ(deadline["s"].string(), "g");
}

TEST_F(TraceTest, RawTextCanSitInsideHtmlAndHasNoControlBytes) {
  EXPECT_THAT(text_, Not(HasSubstr("</script>")));
  EXPECT_THAT(text_, Not(HasSubstr("<b>")));
  EXPECT_THAT(text_, HasSubstr("\\u003cb\\u003estore"));
  for (char c : text_) {
    EXPECT_FALSE(static_cast<unsigned char>(c) < 0x20 && c != '\n')
        << "raw control byte " << static_cast<int>(c);
  }
}

TEST(TraceEmptyTest, AReportWithNoStepsIsStillAValidTrace) {
  ShutdownReport empty;
  empty.deadline = absl::InfiniteFuture();
  const Json doc = MustParse(ToChromeTrace(empty));
  EXPECT_EQ(doc["traceEvents"].type(), Json::Type::kArray);
}

TEST(TraceEmptyTest, InfiniteAndUnsetTimesStillMakeFiniteNumbers) {
  ShutdownReport r = fixture::NastyReport();
  r.deadline = absl::InfiniteFuture();
  r.finished = absl::Time();
  r.steps[1].duration = absl::InfiniteDuration();
  const Json doc = MustParse(ToChromeTrace(r));  // No "inf", no "nan".
  for (const Json& e : doc["traceEvents"].array()) {
    EXPECT_NE(e["name"].string(), "deadline");
  }
}

// JsonString, byte by byte: every one-byte string parses back to itself
// (the non-ASCII ones, not UTF-8 alone, to U+FFFD).
TEST(JsonStringTest, EveryByteRoundTrips) {
  for (int b = 0; b < 256; ++b) {
    const std::string raw(1, static_cast<char>(b));
    std::string error;
    std::optional<Json> back =
        Json::Parse(render_internal::JsonString(raw), &error);
    ASSERT_TRUE(back.has_value()) << "byte " << b << ": " << error;
    EXPECT_EQ(back->string(), b < 0x80 ? raw : "\xEF\xBF\xBD") << b;
  }
}

TEST(JsonStringTest, ValidUtf8PassesThroughAndMalformedBecomesReplacement) {
  using render_internal::JsonString;
  EXPECT_EQ(JsonString("\xC3\xA9\xF0\x9F\x98\x80"),
            "\"\xC3\xA9\xF0\x9F\x98\x80\"");
  EXPECT_EQ(JsonString("\xC0\xAF"),
            "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");  // Overlong.
  EXPECT_EQ(JsonString("\xED\xA0\x80"),       // A surrogate.
            "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
  EXPECT_EQ(JsonString("\xE2\x9C"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");  // Cut.
  EXPECT_EQ(JsonString("a\xE2\x80\xA8z"), "\"a\\u2028z\"");
  EXPECT_EQ(JsonString("\"\\\n\t\x7f<&>"),
            "\"\\\"\\\\\\n\\t\\u007f\\u003c\\u0026\\u003e\"");
}

}  // namespace
}  // namespace orderly
