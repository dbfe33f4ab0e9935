// Copyright 2026 The orderly Authors.
//
// exit_round.h: one child-process round of the torture suite (issue 11), as
// plain data drawn from a seed: what the process runs on Runtime::Default()
// and how it ends. exit_round_main.cc builds and runs it in a process of its
// own; exit_rounds_test.cc draws the same round from the same seed (SplitMix64,
// so a seed replays on any standard library) and checks what it left behind
// against what the round says to expect.
//
// Output files, in the directory the child is given, each line written whole
// by one O_APPEND write(2) (so nothing is lost at exit, not even at
// quick_exit() or from a fork() child):
//   events       "cleanup <name>", "released <thread>", "task <k>",
//                "posted <k> <behaviour>", "locals destroyed",
//                "fork child exit <code>" (or "fork child signal <n>")
//   items        "<producer> <i>" for each item the consumer's handler got
//   accepted     "<producer> <i>" for each Push() that returned OK
//   fork-child   one line per call on an inherited handle, then "exiting"
//   fork-stderr  the fork child's stderr

#ifndef ORDERLY_TESTS_TORTURE_EXIT_ROUND_H_
#define ORDERLY_TESTS_TORTURE_EXIT_ROUND_H_

#include <cstdint>
#include <string>
#include <vector>

namespace orderly {
namespace torture {

enum class Trigger {
  kExit,             // exit(code) from one actor
  kExitHoldingLock,  // the same, holding the lock a terminate callback needs
  kConcurrentExits,  // exit(code) and exit(code2) from two actors at once
  kSignal,           // SIGTERM or SIGINT: raise, kill or from the parent
  kFork,             // fork() from one actor; the child uses inherited handles
  kQuickExit,        // quick_exit(code) after queueing records
  kReturnShutdown,   // main: `return guard.Shutdown(code_when_ok);`
  kReturnPlain,      // main: `return code;` (main's locals go first)
};

// Where a handle lives.
enum class Where { kLocal, kNamespace, kHeap };

// Who pulls the trigger.
enum class Actor {
  kMain,
  kManaged,            // a ManagedThread of its own
  kForeignRegistered,  // a std::thread that registers by hand
  kUnregistered,       // a std::thread the runtime never hears of
};

enum class SignalFrom { kParent, kRaise, kKill };

// Which at_quick_exit hook: MainGuard's, InstallQuickExitHook() alone, both.
enum class QuickHook { kGuard, kStandalone, kBoth };

// A ManagedThread that only a stop ends.
enum class Wakeup {
  kToken,     // its StopToken (the terminate callback requests it)
  kGate,      // ignores the token; on_terminate opens its gate
  kLockGate,  // the same, but on_terminate takes a lock to open it
};

struct ManagedSpec {
  Wakeup wakeup = Wakeup::kToken;
  Where where = Where::kLocal;
};

struct ExitRound {
  uint64_t seed = 0;
  QuickHook quick_hook = QuickHook::kGuard;

  std::vector<ManagedSpec> managed;      // "m<i>": 1 to 5
  std::vector<bool> foreign_registered;  // "f<i>": 0 to 2, registered or not
  std::vector<int> producer_items;       // producer p pushes these: 1 to 3
  int capacity = 0;                      // the consumer's queue
  Where consumer_where = Where::kLocal;
  bool pool = false;
  Where pool_where = Where::kLocal;
  std::vector<int> task_behaviour;       // ShutdownBehavior as int
  std::vector<std::string> cleanup_phase;  // cleanup "c<i>" in this phase

  Trigger trigger = Trigger::kExit;
  Actor actor = Actor::kMain;
  Actor actor2 = Actor::kMain;  // kConcurrentExits only; != actor or both
                                // threads
  Where actor_where = Where::kLocal;  // Actor::kManaged's handle
  int code = 0;
  int code2 = 0;
  int lock_index = -1;  // kExitHoldingLock: managed[lock_index] is kLockGate
  SignalFrom signal_from = SignalFrom::kParent;
  int signo = 15;
  int go_after_items = 0;     // the trigger waits for this many handled items
  int quick_records = 0;      // kQuickExit: queued right before it
  int fork_child_code = 0;
  bool fork_child_destroys = false;  // the fork child destroys its handles
  int code_when_ok = 0;       // Shutdown(code_when_ok)
  bool wait_for_shutdown = false;  // main: WaitForShutdown() form

  static ExitRound Draw(uint64_t seed);

  // The exit codes the documented precedence allows (docs/sequence.md, Exit
  // codes): the exit() callers' codes, else main's.
  std::vector<int> ExpectedCodes() const;
  // Whether managed thread i's terminate callback can run (not the one whose
  // lock the exit() caller holds for good).
  bool Releasable(int i) const;
  int TotalItems() const;
  std::string TriggerName() const;
  std::string Describe() const;
};

// The producer number kQuickExit's actor pushes its records as.
inline constexpr int kQuickProducer = 9;
// The round's sequence deadline (RuntimeOptions::deadline) and callback
// budget: a callback blocked on a held lock costs this much.
inline constexpr int kDeadlineSeconds = 10;
inline constexpr int kCallbackBudgetMs = 400;

}  // namespace torture
}  // namespace orderly

#endif  // ORDERLY_TESTS_TORTURE_EXIT_ROUND_H_
