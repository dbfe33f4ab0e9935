// Copyright 2026 The orderly Authors.
//
// scenario_runner.h: builds a Scenario on a Runtime, stops it, and collects
// what happened for invariants.h.
//
//   Round round(scenario);
//   Observed seen = round.Run();  // Own runtime; returns once torn down.
//   for (const std::string& v : CheckInvariants(scenario, seen)) ...
//
// A round runs in stages (so that a child-process driver can use them one by
// one on Runtime::Default(); see README.md, "Not yet"):
//   Build(runtime)  declares phases, components, cleanups; starts consumers,
//                   pools and threads (one at a time, so their creation
//                   order is known); takes Plan().
//   Trigger()       stops the runtime as the scenario says; returns the
//                   report every Shutdown() caller must share.
//   Release()       opens the gate every blocking fault waits on, joins every
//                   thread the round started and destroys pools and
//                   consumers (the Runtime lifetime rule: all before the
//                   runtime goes).
//   Observe(report) what invariants.h checks.
//
// Faults that block (a cleanup or callback past its budget, a thread
// ignoring its stop, a continue-on-shutdown task) wait on one gate that only
// Release() opens; every other wait is bounded (kWaitLimit) and a wait that
// times out is a recorded violation, never a hang.
//
// Thread-safety: one thread drives a Round; its callbacks run anywhere.

#ifndef ORDERLY_TESTS_TORTURE_SCENARIO_RUNNER_H_
#define ORDERLY_TESTS_TORTURE_SCENARIO_RUNNER_H_

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "blocks/background_consumer.h"
#include "blocks/managed_thread.h"
#include "runtime/runtime.h"
#include "blocks/thread_pool.h"
#include "tests/torture/invariants.h"
#include "tests/torture/recorder.h"
#include "tests/torture/scenario.h"

namespace orderly {
namespace torture {

// Budgets of a round. A blocking fault costs its budget in wall time; the
// other steps never come near theirs, even under TSan on a loaded machine.
inline constexpr absl::Duration kFaultBudget = absl::Milliseconds(30);
inline constexpr absl::Duration kCallbackBudget = absl::Milliseconds(200);
inline constexpr absl::Duration kDeadline = absl::Seconds(20);
// Upper bound of every wait that must end by itself.
inline constexpr absl::Duration kWaitLimit = absl::Seconds(30);

// The options a round's runtime needs (callback budget, deadline policy).
RuntimeOptions TortureRuntimeOptions();

class Round {
 public:
  explicit Round(const Scenario& scenario);
  ~Round();
  Round(const Round&) = delete;
  Round& operator=(const Round&) = delete;

  // All stages on a runtime of its own.
  Observed Run();

  void Build(Runtime& runtime);
  std::shared_ptr<const ShutdownReport> Trigger();
  void Release();
  Observed Observe(std::shared_ptr<const ShutdownReport> report);

  // The registered thread `trigger_thread` runs `action` once Build() is
  // done, then goes on as its spec says.
  void RunOnTriggerThread(absl::AnyInvocable<void()> action);

 private:
  struct ThreadState;
  struct ConsumerState;
  struct Task;
  enum class HelperExpect { kAcceptedInline, kAccepted, kRefused, kEither };

  void DeclareGraph();
  void DeclareCleanup(const CleanupSpec& spec);
  absl::Status RunCleanup(const CleanupSpec& spec);
  void AddDuringSequence(const CleanupSpec& spec);
  void StartThread(int i);
  void ExpectThreadSteps(const ThreadSpec& spec, bool blocked);
  // Starts thread `i` (registered or managed); returns it if foreign.
  std::thread LaunchThread(int i, std::optional<absl::Duration> join_budget);
  void ThreadBody(int i);
  void OnTerminate(const std::string& name, Fault fault, ThreadState* state);
  void StartConsumer(const ConsumerSpec& spec);
  void StartProducer(ConsumerState* cs, const ConsumerSpec& spec, int p);
  void StartPool(const PoolSpec& spec);
  Task* SubmitTask(ThreadPool& pool, const std::string& pool_name,
                   const TaskSpec& spec, bool from_blocking_task);
  void RacingSubmitter(ThreadPool* pool, const std::string& pool_name);
  void SpawnHelper(const std::string& parent, HelperExpect expect);
  void CheckHelperRegistration(const std::string& name,
                               const absl::Status& status, HelperExpect expect,
                               bool finished_before, bool called_inline);
  std::shared_ptr<const ShutdownReport> ShutdownFrom(const char* who);
  std::shared_ptr<const ShutdownReport> ShutdownFromTriggerThread();
  void Block();
  void CheckShutdownRefused(const std::string& where);
  int PhaseIndex(const std::string& phase) const;
  void AddJoinable(std::thread t);

  const Scenario& s_;
  const std::vector<std::string> phase_order_;
  Runtime* rt_ = nullptr;
  Recorder rec_;
  absl::Notification release_;  // The gate of every blocking fault.
  std::atomic<int> next_helper_{0};
  std::atomic<int> next_dynamic_{0};
  std::atomic<int> next_task_{0};

  std::vector<std::unique_ptr<ThreadState>> threads_;
  std::vector<ManagedThread> managed_;
  std::vector<std::unique_ptr<ConsumerState>> consumers_;
  std::vector<std::unique_ptr<ThreadPool>> pools_;
  absl::Mutex mu_;
  std::vector<std::thread> joinables_ ABSL_GUARDED_BY(mu_);
  std::vector<std::unique_ptr<Task>> tasks_ ABSL_GUARDED_BY(mu_);

  ShutdownPlan plan_;
  std::vector<ThreadRecord> threads_at_report_;
  std::vector<std::shared_ptr<const ShutdownReport>> other_reports_;
  bool released_ = false;
};

}  // namespace torture
}  // namespace orderly

#endif  // ORDERLY_TESTS_TORTURE_SCENARIO_RUNNER_H_
