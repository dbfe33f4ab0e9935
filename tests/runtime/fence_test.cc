// Copyright 2026 The orderly Authors.
//
// Fences (ThreadOptions::uses, ThreadOptions::ended_by; runtime/internal/
// fence.h): a component is never torn down while a thread that declared it
// may still run; past the fence budget it is left standing, with the
// components it depends on, and the report names the holder.

#include <memory>
#include <string>
#include <thread>
#include <utility>
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

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// A daemon thread that declared `uses`. It ends when Release() is called,
// after logging "<name> last use".
class UsingDaemon {
 public:
  UsingDaemon(Runtime& rt, std::string name, std::vector<std::string> uses,
              EventLog& log)
      : name_(std::move(name)) {
    thread_ = std::thread([this, &rt, &log, uses = std::move(uses)] {
      ThreadOptions options;
      options.daemon = true;
      options.uses = uses;
      auto reg = rt.RegisterThread(name_, std::move(options));
      status_ = reg.status();
      registered_.Notify();
      if (!reg.ok()) return;
      release_.WaitForNotification();
      log.Add(name_ + " last use");
    });
    registered_.WaitForNotification();
  }
  ~UsingDaemon() {
    Release();
    thread_.join();
  }
  void Release() {
    if (!release_.HasBeenNotified()) release_.Notify();
  }
  const absl::Status& status() const { return status_; }

 private:
  std::string name_;
  absl::Status status_;
  absl::Notification registered_;
  absl::Notification release_;
  std::thread thread_;
};

const StepRecord* FindStep(const ShutdownReport& r, StepKind kind,
                           absl::string_view component,
                           absl::string_view name) {
  for (const StepRecord& s : r.steps) {
    if (s.kind == kind && s.component == component && s.name == name) {
      return &s;
    }
  }
  return nullptr;
}

TEST(FenceTest, TeardownWaitsForTheDaemonThatUsesTheComponent) {
  Runtime rt;
  EventLog log;
  auto store = rt.AddComponent("store");
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE(
      store->AddCleanup("flush", "close", [&] { log.Add("store closed"); })
          .ok());
  auto access = store->Access();
  ASSERT_TRUE(access.ok());
  // The daemon keeps "using" `store` until its fence has begun (the fence
  // closes the access first), then makes its last use and ends: the
  // teardown must wait for that.
  absl::Notification registered;
  std::thread daemon([&] {
    ThreadOptions options;
    options.daemon = true;
    options.uses = {"store"};
    auto reg = rt.RegisterThread("ingest", std::move(options));
    registered.Notify();
    ASSERT_TRUE(reg.ok()) << reg.status();
    while (access->TryUse()) std::this_thread::yield();
    log.Add("ingest last use");
  });
  registered.WaitForNotification();

  auto report = MustShutdown(rt);
  daemon.join();
  ASSERT_NE(report, nullptr);
  EXPECT_THAT(log.Take(), ElementsAre("ingest last use", "store closed"));
  const StepRecord* fence = FindStep(*report, StepKind::kFence, "store",
                                     "fence");
  ASSERT_NE(fence, nullptr) << report->ToText();
  EXPECT_EQ(fence->outcome, Outcome::kOk) << report->ToText();
  // Fenced: not a "daemon still running", and ended in time.
  EXPECT_THAT(report->daemons_running, IsEmpty()) << report->ToText();
  EXPECT_TRUE(report->ok()) << report->ToText();
  EXPECT_TRUE(report->all_threads_ended()) << report->ToText();
}

TEST(FenceTest, PastTheBudgetTheComponentAndItsDependenciesAreLeftStanding) {
  RuntimeOptions options;
  options.fence_budget = absl::Milliseconds(50);
  Runtime rt(options);
  EventLog log;
  auto log_component = rt.AddComponent("log");
  auto store = rt.AddComponent("store", {"log"});
  auto other = rt.AddComponent("other");
  ASSERT_TRUE(store->AddCleanup("close", "close-db",
                                [&] { log.Add("store closed"); })
                  .ok());
  // `log` is torn down in an earlier phase than `store`: a thread that
  // uses `store` holds `log` too.
  ASSERT_TRUE(log_component
                  ->AddCleanup("flush", "flush-file",
                               [&] { log.Add("log flushed"); })
                  .ok());
  ASSERT_TRUE(
      other->AddCleanup("close", "close", [&] { log.Add("other closed"); })
          .ok());
  UsingDaemon daemon(rt, "stuck-reader", {"store"}, log);

  auto report = MustShutdown(rt);
  ASSERT_NE(report, nullptr);
  daemon.Release();
  EXPECT_THAT(log.Take(), testing::Contains("other closed"));
  for (auto [component, name] :
       {std::pair("log", "flush-file"), std::pair("store", "close-db")}) {
    const StepRecord* s =
        FindStep(*report, StepKind::kCleanup, component, name);
    ASSERT_NE(s, nullptr) << component << "\n" << report->ToText();
    EXPECT_EQ(s->outcome, Outcome::kSkipped) << report->ToText();
    EXPECT_THAT(s->error, HasSubstr("thread stuck-reader"));
  }
  const StepRecord* fence =
      FindStep(*report, StepKind::kFence, "log", "fence");
  ASSERT_NE(fence, nullptr) << report->ToText();
  EXPECT_EQ(fence->outcome, Outcome::kTimedOut);
  EXPECT_THAT(fence->error,
              AllOf(HasSubstr("still used by thread stuck-reader"),
                    HasSubstr("50.00ms fence budget")));
  EXPECT_FALSE(report->ok());
  EXPECT_FALSE(report->all_threads_ended());
  EXPECT_THAT(report->ToText(), HasSubstr("thread stuck-reader"));
}

TEST(FenceTest, HeldComponentLeavesWhatItDependsOnStanding) {
  RuntimeOptions options;
  options.fence_budget = absl::Milliseconds(20);
  Runtime rt(options);
  EventLog log;
  auto clock = rt.AddComponent("clock");
  auto store = rt.AddComponent("store", {"clock"});
  ASSERT_TRUE(
      store->AddCleanup("close", "close", [&] { log.Add("store"); }).ok());
  ASSERT_TRUE(
      clock->AddCleanup("close", "stop", [&] { log.Add("clock"); }).ok());
  UsingDaemon daemon(rt, "reader", {"store"}, log);
  auto report = MustShutdown(rt);
  ASSERT_NE(report, nullptr);
  // Neither ran: `clock` waits for nobody itself, but `store` needs it.
  EXPECT_THAT(log.Take(), IsEmpty());
  daemon.Release();
  const StepRecord* s = FindStep(*report, StepKind::kCleanup, "clock", "stop");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->outcome, Outcome::kSkipped);
  EXPECT_THAT(s->error, HasSubstr("component store is still used by thread "
                                  "reader"));
}

TEST(FenceTest, PhasesBeforeThreadsAreNotFenced) {
  Runtime rt;
  EventLog log;
  auto store = rt.AddComponent("store");
  ASSERT_TRUE(
      store->AddCleanup("drain", "stop-intake", [&] { log.Add("drained"); })
          .ok());
  UsingDaemon daemon(rt, "reader", {"store"}, log);
  auto report = MustShutdown(rt);
  ASSERT_NE(report, nullptr);
  EXPECT_THAT(log.Take(), ElementsAre("drained"));
  EXPECT_EQ(FindStep(*report, StepKind::kFence, "store", "fence"), nullptr);
  daemon.Release();
}

TEST(FenceTest, RecipeDaemonThatUsesAComponent) {
  Runtime rt;
  auto store = rt.AddComponent("store");
  ASSERT_TRUE(store.ok());
  absl::Notification stop;
  absl::Notification registered;
  std::thread warmer([&] {
    // example: recipes.md
    orderly::ThreadOptions options;
    options.daemon = true;
    options.uses = {"store"};  // declared components
    auto reg = rt.RegisterThread("cache-warmer", std::move(options));
    // end of example
    registered.Notify();
    ASSERT_TRUE(reg.ok()) << reg.status();
    stop.WaitForNotification();
  });
  registered.WaitForNotification();  // Registered before the stop.
  ASSERT_TRUE(store->AddCleanup("close", "close", [&] {}).ok());
  ASSERT_TRUE(rt.AddComponent("stopper")
                  ->AddCleanup("flush", "stop-warmer", [&] { stop.Notify(); })
                  .ok());
  auto report = MustShutdown(rt);
  warmer.join();
  ASSERT_NE(report, nullptr);
  EXPECT_TRUE(report->ok()) << report->ToText();
}

TEST(FenceTest, UnknownComponentsAreRefusedByName) {
  Runtime rt;
  ThreadOptions uses;
  uses.uses = {"nope"};
  auto r = rt.RegisterThread("t", std::move(uses));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(r.status().message(),
              AllOf(HasSubstr("\"t\""), HasSubstr("\"nope\""),
                    HasSubstr("uses")));
  ThreadOptions ended;
  ended.ended_by = "gone";
  r = rt.RegisterThread("t", std::move(ended));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(r.status().message(),
              AllOf(HasSubstr("\"gone\""), HasSubstr("ended_by")));
}

// --- ended_by -------------------------------------------------------------

// A thread a component's cleanup ends, as a library's pool joined in flush.
class OwnedThread {
 public:
  OwnedThread(Runtime& rt, const std::string& component) {
    thread_ = std::thread([this, &rt, component] {
      ThreadOptions options;
      options.ended_by = component;
      auto reg = rt.RegisterThread("pool-thread", std::move(options));
      status_ = reg.status();
      registered_.Notify();
      stop_.WaitForNotification();
    });
    registered_.WaitForNotification();
  }
  ~OwnedThread() { Stop(); }
  // What the component's cleanup does: stop the thread and join it.
  void Stop() {
    if (!stop_.HasBeenNotified()) stop_.Notify();
    if (thread_.joinable()) thread_.join();
  }
  const absl::Status& status() const { return status_; }

 private:
  absl::Status status_;
  absl::Notification registered_;
  absl::Notification stop_;
  std::thread thread_;
};

TEST(EndedByTest, ThreadEndedByItsComponentIsNeitherJoinedNorADaemon) {
  Runtime rt;
  auto pool = rt.AddComponent("pool");
  std::unique_ptr<OwnedThread> thread;
  bool ran_while_thread_lived = false;
  ASSERT_TRUE(pool->AddCleanup("flush", "shutdown", [&] {
                    ran_while_thread_lived = true;
                    thread->Stop();
                  })
                  .ok());
  thread = std::make_unique<OwnedThread>(rt, "pool");
  ASSERT_TRUE(thread->status().ok()) << thread->status();
  auto report = MustShutdown(rt);
  ASSERT_NE(report, nullptr);
  // Not joined in `threads` (it was still running in `flush`).
  EXPECT_TRUE(ran_while_thread_lived);
  EXPECT_EQ(FindStep(*report, StepKind::kJoin, "", "pool-thread"), nullptr)
      << report->ToText();
  EXPECT_THAT(report->daemons_running, IsEmpty()) << report->ToText();
  EXPECT_THAT(report->stragglers, IsEmpty()) << report->ToText();
  EXPECT_TRUE(report->all_threads_ended());
  EXPECT_THAT(report->ToText(), testing::Not(HasSubstr("daemon")));
}

TEST(EndedByTest, ThreadItsComponentDidNotEndIsAStraggler) {
  RuntimeOptions options;
  options.fence_budget = absl::Milliseconds(20);
  Runtime rt(options);
  auto pool = rt.AddComponent("pool");
  ASSERT_TRUE(pool->AddCleanup("flush", "forgets-to-stop", [] {}).ok());
  OwnedThread thread(rt, "pool");
  auto report = MustShutdown(rt);
  ASSERT_NE(report, nullptr);
  ASSERT_EQ(report->stragglers.size(), 1u) << report->ToText();
  EXPECT_EQ(report->stragglers[0].name, "thread pool-thread");
  EXPECT_THAT(report->stragglers[0].why,
              HasSubstr("its component pool should have ended it"));
  EXPECT_FALSE(report->all_threads_ended());
  thread.Stop();
}

TEST(EndedByTest, ThreadStartedAfterTheJoinsIsStillAccepted) {
  Runtime rt;
  auto pool = rt.AddComponent("pool");
  std::unique_ptr<OwnedThread> late;
  absl::Status status;
  // The library starts its thread only in `flush`, after the joins.
  ASSERT_TRUE(pool->AddCleanup("flush", "start-then-stop", [&] {
                     late = std::make_unique<OwnedThread>(rt, "pool");
                     status = late->status();
                     late->Stop();
                   }).ok());
  auto report = MustShutdown(rt);
  ASSERT_NE(report, nullptr);
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_TRUE(report->ok()) << report->ToText();
  EXPECT_TRUE(report->all_threads_ended());
  // A plain thread is refused then, as before.
  ThreadOptions plain;
  EXPECT_EQ(rt.RegisterThread("plain", std::move(plain)).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace orderly
