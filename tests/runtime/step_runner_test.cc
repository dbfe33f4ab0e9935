// Copyright 2026 The orderly Authors.
//
// The step runner (runtime/internal/step_runner.h): user code within
// budgets; errors, exceptions and timeouts recorded, later steps still run.

#include "runtime/internal/step_runner.h"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
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
#include "runtime/internal/os_threads.h"
#include "runtime/runtime.h"
#include "tests/runtime/sequence_fixture.h"
#include "tests/test_util.h"

namespace orderly {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(StepRunnerTest, ErrorsAndTimeoutsAreReportedAndLaterStepsStillRun) {
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

TEST(StepRunnerTest, BlockingTerminateCallbackIsAbandonedAndTheRestRun) {
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

// Direct tests of the runner, without a runtime.
namespace direct {

using runtime_internal::Step;
using runtime_internal::StepRunner;

Step MakeStep(std::string name, absl::AnyInvocable<bool(StepRecord&)> run,
              absl::Duration budget = absl::InfiniteDuration()) {
  Step step;
  step.record.phase = "flush";
  step.record.component = "c";
  step.record.name = std::move(name);
  step.run = std::move(run);
  step.budget = budget;
  return step;
}

// A handler for tests in which the overall deadline must not pass.
void NoDeadline(const StepRecord&, absl::Time) { ADD_FAILURE(); }

// What RunAll() wrote, for a run with no overall deadline.
struct Ran {
  std::vector<StepRecord> out;
  std::vector<Straggler> stragglers;
};

Ran RunToEnd(StepRunner& runner, std::vector<Step> steps,
             absl::Time batch_deadline = absl::InfiniteFuture()) {
  absl::Time overall = absl::InfiniteFuture();
  Ran ran;
  runner.RunAll(std::move(steps), batch_deadline, &overall, NoDeadline,
                &ran.out, &ran.stragglers);
  return ran;
}

std::vector<std::string> Names(const std::vector<StepRecord>& records) {
  std::vector<std::string> names;
  for (const StepRecord& r : records) names.push_back(r.name);
  return names;
}

TEST(StepRunnerTest, RunsStepsInOrderOffTheCallingThreadAndDropsEmptyOnes) {
  StepRunner runner;
  EventLog log;
  std::vector<Step> steps;
  for (const char* name : {"a", "nothing-to-do", "b"}) {
    steps.push_back(MakeStep(name, [&, name = std::string(name)](StepRecord&) {
      EXPECT_TRUE(runner.IsExecutorThread());
      log.Add(name);
      return name != "nothing-to-do";
    }));
  }
  auto [out, stragglers] = RunToEnd(runner, std::move(steps));
  EXPECT_FALSE(runner.IsExecutorThread());
  EXPECT_THAT(log.Take(), ElementsAre("a", "nothing-to-do", "b"));
  EXPECT_THAT(Names(out), ElementsAre("a", "b"));
  EXPECT_TRUE(stragglers.empty());
}

// The scan of the process's threads knows the executors by tid (it does
// not read their names): ExecutorTids() names the thread each batch ran on.
TEST(StepRunnerTest, ExecutorTidsNameTheThreadsTheStepsRanOn) {
  StepRunner runner;
  EXPECT_TRUE(runner.ExecutorTids().empty());
  std::atomic<int32_t> ran_on{0};
  std::vector<Step> steps;
  steps.push_back(MakeStep("a", [&](StepRecord&) {
    ran_on.store(runtime_internal::KernelTid());
    return true;
  }));
  EXPECT_EQ(RunToEnd(runner, std::move(steps)).out.size(), 1u);
  ASSERT_NE(ran_on.load(), 0);
  EXPECT_NE(ran_on.load(), runtime_internal::KernelTid());
  EXPECT_THAT(runner.ExecutorTids(), ElementsAre(ran_on.load()));
}

TEST(StepRunnerTest, StepPastItsBudgetIsAbandonedAndTheRestRunElsewhere) {
  absl::Notification release;  // Outlives the runner, which joins the step.
  StepRunner runner;
  std::thread::id stuck_on, next_on;
  std::vector<Step> steps;
  steps.push_back(MakeStep(
      "stuck",
      [&](StepRecord&) {
        stuck_on = std::this_thread::get_id();
        release.WaitForNotification();
        return true;
      },
      absl::Milliseconds(20)));
  steps.push_back(MakeStep("next", [&](StepRecord&) {
    next_on = std::this_thread::get_id();
    return true;
  }));
  auto [out, stragglers] = RunToEnd(runner, std::move(steps));
  ASSERT_THAT(Names(out), ElementsAre("stuck", "next"));
  EXPECT_EQ(out[0].outcome, Outcome::kTimedOut);
  EXPECT_GE(out[0].duration, absl::Milliseconds(20));
  EXPECT_EQ(out[0].budget, absl::Milliseconds(20));
  EXPECT_THAT(out[0].error, HasSubstr("abandoned"));
  EXPECT_EQ(out[1].outcome, Outcome::kOk);
  EXPECT_NE(stuck_on, next_on);  // A fresh executor took the rest.
  ASSERT_EQ(stragglers.size(), 1u);
  EXPECT_EQ(stragglers[0].name, "cleanup c/stuck");
  release.Notify();
}

TEST(StepRunnerTest, StepsAfterTheBatchDeadlineAreSkipped) {
  StepRunner runner;
  bool ran = false;
  std::vector<Step> steps;
  steps.push_back(MakeStep("late", [&](StepRecord&) { return ran = true; }));
  auto [out, stragglers] = RunToEnd(runner, std::move(steps),
                                      absl::Now() - absl::Seconds(1));
  EXPECT_FALSE(ran);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].outcome, Outcome::kSkipped);
  EXPECT_THAT(out[0].error, HasSubstr("budget ran out"));
}

TEST(StepRunnerTest, OverallDeadlineCallsTheHandlerOnceWithTheRunningStep) {
  absl::Notification release;
  StepRunner runner;
  std::vector<Step> steps;
  // The budget only bounds the test should the executor start the step
  // after the deadline (a loaded machine); the deadline fires first.
  steps.push_back(MakeStep(
      "stuck",
      [&](StepRecord&) {
        release.WaitForNotification();
        return true;
      },
      absl::Seconds(10)));
  steps.push_back(MakeStep("after", [](StepRecord&) { return true; }));
  absl::Time overall = absl::Now() + absl::Milliseconds(200);
  int fired = 0;
  std::string running_name;
  std::vector<StepRecord> out;
  std::vector<Straggler> stragglers;
  runner.RunAll(
      std::move(steps), absl::InfiniteFuture(), &overall,
      [&](const StepRecord& running, absl::Time) {
        ++fired;
        running_name = running.name;
      },
      &out, &stragglers);
  EXPECT_EQ(fired, 1);
  EXPECT_EQ(running_name, "stuck");
  EXPECT_EQ(overall, absl::InfiniteFuture());  // Fired: later steps go on.
  ASSERT_THAT(Names(out), ElementsAre("stuck", "after"));
  EXPECT_EQ(out[0].outcome, Outcome::kTimedOut);
  EXPECT_EQ(out[1].outcome, Outcome::kOk);
  release.Notify();
}

TEST(StepRunnerTest, StepThatWillNeverReturnAbandonsItselfAsAnError) {
  absl::Notification release;
  StepRunner runner;
  EXPECT_FALSE(runner.AbandonCallingStep("not a step"));
  std::vector<Step> steps;
  steps.push_back(MakeStep("calls-exit", [&](StepRecord&) {
    EXPECT_TRUE(runner.AbandonCallingStep("it called exit()"));
    release.WaitForNotification();  // As exit() parks the thread.
    return true;
  }));
  steps.push_back(MakeStep("after", [](StepRecord&) { return true; }));
  auto [out, stragglers] = RunToEnd(runner, std::move(steps));
  ASSERT_THAT(Names(out), ElementsAre("calls-exit", "after"));
  EXPECT_EQ(out[0].outcome, Outcome::kError);
  EXPECT_EQ(out[0].error, "it called exit()");
  EXPECT_TRUE(stragglers.empty());  // Parked on purpose: not a straggler.
  release.Notify();
}


// One step that stores the kernel tid it ran on.
std::vector<Step> OneStepOn(std::atomic<int32_t>& tid) {
  std::vector<Step> steps;
  steps.push_back(MakeStep("on", [&tid](StepRecord&) {
    tid.store(runtime_internal::KernelTid());
    return true;
  }));
  return steps;
}

// An executor that finished its batch takes the next: a sequence of
// phases starts one thread, not one per phase. One left behind in a stuck
// step is never handed another batch.
TEST(StepRunnerTest, BatchesReuseTheExecutorUnlessOneWasAbandoned) {
  absl::Notification release;  // Outlives the runner, which joins the step.
  StepRunner runner;
  std::atomic<int32_t> first{0}, second{0}, third{0};
  ASSERT_EQ(RunToEnd(runner, OneStepOn(first)).out.size(), 1u);
  ASSERT_EQ(RunToEnd(runner, OneStepOn(second)).out.size(), 1u);
  EXPECT_NE(first.load(), 0);
  EXPECT_EQ(first.load(), second.load());
  EXPECT_THAT(runner.ExecutorTids(), ElementsAre(first.load()));

  std::atomic<int32_t> stuck_on{0};
  std::vector<Step> steps;
  steps.push_back(MakeStep(
      "stuck",
      [&](StepRecord&) {
        stuck_on.store(runtime_internal::KernelTid());
        release.WaitForNotification();
        return true;
      },
      absl::Milliseconds(20)));
  ASSERT_EQ(RunToEnd(runner, std::move(steps)).out.size(), 1u);
  EXPECT_EQ(stuck_on.load(), first.load());  // Still the first executor.
  ASSERT_EQ(RunToEnd(runner, OneStepOn(third)).out.size(), 1u);
  EXPECT_NE(third.load(), 0);
  EXPECT_NE(third.load(), stuck_on.load());  // A fresh one, not the stuck.
  EXPECT_EQ(runner.ExecutorTids().size(), 2u);
  release.Notify();
}

// Prestart() starts the executor the first batch then runs on: no thread
// is created in the shutdown itself.
TEST(StepRunnerTest, PrestartedExecutorRunsTheFirstBatch) {
  StepRunner runner;
  runner.Prestart();
  runner.Prestart();  // Once is enough; a second call starts nothing.
  std::atomic<int32_t> ran_on{0};
  ASSERT_EQ(RunToEnd(runner, OneStepOn(ran_on)).out.size(), 1u);
  EXPECT_THAT(runner.ExecutorTids(), ElementsAre(ran_on.load()));
}

#if !defined(ORDERLY_SANITIZER_BUILD)
// No thread can be started (here: a process whose address space is capped
// below a thread stack): the batch's steps are recorded as skipped, with
// the reason, instead of ending the process. The child is this binary run
// afresh, so that glibc has no cached stack from earlier tests to hand out;
// it runs NoThreadChild() before main() and exits with its verdict. The
// sanitizers' shadow memory does not fit under such a cap: they skip it.
constexpr char kNoThreadChildEnv[] = "ORDERLY_STEP_RUNNER_NO_THREAD_CHILD";

int NoThreadChild() {
  long pages = 0;
  if (FILE* f = fopen("/proc/self/statm", "r")) {
    if (fscanf(f, "%ld", &pages) != 1) pages = 0;
    fclose(f);
  }
  // Room for the heap to grow a little, not for an 8 MiB stack.
  rlimit cap{};
  cap.rlim_cur = cap.rlim_max =
      static_cast<rlim_t>(pages) * static_cast<rlim_t>(sysconf(_SC_PAGESIZE)) +
      (rlim_t{1} << 20);
  if (pages == 0 || setrlimit(RLIMIT_AS, &cap) != 0) return 2;
  StepRunner runner;
  bool ran = false;
  std::vector<Step> steps;
  steps.push_back(MakeStep("c", [&](StepRecord&) { return ran = true; }));
  std::vector<StepRecord> out;
  std::vector<Straggler> stragglers;
  absl::Time overall = absl::InfiniteFuture();
  runner.RunAll(std::move(steps), absl::InfiniteFuture(), &overall,
                [](const StepRecord&, absl::Time) {}, &out, &stragglers);
  const bool skipped = !ran && out.size() == 1 &&
                       out[0].outcome == Outcome::kSkipped &&
                       out[0].error.find("no thread could be started") !=
                           std::string::npos;
  return skipped ? 0 : 1;
}

[[maybe_unused]] const bool kIsNoThreadChild = [] {
  if (getenv(kNoThreadChildEnv) != nullptr) _exit(NoThreadChild());
  return false;
}();

TEST(StepRunnerTest, StepsAreSkippedWithTheReasonWhenNoThreadCanStart) {
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    setenv(kNoThreadChildEnv, "1", 1);
    execl("/proc/self/exe", "step_runner_test", static_cast<char*>(nullptr));
    _exit(3);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0)
      << "1: not recorded as skipped with the reason; 2: no cap was set; "
         "3: could not run the child";
}
#endif

}  // namespace direct
}  // namespace
}  // namespace orderly
