// Copyright 2026 The orderly Authors.
//
// The exit hook: exit() from a worker stops the others before static
// destructors; concurrent exits and exit() inside a cleanup run each step
// once.
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

TEST(ExitHookTest, ExitFromAWorkerStopsTheOthersBeforeStaticDestructors) {
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

TEST(ExitHookTest, ConcurrentExitsAndExitInACleanupRunEachStepOnce) {
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

}  // namespace
}  // namespace orderly
