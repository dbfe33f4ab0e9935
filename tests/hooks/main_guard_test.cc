// Copyright 2026 The orderly Authors.
//
// MainGuard: a return from main joins the thread and runs the cleanup; a
// runtime used from global constructors and destructors.
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
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hooks/main_guard.h"
#include "tests/hooks/child_process.h"
#include "tests/hooks/hooks_test_util.h"

namespace orderly {
namespace {

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

// --- Contract checks (debug builds) ----------------------------------------

#ifdef NDEBUG
#define SKIP_IN_NDEBUG() GTEST_SKIP() << "contract checks are debug-only"
#else
#define SKIP_IN_NDEBUG() (void)0
#endif

class MainGuardDeathTest : public ::testing::Test {
 protected:
  // The guard starts threads: re-execute, never fork a copy.
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

TEST_F(MainGuardDeathTest, ShutdownCalledTwiceAborts) {
  SKIP_IN_NDEBUG();
  EXPECT_DEATH(
      {
        MainGuard guard;
        (void)guard.Shutdown();
        (void)guard.Shutdown();
      },
      "CHECK FAILED .*MainGuard::Shutdown: call once");
}

TEST_F(MainGuardDeathTest, ShutdownOffTheMainThreadAborts) {
  SKIP_IN_NDEBUG();
  EXPECT_DEATH(
      {
        MainGuard guard;
        std::thread([&guard] { (void)guard.Shutdown(); }).join();
      },
      "CHECK FAILED .*MainGuard::Shutdown: call on the main thread");
}

}  // namespace
}  // namespace orderly

