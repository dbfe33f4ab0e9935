// Copyright 2026 The orderly Authors.

#include "tests/torture/scenario.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tests/torture/rng.h"

namespace orderly {
namespace torture {
namespace {


// At most this many steps per round wait out a budget: each costs its
// budget in wall time.
constexpr int kMaxBlockingFaults = 2;

const std::vector<std::string>& BuiltInPhases() {
  static const auto* phases = new std::vector<std::string>{
      "drain", "threads", "flush", "close", "release"};
  return *phases;
}

// True if component `from` reaches `to` along depends-on edges.
bool Reaches(const std::vector<std::vector<int>>& deps, int from, int to) {
  std::vector<int> stack = {from};
  std::vector<bool> seen(deps.size(), false);
  while (!stack.empty()) {
    const int n = stack.back();
    stack.pop_back();
    if (n == to) return true;
    if (seen[n]) continue;
    seen[n] = true;
    for (int d : deps[n]) stack.push_back(d);
  }
  return false;
}

class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {
    s_.seed = seed;
  }

  Scenario Run() {
    AddPhases();
    AddComponents();
    AddCleanups();
    AddThreads();
    AddConsumers();
    AddPools();
    PickTrigger();
    return std::move(s_);
  }

 private:
  // A blocking fault, while the round's allowance lasts.
  bool MayBlock() {
    if (blocking_ >= kMaxBlockingFaults) return false;
    ++blocking_;
    return true;
  }

  void AddPhases() {
    const int n = rng_.Between(0, 3);
    for (int i = 0; i < n; ++i) {
      const std::vector<std::string> existing = s_.PhaseOrder();
      s_.phases.push_back(PhaseSpec{absl::StrCat("p", i), rng_.Percent(50),
                                    rng_.Pick(existing)});
    }
  }

  void AddComponents() {
    const int n = rng_.Between(1, 6);
    std::vector<std::vector<int>> deps;
    for (int i = 0; i < n; ++i) {
      ComponentSpec c{absl::StrCat("c", i), {}};
      for (int j = 0; j < i; ++j) {
        if (rng_.Percent(30)) c.depends_on.push_back(j);
      }
      deps.push_back(c.depends_on);
      s_.components.push_back(std::move(c));
    }
    const int edges = rng_.Between(0, 3);
    for (int e = 0; e < edges; ++e) {
      EdgeSpec edge{rng_.Between(0, n - 1), rng_.Between(0, n - 1), false};
      edge.closes_cycle = Reaches(deps, edge.to, edge.from);
      if (!edge.closes_cycle) deps[edge.from].push_back(edge.to);
      s_.edges.push_back(edge);
    }
  }

  std::vector<std::string> CleanupPhases() const {
    std::vector<std::string> phases = s_.PhaseOrder();
    phases.erase(std::find(phases.begin(), phases.end(), "threads"));
    return phases;
  }

  Fault CleanupFault() {
    if (!rng_.Percent(30)) return Fault::kNone;
    static const auto* faults = new std::vector<Fault>{
        Fault::kThrow,           Fault::kReturnError,   Fault::kBlock,
        Fault::kCallShutdown,    Fault::kCallRequestStop,
        Fault::kRegisterThread,  Fault::kAddCleanup,    Fault::kAddComponent};
    const Fault f = rng_.Pick(*faults);
    return f == Fault::kBlock && !MayBlock() ? Fault::kThrow : f;
  }

  void AddCleanups() {
    const std::vector<std::string> phases = CleanupPhases();
    const int n = rng_.Between(0, 12);
    const int components = static_cast<int>(s_.components.size());
    for (int i = 0; i < n; ++i) {
      CleanupSpec c;
      c.component = rng_.Between(0, components - 1);
      c.phase = rng_.Pick(phases);
      c.name = absl::StrCat("k", i);
      c.fault = CleanupFault();
      c.target_phase = rng_.Pick(s_.PhaseOrder());  // `threads` too: refused.
      c.target_component = rng_.Between(0, components - 1);
      s_.cleanups.push_back(std::move(c));
    }
  }

  Fault TerminateFault() {
    if (!rng_.Percent(20)) return Fault::kNone;
    static const auto* faults = new std::vector<Fault>{
        Fault::kThrow, Fault::kBlock, Fault::kCallShutdown,
        Fault::kCallRequestStop, Fault::kRegisterThread};
    const Fault f = rng_.Pick(*faults);
    return f == Fault::kBlock && !MayBlock() ? Fault::kThrow : f;
  }

  void AddThreads() {
    const int n = rng_.Between(0, 6);
    for (int i = 0; i < n; ++i) {
      ThreadSpec t;
      t.name = absl::StrCat("t", i);
      t.daemon = rng_.Percent(25);
      t.foreign = rng_.Percent(50);
      const int b = rng_.Between(0, 99);
      t.behavior = b < 55   ? ThreadBehavior::kWaitForTerminate
                   : b < 70 ? ThreadBehavior::kEndEarly
                   : b < 80 ? ThreadBehavior::kIgnoreStop
                            : ThreadBehavior::kSpawnHelper;
      if (t.behavior == ThreadBehavior::kIgnoreStop && !MayBlock()) {
        t.behavior = ThreadBehavior::kWaitForTerminate;
      }
      if (t.behavior != ThreadBehavior::kEndEarly) {
        t.terminate_fault = TerminateFault();
      }
      s_.threads.push_back(std::move(t));
    }
  }

  void AddConsumers() {
    const int n = rng_.Between(0, 2);
    for (int i = 0; i < n; ++i) {
      ConsumerSpec c;
      c.name = absl::StrCat("q", i);
      c.producers = rng_.Between(1, 3);
      c.items_per_producer = rng_.Between(0, 50);
      c.items_after_stop = rng_.Between(0, 5);
      c.overflow = rng_.Pick(std::vector<OverflowPolicy>{
          OverflowPolicy::kBlock, OverflowPolicy::kFail,
          OverflowPolicy::kDrop});
      c.capacity = rng_.Between(1, 64);
      c.throw_every = rng_.Percent(30) ? rng_.Between(3, 10) : 0;
      s_.consumers.push_back(std::move(c));
    }
  }

  TaskSpec Task() {
    TaskSpec t;
    t.behavior = rng_.Pick(std::vector<ShutdownBehavior>{
        ShutdownBehavior::kContinueOnShutdown,
        ShutdownBehavior::kSkipOnShutdown, ShutdownBehavior::kBlockShutdown});
    if (rng_.Percent(15)) t.fault = Fault::kThrow;
    if (t.behavior == ShutdownBehavior::kContinueOnShutdown &&
        rng_.Percent(10) && MayBlock()) {
      t.fault = Fault::kBlock;
    }
    t.posts_blocking_child =
        t.behavior == ShutdownBehavior::kBlockShutdown && rng_.Percent(20);
    return t;
  }

  void AddPools() {
    const int n = rng_.Between(0, 2);
    for (int i = 0; i < n; ++i) {
      PoolSpec p;
      p.name = absl::StrCat("w", i);
      p.threads = rng_.Between(1, 3);
      const int tasks = rng_.Between(0, 8);
      for (int t = 0; t < tasks; ++t) p.tasks.push_back(Task());
      p.racing_submitter = rng_.Percent(30);
      s_.pools.push_back(std::move(p));
    }
  }

  void PickTrigger() {
    std::vector<int> live;  // Threads still running at the stop.
    for (size_t i = 0; i < s_.threads.size(); ++i) {
      if (s_.threads[i].behavior != ThreadBehavior::kEndEarly) {
        live.push_back(static_cast<int>(i));
      }
    }
    s_.trigger = rng_.Pick(std::vector<Trigger>{
        Trigger::kShutdownFromMain, Trigger::kRequestStopFromThread,
        Trigger::kShutdownFromThread, Trigger::kConcurrentShutdowns});
    const bool needs_thread = s_.trigger == Trigger::kRequestStopFromThread ||
                              s_.trigger == Trigger::kShutdownFromThread;
    if (needs_thread && live.empty()) s_.trigger = Trigger::kShutdownFromMain;
    if (!live.empty()) s_.trigger_thread = rng_.Pick(live);
  }

  Rng rng_;
  int blocking_ = 0;
  Scenario s_;
};

}  // namespace

const char* FaultName(Fault fault) {
  switch (fault) {
    case Fault::kNone: return "none";
    case Fault::kThrow: return "throw";
    case Fault::kReturnError: return "return-error";
    case Fault::kBlock: return "block";
    case Fault::kCallShutdown: return "call-Shutdown";
    case Fault::kCallRequestStop: return "call-RequestStop";
    case Fault::kRegisterThread: return "register-thread";
    case Fault::kAddCleanup: return "add-cleanup";
    case Fault::kAddComponent: return "add-component";
  }
  return "?";
}

const char* ThreadBehaviorName(ThreadBehavior behavior) {
  switch (behavior) {
    case ThreadBehavior::kWaitForTerminate: return "wait-for-terminate";
    case ThreadBehavior::kEndEarly: return "end-early";
    case ThreadBehavior::kIgnoreStop: return "ignore-stop";
    case ThreadBehavior::kSpawnHelper: return "spawn-helper";
  }
  return "?";
}

const char* TriggerName(Trigger trigger) {
  switch (trigger) {
    case Trigger::kShutdownFromMain: return "Shutdown() from main";
    case Trigger::kRequestStopFromThread: return "RequestStop() from a thread";
    case Trigger::kShutdownFromThread: return "Shutdown() from a thread";
    case Trigger::kConcurrentShutdowns: return "concurrent Shutdown() calls";
  }
  return "?";
}

Scenario Scenario::Generate(uint64_t seed) {
  return Generator(seed).Run();
}

std::vector<std::string> Scenario::PhaseOrder() const {
  std::vector<std::string> order = BuiltInPhases();
  for (const PhaseSpec& p : phases) {
    auto at = std::find(order.begin(), order.end(), p.anchor);
    order.insert(p.before ? at : at + 1, p.name);
  }
  return order;
}

std::string Scenario::Describe() const {
  std::string out = absl::StrCat("scenario seed ", seed, "\n  phases: ",
                                 absl::StrJoin(PhaseOrder(), " "), "\n");
  for (const ComponentSpec& c : components) {
    absl::StrAppend(&out, "  component ", c.name, " depends on [",
                    absl::StrJoin(c.depends_on, " "), "]\n");
  }
  for (const EdgeSpec& e : edges) {
    absl::StrAppend(&out, "  edge c", e.from, " -> c", e.to,
                    e.closes_cycle ? " (closes a cycle: refused)" : "", "\n");
  }
  for (const CleanupSpec& c : cleanups) {
    absl::StrAppend(&out, "  cleanup ", components[c.component].name, "/",
                    c.name, " in ", c.phase, " fault ", FaultName(c.fault));
    if (c.fault == Fault::kAddCleanup || c.fault == Fault::kAddComponent) {
      absl::StrAppend(&out, " -> ", c.target_phase);
    }
    absl::StrAppend(&out, "\n");
  }
  for (const ThreadSpec& t : threads) {
    absl::StrAppend(&out, "  thread ", t.name, t.daemon ? " daemon" : "",
                    t.foreign ? " foreign" : " managed", " ",
                    ThreadBehaviorName(t.behavior), " terminate fault ",
                    FaultName(t.terminate_fault), "\n");
  }
  for (const ConsumerSpec& c : consumers) {
    absl::StrAppend(&out, "  consumer ", c.name, " producers ", c.producers,
                    " items ", c.items_per_producer, "+", c.items_after_stop,
                    " overflow ", OverflowPolicyName(c.overflow), " capacity ",
                    c.capacity, " throw_every ", c.throw_every, "\n");
  }
  for (const PoolSpec& p : pools) {
    absl::StrAppend(&out, "  pool ", p.name, " threads ", p.threads,
                    p.racing_submitter ? " racing-submitter" : "", " tasks:");
    for (const TaskSpec& t : p.tasks) {
      absl::StrAppend(&out, " ", ShutdownBehaviorName(t.behavior), "/",
                      FaultName(t.fault), t.posts_blocking_child ? "+child" : "");
    }
    absl::StrAppend(&out, "\n");
  }
  absl::StrAppend(&out, "  trigger: ", TriggerName(trigger));
  if (!threads.empty()) absl::StrAppend(&out, " (thread t", trigger_thread, ")");
  absl::StrAppend(&out, "\n");
  return out;
}

}  // namespace torture
}  // namespace orderly
