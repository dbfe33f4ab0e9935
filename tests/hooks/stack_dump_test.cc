// Copyright 2026 The orderly Authors.
//
// The watchdog and the stack dump: a stuck cleanup or thread ends the process
// at the deadline, named with its stack.
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

TEST(StackDumpTest, StuckCleanupEndsTheProcessAtTheDeadlineNamingIt) {
  const std::string dir = NewDir();
  ChildProcess child({g_scenario_main, "stuck_cleanup", dir});
  ASSERT_TRUE(child.WaitForOutput("ready", kTimeout)) << child.Wait(kTimeout);
  const absl::Time ready = absl::Now();
  ChildProcess::Result r = child.Wait(kTimeout);
  const absl::Duration took = absl::Now() - ready;
  EXPECT_EQ(r.exit_code, 86) << r;  // RuntimeOptions::deadline_exit_code.
  EXPECT_GE(took, absl::Milliseconds(900)) << r;
  EXPECT_LT(took, absl::Seconds(kSanitizer ? 5 : 3)) << r;
  EXPECT_THAT(r.err, HasSubstr("SHUTDOWN DEADLINE EXCEEDED")) << r;
  EXPECT_THAT(r.err,
              HasSubstr("still running: phase close, cleanup "
                        "stuck/never-returns for"))
      << r;
  EXPECT_THAT(r.err, HasSubstr("orderly: stack of cleanup stuck/never-returns"))
      << r;
#if !defined(ORDERLY_TSAN) && !defined(ORDERLY_PREBUILT_ABSEIL)
  // TSan defers signal handlers to its own safe points, so the stuck thread
  // may not answer within the timeout there; elsewhere the stack shows it.
  // Not with a prebuilt Abseil (the CMake build's Debian libabsl, built
  // without frame pointers): the frame-pointer walk then stops short of the
  // user's frames (docs/building.md).
  EXPECT_THAT(r.err, HasSubstr("StuckForever")) << r;
#endif
}

TEST(StackDumpTest, StuckThreadIsNamedWithItsStackAtTheDeadline) {
  const std::string dir = NewDir();
  ChildProcess child({g_scenario_main, "stuck_thread", dir});
  ChildProcess::Result r = child.Wait(kTimeout);
  EXPECT_EQ(r.exit_code, 86) << r;
  EXPECT_THAT(r.err, HasSubstr("joining threads: stubborn")) << r;
  EXPECT_THAT(r.err, HasSubstr("orderly: stack of thread stubborn")) << r;
#if !defined(ORDERLY_TSAN) && !defined(ORDERLY_PREBUILT_ABSEIL)
  EXPECT_THAT(r.err, HasSubstr("StubbornThreadBody")) << r;
#endif
}

}  // namespace
}  // namespace orderly
