// Copyright 2026 The orderly Authors.
//
// scenario.h: one randomized shutdown, described as plain data.
//
// A `Scenario` says what a torture round declares and starts (phases, a
// component DAG, cleanups, registered threads, background consumers, thread
// pools), which faults it injects where, and what triggers the stop. It is a
// pure function of its seed:
//
//   Scenario s = Scenario::Generate(seed);  // Same seed, same scenario.
//   std::cerr << s.Describe();              // What a failing seed did.
//
// The generator only produces valid declarations (the fuzzer,
// declarations_fuzzer.cc, covers invalid ones); invalid ones the round makes
// on purpose (a cycle-closing edge) are marked as such. It knows nothing of
// the runtime: scenario_runner.h builds a scenario on a Runtime and
// invariants.h checks what happened against it.
//
// Names are short and unique per kind ("p0", "c3", "k7", "t2"), so that the
// report, the plan and the recorder can be matched by name.
//
// Thread-safety: a Scenario is a value; share it read-only.

#ifndef ORDERLY_TESTS_TORTURE_SCENARIO_H_
#define ORDERLY_TESTS_TORTURE_SCENARIO_H_

#include <cstdint>
#include <string>
#include <vector>

#include "blocks/overflow_policy.h"
#include "blocks/thread_pool.h"

namespace orderly {
namespace torture {

// What a callback, cleanup or task does besides recording that it ran.
enum class Fault {
  kNone,
  kThrow,          // Throws std::runtime_error("torture: ... <name>").
  kReturnError,    // Returns absl::InternalError (cleanups only).
  kBlock,          // Blocks past its budget, until the round releases it.
  kCallShutdown,   // Calls Runtime::Shutdown(): must return at once.
  kCallRequestStop,
  kRegisterThread,  // Starts a helper thread that registers.
  kAddCleanup,      // Adds a cleanup to a random phase (cleanups only).
  kAddComponent,    // Declares a component and a cleanup (cleanups only).
};
const char* FaultName(Fault fault);

// How a registered thread behaves after it starts.
enum class ThreadBehavior {
  kWaitForTerminate,  // Runs until its terminate callback asks it to stop.
  kEndEarly,          // Ends its registration before the stop.
  kIgnoreStop,        // Past its join budget: a straggler until released.
  kSpawnHelper,       // Asked to stop, starts a helper that registers.
};
const char* ThreadBehaviorName(ThreadBehavior behavior);

enum class Trigger {
  kShutdownFromMain,         // Shutdown() on the test's main thread.
  kRequestStopFromThread,    // RequestStop() on a registered thread.
  kShutdownFromThread,       // Shutdown() on a registered thread.
  kConcurrentShutdowns,      // Shutdown() on main and an unregistered thread.
};
const char* TriggerName(Trigger trigger);

struct PhaseSpec {
  std::string name;
  bool before = false;  // Before `anchor`, else after it.
  std::string anchor;
};

struct ComponentSpec {
  std::string name;
  std::vector<int> depends_on;  // Indices of earlier components.
};

// A dependency added after both components exist (Component::DependOn).
struct EdgeSpec {
  int from = 0;
  int to = 0;
  bool closes_cycle = false;  // Must be refused, naming the cycle.
};

struct CleanupSpec {
  int component = 0;
  std::string phase;
  std::string name;
  Fault fault = Fault::kNone;
  std::string target_phase;  // kAddCleanup / kAddComponent: where to add.
  int target_component = 0;  // kAddComponent: what the new one depends on.
};

struct ThreadSpec {
  std::string name;
  bool daemon = false;
  bool foreign = false;  // A std::thread that registers by hand.
  ThreadBehavior behavior = ThreadBehavior::kWaitForTerminate;
  Fault terminate_fault = Fault::kNone;  // None, throw, block, call*, register.
};

struct ConsumerSpec {
  std::string name;
  int producers = 1;
  int items_per_producer = 0;  // Pushed before the stop request.
  int items_after_stop = 0;    // Pushed once asked to stop.
  OverflowPolicy overflow = OverflowPolicy::kBlock;
  int capacity = 1;
  int throw_every = 0;  // The handler throws on every n-th item (0: never).
};

struct TaskSpec {
  ShutdownBehavior behavior = ShutdownBehavior::kSkipOnShutdown;
  Fault fault = Fault::kNone;  // None, throw, or block (continue only).
  bool posts_blocking_child = false;  // kBlockShutdown only.
};

struct PoolSpec {
  std::string name;
  int threads = 1;
  std::vector<TaskSpec> tasks;  // Submitted before the stop.
  bool racing_submitter = false;  // A thread submits until refused.
};

struct Scenario {
  uint64_t seed = 0;
  std::vector<PhaseSpec> phases;  // Added in this order.
  std::vector<ComponentSpec> components;
  std::vector<EdgeSpec> edges;
  std::vector<CleanupSpec> cleanups;  // Registered in this order.
  std::vector<ThreadSpec> threads;    // Started in this order.
  std::vector<ConsumerSpec> consumers;
  std::vector<PoolSpec> pools;
  Trigger trigger = Trigger::kShutdownFromMain;
  int trigger_thread = 0;  // Index into `threads` for the *FromThread ones.

  static Scenario Generate(uint64_t seed);

  // Every phase, built-in and added, in the order the sequence runs them.
  std::vector<std::string> PhaseOrder() const;

  // A multi-line description, printed with a failing seed.
  std::string Describe() const;
};

}  // namespace torture
}  // namespace orderly

#endif  // ORDERLY_TESTS_TORTURE_SCENARIO_H_
