// Copyright 2026 The orderly Authors.
//
// ManagedThread: stop and join from many threads, self-join, exception
// propagation, destruction while running, registration with the runtime.

#include "blocks/managed_thread.h"

#include <atomic>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/runtime.h"
#include "tests/test_util.h"

namespace orderly {
namespace {

using ::testing::HasSubstr;

ManagedThreadOptions On(Runtime& rt) {
  ManagedThreadOptions options;
  options.runtime = &rt;
  return options;
}

// Blocks until `token` is stopped: a StopCallback wakes it, no polling.
void WaitForStop(StopToken token) {
  absl::Notification stopped;
  StopCallback wake(token, [&] { stopped.Notify(); });
  stopped.WaitForNotification();
  // `wake` is destroyed first: it waits for a running callback, so Notify()
  // has returned before `stopped` goes.
}

TEST(ManagedThreadTest, StopAndJoinFromSeveralThreadsAtOnce) {
  constexpr int kCallers = 8;
  Runtime rt;
  int written_by_thread = 0;  // Plain: Join() must publish it to every caller.
  auto t = ManagedThread::Start(
      "worker",
      [&](StopToken stop) {
        WaitForStop(stop);
        written_by_thread = 42;
      },
      On(rt));
  ASSERT_TRUE(t.ok()) << t.status();
  std::atomic<int> made_request{0};
  Latch start(kCallers);
  std::vector<std::thread> callers;
  for (int i = 0; i < kCallers; ++i) {
    callers.emplace_back([&] {
      start.ArriveAndWait();
      if (t->RequestStop()) made_request.fetch_add(1);
      EXPECT_TRUE(t->Join().ok());
      EXPECT_EQ(written_by_thread, 42);
      EXPECT_TRUE(t->joined());
    });
  }
  for (auto& c : callers) c.join();
  EXPECT_EQ(made_request.load(), 1);
  EXPECT_TRUE(t->Join().ok());  // Again, after the fact: same result.
}

TEST(ManagedThreadTest, JoinFromTheThreadItselfReturnsAnError) {
  Runtime rt;
  absl::Notification handle_ready;
  std::optional<ManagedThread> self;
  absl::Status self_join;
  auto t = ManagedThread::Start(
      "self-joiner",
      [&] {
        handle_ready.WaitForNotification();
        self_join = self->Join();  // Must return, not deadlock.
      },
      On(rt));
  ASSERT_TRUE(t.ok()) << t.status();
  self.emplace(std::move(*t));
  handle_ready.Notify();
  ASSERT_TRUE(self->Join().ok());
  EXPECT_EQ(self_join.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(self_join.message(), HasSubstr("self-joiner"));
  EXPECT_THAT(self_join.message(), HasSubstr("thread itself"));
}

TEST(ManagedThreadTest, ExceptionIsHandedToEveryJoinerAfterTheThreadEnds) {
  constexpr int kJoiners = 4;
  Runtime rt;
  std::string written_before_throw;
  absl::Notification go;
  auto t = ManagedThread::Start(
      "thrower",
      [&] {
        go.WaitForNotification();
        written_before_throw = "side effect";
        throw std::runtime_error("disk full");
      },
      On(rt));
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->exception(), nullptr);  // Not before the join.
  Latch start(kJoiners + 1);
  std::vector<std::thread> joiners;
  for (int i = 0; i < kJoiners; ++i) {
    joiners.emplace_back([&] {
      start.ArriveAndWait();
      absl::Status s = t->Join();
      EXPECT_EQ(s.code(), absl::StatusCode::kUnknown);
      EXPECT_THAT(s.message(), HasSubstr("thrower"));
      EXPECT_THAT(s.message(), HasSubstr("disk full"));
      std::exception_ptr e = t->exception();
      ASSERT_NE(e, nullptr);
      try {
        std::rethrow_exception(e);
      } catch (const std::runtime_error& error) {
        EXPECT_STREQ(error.what(), "disk full");
      }
      EXPECT_EQ(written_before_throw, "side effect");
    });
  }
  start.ArriveAndWait();
  go.Notify();
  for (auto& j : joiners) j.join();
}

TEST(ManagedThreadTest, DestroyingARunningThreadRequestsStopAndJoins) {
  Runtime rt;
  bool finished = false;  // Plain: the destructor's join publishes it.
  bool stop_seen = false;
  {
    auto t = ManagedThread::Start(
        "looper",
        [&](StopToken stop) {
          WaitForStop(stop);
          stop_seen = stop.stop_requested();
          finished = true;
        },
        On(rt));
    ASSERT_TRUE(t.ok()) << t.status();
  }  // ~ManagedThread: RequestStop(), then Join().
  EXPECT_TRUE(stop_seen);
  EXPECT_TRUE(finished);
}

TEST(ManagedThreadTest, MoveAssignmentStopsAndJoinsTheOldThread) {
  Runtime rt;
  bool first_finished = false;
  auto first = ManagedThread::Start(
      "first", [&](StopToken stop) { WaitForStop(stop); first_finished = true; },
      On(rt));
  ASSERT_TRUE(first.ok());
  auto second = ManagedThread::Start(
      "second", [](StopToken stop) { WaitForStop(stop); }, On(rt));
  ASSERT_TRUE(second.ok());
  *first = std::move(*second);
  EXPECT_TRUE(first_finished);
  EXPECT_EQ(first->name(), "second");
  EXPECT_FALSE(second->valid());
}

TEST(ManagedThreadTest, ThreadDestroyingItsOwnHandleDetachesAndStaysRegistered) {
  // With the default runtime, which is never destroyed: that is where a
  // detached thread belongs, since nothing can wait for its very last
  // instructions. Its events are never destroyed either, for the same reason.
  struct Events {
    absl::Notification handle_ready, detached, release;
    std::optional<ManagedThread> holder;
  };
  static Events* const events = new Events();
  auto t = ManagedThread::Start("self-destroyer", [] {
    events->handle_ready.WaitForNotification();
    events->holder.reset();  // Detaches: neither deadlock nor std::terminate.
    events->detached.Notify();
    events->release.WaitForNotification();
  });
  ASSERT_TRUE(t.ok()) << t.status();
  events->holder.emplace(std::move(*t));
  events->handle_ready.Notify();
  events->detached.WaitForNotification();
  // Still registered: the `threads` phase would terminate and join it.
  EXPECT_THAT(Runtime::Default().Plan().ToText(),
              HasSubstr("join self-destroyer"));
  events->release.Notify();
}

TEST(ManagedThreadTest, RuntimeShutdownTerminatesAndJoinsIt) {
  Runtime rt;
  EventLog log;
  bool finished = false;  // Plain: only the runtime's join publishes it.
  ManagedThreadOptions options = On(rt);
  options.on_terminate = [&] { log.Add("on_terminate"); };
  auto t = ManagedThread::Start(
      "ingest",
      [&](StopToken stop) {
        WaitForStop(stop);
        log.Add("thread saw stop");
        for (int i = 0; i < 100; ++i) std::this_thread::yield();  // Lag.
        finished = true;
      },
      std::move(options));
  ASSERT_TRUE(t.ok()) << t.status();
  auto report = rt.Shutdown();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE((*report)->ok()) << (*report)->ToText();
  EXPECT_TRUE((*report)->all_threads_ended()) << (*report)->ToText();
  // Shutdown() returned: the `threads` phase waited for the registration to
  // end, so the write is visible without any Join() (TSan checks the edge).
  EXPECT_TRUE(finished);
  // The stop request (which wakes the thread) precedes on_terminate; the
  // thread's log entry may land on either side of it.
  EXPECT_EQ(log.size(), 2u);
  EXPECT_TRUE(t->stop_token().stop_requested());
  EXPECT_TRUE(t->Join().ok());
}

TEST(ManagedThreadTest, DaemonIsAskedToStopButNotJoined) {
  absl::Notification release;  // Outlives the runtime.
  Runtime rt;
  ManagedThreadOptions options = On(rt);
  options.daemon = true;
  auto t = ManagedThread::Start(
      "metrics", [&] { release.WaitForNotification(); }, std::move(options));
  ASSERT_TRUE(t.ok()) << t.status();
  auto report = rt.Shutdown();  // Returns although the daemon still runs.
  ASSERT_TRUE(report.ok());
  EXPECT_THAT((*report)->daemons_running, ::testing::ElementsAre("metrics"));
  EXPECT_TRUE(t->stop_token().stop_requested());
  release.Notify();
  EXPECT_TRUE(t->Join().ok());
}

TEST(ManagedThreadTest, RegistrationRefusedAfterShutdownIsAClearError) {
  Runtime rt;
  ASSERT_TRUE(rt.Shutdown().ok());
  bool ran = false;
  auto t = ManagedThread::Start("late", [&] { ran = true; }, On(rt));
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(t.status().message(), HasSubstr("\"late\""));
  EXPECT_THAT(t.status().message(), HasSubstr("shutdown in progress"));
  EXPECT_FALSE(ran);
}

TEST(ManagedThreadTest, BadInputIsRefusedWithAClearError) {
  Runtime rt;
  auto unnamed = ManagedThread::Start("", [] {}, On(rt));
  EXPECT_EQ(unnamed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(unnamed.status().message(), HasSubstr("name is empty"));
  ManagedThread empty;
  EXPECT_EQ(empty.Join().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(empty.Join().message(), HasSubstr("empty handle"));
  EXPECT_FALSE(empty.RequestStop());
  EXPECT_FALSE(empty.stop_token().stop_possible());
}

}  // namespace
}  // namespace orderly
