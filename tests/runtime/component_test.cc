// Copyright 2026 The orderly Authors.
//
// Components beyond their cleanups: terminate hooks (Runtime::
// AddTerminateHook) and removal (RemoveComponent, RemoveCleanup).

#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/runtime.h"
#include "tests/runtime/sequence_fixture.h"
#include "tests/test_util.h"

namespace orderly {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// --- Terminate hooks --------------------------------------------------------

TEST(TerminateHookTest, RunsInThreadsWithThreadCallbacksNewestFirst) {
  Runtime rt;
  EventLog log;
  auto zmq = rt.AddComponent("zmq");
  ASSERT_TRUE(zmq.ok());
  Waiter older(rt, "older", log);
  ASSERT_TRUE(zmq->AddTerminateHook("shutdown-context", [&] {
                   log.Add("hook zmq");
                 }).ok());
  Waiter newer(rt, "newer", log);
  auto report = MustShutdown(rt);
  ASSERT_NE(report, nullptr);
  std::vector<std::string> events = log.Take();
  // Terminate order: newest first, across threads and hooks.
  std::vector<std::string> terminates;
  for (const std::string& e : events) {
    if (e.rfind("terminate ", 0) == 0 || e.rfind("hook ", 0) == 0) {
      terminates.push_back(e);
    }
  }
  EXPECT_THAT(terminates,
              ElementsAre("terminate newer", "hook zmq", "terminate older"));
  bool found = false;
  for (const StepRecord& s : report->steps) {
    if (s.kind == StepKind::kTerminateCallback && s.component == "zmq") {
      found = true;
      EXPECT_EQ(s.name, "shutdown-context");
      EXPECT_EQ(s.phase, "threads");
    }
    // A hook is no thread: never joined, never a daemon.
    EXPECT_FALSE(s.kind == StepKind::kJoin && s.name == "shutdown-context");
  }
  EXPECT_TRUE(found) << report->ToText();
  EXPECT_TRUE(report->daemons_running.empty()) << report->ToText();
  EXPECT_TRUE(report->ok()) << report->ToText();
}

TEST(TerminateHookTest, HookAddedDuringTheTerminateStepRunsAtOnce) {
  Runtime rt;
  EventLog log;
  auto c = rt.AddComponent("late");
  absl::Status added;
  absl::Notification registered;
  absl::Notification stop;  // Outlives the thread (see sequence_fixture.h).
  std::thread t([&] {
    ThreadOptions options;
    options.on_terminate = [&] {
      log.Add("terminate t");
      added = c->AddTerminateHook("late-hook", [&] { log.Add("hook late"); });
      stop.Notify();
    };
    auto reg = rt.RegisterThread("t", std::move(options));
    ASSERT_TRUE(reg.ok());
    registered.Notify();
    stop.WaitForNotification();
  });
  registered.WaitForNotification();
  auto report = MustShutdown(rt);
  t.join();
  EXPECT_TRUE(added.ok()) << added;
  EXPECT_THAT(log.Take(), ElementsAre("terminate t", "hook late"));
}

TEST(TerminateHookTest, RefusedOnceThreadsHasFinished) {
  Runtime rt;
  auto c = rt.AddComponent("c");
  absl::Status late;
  ASSERT_TRUE(c->AddCleanup("flush", "adds-hook", [&] {
                   late = c->AddTerminateHook("too-late", [] {});
                 }).ok());
  MustShutdown(rt);
  EXPECT_EQ(late.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(late.message(), AllOf(HasSubstr("\"too-late\""),
                                    HasSubstr("`threads` phase")));
}

TEST(TerminateHookTest, BadArgumentsAreNamed) {
  Runtime rt;
  auto c = rt.AddComponent("c");
  EXPECT_EQ(c->AddTerminateHook("", [] {}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(c->AddTerminateHook("x", nullptr).code(),
            absl::StatusCode::kInvalidArgument);
  absl::Status unknown = rt.AddTerminateHook("nope", "x", [] {});
  EXPECT_EQ(unknown.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(unknown.message(), HasSubstr("\"nope\""));
}

// --- Removal ---------------------------------------------------------------

TEST(RemoveComponentTest, ItsCleanupsAndHooksNeverRunAndTheNameIsFree) {
  Runtime rt;
  EventLog log;
  auto plugin = rt.AddComponent("plugin");
  ASSERT_TRUE(
      plugin->AddCleanup("flush", "flush", [&] { log.Add("plugin flush"); })
          .ok());
  ASSERT_TRUE(
      plugin->AddTerminateHook("stop", [&] { log.Add("plugin hook"); }).ok());
  ASSERT_TRUE(plugin->Remove().ok());
  EXPECT_EQ(plugin->Remove().code(), absl::StatusCode::kNotFound);
  // Declared again, as a reloaded plugin would.
  auto again = rt.AddComponent("plugin");
  ASSERT_TRUE(again.ok()) << again.status();
  ASSERT_TRUE(
      again->AddCleanup("flush", "flush", [&] { log.Add("new flush"); }).ok());
  auto report = MustShutdown(rt);
  ASSERT_NE(report, nullptr);
  EXPECT_THAT(log.Take(), ElementsAre("new flush"));
  EXPECT_TRUE(report->ok()) << report->ToText();
}

TEST(RemoveComponentTest, RemovedDuringTheSequenceItsLaterCleanupsDoNotRun) {
  Runtime rt;
  EventLog log;
  auto plugin = rt.AddComponent("plugin");
  ASSERT_TRUE(
      plugin->AddCleanup("close", "close", [&] { log.Add("plugin close"); })
          .ok());
  auto host = rt.AddComponent("host");
  absl::Status removed;
  ASSERT_TRUE(host->AddCleanup("flush", "unload-plugin", [&] {
                     removed = rt.RemoveComponent("plugin");
                     log.Add("unloaded");
                   }).ok());
  auto report = MustShutdown(rt);
  EXPECT_TRUE(removed.ok()) << removed;
  EXPECT_THAT(log.Take(), ElementsAre("unloaded"));
  for (const StepRecord& s : report->steps) EXPECT_NE(s.component, "plugin");
}

TEST(RemoveComponentTest, WaitsForItsRunningCleanup) {
  Runtime rt;
  EventLog log;
  auto plugin = rt.AddComponent("plugin");
  absl::Notification running;
  absl::Notification release;
  ASSERT_TRUE(plugin->AddCleanup("flush", "slow", [&] {
                       running.Notify();
                       release.WaitForNotification();
                       log.Add("cleanup returns");
                     }).ok());
  std::thread shutdown([&] { MustShutdown(rt); });
  running.WaitForNotification();
  std::thread remover([&] {
    absl::Status s = rt.RemoveComponent("plugin");
    log.Add(absl::StrCat("removed: ", s.ToString()));
  });
  release.Notify();
  remover.join();
  shutdown.join();
  EXPECT_THAT(log.Take(), ElementsAre("cleanup returns", "removed: OK"));
}

TEST(RemoveComponentTest, RefusedWhileDependedOnOrUsed) {
  Runtime rt;
  auto log = rt.AddComponent("log");
  auto store = rt.AddComponent("store", {"log"});
  absl::Status s = log->Remove();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("still depend on it: store"));
  absl::Notification registered, done;
  std::thread reader([&] {
    ThreadOptions options;
    options.daemon = true;
    options.uses = {"store"};
    auto reg = rt.RegisterThread("reader", std::move(options));
    registered.Notify();
    done.WaitForNotification();
  });
  registered.WaitForNotification();
  s = store->Remove();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("thread \"reader\""));
  done.Notify();
  reader.join();
  EXPECT_TRUE(store->Remove().ok());
  EXPECT_TRUE(log->Remove().ok());
  MustShutdown(rt);
}

TEST(RemoveCleanupTest, RemovesOneCleanupOnly) {
  Runtime rt;
  EventLog log;
  auto c = rt.AddComponent("c");
  ASSERT_TRUE(c->AddCleanup("flush", "a", [&] { log.Add("a"); }).ok());
  ASSERT_TRUE(c->AddCleanup("close", "b", [&] { log.Add("b"); }).ok());
  ASSERT_TRUE(c->RemoveCleanup("a").ok());
  absl::Status gone = c->RemoveCleanup("a");
  EXPECT_EQ(gone.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(gone.message(), HasSubstr("\"c\", \"a\""));
  // The name may be used again.
  ASSERT_TRUE(c->AddCleanup("flush", "a", [&] { log.Add("a2"); }).ok());
  MustShutdown(rt);
  EXPECT_THAT(log.Take(), ElementsAre("a2", "b"));
}

}  // namespace
}  // namespace orderly
