// Copyright 2026 The orderly Authors.
//
// The sequence: order of terminate callbacks, joins and cleanups; Plan();
// errors and timeouts; calls from inside the sequence.

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
#include "tests/test_util.h"

namespace orderly {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::shared_ptr<const ShutdownReport> MustShutdown(Runtime& rt) {
  auto report = rt.Shutdown();
  EXPECT_TRUE(report.ok()) << report.status();
  return report.ok() ? *report : nullptr;
}

// A thread that registers itself and waits until its terminate callback
// asks it to stop; it logs "terminate <name>" and, on exit, "exit <name>".
class Waiter {
 public:
  Waiter(Runtime& rt, std::string name, EventLog& log, bool daemon = false)
      : name_(std::move(name)) {
    thread_ = std::thread([&, daemon] {
      ThreadOptions options;
      options.daemon = daemon;
      options.on_terminate = [this, &log] {
        log.Add("terminate " + name_);
        stop_.Notify();
      };
      auto reg = rt.RegisterThread(name_, std::move(options));
      ASSERT_TRUE(reg.ok()) << reg.status();
      registered_.Notify();
      stop_.WaitForNotification();
      if (!daemon) log.Add("exit " + name_);
      release_.WaitForNotification();
    });
    registered_.WaitForNotification();
    if (!daemon) release_.Notify();
  }
  ~Waiter() {
    if (!release_.HasBeenNotified()) release_.Notify();
    thread_.join();
  }
  void Release() { release_.Notify(); }

 private:
  std::string name_;
  // Members, not locals: abseil 20220623's Notify() may still touch the
  // notification after WaitForNotification() returns.
  absl::Notification registered_;
  absl::Notification stop_;
  absl::Notification release_;
  std::thread thread_;
};

TEST(RuntimeTest, TerminateCallbacksRunNewestFirstBeforeAnyJoin) {
  constexpr int kThreads = 8;
  EventLog log;
  Runtime rt;
  ASSERT_TRUE(rt.AddComponent("after").ok());
  ASSERT_TRUE(rt.AddCleanup("after", "flush", "mark", [&] {
                  log.Add("cleanup");
                }).ok());
  // Each thread, once asked to stop, waits until *every* terminate callback
  // has run. A sequence that joined a thread before terminating the others
  // would not get past that join: the thread's join budget turns that into
  // a reported straggler instead of a hang.
  Latch all_terminated(kThreads);
  std::vector<std::thread> threads;
  std::vector<std::unique_ptr<absl::Notification>> registered_events;
  for (int i = 0; i < kThreads; ++i) {
    // One at a time, so that creation order is i.
    registered_events.push_back(std::make_unique<absl::Notification>());
    absl::Notification& registered = *registered_events.back();
    threads.emplace_back([&, i] {
      absl::Notification stop;
      ThreadOptions o;
      o.join_budget = absl::Seconds(10);
      o.on_terminate = [&, i] {
        log.Add(absl::StrCat("terminate w", i));
        stop.Notify();
      };
      auto reg = rt.RegisterThread(absl::StrCat("w", i), std::move(o));
      ASSERT_TRUE(reg.ok());
      registered.Notify();
      stop.WaitForNotification();
      all_terminated.ArriveAndWait();
    });
    registered.WaitForNotification();
  }
  auto report = MustShutdown(rt);
  for (auto& t : threads) t.join();
  std::vector<std::string> expected;
  for (int i = kThreads - 1; i >= 0; --i) {
    expected.push_back(absl::StrCat("terminate w", i));
  }
  expected.push_back("cleanup");
  EXPECT_EQ(log.Take(), expected);
  EXPECT_TRUE(report->ok()) << report->ToText();
  // In the report: every terminate step ended before the first join began.
  absl::Time last_terminate_end = absl::InfinitePast();
  absl::Time first_join_start = absl::InfiniteFuture();
  int joins = 0;
  for (const StepRecord& s : report->steps) {
    if (s.kind == StepKind::kTerminateCallback) {
      last_terminate_end = std::max(last_terminate_end, s.start + s.duration);
    } else if (s.kind == StepKind::kJoin) {
      first_join_start = std::min(first_join_start, s.start);
      ++joins;
    }
  }
  EXPECT_EQ(joins, kThreads);
  EXPECT_LE(last_terminate_end, first_join_start);
}

TEST(RuntimeTest, DaemonIsTerminatedNeverJoinedAndNamedWhenCleanupsBegin) {
  EventLog log;
  Runtime rt;
  // The daemon stays registered (parked) after its terminate callback:
  // Shutdown() returns without waiting for it.
  Waiter daemon(rt, "metrics", log, /*daemon=*/true);
  auto report = MustShutdown(rt);
  EXPECT_THAT(log.Take(), ElementsAre("terminate metrics"));
  // `flush` follows `threads`: the daemon was still registered then.
  EXPECT_THAT(report->daemons_running, ElementsAre("metrics"));
  EXPECT_FALSE(report->all_threads_ended());
  EXPECT_THAT(report->ToText(), HasSubstr("metrics"));
  for (const StepRecord& s : report->steps) {
    EXPECT_NE(s.kind, StepKind::kJoin) << s.name;
  }
  daemon.Release();
}

TEST(RuntimeTest, CleanupsRunInPhaseOrderDependentsFirstLifo) {
  EventLog log;
  Runtime rt;
  ASSERT_TRUE(rt.AddPhase("final", PhasePlacement::After("release")).ok());
  ASSERT_TRUE(rt.AddPhase("pre", PhasePlacement::Before("drain")).ok());
  ASSERT_TRUE(rt.AddComponent("log").ok());
  ASSERT_TRUE(rt.AddComponent("store", {"log"}).ok());
  ASSERT_TRUE(rt.AddComponent("server", {"store"}).ok());
  auto add = [&](const char* component, const char* phase, const char* name) {
    ASSERT_TRUE(rt.AddCleanup(component, phase, name, [&log, component, name] {
                    log.Add(absl::StrCat(component, "/", name));
                  }).ok());
  };
  add("log", "flush", "flush-1");
  add("log", "flush", "flush-2");  // LIFO: runs before flush-1.
  add("store", "flush", "sync");
  add("server", "drain", "stop-accepting");
  add("store", "close", "close-db");
  add("log", "close", "close-file");
  add("server", "pre", "unready");
  add("log", "final", "last-words");
  const std::string plan = rt.Plan().ToText();
  EXPECT_EQ(plan,
            "phase pre\n"
            "  cleanup server/unready\n"
            "phase drain\n"
            "  cleanup server/stop-accepting\n"
            "phase threads\n"
            "phase flush\n"
            "  cleanup store/sync\n"
            "  cleanup log/flush-2\n"
            "  cleanup log/flush-1\n"
            "phase close\n"
            "  cleanup store/close-db\n"
            "  cleanup log/close-file\n"
            "phase release\n"
            "phase final\n"
            "  cleanup log/last-words\n");
  auto report = MustShutdown(rt);
  EXPECT_THAT(log.Take(),
              ElementsAre("server/unready", "server/stop-accepting",
                          "store/sync", "log/flush-2", "log/flush-1",
                          "store/close-db", "log/close-file",
                          "log/last-words"));
  EXPECT_TRUE(report->ok()) << report->ToText();
  std::vector<std::string> phases;
  for (const PhaseRecord& p : report->phases) phases.push_back(p.name);
  EXPECT_THAT(phases, ElementsAre("pre", "drain", "threads", "flush", "close",
                                  "release", "final"));
}

TEST(RuntimeTest, PlanMatchesWhatRuns) {
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

TEST(RuntimeTest, BadDeclarationsAreRefusedWithNames) {
  Runtime rt;
  ASSERT_TRUE(rt.AddComponent("a").ok());
  ASSERT_TRUE(rt.AddComponent("b", {"a"}).ok());
  ASSERT_TRUE(rt.AddComponent("c", {"b"}).ok());

  absl::Status cycle = rt.AddDependency("a", "c");
  EXPECT_EQ(cycle.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(cycle.message(), HasSubstr("dependency cycle: a -> c -> b -> a"));
  EXPECT_THAT(rt.AddDependency("a", "a").message(),
              HasSubstr("dependency cycle: a -> a"));

  absl::Status unknown_dep = rt.AddComponent("d", {"nope"}).status();
  EXPECT_EQ(unknown_dep.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(unknown_dep.message(), HasSubstr("\"nope\""));

  absl::Status dup = rt.AddComponent("a").status();
  EXPECT_EQ(dup.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(dup.message(), HasSubstr("\"a\""));

  EXPECT_EQ(rt.AddComponent("").status().code(),
            absl::StatusCode::kInvalidArgument);

  absl::Status unknown_phase = rt.AddCleanup("a", "flsh", "x", [] {});
  EXPECT_EQ(unknown_phase.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(unknown_phase.message(),
              HasSubstr("unknown phase \"flsh\"; phases are: drain, threads, "
                        "flush, close, release"));

  absl::Status unknown_component = rt.AddCleanup("zz", "flush", "x", [] {});
  EXPECT_EQ(unknown_component.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(unknown_component.message(), HasSubstr("\"zz\""));

  EXPECT_EQ(rt.AddCleanup("a", "threads", "x", [] {}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(rt.AddCleanup("a", "flush", "", [] {}).code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(rt.AddCleanup("a", "flush", "x", [] {}).ok());
  absl::Status dup_cleanup = rt.AddCleanup("a", "close", "x", [] {});
  EXPECT_EQ(dup_cleanup.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(dup_cleanup.message(), HasSubstr("\"x\""));

  EXPECT_EQ(rt.AddPhase("flush", PhasePlacement::After("drain")).code(),
            absl::StatusCode::kAlreadyExists);
  absl::Status bad_anchor = rt.AddPhase("p", PhasePlacement::After("nope"));
  EXPECT_EQ(bad_anchor.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(bad_anchor.message(), HasSubstr("\"nope\""));
  EXPECT_EQ(rt.AddPhase("", PhasePlacement::After("drain")).code(),
            absl::StatusCode::kInvalidArgument);

  EXPECT_EQ(rt.RegisterThread("").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(RuntimeTest, ErrorsAndTimeoutsAreReportedAndLaterStepsStillRun) {
  RuntimeOptions options;
  options.on_deadline = DeadlineAction::kReportOnly;
  // Declared before the runtime: ~Runtime joins the executor that was left
  // running the stuck cleanup, which still touches this notification.
  absl::Notification release_stuck;
  EventLog log;
  Runtime rt(options);
  ASSERT_TRUE(rt.AddComponent("c").ok());
  // Registered first, so they run last within the phase (LIFO).
  ASSERT_TRUE(rt.AddCleanup("c", "flush", "after-all", [&] {
                  log.Add("after-all");
                }).ok());
  ASSERT_TRUE(rt.AddCleanup(
                    "c", "flush", "stuck",
                    [&] { release_stuck.WaitForNotification(); },
                    absl::Milliseconds(50))
                  .ok());
  ASSERT_TRUE(rt.AddCleanup("c", "flush", "throws", []() {
                  throw std::runtime_error("disk on fire");
                }).ok());
  ASSERT_TRUE(rt.AddCleanup("c", "flush", "fails", [] {
                  return absl::DataLossError("lost 3 lines");
                }).ok());
  ASSERT_TRUE(rt.AddCleanup("c", "close", "next-phase", [&] {
                  log.Add("next-phase");
                }).ok());
  auto report = MustShutdown(rt);
  EXPECT_THAT(log.Take(), ElementsAre("after-all", "next-phase"));
  ASSERT_NE(report, nullptr);
  EXPECT_FALSE(report->ok());
  EXPECT_EQ(report->CountOutcome(Outcome::kError), 2);
  EXPECT_EQ(report->CountOutcome(Outcome::kTimedOut), 1);
  const std::string text = report->ToText();
  EXPECT_THAT(text, HasSubstr("DATA_LOSS: lost 3 lines"));
  EXPECT_THAT(text, HasSubstr("threw std::runtime_error: disk on fire"));
  EXPECT_THAT(text, HasSubstr("TIMED OUT"));
  EXPECT_THAT(text, HasSubstr("c/stuck"));
  ASSERT_EQ(report->stragglers.size(), 1u);
  EXPECT_EQ(report->stragglers[0].name, "cleanup c/stuck");
  release_stuck.Notify();  // Before ~Runtime joins the abandoned executor.
}

TEST(RuntimeTest, BlockingTerminateCallbackIsAbandonedAndTheRestRun) {
  RuntimeOptions options;
  options.callback_budget = absl::Milliseconds(50);
  absl::Notification release;  // Outlives the runtime (see above).
  EventLog log;
  Runtime rt(options);
  Waiter older(rt, "older", log);  // Terminated last.
  absl::Notification blocker_registered;
  std::thread blocker([&] {
    ThreadOptions o;
    o.daemon = true;
    o.on_terminate = [&] { release.WaitForNotification(); };
    auto reg = rt.RegisterThread("blocker", std::move(o));
    ASSERT_TRUE(reg.ok());
    blocker_registered.Notify();
    release.WaitForNotification();
  });
  blocker_registered.WaitForNotification();
  Waiter newer(rt, "newer", log);  // Terminated first.
  auto report = MustShutdown(rt);
  // The blocked callback cost its budget; the older thread was still
  // terminated and joined.
  EXPECT_THAT(log.Take(), ElementsAre("terminate newer", "exit newer",
                                      "terminate older", "exit older"));
  EXPECT_EQ(report->CountOutcome(Outcome::kTimedOut), 1);
  for (const StepRecord& s : report->steps) {
    if (s.outcome == Outcome::kTimedOut) {
      EXPECT_EQ(s.name, "blocker (daemon)");
      EXPECT_EQ(s.kind, StepKind::kTerminateCallback);
    }
  }
  ASSERT_EQ(report->stragglers.size(), 1u);
  EXPECT_EQ(report->stragglers[0].name, "terminate blocker (daemon)");
  release.Notify();
  blocker.join();
}

TEST(RuntimeTest, StragglerPastItsJoinBudgetIsDemotedByName) {
  absl::Notification release;
  Runtime rt;
  std::thread stuck([&] {
    ThreadOptions o;
    o.join_budget = absl::Milliseconds(30);
    auto reg = rt.RegisterThread("stuck-worker", std::move(o));
    ASSERT_TRUE(reg.ok());
    release.WaitForNotification();  // Ignores its (absent) terminate callback.
  });
  while (rt.Plan().phases.size() < 5 ||
         rt.Plan().phases[1].threads.empty()) {
    std::this_thread::yield();
  }
  auto report = MustShutdown(rt);
  ASSERT_EQ(report->stragglers.size(), 1u);
  EXPECT_EQ(report->stragglers[0].name, "thread stuck-worker");
  EXPECT_EQ(report->CountOutcome(Outcome::kStraggler), 1);
  EXPECT_THAT(report->ToText(), HasSubstr("STRAGGLER"));
  EXPECT_THAT(report->daemons_running, ElementsAre("stuck-worker"));
  release.Notify();
  stuck.join();
}

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

TEST(RuntimeTest, HelperStartedAfterTheStopIsTerminatedAndJoined) {
  Runtime rt;
  EventLog log;
  absl::Notification helper_registered;
  std::thread helper;
  std::thread parent([&] {
    absl::Notification stop;
    ThreadOptions o;
    o.on_terminate = [&] { stop.Notify(); };
    auto reg = rt.RegisterThread("parent", std::move(o));
    ASSERT_TRUE(reg.ok());
    stop.WaitForNotification();
    // The stop was requested and our terminate callback ran: start a helper
    // (as a thread pool flushing its last batch might).
    helper = std::thread([&] {
      absl::Notification helper_stop;
      ThreadOptions ho;
      ho.on_terminate = [&] {
        log.Add("terminate helper");
        helper_stop.Notify();
      };
      auto hreg = rt.RegisterThread("helper", std::move(ho));
      ASSERT_TRUE(hreg.ok()) << hreg.status();
      helper_registered.Notify();
      helper_stop.WaitForNotification();
      log.Add("exit helper");
    });
    helper_registered.WaitForNotification();
    log.Add("exit parent");
  });
  while (rt.Plan().phases[1].threads.empty()) std::this_thread::yield();
  auto report = MustShutdown(rt);
  // Both joined before Shutdown() returned.
  const std::vector<std::string> events = log.Take();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0], "terminate helper");  // At once, on registration.
  EXPECT_THAT(events, ::testing::UnorderedElementsAre(
                          "terminate helper", "exit parent", "exit helper"));
  EXPECT_TRUE(report->all_threads_ended()) << report->ToText();
  EXPECT_THAT(report->ToText(), HasSubstr("helper (registered during"));
  parent.join();
  helper.join();
  // After the joins, registration is refused.
  auto late = rt.RegisterThread("too-late");
  EXPECT_EQ(late.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(late.status().message(), HasSubstr("\"too-late\""));
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

TEST(RuntimeTest, CountersAndListenersSeeTheSequence) {
  class Recorder : public SequenceListener {
   public:
    explicit Recorder(EventLog& log) : log_(log) {}
    void OnStopRequested(const StopReason& reason, absl::Time) override {
      log_.Add("stop " + reason.ToString());
    }
    void OnPhaseBegin(absl::string_view phase, absl::Time, absl::Time) override {
      log_.Add(absl::StrCat("phase ", phase));
    }
    void OnFinished(const ShutdownReport& report) override {
      log_.Add(absl::StrCat("finished ", report.counters.size()));
    }

   private:
    EventLog& log_;
  };
  EventLog log;
  Recorder recorder(log);
  std::atomic<int64_t> dropped{0};
  Runtime rt;
  rt.AddListener(&recorder);
  ASSERT_TRUE(rt.AddReportCounter("queue.dropped", [&] {
                  return dropped.load();
                }).ok());
  EXPECT_EQ(rt.AddReportCounter("queue.dropped", [] { return int64_t{0}; })
                .code(),
            absl::StatusCode::kAlreadyExists);
  ASSERT_TRUE(rt.AddComponent("q").ok());
  ASSERT_TRUE(rt.AddCleanup("q", "flush", "drop", [&] { dropped = 7; }).ok());
  rt.RequestStop(StopReason::Signal(15));
  auto report = MustShutdown(rt);
  EXPECT_THAT(log.Take(),
              ElementsAre("stop SIGTERM (signal 15)", "phase drain",
                          "phase threads", "phase flush", "phase close",
                          "phase release", "finished 1"));
  ASSERT_EQ(report->counters.size(), 1u);
  EXPECT_EQ(report->counters[0].name, "queue.dropped");
  EXPECT_EQ(report->counters[0].value, 7);  // Read after the cleanups.
  EXPECT_THAT(report->ToText(), HasSubstr("queue.dropped = 7"));
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
