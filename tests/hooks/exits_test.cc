// Copyright 2026 The orderly Authors.
//
// Every way out is orderly (issue 11): each way a real process ends, run as
// a child process (exits_main.cc) many times: it exits promptly with the
// expected code, loses nothing, runs each cleanup at most once, never hangs,
// and no sanitizer reports anything. Synchronized through the child's
// output ("ready"), never by sleeping; timeouts only turn a hang into a
// failure.

#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/hooks/child_process.h"

namespace orderly {
namespace {

using ::testing::AnyOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

const char* g_exits_main = nullptr;

#if defined(ORDERLY_SANITIZER_BUILD)
constexpr bool kSanitizer = true;
#else
constexpr bool kSanitizer = false;
#endif

// A child that hangs is killed at this bound and fails the test.
const absl::Duration kTimeout = absl::Seconds(30);
// "Promptly": far below the 25 s default deadline a hang would reach.
const absl::Duration kPrompt = absl::Seconds(kSanitizer ? 12 : 6);

std::string NewDir() {
  std::string dir = absl::StrCat(getenv("TEST_TMPDIR"), "/exits-XXXXXX");
  if (mkdtemp(dir.data()) == nullptr) ADD_FAILURE() << "mkdtemp " << dir;
  return dir;
}

std::vector<std::string> Lines(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return absl::StrSplit(text.str(), '\n', absl::SkipEmpty());
}

int Count(const std::vector<std::string>& lines, const std::string& line) {
  return static_cast<int>(std::count(lines.begin(), lines.end(), line));
}

void ExpectNoSanitizerReport(const ChildProcess::Result& r) {
  EXPECT_THAT(r.err, Not(HasSubstr("Sanitizer:"))) << r;
  EXPECT_THAT(r.err, Not(HasSubstr("runtime error:"))) << r;
}

// Runs `scenario variant` once; sends SIGTERM after "ready" if `sigterm`.
ChildProcess::Result RunChild(const std::string& scenario,
                              const std::string& variant,
                              const std::string& dir,
                         bool sigterm = false) {
  ChildProcess child({g_exits_main, scenario, variant, dir});
  if (sigterm) {
    EXPECT_TRUE(child.WaitForOutput("ready", kTimeout)) << child.err();
    kill(child.pid(), SIGTERM);
  }
  return child.Wait(kTimeout);
}

// --- 1. main, as documented ----------------------------------------------

class DocumentedMainTest : public ::testing::TestWithParam<const char*> {};

// main_guard.h's example and the README's: the sequence runs while main's
// locals live; a thread only its terminate callback releases ends; the
// cleanup that touches the object that registered it sees it alive.
TEST_P(DocumentedMainTest, RunsTheSequenceBeforeMainsLocalsGo) {
  const std::string variant = GetParam();
  const int runs = kSanitizer ? 3 : 10;
  for (int run = 0; run < runs; ++run) {
    const std::string dir = NewDir();
    ChildProcess::Result r = RunChild("documented_main", variant, dir,
                                 /*sigterm=*/variant != "batch");
    ASSERT_EQ(r.exit_code, 0) << "run " << run << r;
    EXPECT_LT(r.elapsed, kPrompt) << r;
    ExpectNoSanitizerReport(r);
    std::vector<std::string> expected = {"reader released",
                                         "cleanup: server alive", "~Server"};
    if (variant == "handle_scope") {
      expected.insert(expected.begin(), {"scoped released", "scope left"});
    }
    ASSERT_EQ(Lines(dir + "/events"), expected) << "run " << run << r;
    EXPECT_THAT(r.err, Not(HasSubstr("MainGuard destroyed before"))) << r;
  }
}

INSTANTIATE_TEST_SUITE_P(Patterns, DocumentedMainTest,
                         ::testing::Values("shutdown", "wait_for_shutdown",
                                           "batch", "handle_scope"));

// --- 2. exit(3) while holding a lock a terminate callback needs -----------

class ExitTest : public ::testing::TestWithParam<const char*> {};

// The callback is abandoned at its budget (1 s) and its thread demoted at
// once: the process ends with 3, not the watchdog's 124 after 25 s, and not
// MainGuard's not-ok code when main returns meanwhile.
TEST_P(ExitTest, ExitWhileHoldingALockACallbackNeeds) {
  const int runs = kSanitizer ? 3 : 8;
  for (int run = 0; run < runs; ++run) {
    const std::string dir = NewDir();
    ChildProcess::Result r = RunChild("exit_holding_lock", GetParam(), dir);
    ASSERT_EQ(r.exit_code, 3) << "run " << run << r;
    EXPECT_LT(r.elapsed, kPrompt) << r;
    EXPECT_THAT(r.err, HasSubstr("needs-lock")) << r;  // The report names it.
    ExpectNoSanitizerReport(r);
  }
}

// exit(1) and exit(2) at once, with namespace-scope ManagedThread handles:
// one of the two codes, each cleanup once, and the process ends (the
// winner's static destructors never join the parked loser).
TEST_P(ExitTest, ConcurrentExitsEndOnceWithOneOfTheCodes) {
  const int runs = kSanitizer ? 5 : 20;
  for (int run = 0; run < runs; ++run) {
    const std::string dir = NewDir();
    ChildProcess::Result r = RunChild("concurrent_exits", GetParam(), dir);
    ASSERT_THAT(r.exit_code, AnyOf(1, 2)) << "run " << run << r;
    EXPECT_LT(r.elapsed, kPrompt) << r;
    ExpectNoSanitizerReport(r);
    const std::vector<std::string> events = Lines(dir + "/events");
    for (const char* line : {"worker released", "cleanup flush",
                             "cleanup close", "cleanup release"}) {
      EXPECT_EQ(Count(events, line), 1) << line << " run " << run << r;
    }
  }
}

// quick_exit(3) after 1,001 records queued: every one is delivered, in
// order, and the code is 3.
TEST_P(ExitTest, QuickExitDeliversEveryQueuedRecord) {
  const int runs = kSanitizer ? 3 : 10;
  for (int run = 0; run < runs; ++run) {
    const std::string dir = NewDir();
    ChildProcess::Result r = RunChild("quick_exit", GetParam(), dir);
    ASSERT_EQ(r.exit_code, 3) << "run " << run << r;
    EXPECT_LT(r.elapsed, kPrompt) << r;
    ExpectNoSanitizerReport(r);
    const std::vector<std::string> records = Lines(dir + "/records");
    ASSERT_EQ(records.size(), 1001u) << "run " << run << r;
    EXPECT_EQ(records.front(), "record 0");
    EXPECT_EQ(records.back(), "forcing exit");
  }
}

// fork() with threads, a consumer (its lock often held by a producer at
// fork()) and a pool: the child's calls on inherited handles fail at once,
// saying so; its exit(0) (static destructors included) never joins a parent
// thread. Ten children per run.
TEST_P(ExitTest, ForkChildUsesInheritedHandles) {
  const int runs = kSanitizer ? 1 : 3;
  for (int run = 0; run < runs; ++run) {
    const std::string dir = NewDir();
    ChildProcess::Result r = RunChild("fork_child", GetParam(), dir);
    ASSERT_EQ(r.exit_code, 0) << "run " << run << r;
    EXPECT_LT(r.elapsed, kPrompt) << r;
    ExpectNoSanitizerReport(r);
    std::vector<std::string> expected;
    for (int i = 0; i < 10; ++i) {
      expected.push_back(absl::StrCat("child ", i, " exit 0"));
      const std::vector<std::string> child =
          Lines(absl::StrCat(dir, "/child-", i));
      ASSERT_EQ(child.size(), 5u) << i << r;
      for (int k = 0; k < 4; ++k) {
        EXPECT_THAT(child[k], HasSubstr("FAILED_PRECONDITION")) << child[k];
        EXPECT_THAT(child[k], HasSubstr("inherited across fork()"))
            << child[k];
      }
      EXPECT_EQ(child[4], "exiting");
    }
    // Then the parent's own sequence releases its two threads.
    std::vector<std::string> events = Lines(dir + "/events");
    ASSERT_EQ(events.size(), 12u) << r;
    EXPECT_EQ(std::vector<std::string>(events.begin(), events.begin() + 10),
              expected);
    EXPECT_EQ(Count(events, "inherited released"), 1) << r;
    EXPECT_EQ(Count(events, "local released"), 1) << r;
  }
}

// "guard": MainGuard at the top of main, main returns guard.Shutdown();
// "noguard": no guard (the exit hook comes with the default runtime; the
// quick_exit hook is installed alone).
INSTANTIATE_TEST_SUITE_P(WithAndWithoutGuard, ExitTest,
                         ::testing::Values("guard", "noguard"));

}  // namespace
}  // namespace orderly

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  if (argc != 2) {
    fprintf(stderr, "usage: exits_test <exits_main>\n");
    return 2;
  }
  if (const char* tsan = getenv("TSAN_OPTIONS"); tsan != nullptr) {
    setenv("TSAN_OPTIONS", absl::StrCat(tsan, ":atexit_sleep_ms=0").c_str(),
           1);
  }
  orderly::g_exits_main = argv[1];
  return RUN_ALL_TESTS();
}
