// Copyright 2026 The orderly Authors.
//
// Runtime: one sequence per runtime, whatever the callers; calls from inside
// the sequence; declarations after it; destruction; fork(). The parts of the
// sequence have their own tests: thread_registration_test.cc (terminate and
// join), cleanup_graph_test.cc (cleanup order), step_runner_test.cc (errors
// and budgets), plan_test.cc, report_test.cc, sequence_listener_test.cc.

#include "runtime/runtime.h"

#include <sys/wait.h>
#include <unistd.h>

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
#include "tests/runtime/sequence_fixture.h"
#include "tests/test_util.h"

namespace orderly {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(RuntimeTest, ConcurrentShutdownRunsOnceAndEveryoneGetsTheSameReport) {
  Runtime rt;
  std::atomic<int> runs{0};
  ASSERT_TRUE(rt.AddComponent("c").ok());
  ASSERT_TRUE(rt.AddCleanup("c", "close", "count", [&] { ++runs; }).ok());
  constexpr int kCallers = 16;
  std::vector<const ShutdownReport*> seen(kCallers);
  std::vector<std::thread> callers;
  Latch start(kCallers);
  for (int i = 0; i < kCallers; ++i) {
    callers.emplace_back([&, i] {
      start.ArriveAndWait();
      auto report = rt.Shutdown();
      ASSERT_TRUE(report.ok());
      seen[i] = report->get();
    });
  }
  for (auto& t : callers) t.join();
  EXPECT_EQ(runs.load(), 1);
  for (int i = 1; i < kCallers; ++i) EXPECT_EQ(seen[i], seen[0]);
  EXPECT_TRUE(rt.shutdown_complete());
}

TEST(RuntimeTest, ShutdownFromInsideTheSequenceReturnsAtOnce) {
  Runtime rt;
  absl::Status from_cleanup, from_terminate, from_stop_callback,
      from_registered;
  ASSERT_TRUE(rt.AddComponent("c").ok());
  ASSERT_TRUE(rt.AddCleanup("c", "flush", "reenter", [&] {
                  rt.RequestStop();  // Harmless: already requested.
                  from_cleanup = rt.Shutdown().status();
                }).ok());
  StopCallback on_stop(rt.stop_token(), [&] {
    from_stop_callback = rt.Shutdown().status();
  });
  absl::Notification registered, done, terminated;
  std::thread worker([&] {
    ThreadOptions o;
    o.on_terminate = [&] {
      from_terminate = rt.Shutdown().status();
      terminated.Notify();
    };
    auto reg = rt.RegisterThread("self-stopper", std::move(o));
    ASSERT_TRUE(reg.ok());
    registered.Notify();
    // A registered non-daemon thread asks for the shutdown itself.
    from_registered = rt.Shutdown().status();
    done.Notify();
    terminated.WaitForNotification();
  });
  registered.WaitForNotification();
  done.WaitForNotification();  // Returned at once: no deadlock.
  worker.join();
  auto report = MustShutdown(rt);
  for (const absl::Status* s : {&from_cleanup, &from_terminate,
                                &from_stop_callback, &from_registered}) {
    EXPECT_EQ(s->code(), absl::StatusCode::kFailedPrecondition) << *s;
  }
  EXPECT_THAT(from_cleanup.message(), HasSubstr("inside the shutdown"));
  EXPECT_THAT(from_registered.message(), HasSubstr("\"self-stopper\""));
  EXPECT_EQ(report->reason.ToString(), "requested: Shutdown()");
}

TEST(RuntimeTest, DeclarationsAfterTheSequenceAreRefused) {
  Runtime rt;
  ASSERT_TRUE(rt.AddComponent("c").ok());
  MustShutdown(rt);
  EXPECT_EQ(rt.AddCleanup("c", "release", "late", [] {}).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(rt.AddComponent("d").status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(RuntimeTest, DestroyingARuntimeRunsItsSequence) {
  std::atomic<int> cleanups{0};
  {
    Runtime rt;
    ASSERT_TRUE(rt.AddComponent("c").ok());
    ASSERT_TRUE(rt.AddCleanup("c", "close", "x", [&] { ++cleanups; }).ok());
  }
  EXPECT_EQ(cleanups.load(), 1);
}

TEST(RuntimeTest, ShutdownCanAbandonTheCallingThreadForExit) {
  Runtime rt;
  std::atomic<bool> terminated{false};
  ThreadOptions o;
  o.on_terminate = [&] { terminated = true; };
  auto reg = rt.RegisterThread("main", std::move(o));
  ASSERT_TRUE(reg.ok());
  // As the exit() hook does on a registered thread: the sequence runs on
  // this thread and does not wait for it.
  Runtime::ShutdownOptions options;
  options.reason = StopReason::Exit(3);
  options.abandon_calling_thread = true;
  auto report = rt.Shutdown(options);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(terminated.load());
  EXPECT_TRUE((*report)->ok()) << (*report)->ToText();
  EXPECT_TRUE((*report)->all_threads_ended());
  EXPECT_EQ((*report)->reason.ToString(), "exit(3)");
  reg->Reset();  // Ending it afterwards is fine.
}

TEST(RuntimeTest, ChildAfterForkStartsFresh) {
  Runtime rt;
  EventLog log;
  Waiter parent_thread(rt, "parent-worker", log);
  ASSERT_TRUE(rt.AddComponent("parent-component").ok());
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // The child: one thread. It must not wait for "parent-worker".
    rt.ResetAfterForkInChild();
    int code = 0;
    if (rt.stop_requested()) code |= 1;
    if (!rt.Plan().phases[1].threads.empty()) code |= 2;
    if (!rt.AddComponent("parent-component").ok()) code |= 4;  // Forgotten.
    auto report = rt.Shutdown();
    if (!report.ok() || !(*report)->ok()) code |= 8;
    _exit(code);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  // The parent is unaffected, and later shuts down normally.
  EXPECT_FALSE(rt.stop_requested());
  EXPECT_EQ(rt.Plan().phases[1].threads.size(), 1u);
  auto report = MustShutdown(rt);
  EXPECT_THAT(log.Take(), ElementsAre("terminate parent-worker",
                                      "exit parent-worker"));
  EXPECT_TRUE(report->ok()) << report->ToText();
}

}  // namespace
}  // namespace orderly
