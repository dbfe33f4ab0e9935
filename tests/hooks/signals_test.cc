// Copyright 2026 The orderly Authors.
//
// The signal hooks: SIGTERM and SIGINT run the sequence and map the exit
// code, a second signal ends at once, PID 1 in a container.
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

// The sigterm scenario's events: main wakes up (a stop callback) while the
// sequence goes on, so only the worker and the cleanup are ordered.
void ExpectGracefulStop(const std::string& dir) {
  const std::vector<std::string> events = Events(dir);
  EXPECT_THAT(events,
              UnorderedElementsAre("main: stop requested", "worker stopped",
                                   "cleanup store/write-file"));
  const auto at = [&](absl::string_view e) {
    return std::find(events.begin(), events.end(), e) - events.begin();
  };
  EXPECT_LT(at("worker stopped"), at("cleanup store/write-file"));
}

TEST(SignalsTest, SigtermRunsTheSequenceAndMapsTheExitCode) {
  const std::string dir = NewDir();
  ChildProcess child({g_scenario_main, "sigterm", dir});
  ASSERT_TRUE(child.WaitForOutput("ready", kTimeout)) << child.Wait(kTimeout);
  ASSERT_EQ(kill(child.pid(), SIGTERM), 0);
  ChildProcess::Result r = child.Wait(kTimeout);
  EXPECT_EQ(r.exit_code, 100 + SIGTERM) << r;  // As the scenario maps it.
  EXPECT_THAT(r.err, HasSubstr("orderly: received SIGTERM")) << r;
  ExpectGracefulStop(dir);
}

TEST(SignalsTest, SecondSigintEndsAtOnceWhileATerminateCallbackBlocks) {
  const std::string dir = NewDir();
  ChildProcess child({g_scenario_main, "sigint_twice", dir});
  ASSERT_TRUE(child.WaitForOutput("ready", kTimeout)) << child.Wait(kTimeout);
  ASSERT_EQ(kill(child.pid(), SIGINT), 0);
  ASSERT_TRUE(child.WaitForOutput("terminate callback blocking", kTimeout))
      << child.Wait(kTimeout);
  // The interval the issue asks for between the two signals, not a wait.
  absl::SleepFor(absl::Milliseconds(100));
  const absl::Time second = absl::Now();
  ASSERT_EQ(kill(child.pid(), SIGINT), 0);
  ChildProcess::Result r = child.Wait(kTimeout);
  EXPECT_LT(absl::Now() - second, absl::Seconds(1)) << r;
  EXPECT_EQ(r.exit_code, 130) << r;
  EXPECT_THAT(r.err, HasSubstr("forced exit now with code 130")) << r;
  EXPECT_THAT(r.err, HasSubstr("still running: phase threads")) << r;
  EXPECT_THAT(r.err, HasSubstr("not run: phase flush [store/flush-file]"))
      << r;
  EXPECT_THAT(Events(dir), ElementsAre());  // No cleanup ran.
}

TEST(SignalsTest, SigtermWhileMainHoldsALockTheCleanupNeeds) {
  const std::string dir = NewDir();
  ChildProcess child({g_scenario_main, "sigterm_lock", dir});
  ASSERT_TRUE(child.WaitForOutput("ready", kTimeout)) << child.Wait(kTimeout);
  ASSERT_EQ(kill(child.pid(), SIGTERM), 0);
  ChildProcess::Result r = child.Wait(kTimeout);
  EXPECT_EQ(r.exit_code, 100 + SIGTERM) << r;
  EXPECT_THAT(Events(dir), ElementsAre("main: stop requested, releasing the lock",
                                       "cleanup took the lock"));
}

// The pid of `parent`'s only child, from /proc (the process that unshare
// forked into the new PID namespace).
pid_t OnlyChildOf(pid_t parent) {
  std::ifstream in(absl::StrCat("/proc/", parent, "/task/", parent,
                                "/children"));
  pid_t child = -1;
  in >> child;
  return child;
}

TEST(SignalsTest, SigtermStopsPid1InAContainer) {
  // Can this machine make a PID namespace? Privileged first, then as a user.
  std::vector<std::string> prefix;
  for (std::vector<std::string> candidate :
       {std::vector<std::string>{"unshare", "--pid", "--fork", "--kill-child"},
        std::vector<std::string>{"unshare", "--user", "--map-root-user",
                                 "--pid", "--fork", "--kill-child"}}) {
    std::vector<std::string> probe = candidate;
    probe.push_back("true");
    ChildProcess p(probe);
    if (p.started() && p.Wait(kTimeout).exit_code == 0) {
      prefix = candidate;
      break;
    }
  }
  if (prefix.empty()) {
    GTEST_SKIP() << "this machine does not allow a new PID namespace "
                    "(unshare --pid failed, privileged and as a user)";
  }
  const std::string dir = NewDir();
  std::vector<std::string> argv = prefix;
  for (const char* a : {g_scenario_main, "sigterm", dir.c_str()}) {
    argv.push_back(a);
  }
  ChildProcess child(argv);
  ASSERT_TRUE(child.WaitForOutput("ready", kTimeout)) << child.Wait(kTimeout);
  ASSERT_THAT(child.out(), HasSubstr("pid 1"));
  const pid_t init = OnlyChildOf(child.pid());
  ASSERT_GT(init, 0);
  ASSERT_EQ(kill(init, SIGTERM), 0);
  ChildProcess::Result r = child.Wait(kTimeout);  // unshare passes its code.
  EXPECT_EQ(r.exit_code, 100 + SIGTERM) << r;
  ExpectGracefulStop(dir);
}

}  // namespace
}  // namespace orderly
