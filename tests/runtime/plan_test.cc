// Copyright 2026 The orderly Authors.
//
// Plan(): the order a sequence would run, and its text.

#include "runtime/plan.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/runtime.h"
#include "tests/runtime/sequence_fixture.h"
#include "tests/test_util.h"

namespace orderly {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(PlanTest, PlanMatchesWhatRuns) {
  EventLog log;
  Runtime rt;
  ASSERT_TRUE(rt.AddComponent("a").ok());
  ASSERT_TRUE(rt.AddComponent("b").ok());
  ASSERT_TRUE(rt.AddComponent("c", {"a"}).ok());
  ASSERT_TRUE(rt.AddDependency("a", "b").ok());
  for (const char* c : {"a", "b", "c"}) {
    for (const char* n : {"x", "y"}) {
      ASSERT_TRUE(rt.AddCleanup(c, "close", n, [&log, c, n] {
                      log.Add(absl::StrCat("  cleanup ", c, "/", n));
                    }).ok());
    }
  }
  Waiter w1(rt, "t1", log);
  Waiter w2(rt, "t2", log);
  std::string planned;
  for (const PlannedPhase& phase : rt.Plan().phases) {
    for (const PlannedThread& t : phase.threads) {
      planned += "terminate " + t.name + "\n";
    }
    for (const PlannedCleanup& c : phase.cleanups) {
      planned += absl::StrCat("  cleanup ", c.component, "/", c.name, "\n");
    }
  }
  MustShutdown(rt);
  std::string ran;
  for (const std::string& e : log.Take()) {
    if (e.rfind("exit", 0) != 0) ran += e + "\n";
  }
  EXPECT_EQ(ran, planned);
  EXPECT_EQ(planned,
            "terminate t2\nterminate t1\n"
            "  cleanup c/y\n  cleanup c/x\n  cleanup a/y\n  cleanup a/x\n"
            "  cleanup b/y\n  cleanup b/x\n");
}

}  // namespace
}  // namespace orderly
