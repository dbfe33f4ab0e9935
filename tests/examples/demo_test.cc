// Copyright 2026 The orderly Authors.
//
// The demo service (examples/demo), run as a user runs it: it serves, takes
// load, is stopped by a signal, and must exit 0 with a verdict that adds up
// (lost = 0, counted from its access-log file) and two well-formed timeline
// files. The test waits for the child's output, never sleeps.

#include <signal.h>
#include <stdlib.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "tests/test_util.h"
#include "gtest/gtest.h"
#include "tests/hooks/child_process.h"
#include "tests/mini_json.h"

namespace orderly {
namespace {

using ::testing::HasSubstr;

const char* g_demo = nullptr;

// Generous: sanitizer builds run slower; no passing test waits it out.
const absl::Duration kTimeout = absl::Seconds(90);

std::string NewDir() { return NewTestDir("demo"); }

// Checks the verdict line, the access log and both timeline files.
void ExpectCleanRun(const ChildProcess::Result& r, const std::string& dir) {
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("orderly shutdown report: OK")) << r;

  std::smatch m;
  const std::regex verdict(
      "verdict: OK accepted=(\\d+) answered=(\\d+) received=(\\d+) "
      "log_lines=(\\d+) lost=(-?\\d+)");
  ASSERT_TRUE(std::regex_search(r.out, m, verdict)) << r;
  int64_t accepted, answered, received, log_lines, lost;
  ASSERT_TRUE(absl::SimpleAtoi(m[1].str(), &accepted));
  ASSERT_TRUE(absl::SimpleAtoi(m[2].str(), &answered));
  ASSERT_TRUE(absl::SimpleAtoi(m[3].str(), &received));
  ASSERT_TRUE(absl::SimpleAtoi(m[4].str(), &log_lines));
  ASSERT_TRUE(absl::SimpleAtoi(m[5].str(), &lost));
  EXPECT_GT(accepted, 0);
  EXPECT_EQ(answered, accepted);
  EXPECT_EQ(received, accepted);
  EXPECT_EQ(log_lines, accepted);
  EXPECT_EQ(lost, 0);

  // The test's own count of the file the demo counted.
  const std::string log = ReadFile(dir + "/orderly-demo.access.log");
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), log_lines);

  const std::string trace_path = dir + "/orderly-demo.trace.json";
  const std::string html_path = dir + "/orderly-demo.html";
  EXPECT_THAT(r.out, HasSubstr("timeline: " + trace_path + "\n"));
  EXPECT_THAT(r.out, HasSubstr("timeline: " + html_path + "\n"));
  std::string error;
  std::optional<Json> trace = Json::Parse(ReadFile(trace_path), &error);
  ASSERT_TRUE(trace.has_value()) << error;
  bool saw_drain = false, saw_close = false;
  for (const Json& e : (*trace)["traceEvents"].array()) {
    saw_drain |= e["name"].string() == "stop-accepting";
    saw_close |= e["name"].string() == "close-file";
  }
  EXPECT_TRUE(saw_drain && saw_close) << ReadFile(trace_path);
  EXPECT_EQ((*trace)["otherData"]["verdict"].string(), "OK");

  const std::string html = ReadFile(html_path);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_THAT(html, HasSubstr("<span class=\"verdict good\">OK</span>"));
  EXPECT_THAT(html, HasSubstr("cleanup server/stop-accepting"));
  EXPECT_THAT(html, HasSubstr("</html>\n"));
}

TEST(DemoTest, TimedRunSigtermsItselfAndLosesNothing) {
  const std::string dir = NewDir();
  ChildProcess child({g_demo, "--seconds=1", "--out=" + dir});
  const ChildProcess::Result r = child.Wait(kTimeout);
  EXPECT_THAT(r.out, HasSubstr("sending myself SIGTERM")) << r;
  EXPECT_THAT(r.out, HasSubstr("reason: SIGTERM (signal 15)")) << r;
  ExpectCleanRun(r, dir);
}

TEST(DemoTest, UntilSignalStopsOnCtrlCAndLosesNothing) {
  const std::string dir = NewDir();
  ChildProcess child({g_demo, "--until-signal", "--out=" + dir});
  // The first metrics line: a second of load has been served.
  ASSERT_TRUE(child.WaitForOutput("metrics: ", kTimeout))
      << child.Wait(kTimeout);
  ASSERT_EQ(kill(child.pid(), SIGINT), 0);
  const ChildProcess::Result r = child.Wait(kTimeout);
  EXPECT_THAT(r.out, HasSubstr("reason: SIGINT (signal 2)")) << r;
  ExpectCleanRun(r, dir);
}

TEST(DemoTest, FilesGoWhereBazelRunWasTypedByDefault) {
  const std::string dir = NewDir();
  ChildProcess child({g_demo, "--seconds=0.5"},
                     {"BUILD_WORKING_DIRECTORY=" + dir});
  const ChildProcess::Result r = child.Wait(kTimeout);
  ExpectCleanRun(r, dir);
}

TEST(DemoTest, RefusesAnUnknownFlag) {
  ChildProcess child({g_demo, "--no-such-flag"});
  const ChildProcess::Result r = child.Wait(kTimeout);
  EXPECT_EQ(r.exit_code, 2) << r;
  EXPECT_THAT(r.err, HasSubstr("usage:")) << r;
}

}  // namespace
}  // namespace orderly

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <demo binary>\n", argv[0]);
    return 2;
  }
  orderly::g_demo = argv[1];
  return RUN_ALL_TESTS();
}
