// Copyright 2026 The orderly Authors.

#include "tests/torture/exit_round.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tests/torture/rng.h"

namespace orderly {
namespace torture {
namespace {


const char* const kPhases[] = {"drain", "flush", "close", "release"};

const char* WhereName(Where w) {
  switch (w) {
    case Where::kLocal: return "local";
    case Where::kNamespace: return "namespace";
    case Where::kHeap: return "heap";
  }
  return "?";
}

const char* ActorName(Actor a) {
  switch (a) {
    case Actor::kMain: return "main";
    case Actor::kManaged: return "managed";
    case Actor::kForeignRegistered: return "foreign-registered";
    case Actor::kUnregistered: return "unregistered";
  }
  return "?";
}

void DrawProcess(Rng& rng, ExitRound& r) {
  r.quick_hook = rng.Of<QuickHook>(3);
  const int managed = rng.Between(1, 5);
  for (int i = 0; i < managed; ++i) {
    r.managed.push_back({rng.Of<Wakeup>(3), rng.Of<Where>(3)});
  }
  const int foreign = rng.Between(0, 2);
  for (int i = 0; i < foreign; ++i) r.foreign_registered.push_back(rng.Percent(50));
  const int producers = rng.Between(1, 3);
  for (int i = 0; i < producers; ++i) {
    r.producer_items.push_back(rng.Between(1, 60));
  }
  r.capacity = rng.Percent(30) ? rng.Between(1, 8) : 65536;
  r.consumer_where = rng.Of<Where>(3);
  r.pool = rng.Percent(60);
  r.pool_where = rng.Of<Where>(3);
  if (r.pool) {
    const int tasks = rng.Between(0, 8);
    for (int i = 0; i < tasks; ++i) r.task_behaviour.push_back(rng.Between(0, 2));
  }
  const int cleanups = rng.Between(1, 4);
  for (int i = 0; i < cleanups; ++i) {
    r.cleanup_phase.push_back(kPhases[rng.Between(0, 3)]);
  }
}

void DrawTrigger(Rng& rng, ExitRound& r) {
  r.trigger = rng.Of<Trigger>(8);
  r.actor = rng.Of<Actor>(4);
  r.actor2 = static_cast<Actor>(rng.Between(1, 3));  // A thread of its own.
  r.actor_where = rng.Of<Where>(3);
  r.code = rng.Between(20, 60);
  r.code2 = r.code + rng.Between(1, 60);  // Different, at most 120.
  r.signal_from = rng.Of<SignalFrom>(3);
  // raise() on a thread that blocks the signals (every thread started after
  // MainGuard) leaves the signal pending on that thread, where the signal
  // thread's sigwait() never sees it: the stop is never requested. Not drawn
  // until the library handles it (README.md, Findings); kill() instead.
  if (r.signal_from == SignalFrom::kRaise) r.signal_from = SignalFrom::kKill;
  r.signo = rng.Percent(50) ? 15 : 2;  // SIGTERM, SIGINT.
  r.go_after_items = rng.Between(0, r.TotalItems() / 2);
  r.quick_records = rng.Between(1, 100);
  r.fork_child_code = rng.Between(0, 9);
  r.fork_child_destroys = rng.Percent(50);
  r.code_when_ok = rng.Between(0, 9);
  r.wait_for_shutdown = rng.Percent(50);
  if (r.trigger == Trigger::kReturnShutdown ||
      r.trigger == Trigger::kReturnPlain) {
    r.actor = Actor::kMain;
  }
  if (r.trigger == Trigger::kExitHoldingLock) {
    r.lock_index = rng.Between(0, static_cast<int>(r.managed.size()) - 1);
    r.managed[r.lock_index].wakeup = Wakeup::kLockGate;
  }
}

}  // namespace

ExitRound ExitRound::Draw(uint64_t seed) {
  ExitRound r;
  r.seed = seed;
  Rng rng(seed);
  DrawProcess(rng, r);
  DrawTrigger(rng, r);
  return r;
}

std::vector<int> ExitRound::ExpectedCodes() const {
  switch (trigger) {
    case Trigger::kExit:
    case Trigger::kExitHoldingLock:
    case Trigger::kQuickExit:
    case Trigger::kReturnPlain:
      return {code};
    case Trigger::kConcurrentExits:
      return {code, code2};
    case Trigger::kSignal:
    case Trigger::kFork:
    case Trigger::kReturnShutdown:
      return {code_when_ok};
  }
  return {};
}

bool ExitRound::Releasable(int i) const {
  return !(trigger == Trigger::kExitHoldingLock && i == lock_index);
}

int ExitRound::TotalItems() const {
  int total = 0;
  for (int n : producer_items) total += n;
  return total;
}

std::string ExitRound::TriggerName() const {
  switch (trigger) {
    case Trigger::kExit:
      return absl::StrCat("exit(", code, ") from ", ActorName(actor));
    case Trigger::kExitHoldingLock:
      return absl::StrCat("exit(", code, ") from ", ActorName(actor),
                          " holding m", lock_index, "'s lock");
    case Trigger::kConcurrentExits:
      return absl::StrCat("exit(", code, ") from ", ActorName(actor),
                          " and exit(", code2, ") from ", ActorName(actor2));
    case Trigger::kSignal:
      return absl::StrCat("signal ", signo, " by ",
                          signal_from == SignalFrom::kParent ? "the parent"
                          : signal_from == SignalFrom::kRaise
                              ? "raise() from "
                              : "kill() from ",
                          signal_from == SignalFrom::kParent
                              ? ""
                              : ActorName(actor));
    case Trigger::kFork:
      return absl::StrCat("fork() from ", ActorName(actor), ", child exit(",
                          fork_child_code, ")",
                          fork_child_destroys ? ", destroying its handles" : "");
    case Trigger::kQuickExit:
      return absl::StrCat("quick_exit(", code, ") from ", ActorName(actor),
                          " after ", quick_records, " records");
    case Trigger::kReturnShutdown:
      return absl::StrCat("return guard.Shutdown(", code_when_ok, ")");
    case Trigger::kReturnPlain:
      return absl::StrCat("return ", code, " (no Shutdown())");
  }
  return "?";
}

std::string ExitRound::Describe() const {
  std::vector<std::string> threads;
  for (size_t i = 0; i < managed.size(); ++i) {
    const Wakeup w = managed[i].wakeup;
    threads.push_back(absl::StrCat(
        "m", i, "(", w == Wakeup::kToken ? "token" : w == Wakeup::kGate
                                                        ? "gate"
                                                        : "lock-gate",
        ", ", WhereName(managed[i].where), ")"));
  }
  for (size_t i = 0; i < foreign_registered.size(); ++i) {
    threads.push_back(absl::StrCat(
        "f", i, foreign_registered[i] ? "(registered)" : "(unregistered)"));
  }
  return absl::StrCat(
      "  trigger: ", TriggerName(), " after ", go_after_items,
      " items handled; main ",
      wait_for_shutdown ? "WaitForShutdown()" : "WaitForStop()+Shutdown()",
      ", actor's handle ", WhereName(actor_where), "\n  threads: ",
      absl::StrJoin(threads, " "), "\n  consumer (", WhereName(consumer_where),
      ", capacity ", capacity, "): producers ",
      absl::StrJoin(producer_items, "+"), " items\n  pool: ",
      pool ? absl::StrCat(WhereName(pool_where), ", ", task_behaviour.size(),
                          " tasks")
           : "none",
      "; cleanups in ", absl::StrJoin(cleanup_phase, ","), "; quick_exit hook ",
      quick_hook == QuickHook::kGuard        ? "MainGuard's"
      : quick_hook == QuickHook::kStandalone ? "standalone"
                                             : "both",
      "\n");
}

}  // namespace torture
}  // namespace orderly
