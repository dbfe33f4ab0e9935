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

namespace orderly {
namespace torture {
namespace {

constexpr int64_t kStride = 1000000;  // item = producer * kStride + i

ExitRound g_round;
std::string g_dir;
int g_events = -1;
int g_items = -1;
int g_accepted = -1;

int OpenAppend(absl::string_view file) {
  const std::string path = absl::StrCat(g_dir, "/", file);
  return open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

// One line, one write(2): O_APPEND keeps concurrent lines whole.
void Line(int fd, absl::string_view line) {
  const std::string text = absl::StrCat(line, "\n");
  (void)!write(fd, text.data(), text.size());
}
void Event(absl::string_view line) { Line(g_events, line); }

[[noreturn]] void Fail(absl::string_view what, const absl::Status& status) {
  Line(STDERR_FILENO, absl::StrCat("exit_round_main: setup failed: ", what,
                                   ": ", status.ToString()));
  _exit(90);
}
template <typename T>
T Check(absl::StatusOr<T> value, absl::string_view what) {
  if (!value.ok()) Fail(what, value.status());
  return std::move(*value);
}

// Never destroyed: threads the runtime gave up on may still wait on them.
struct Progress {
  absl::Mutex mu;
  int handled ABSL_GUARDED_BY(mu) = 0;
  int target = 0;  // Set before any thread starts.
  bool Reached() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    return handled >= target;
  }
};
Progress* const g_progress = new Progress();
absl::Notification* const g_ready = new absl::Notification();
absl::Notification* const g_fork_done = new absl::Notification();

// What a kLockGate thread waits for; its on_terminate takes `mu` to open it.
struct Gate {
  absl::Mutex mu;
  bool open ABSL_GUARDED_BY(mu) = false;
  bool IsOpen() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) { return open; }
};
std::vector<Gate*>* const g_gates = new std::vector<Gate*>();

// Where handles live (exit_round.h, Where). Members in this order so that
// the threads (the producers among them) go before the consumer they use.
struct Handles {
  std::unique_ptr<BackgroundConsumer<int64_t>> consumer;
  std::unique_ptr<ThreadPool> pool;
  std::vector<ManagedThread> threads;
};
Handles g_namespace;               // Destroyed by static destruction.
Handles* g_locals = nullptr;       // main's local.
std::unique_ptr<Handles>* g_heap = nullptr;  // main's local, owning.
BackgroundConsumer<int64_t>* g_consumer = nullptr;
ThreadPool* g_pool = nullptr;

Handles& At(Where where) {
  switch (where) {
    case Where::kLocal: return *g_locals;
    case Where::kNamespace: return g_namespace;
    case Where::kHeap: return **g_heap;
  }
  return g_namespace;
}

// Appends "locals destroyed" when main's later locals are gone.
struct LocalsSentinel {
  ~LocalsSentinel() { Event("locals destroyed"); }
};

void WaitForStop(StopToken stop) {
  absl::Notification stopped;
  StopCallback on_stop(stop, [&] { stopped.Notify(); });
  stopped.WaitForNotification();
}

// The trigger's "random point": after "ready", once enough items went by.
void WaitGo() {
  g_ready->WaitForNotification();
  absl::MutexLock lock(&g_progress->mu);
  g_progress->mu.Await(absl::Condition(g_progress, &Progress::Reached));
}

void AddCleanups() {
  Runtime& rt = Runtime::Default();
  for (size_t i = 0; i < g_round.cleanup_phase.size(); ++i) {
    Component c = Check(rt.AddComponent(absl::StrCat("comp", i)), "component");
    const absl::Status added =
        c.AddCleanup(g_round.cleanup_phase[i], absl::StrCat("c", i),
                     [i] { Event(absl::StrCat("cleanup c", i)); });
    if (!added.ok()) Fail("AddCleanup", added);
  }
}

void StartConsumer() {
  BackgroundConsumerOptions<int64_t> options;
  options.capacity = static_cast<size_t>(g_round.capacity);
  options.overflow = OverflowPolicy::kBlock;
  Handles& h = At(g_round.consumer_where);
  h.consumer = Check(BackgroundConsumer<int64_t>::Create(
                         "sink",
                         [](int64_t&& item) {
                           Line(g_items, absl::StrCat(item / kStride, " ",
                                                      item % kStride));
                           absl::MutexLock lock(&g_progress->mu);
                           ++g_progress->handled;
                         },
                         std::move(options)),
                     "BackgroundConsumer::Create");
  g_consumer = h.consumer.get();
}

// Pushes one item; records it as accepted if Push() said OK.
bool PushItem(int producer, int i) {
  if (!g_consumer->Push(producer * kStride + i).ok()) return false;
  Line(g_accepted, absl::StrCat(producer, " ", i));
  return true;
}

void StartProducers() {
  Handles& h = At(g_round.consumer_where);  // Destroyed before the consumer.
  for (size_t p = 0; p < g_round.producer_items.size(); ++p) {
    const int n = g_round.producer_items[p];
    h.threads.push_back(Check(
        ManagedThread::Start(absl::StrCat("p", p),
                             [p, n](StopToken stop) {
                               for (int i = 0; i < n; ++i) {
                                 if (stop.stop_requested()) return;
                                 if (!PushItem(static_cast<int>(p), i)) return;
                               }
                               WaitForStop(stop);
                             }),
        "Start producer"));
  }
}

ManagedThread StartManagedOne(int i) {
  const std::string name = absl::StrCat("m", i);
  ManagedThreadOptions options;
  switch (g_round.managed[i].wakeup) {
    case Wakeup::kToken:
      return Check(ManagedThread::Start(name,
                                        [name](StopToken stop) {
                                          WaitForStop(stop);
                                          Event("released " + name);
                                        }),
                   "Start");
    case Wakeup::kGate: {
      auto gate = std::make_shared<absl::Notification>();
      options.on_terminate = [gate] { gate->Notify(); };
      return Check(ManagedThread::Start(name,
                                        [gate, name] {
                                          gate->WaitForNotification();
                                          Event("released " + name);
                                        },
                                        std::move(options)),
                   "Start");
    }
    case Wakeup::kLockGate: {
      Gate* gate = (*g_gates)[i];
      options.on_terminate = [gate] {
        absl::MutexLock lock(&gate->mu);  // The exit() caller may hold it.
        gate->open = true;
      };
      return Check(ManagedThread::Start(name,
                                        [gate, name] {
                                          gate->mu.LockWhen(absl::Condition(
                                              gate, &Gate::IsOpen));
                                          gate->mu.Unlock();
                                          Event("released " + name);
                                        },
                                        std::move(options)),
                   "Start");
    }
  }
  std::abort();
}

// A foreign std::thread: registers by hand (its on_terminate opens its gate)
// or never; detached, so no static destructor joins it.
void StartForeign(int i, bool registered) {
  auto started = std::make_shared<absl::Notification>();
  std::thread([i, registered, started] {
    const std::string name = absl::StrCat("f", i);
    auto gate = std::make_shared<absl::Notification>();
    if (!registered) {
      started->Notify();
      gate->WaitForNotification();  // Nobody opens it: runs to the end.
      return;
    }
    ThreadOptions options;
    options.on_terminate = [gate] { gate->Notify(); };
    ThreadRegistration reg =
        Check(Runtime::Default().RegisterThread(name, std::move(options)),
              "RegisterThread");
    started->Notify();
    gate->WaitForNotification();
    Event("released " + name);
  }).detach();
  started->WaitForNotification();
}

void StartPool() {
  if (!g_round.pool) return;
  ThreadPoolOptions options;
  options.num_threads = 2;
  Handles& h = At(g_round.pool_where);
  h.pool = Check(ThreadPool::Create("pool", options), "ThreadPool::Create");
  g_pool = h.pool.get();
  for (size_t k = 0; k < g_round.task_behaviour.size(); ++k) {
    const int b = g_round.task_behaviour[k];
    if (g_pool->Post(static_cast<ShutdownBehavior>(b),
                     [k] { Event(absl::StrCat("task ", k)); })
            .ok()) {
      Event(absl::StrCat("posted ", k, " ", b));
    }
  }
}

// --- The trigger ------------------------------------------------------------

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
  g_progress->target = g_round.go_after_items;
  for (size_t i = 0; i < g_round.managed.size(); ++i) {
    g_gates->push_back(new Gate());
  }
  AddCleanups();
  StartConsumer();
  StartProducers();
  for (size_t i = 0; i < g_round.managed.size(); ++i) {
    At(g_round.managed[i].where).threads.push_back(StartManagedOne(i));
  }
  for (size_t i = 0; i < g_round.foreign_registered.size(); ++i) {
    StartForeign(static_cast<int>(i), g_round.foreign_registered[i]);
  }
  StartPool();
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
