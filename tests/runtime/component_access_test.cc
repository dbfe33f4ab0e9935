// Copyright 2026 The orderly Authors.
//
// ComponentAccess (runtime/component_access.h): a use gets a live component
// or a clear refusal, never a torn-down one; a teardown waits (within the
// fence budget) for uses in progress.

#include "runtime/component_access.h"

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/runtime.h"
#include "tests/runtime/sequence_fixture.h"
#include "tests/test_util.h"

namespace orderly {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ComponentAccessTest, HeaderExample) {
  Runtime rt;
  auto log = rt.AddComponent("log");
  struct Sink {
    std::vector<std::string> lines;
    void Write(const std::string& line) { lines.push_back(line); }
  } sink;
  int dropped = 0;
  const std::string line = "hello";
  // example: component_access.h
  absl::StatusOr<orderly::ComponentAccess> access = log->Access();
  // On any thread, for as long as the use lives:
  if (orderly::ComponentAccess::Use use = access->TryUse()) {
    sink.Write(line);   // `log` is not torn down while `use` lives.
  } else {
    ++dropped;          // use.status(): FailedPrecondition, naming `log`.
  }
  // end of example
  EXPECT_THAT(sink.lines, ElementsAre("hello"));
  EXPECT_EQ(dropped, 0);
  MustShutdown(rt);
}

TEST(ComponentAccessTest, DefaultAccessRefusesWithAReason) {
  ComponentAccess none;
  ComponentAccess::Use use = none.TryUse();
  EXPECT_FALSE(use);
  EXPECT_EQ(use.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(use.status().message(), HasSubstr("names no component"));
}

TEST(ComponentAccessTest, UnknownComponentIsNotFound) {
  Runtime rt;
  EXPECT_EQ(rt.Access("nope").status().code(), absl::StatusCode::kNotFound);
}

TEST(ComponentAccessTest, TeardownWaitsForTheUseInProgressThenRefuses) {
  Runtime rt;
  EventLog log;
  auto store = rt.AddComponent("store");
  ASSERT_TRUE(
      store->AddCleanup("close", "close", [&] { log.Add("closed"); }).ok());
  auto access = store->Access();
  ASSERT_TRUE(access.ok());
  EXPECT_EQ(access->component(), "store");
  ComponentAccess::Use use = access->TryUse();
  ASSERT_TRUE(use.ok());
  EXPECT_TRUE(use.status().ok());
  std::thread shutdown([&] { MustShutdown(rt); });
  // The teardown has begun once new uses are refused.
  for (;;) {
    ComponentAccess::Use probe = access->TryUse();
    if (!probe) {
      EXPECT_THAT(probe.status().message(),
                  HasSubstr("component \"store\" is being torn down"));
      break;
    }
    std::this_thread::yield();
  }
  log.Add("use ends");
  use.End();
  shutdown.join();
  EXPECT_THAT(log.Take(), ElementsAre("use ends", "closed"));
}

TEST(ComponentAccessTest, UsePastTheFenceBudgetLeavesTheComponentStanding) {
  RuntimeOptions options;
  options.fence_budget = absl::Milliseconds(20);
  Runtime rt(options);
  bool closed = false;
  auto store = rt.AddComponent("store");
  ASSERT_TRUE(store->AddCleanup("close", "close", [&] { closed = true; }).ok());
  auto access = store->Access();
  ComponentAccess::Use use = access->TryUse();
  auto report = MustShutdown(rt);
  ASSERT_NE(report, nullptr);
  EXPECT_FALSE(closed);
  EXPECT_FALSE(report->ok());
  EXPECT_THAT(report->ToText(), HasSubstr("1 ComponentAccess use(s)"));
}

TEST(ComponentAccessTest, AccessTakenOnlyDuringTheTeardownIsRefusedToo) {
  Runtime rt;
  auto store = rt.AddComponent("store");
  bool refused = false;
  ASSERT_TRUE(store->AddCleanup("close", "close", [&] {
                       // No Access() existed before the teardown began.
                       auto late = store->Access();
                       refused = late.ok() && !late->TryUse().ok();
                     }).ok());
  MustShutdown(rt);
  EXPECT_TRUE(refused);
}

TEST(ComponentAccessTest, RemovalClosesTheAccess) {
  Runtime rt;
  auto plugin = rt.AddComponent("plugin");
  auto access = plugin->Access();
  ASSERT_TRUE(access->TryUse().ok());
  ASSERT_TRUE(plugin->Remove().ok());
  EXPECT_FALSE(access->TryUse().ok());
  MustShutdown(rt);
}

// Uses on many threads race the teardown: no successful use ever sees the
// component torn down. Rounds: kLoadRounds runtimes, kUsers threads each.
TEST(ComponentAccessTest, LoadUsesRacingTheTeardownNeverSeeItTornDown) {
  constexpr int kLoadRounds = 100;
  constexpr int kUsers = 4;
  int64_t refused = 0;
  int64_t granted = 0;
  for (int round = 0; round < kLoadRounds; ++round) {
    Runtime rt;
    auto store = rt.AddComponent("store");
    std::atomic<bool> torn_down{false};
    std::atomic<int> violations{0};
    ASSERT_TRUE(store->AddCleanup("close", "free", [&] {
                       torn_down.store(true, std::memory_order_relaxed);
                     }).ok());
    auto access = store->Access();
    std::atomic<int64_t> round_refused{0};
    std::atomic<int64_t> round_granted{0};
    Latch start(kUsers + 1);
    std::vector<std::thread> users;
    for (int u = 0; u < kUsers; ++u) {
      users.emplace_back([&] {
        start.ArriveAndWait();
        for (;;) {
          ComponentAccess::Use use = access->TryUse();
          if (!use) {
            round_refused.fetch_add(1);
            return;
          }
          round_granted.fetch_add(1);
          if (torn_down.load(std::memory_order_relaxed)) violations++;
        }
      });
    }
    start.ArriveAndWait();
    MustShutdown(rt);
    for (std::thread& t : users) t.join();
    EXPECT_EQ(violations.load(), 0) << "round " << round;
    EXPECT_TRUE(torn_down.load());
    refused += round_refused.load();
    granted += round_granted.load();
  }
  EXPECT_EQ(refused, int64_t{kLoadRounds} * kUsers);
  EXPECT_GT(granted, 0);
}

}  // namespace
}  // namespace orderly
