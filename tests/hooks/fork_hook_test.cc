// Copyright 2026 The orderly Authors.
//
// The fork hook: the child exits at once, the parent shuts down later.
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

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

TEST(ForkHookTest, ForkChildExitsAtOnceAndTheParentShutsDownLater) {
  const std::string dir = NewDir();
  ChildProcess child({g_scenario_main, "fork", dir});
  ChildProcess::Result r = child.Wait(kTimeout);
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("child: forked")) << r;
  EXPECT_THAT(r.out, HasSubstr("child exited with 0 after")) << r;
  EXPECT_THAT(r.out, HasSubstr("parent: stop requested: no")) << r;
  // Only the parent stopped its workers: once each.
  EXPECT_THAT(Events(dir),
              UnorderedElementsAre("worker-0 stopped", "worker-1 stopped",
                                   "worker-2 stopped", "worker-3 stopped"));
}

}  // namespace
}  // namespace orderly
