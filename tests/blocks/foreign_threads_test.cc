// Copyright 2026 The orderly Authors.
//
// ForeignThreads (blocks/foreign_threads.h) with plain threads standing in
// for a library's; foreign_threads_spdlog_test.cc has spdlog's real pool.

#include "blocks/foreign_threads.h"

#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/runtime.h"
#include "tests/test_util.h"

namespace orderly {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

// A stand-in for a library pool: runs `on_start` and `on_stop` on each of its
// threads, which wait until Stop().
class FakePool {
 public:
  FakePool(int n, std::function<void()> on_start,
           std::function<void()> on_stop) {
    for (int i = 0; i < n; ++i) {
      threads_.emplace_back([this, on_start, on_stop] {
        on_start();
        started_.ArriveAndWait();
        stop_.WaitForNotification();
        on_stop();
      });
    }
  }
  void WaitStarted() { started_.ArriveAndWait(); }
  // Asks the threads to stop, as a library's stop() does; does not wait.
  void RequestStop() {
    if (!stop_.HasBeenNotified()) stop_.Notify();
  }
  void Stop() {
    RequestStop();
    for (std::thread& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  ~FakePool() { Stop(); }

  Latch started_{3};

 private:
  absl::Notification stop_;
  std::vector<std::thread> threads_;
};

TEST(ForeignThreadsTest, OneRegistrationPerThreadNamedInStartOrder) {
  Runtime rt;
  auto pool = rt.AddComponent("pool");
  ForeignThreadOptions options;
  options.ended_by = "pool";
  ForeignThreads threads(rt, "lib-pool", options);
  std::unique_ptr<FakePool> fake;
  ASSERT_TRUE(pool->AddCleanup("flush", "stop", [&] { fake->Stop(); }).ok());
  fake = std::make_unique<FakePool>(2, threads.StartHook(),
                                    threads.StopHook());
  fake->WaitStarted();
  EXPECT_EQ(threads.registered(), 2);
  EXPECT_EQ(threads.active(), 2);
  std::vector<std::string> names;
  for (const PlannedPhase& p : rt.Plan().phases) {
    for (const PlannedThread& t : p.threads) names.push_back(t.name);
  }
  EXPECT_THAT(names, UnorderedElementsAre("lib-pool/1", "lib-pool/2"));
  auto report = rt.Shutdown();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE((*report)->ok()) << (*report)->ToText();
  EXPECT_THAT((*report)->daemons_running, IsEmpty());
  EXPECT_TRUE((*report)->all_threads_ended());
  EXPECT_EQ(threads.active(), 0);
  EXPECT_EQ(threads.unmatched(), 0);
}

TEST(ForeignThreadsTest, NonDaemonThreadsAreJoinedAfterAComponentHook) {
  Runtime rt;
  auto ctx = rt.AddComponent("ctx");
  ForeignThreads threads(rt, "io");
  std::unique_ptr<FakePool> fake;
  // The stop belongs to no thread: a component hook asks for it.
  ASSERT_TRUE(
      ctx->AddTerminateHook("stop", [&] { fake->RequestStop(); }).ok());
  fake = std::make_unique<FakePool>(2, threads.StartHook(),
                                    threads.StopHook());
  fake->WaitStarted();
  // Non-daemons: `threads` joins them, after the hook asked them to stop.
  std::vector<std::string> threads_in_plan;
  for (const PlannedPhase& p : rt.Plan().phases) {
    for (const PlannedThread& t : p.threads) {
      threads_in_plan.push_back(
          absl::StrCat(t.name, t.daemon ? " daemon" : " joined"));
    }
  }
  // The two threads register concurrently (either may be newer); the hook
  // is older than both.
  ASSERT_EQ(threads_in_plan.size(), 3u);
  EXPECT_THAT(std::vector<std::string>(threads_in_plan.begin(),
                                       threads_in_plan.begin() + 2),
              UnorderedElementsAre("io/1 joined", "io/2 joined"));
  EXPECT_EQ(threads_in_plan[2], "ctx/stop (hook) daemon");
  auto report = rt.Shutdown();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE((*report)->ok()) << (*report)->ToText();
  EXPECT_TRUE((*report)->all_threads_ended());
}

TEST(ForeignThreadsTest, AThreadStartedTooLateIsCountedAsRefused) {
  Runtime rt;
  ForeignThreads threads(rt, "late");
  ASSERT_TRUE(rt.Shutdown().ok());
  std::thread([&] {
    EXPECT_EQ(threads.OnThreadStart().code(),
              absl::StatusCode::kFailedPrecondition);
    threads.OnThreadStop();  // Nothing to end: a no-op.
  }).join();
  EXPECT_EQ(threads.refused(), 1);
  EXPECT_THAT(threads.last_error().message(), HasSubstr("\"late/1\""));
}

TEST(ForeignThreadsTest, DestructorEndsWhatNoStopHookEnded) {
  Runtime rt;
  ForeignThreadOptions options;
  options.join_budget = absl::Milliseconds(50);
  auto threads = std::make_unique<ForeignThreads>(rt, "leaky", options);
  absl::Notification registered, done;
  std::thread t([&] {
    ASSERT_TRUE(threads->OnThreadStart().ok());
    ASSERT_TRUE(threads->OnThreadStart().ok());  // Idempotent per thread.
    registered.Notify();
    done.WaitForNotification();
  });
  registered.WaitForNotification();
  EXPECT_EQ(threads->registered(), 1);
  threads.reset();  // Ends the registration the stop hook never ended.
  // The thread still runs, but nothing is waited for any more.
  auto report = rt.Shutdown();
  done.Notify();
  t.join();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE((*report)->ok()) << (*report)->ToText();
  EXPECT_THAT((*report)->stragglers, IsEmpty());
}

}  // namespace
}  // namespace orderly
