// Copyright 2026 The orderly Authors.
//
// exit_round_main: one child-process round of the torture suite (issue 11).
//
//   exit_round_main <seed> <dir>
//
// Draws ExitRound::Draw(seed) (exit_round.h), builds it on
// Runtime::Default() under a MainGuard, writes "ready" on stdout once every
// thread runs, and ends the way the round says. What it sees goes to files
// in <dir> (exit_round.h lists them), one whole line per write(2).
// Synchronized by notifications and lock conditions only: the trigger waits
// for "ready" and for a drawn number of handled items.

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "blocks/background_consumer.h"
#include "blocks/managed_thread.h"
#include "blocks/thread_pool.h"
#include "hooks/main_guard.h"
#include "hooks/quick_exit_hook.h"
#include "runtime/runtime.h"
#include "tests/torture/exit_round.h"
#include "tests/torture/exit_round_process.h"

namespace orderly {
namespace torture {
namespace {

std::atomic<bool> g_in_fork_child{false};

void CallInherited(int fd, ManagedThread& t, bool bounded) {
  const absl::Status s = bounded ? t.JoinFor(absl::Seconds(1)) : t.Join();
  Line(fd, absl::StrCat("join ", t.name(), ": ", s.ToString()));
}

// The fork() child: every call on an inherited handle must fail at once.
[[noreturn]] void ForkChild() {
  g_in_fork_child.store(true);
  prctl(PR_SET_PDEATHSIG, SIGKILL);  // Never outlives a killed parent.
  const int err = OpenAppend("fork-stderr");
  dup2(err, STDERR_FILENO);
  const int fd = OpenAppend("fork-child");
  Line(fd, absl::StrCat("push: ", g_consumer->Push(1).ToString()));
  bool bounded = false;
  for (Handles* h : {&g_namespace, g_locals, g_heap->get()}) {
    for (ManagedThread& t : h->threads) {
      bounded = !bounded;
      CallInherited(fd, t, bounded);
    }
  }
  for (Handles* h : {&g_namespace, g_locals, g_heap->get()}) {
    if (h->threads.empty()) continue;
    Line(fd, absl::StrCat("request_stop ",
                          h->threads[0].RequestStop() ? "true" : "false"));
    break;
  }
  if (g_pool != nullptr) {
    Line(fd, absl::StrCat("post: ", g_pool->Post(ShutdownBehavior::
                                                     kBlockShutdown,
                                                 [] {})
                                        .ToString()));
  }
  if (g_round.fork_child_destroys) {  // Each must leak, never join.
    for (Handles* h : {&g_namespace, g_locals, g_heap->get()}) {
      h->threads.clear();
      h->pool.reset();
      h->consumer.reset();
    }
  }
  Line(fd, "exiting");
  std::exit(g_round.fork_child_code);  // Static destructors too.
}

void DoFork() {
  const pid_t pid = fork();
  if (pid < 0) Fail("fork", absl::ErrnoToStatus(errno, "fork"));
  if (pid == 0) ForkChild();
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  Event(WIFEXITED(status)
            ? absl::StrCat("fork child exit ", WEXITSTATUS(status))
            : absl::StrCat("fork child signal ", WTERMSIG(status)));
}

// Takes the gate's lock for good, then exits with it held.
[[noreturn]] void ExitHoldingLock() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  (*g_gates)[g_round.lock_index]->mu.Lock();
  std::exit(g_round.code);
}

// Pulls the trigger, as actor `j` (0, or 1 for kConcurrentExits' second).
void Act(int j) {
  WaitGo();
  switch (g_round.trigger) {
    case Trigger::kExit:
      std::exit(g_round.code);
    case Trigger::kExitHoldingLock:
      ExitHoldingLock();
    case Trigger::kConcurrentExits:
      std::exit(j == 0 ? g_round.code : g_round.code2);
    case Trigger::kSignal:
      if (g_round.signal_from == SignalFrom::kRaise) {
        raise(g_round.signo);
      } else {
        kill(getpid(), g_round.signo);
      }
      return;
    case Trigger::kFork:
      DoFork();
      g_fork_done->Notify();
      return;
    case Trigger::kQuickExit:
      for (int i = 0; i < g_round.quick_records; ++i) {
        PushItem(kQuickProducer, i);
      }
      std::quick_exit(g_round.code);
    case Trigger::kReturnShutdown:
    case Trigger::kReturnPlain:
      return;
  }
}

void StartActor(int j, Actor kind) {
  if (kind == Actor::kManaged) {
    At(g_round.actor_where)
        .threads.push_back(Check(
            ManagedThread::Start(absl::StrCat("t", j), [j] { Act(j); }),
            "Start actor"));
    return;
  }
  auto started = std::make_shared<absl::Notification>();
  std::thread([j, kind, started] {
    ThreadRegistration reg;
    if (kind == Actor::kForeignRegistered) {
      reg = Check(Runtime::Default().RegisterThread(absl::StrCat("t", j)),
                  "RegisterThread");
    }
    started->Notify();
    Act(j);
  }).detach();
  started->WaitForNotification();
}

bool HasActorThreads() {
  switch (g_round.trigger) {
    case Trigger::kSignal:
      return g_round.signal_from != SignalFrom::kParent &&
             g_round.actor != Actor::kMain;
    case Trigger::kReturnShutdown:
    case Trigger::kReturnPlain:
      return false;
    default:
      return g_round.actor != Actor::kMain;
  }
}

void Build() {
  BuildProcess();
  if (HasActorThreads()) StartActor(0, g_round.actor);
  if (g_round.trigger == Trigger::kConcurrentExits) {
    StartActor(1, g_round.actor2);
  }
}

// Everything after "ready" but `return code;` (which main does itself).
int Finish(MainGuard& guard) {
  const ExitRound& r = g_round;
  if (r.trigger == Trigger::kReturnShutdown) {
    WaitGo();
    return guard.Shutdown(r.code_when_ok);
  }
  if (r.trigger == Trigger::kFork) {
    if (r.actor == Actor::kMain) {
      Act(0);
    } else {
      g_fork_done->WaitForNotification();
    }
    return guard.Shutdown(r.code_when_ok);
  }
  const bool main_acts = r.actor == Actor::kMain &&
                         (r.trigger != Trigger::kSignal ||
                          r.signal_from != SignalFrom::kParent);
  if (main_acts) Act(0);  // Only a signal returns.
  if (r.wait_for_shutdown) return guard.WaitForShutdown(r.code_when_ok);
  guard.WaitForStop();
  return guard.Shutdown(r.code_when_ok);
}

MainGuardOptions GuardOptions() {
  MainGuardOptions options;
  RuntimeOptions runtime;
  runtime.deadline = absl::Seconds(kDeadlineSeconds);
  runtime.callback_budget = absl::Milliseconds(kCallbackBudgetMs);
  options.runtime = runtime;
  options.quick_exit_hook = g_round.quick_hook != QuickHook::kStandalone;
  return options;
}

}  // namespace
}  // namespace torture
}  // namespace orderly

// LeakSanitizer's hook, asked at the exit-time check: none in a fork()
// child. There the parent's threads are gone, so what only their stacks
// referenced looks leaked ("Running thread ... was not suspended. False
// leaks are possible."), and inherited handles are leaked on purpose.
extern "C" int __lsan_is_turned_off() {
  return orderly::torture::g_in_fork_child.load() ? 1 : 0;
}

int main(int argc, char** argv) {
  using namespace orderly::torture;  // NOLINT: one binary, one round.
  if (argc != 3) {
    orderly::torture::Line(STDERR_FILENO,
                           "usage: exit_round_main <seed> <dir>");
    return 2;
  }
  g_round = ExitRound::Draw(std::strtoull(argv[1], nullptr, 10));
  g_dir = argv[2];
  g_events = OpenAppend("events");
  g_items = OpenAppend("items");
  g_accepted = OpenAppend("accepted");
  orderly::MainGuard guard(GuardOptions());  // First, before any thread.
  if (g_round.quick_hook != QuickHook::kGuard) {
    const absl::Status installed = orderly::InstallQuickExitHook();
    if (!installed.ok()) Fail("InstallQuickExitHook", installed);
  }
  LocalsSentinel sentinel;  // Declared before the handles: goes after them.
  Handles locals;
  auto heap = std::make_unique<Handles>();
  g_locals = &locals;
  g_heap = &heap;
  Build();
  Line(STDOUT_FILENO, "ready");
  g_ready->Notify();
  if (g_round.trigger == Trigger::kReturnPlain) {
    WaitGo();
    return g_round.code;  // main's locals go first, then ~MainGuard's run.
  }
  return Finish(guard);
}
