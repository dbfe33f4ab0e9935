// Copyright 2026 The orderly Authors.
//
// How the process ends (process_end.h): a live daemon ends it without
// static destructors, unless the policy says to run them anyway.
// Each in a real child process (hooks_test_util.h).

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/hooks/child_process.h"
#include "tests/hooks/hooks_test_util.h"

namespace orderly {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(ProcessEndTest, LiveDaemonEndsTheProcessWithoutStaticDestructors) {
  ChildProcess child({g_scenario_main, "daemon_alive", NewDir()});
  ChildProcess::Result r = child.Wait(kTimeout);
  EXPECT_EQ(r.exit_code, 0) << r;  // The report is ok; main returned 0.
  EXPECT_THAT(r.out, HasSubstr("buffered line without a newline")) << r;
  EXPECT_THAT(r.out, Not(HasSubstr("static destructor ran"))) << r;
  EXPECT_THAT(r.err, HasSubstr("without static destructors: threads may "
                               "still run (daemon metrics); stdio flushed"))
      << r;
}

TEST(ProcessEndTest, ProcessEndPolicyCanAlwaysRunStaticDestructors) {
  ChildProcess child(
      {g_scenario_main, "daemon_alive_run_destructors", NewDir()});
  ChildProcess::Result r = child.Wait(kTimeout);
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("static destructor ran")) << r;
  EXPECT_THAT(r.err, Not(HasSubstr("without static destructors"))) << r;
}

// A thread nobody registered (named "lib-flusher") still runs at the end:
// reported, and by default static destructors still run.
TEST(ProcessEndTest, UnknownThreadIsReportedAndDoesNotBlockByDefault) {
  ChildProcess child({g_scenario_main, "unknown_thread_alive", NewDir()});
  ChildProcess::Result r = child.Wait(kTimeout);
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("static destructor ran")) << r;
  EXPECT_THAT(r.err, Not(HasSubstr("without static destructors"))) << r;
}

// UnknownThreadPolicy::kTreatAsDaemons: it ends the process without static
// destructors, and the line names it by tid and name.
TEST(ProcessEndTest, UnknownThreadTreatedAsDaemonEndsWithoutDestructors) {
  ChildProcess child(
      {g_scenario_main, "unknown_thread_alive_as_daemon", NewDir()});
  ChildProcess::Result r = child.Wait(kTimeout);
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, Not(HasSubstr("static destructor ran"))) << r;
  EXPECT_THAT(r.err, HasSubstr("without static destructors: threads may "
                               "still run ("))
      << r;
  EXPECT_THAT(r.err, ::testing::ContainsRegex(
                         "unknown thread [0-9]+ \"lib-flusher\""))
      << r;
}

}  // namespace
}  // namespace orderly
