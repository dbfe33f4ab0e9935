// Copyright 2026 The orderly Authors.
//
// scenario_main: runs one process-hooks scenario, named by argv[1], in a
// process of its own; the tests of tests/hooks/ (hooks_test_util.h) start
// it and check its exit code, its output and the files it writes under
// argv[2].
//
// Output protocol: lines on stdout, written with write(2) (no stdio buffer to
// lose at _exit). "ready" means every thread the scenario starts is
// registered and running; the test acts on the child only after it.

#include <fcntl.h>
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "hooks/main_guard.h"
#include "runtime/runtime.h"

namespace orderly {
namespace {

std::string g_dir;  // argv[2]: where the scenario writes its files.

void Say(absl::string_view line) {
  const std::string text = absl::StrCat(line, "\n");
  (void)!write(STDOUT_FILENO, text.data(), text.size());
}

// Appends one line to <dir>/events; O_APPEND keeps concurrent lines whole.
void Event(absl::string_view line) {
  const std::string path = g_dir + "/events";
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
                      0644);
  if (fd < 0) return;
  const std::string text = absl::StrCat(line, "\n");
  (void)!write(fd, text.data(), text.size());
  close(fd);
}

void Check(const absl::Status& status, absl::string_view what) {
  if (status.ok()) return;
  Say(absl::StrCat("scenario setup failed: ", what, ": ", status.ToString()));
  _exit(90);
}

// Blocks the calling thread for good (it is never waited for).
[[noreturn]] void Forever() {
  for (;;) absl::SleepFor(absl::Seconds(1));
}

// Starts a registered, detached thread that waits until its terminate
// callback runs, then runs `then` and ends its registration. Returns once it
// is registered.
void StartWaiter(const std::string& name, std::function<void()> then) {
  auto registered = std::make_shared<absl::Notification>();
  std::thread([name, then = std::move(then), registered] {
    absl::Notification stop;  // Outlives `reg`, whose end waits for Notify.
    ThreadOptions options;
    options.on_terminate = [&stop] { stop.Notify(); };
    auto reg = Runtime::Default().RegisterThread(name, std::move(options));
    Check(reg.status(), "RegisterThread");
    registered->Notify();
    stop.WaitForNotification();
    if (then) then();
  }).detach();
  registered->WaitForNotification();
}

// Declares `component` (once) and adds a cleanup to it.
void AddCleanup(const std::string& component, const std::string& phase,
                const std::string& name, std::function<void()> fn) {
  Runtime& rt = Runtime::Default();
  auto added = rt.AddComponent(component);
  if (!added.ok() && added.status().code() != absl::StatusCode::kAlreadyExists) {
    Check(added.status(), "AddComponent");
  }
  Check(rt.AddCleanup(component, phase, name, std::move(fn)), "AddCleanup");
}

// exit code: 100 + the signal when a signal stopped it and all went well.
MainGuardOptions SignalExitCodes() {
  MainGuardOptions options;
  options.exit_code = [](const ShutdownReport& r) -> std::optional<int> {
    if (r.reason.kind() == StopReason::Kind::kSignal && r.ok()) {
      return 100 + r.reason.code();
    }
    return 1;
  };
  return options;
}

// --- A static object whose destructor checks that no worker still runs.

std::atomic<int> g_busy{0};
std::atomic<bool> g_check_busy{false};

struct BusyWitness {
  ~BusyWitness() {
    if (!g_check_busy.load()) return;
    const int busy = g_busy.load();
    Say(busy == 0 ? "static destructor: no worker running"
                  : absl::StrCat("static destructor: ", busy,
                                 " workers STILL RUNNING"));
  }
};
BusyWitness g_witness;  // Constructed before main: destroyed after the hook.

std::atomic<bool> g_say_destructor{false};
struct DestructorWitness {
  ~DestructorWitness() {
    if (g_say_destructor.load()) Say("static destructor ran");
  }
};
DestructorWitness g_destructor_witness;

// --- Scenarios ------------------------------------------------------------

// main returns with a registered thread running and a cleanup declared.
int MainReturns() {
  MainGuard guard;
  StartWaiter("worker", [] { Event("worker stopped"); });
  AddCleanup("store", "close", "write-file",
             [] { Event("cleanup store/write-file"); });
  Say("ready");
  return 0;
}

// exit(3) from a worker while five others are busy; no guard: the exit hook
// comes with the first use of Runtime::Default().
int ExitFromWorker() {
  g_check_busy = true;
  constexpr int kBusy = 5;
  auto all_busy = std::make_shared<absl::Notification>();
  auto started = std::make_shared<std::atomic<int>>(0);
  for (int i = 0; i < kBusy; ++i) {
    ++g_busy;
    std::thread([i, all_busy, started] {
      std::atomic<bool> stop{false};
      ThreadOptions options;
      options.on_terminate = [&stop] { stop = true; };
      auto reg = Runtime::Default().RegisterThread(absl::StrCat("busy-", i),
                                                   std::move(options));
      Check(reg.status(), "RegisterThread");
      if (++*started == kBusy) all_busy->Notify();
      // Busy, never blocked; yields so that five spinners on a small
      // machine leave the sequence some CPU.
      uint64_t work = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        work = work * 31 + 7;
        std::this_thread::yield();
      }
      --g_busy;  // Before the registration ends: the join sees it.
    }).detach();
  }
  std::thread([all_busy] {
    auto reg = Runtime::Default().RegisterThread("exiter");
    Check(reg.status(), "RegisterThread");
    all_busy->WaitForNotification();
    Say("ready");
    std::exit(3);
  }).detach();
  Forever();
}

// exit(1) and exit(2) on two threads at once, while a cleanup calls exit(7).
int ThreeExits() {
  StartWaiter("worker", [] { Event("worker stopped"); });
  AddCleanup("a", "flush", "first", [] { Event("cleanup a/first"); });
  AddCleanup("b", "close", "calls-exit", [] {
    Event("cleanup b/calls-exit");
    std::exit(7);
  });
  AddCleanup("c", "release", "last", [] { Event("cleanup c/last"); });
  auto go = std::make_shared<absl::Notification>();
  for (int code : {1, 2}) {
    auto registered = std::make_shared<absl::Notification>();
    std::thread([code, go, registered] {
      auto reg = Runtime::Default().RegisterThread(absl::StrCat("exit-", code));
      Check(reg.status(), "RegisterThread");
      registered->Notify();
      go->WaitForNotification();
      std::exit(code);
    }).detach();
    registered->WaitForNotification();
  }
  Say("ready");
  go->Notify();  // Both at once.
  Forever();
}

// SIGTERM (sent by the test) stops it in order.
int Sigterm() {
  MainGuard guard(SignalExitCodes());
  if (getpid() == 1) Say("pid 1");
  StartWaiter("worker", [] { Event("worker stopped"); });
  AddCleanup("store", "close", "write-file",
             [] { Event("cleanup store/write-file"); });
  Say("ready");
  guard.WaitForStop();
  Event("main: stop requested");
  return 9;  // Replaced by the guard's exit code.
}

// A terminate callback blocks for 30 s; SIGINT twice ends it at once.
int SigintTwice() {
  MainGuardOptions options;
  RuntimeOptions runtime;
  runtime.callback_budget = absl::Seconds(60);
  runtime.deadline = absl::Seconds(60);
  options.runtime = runtime;
  MainGuard guard(std::move(options));
  auto registered = std::make_shared<absl::Notification>();
  std::thread([registered] {
    ThreadOptions thread_options;
    thread_options.on_terminate = [] {
      Say("terminate callback blocking");
      absl::SleepFor(absl::Seconds(30));
    };
    auto reg = Runtime::Default().RegisterThread("blocker",
                                                 std::move(thread_options));
    Check(reg.status(), "RegisterThread");
    registered->Notify();
    Forever();
  }).detach();
  registered->WaitForNotification();
  AddCleanup("store", "flush", "flush-file", [] { Event("flushed"); });
  Say("ready");
  guard.WaitForStop();
  return 0;
}

// SIGTERM while main holds a lock that a cleanup needs.
int SigtermWhileMainHoldsLock() {
  MainGuard guard(SignalExitCodes());
  static absl::Mutex* const mu = new absl::Mutex();
  AddCleanup("store", "close", "needs-lock", [] {
    absl::MutexLock lock(mu);
    Event("cleanup took the lock");
  });
  absl::MutexLock lock(mu);
  Say("ready");
  guard.WaitForStop();  // With `mu` held.
  Event("main: stop requested, releasing the lock");
  return 0;
}

ABSL_ATTRIBUTE_NOINLINE void StuckForever() {
  for (;;) absl::SleepFor(absl::Seconds(1));
}

ABSL_ATTRIBUTE_NOINLINE void StubbornThreadBody() {
  for (;;) absl::SleepFor(absl::Seconds(1));
}

MainGuardOptions OneSecondDeadline() {
  MainGuardOptions options;
  RuntimeOptions runtime;
  runtime.deadline = absl::Seconds(1);
  runtime.deadline_exit_code = 86;
  options.runtime = runtime;
  return options;
}

// A cleanup that never returns; the deadline is 1 s.
int StuckCleanup() {
  MainGuard guard(OneSecondDeadline());
  AddCleanup("stuck", "close", "never-returns", [] { StuckForever(); });
  Say("ready");
  return 0;
}

// A registered thread that ignores its terminate callback; deadline 1 s.
int StubbornThread() {
  MainGuard guard(OneSecondDeadline());
  auto registered = std::make_shared<absl::Notification>();
  std::thread([registered] {
    auto reg = Runtime::Default().RegisterThread("stubborn");
    Check(reg.status(), "RegisterThread");
    registered->Notify();
    StubbornThreadBody();
  }).detach();
  registered->WaitForNotification();
  Say("ready");
  return 0;
}

// fork() with four registered threads running; the child calls exit(0).
int Fork() {
  MainGuard guard;
  for (int i = 0; i < 4; ++i) {
    StartWaiter(absl::StrCat("worker-", i),
                [i] { Event(absl::StrCat("worker-", i, " stopped")); });
  }
  const absl::Time start = absl::Now();
  const pid_t pid = fork();
  if (pid < 0) return 91;
  if (pid == 0) {
    Say("child: forked");
    std::exit(0);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return 92;
  Say(absl::StrCat("child exited with ",
                   WIFEXITED(status) ? WEXITSTATUS(status) : -1, " after ",
                   absl::ToInt64Milliseconds(absl::Now() - start), "ms"));
  Say(absl::StrCat("parent: stop requested: ",
                   Runtime::Default().stop_requested() ? "yes" : "no"));
  Say("ready");
  return 0;
}

// A daemon thread still runs after the sequence: the process must end
// without static destructors, after flushing stdio. With argv "run", the
// policy is kAlwaysRun instead.
int DaemonAlive(bool always_run) {
  g_say_destructor = true;
  MainGuardOptions options;
  if (always_run) {
    options.exit.process_end.static_destructors = StaticDestructors::kAlwaysRun;
  }
  MainGuard guard(std::move(options));
  auto registered = std::make_shared<absl::Notification>();
  std::thread([registered] {
    ThreadOptions daemon;
    daemon.daemon = true;
    auto reg = Runtime::Default().RegisterThread("metrics", std::move(daemon));
    Check(reg.status(), "RegisterThread");
    registered->Notify();
    Forever();  // Ignores the stop: still running when the process ends.
  }).detach();
  registered->WaitForNotification();
  // Buffered (stdout is a pipe): lost unless stdio is flushed.
  std::printf("buffered line without a newline");
  return 0;
}

// A library's own thread, never registered, still runs when the process
// ends. By default it is reported and static destructors run; with
// `as_daemon`, ProcessEndOptions treat it as a daemon.
int UnknownThreadAlive(bool as_daemon) {
  g_say_destructor = true;
  MainGuardOptions options;
  if (as_daemon) {
    options.exit.process_end.unknown_threads =
        UnknownThreadPolicy::kTreatAsDaemons;
  }
  MainGuard guard(std::move(options));
  auto named = std::make_shared<absl::Notification>();
  std::thread([named] {
    pthread_setname_np(pthread_self(), "lib-flusher");
    named->Notify();
    Forever();
  }).detach();
  named->WaitForNotification();
  return 0;
}

// Returns from main under NOTIFY_SOCKET (set by the test).
int Systemd() {
  MainGuard guard;
  StartWaiter("worker", nullptr);
  Say("ready");
  return 0;
}

}  // namespace
}  // namespace orderly

int main(int argc, char** argv) {
  using Scenario = int (*)();
  const std::map<std::string, Scenario> scenarios = {
      {"main_returns", &orderly::MainReturns},
      {"exit_from_worker", &orderly::ExitFromWorker},
      {"three_exits", &orderly::ThreeExits},
      {"sigterm", &orderly::Sigterm},
      {"sigint_twice", &orderly::SigintTwice},
      {"sigterm_lock", &orderly::SigtermWhileMainHoldsLock},
      {"stuck_cleanup", &orderly::StuckCleanup},
      {"stuck_thread", &orderly::StubbornThread},
      {"fork", &orderly::Fork},
      {"systemd", &orderly::Systemd},
      {"daemon_alive", [] { return orderly::DaemonAlive(false); }},
      {"daemon_alive_run_destructors",
       [] { return orderly::DaemonAlive(true); }},
      {"unknown_thread_alive",
       [] { return orderly::UnknownThreadAlive(false); }},
      {"unknown_thread_alive_as_daemon",
       [] { return orderly::UnknownThreadAlive(true); }},
  };
  if (argc != 3 || scenarios.count(argv[1]) == 0) {
    orderly::Say("usage: scenario_main <scenario> <dir>");
    return 2;
  }
  orderly::g_dir = argv[2];
#if defined(ORDERLY_SANITIZER_BUILD)
  // Sanitizers make every callback several times slower, and a loaded
  // machine more so: under TSan a trivial terminate callback was seen
  // missing the default 1 s budget. Scenarios that test a budget or the
  // deadline set their own options (MainGuardOptions::runtime replaces
  // these).
  orderly::RuntimeOptions slow;
  slow.callback_budget = absl::Seconds(10);
  orderly::Check(orderly::Runtime::SetDefaultOptions(slow),
                 "SetDefaultOptions");
#endif
  return scenarios.at(argv[1])();
}
