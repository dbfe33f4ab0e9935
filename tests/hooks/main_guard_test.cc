// Copyright 2026 The orderly Authors.
//
// MainGuard and the exit hook: a return from main, exit() from workers and
// from cleanups, live daemons and the process-end policy, a runtime used from
// global constructors and destructors.
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

using ::testing::AnyOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(MainGuardTest, MainReturnJoinsTheThreadAndRunsTheCleanup) {
  const std::string dir = NewDir();
  ChildProcess child({g_scenario_main, "main_returns", dir});
  ChildProcess::Result r = child.Wait(kTimeout);
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("ready")) << r;
  // The thread was terminated and joined before the cleanup ran.
  EXPECT_THAT(Events(dir),
              ElementsAre("worker stopped", "cleanup store/write-file"));
  EXPECT_THAT(r.err, Not(HasSubstr("orderly shutdown report"))) << r;
}

TEST(MainGuardTest, ExitFromAWorkerStopsTheOthersBeforeStaticDestructors) {
  // Each run is a small child process (about 10 ms); fewer under the
  // sanitizers, whose start-up is slower.
  const int kRuns = kSanitizer ? 30 : 200;
  for (int run = 0; run < kRuns; ++run) {
    const std::string dir = NewDir();
    ChildProcess child({g_scenario_main, "exit_from_worker", dir});
    ChildProcess::Result r = child.Wait(kTimeout);
    ASSERT_EQ(r.exit_code, 3) << "run " << run << r;
    ASSERT_THAT(r.out, HasSubstr("static destructor: no worker running"))
        << "run " << run << r;
  }
}

TEST(MainGuardTest, ConcurrentExitsAndExitInACleanupRunEachStepOnce) {
  const std::string dir = NewDir();
  ChildProcess child({g_scenario_main, "three_exits", dir});
  ChildProcess::Result r = child.Wait(kTimeout);
  EXPECT_THAT(r.exit_code, AnyOf(1, 2)) << r;
  EXPECT_THAT(Events(dir),
              ElementsAre("worker stopped", "cleanup a/first",
                          "cleanup b/calls-exit", "cleanup c/last"))
      << r;
  // The cleanup that called exit() is reported, and the rest went on.
  EXPECT_THAT(r.err, HasSubstr("b/calls-exit")) << r;
  EXPECT_THAT(r.err, HasSubstr("called exit() from inside the sequence"))
      << r;
}

TEST(MainGuardTest, LiveDaemonEndsTheProcessWithoutStaticDestructors) {
  ChildProcess child({g_scenario_main, "daemon_alive", NewDir()});
  ChildProcess::Result r = child.Wait(kTimeout);
  EXPECT_EQ(r.exit_code, 0) << r;  // The report is ok; main returned 0.
  EXPECT_THAT(r.out, HasSubstr("buffered line without a newline")) << r;
  EXPECT_THAT(r.out, Not(HasSubstr("static destructor ran"))) << r;
  EXPECT_THAT(r.err, HasSubstr("without static destructors: threads may "
                               "still run (daemon metrics); stdio flushed"))
      << r;
}

TEST(MainGuardTest, ProcessEndPolicyCanAlwaysRunStaticDestructors) {
  ChildProcess child(
      {g_scenario_main, "daemon_alive_run_destructors", NewDir()});
  ChildProcess::Result r = child.Wait(kTimeout);
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("static destructor ran")) << r;
  EXPECT_THAT(r.err, Not(HasSubstr("without static destructors"))) << r;
}

// --- Global constructors and destructors ---------------------------------

TEST(MainGuardTest, RuntimeFromGlobalConstructorsAndDestructors) {
  const std::string events = NewDir() + "/events";
  ChildProcess child({g_global_lifetime_main},
                     {absl::StrCat("ORDERLY_EVENTS=", events)});
  ChildProcess::Result r = child.Wait(kTimeout);
  EXPECT_EQ(r.exit_code, 0) << r;
  std::ifstream in(events);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_THAT(
      std::vector<std::string>(absl::StrSplit(text.str(), '\n',
                                              absl::SkipEmpty())),
      ElementsAre(
          "constructor: ready", "main", "global-worker stopped",
          "cleanup global/write", "global destructor: shutdown ok",
          "global destructor: late registration: FAILED_PRECONDITION",
          "global destructor: late component: FAILED_PRECONDITION",
          "early global destructor: complete=1 report ok reason "
          "requested: Shutdown()"))
      << r;
}

}  // namespace
}  // namespace orderly
