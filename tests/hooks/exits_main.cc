// Copyright 2026 The orderly Authors.
//
// exits_main: the ways a real process ends (issue 11), one per run, each in a
// process of its own; exits_test.cc starts it as
//   exits_main <scenario> <variant> <dir>
// and checks its exit code, its time and the lines it appends to
// <dir>/events. Written against the public headers only, as a service would.
//
// Output protocol: "ready" on stdout (write(2)) once every thread runs.

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "blocks/background_consumer.h"
#include "blocks/managed_thread.h"
#include "blocks/thread_pool.h"
#include "hooks/main_guard.h"
#include "hooks/quick_exit_hook.h"
#include "runtime/runtime.h"

namespace orderly {
namespace {

std::string g_dir;
std::string g_variant;
std::atomic<bool> g_in_fork_child{false};

void Say(absl::string_view line) {
  const std::string text = absl::StrCat(line, "\n");
  (void)!write(STDOUT_FILENO, text.data(), text.size());
}

// Appends one line to <dir>/<file>; O_APPEND keeps concurrent lines whole.
void Append(absl::string_view file, absl::string_view line) {
  const std::string path = absl::StrCat(g_dir, "/", file);
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
                      0644);
  if (fd < 0) return;
  const std::string text = absl::StrCat(line, "\n");
  (void)!write(fd, text.data(), text.size());
  close(fd);
}
void Event(absl::string_view line) { Append("events", line); }

template <typename T>
T Check(absl::StatusOr<T> value, absl::string_view what) {
  if (!value.ok()) {
    Say(absl::StrCat("setup failed: ", what, ": ", value.status().ToString()));
    _exit(90);
  }
  return std::move(*value);
}
void Check(const absl::Status& status, absl::string_view what) {
  if (status.ok()) return;
  Say(absl::StrCat("setup failed: ", what, ": ", status.ToString()));
  _exit(90);
}

[[noreturn]] void Forever() {
  absl::Notification never;
  never.WaitForNotification();
  std::abort();
}

// A thread that only its terminate callback releases: it blocks in read()
// on a pipe that on_terminate writes to (an io_context::run(), a socket).
ManagedThread StartReader(const std::string& name) {
  auto fds = std::make_shared<std::array<int, 2>>();
  if (pipe(fds->data()) != 0) _exit(91);
  ManagedThreadOptions options;
  options.on_terminate = [fds] { (void)!write((*fds)[1], "x", 1); };
  return Check(ManagedThread::Start(
                   name,
                   [fds, name] {
                     char c;
                     (void)!read((*fds)[0], &c, 1);  // Ignores its token.
                     Event(absl::StrCat(name, " released"));
                   },
                   std::move(options)),
               "ManagedThread::Start");
}

// --- 1. main, as documented -------------------------------------------------

// Registers a thread and a cleanup that touches `this`.
class Server {
 public:
  Server() : reader_(StartReader("reader")) {
    Runtime& rt = Runtime::Default();
    Component self = Check(rt.AddComponent("server"), "AddComponent");
    Check(self.AddCleanup("close", "close-server",
                          [this] { Event(absl::StrCat("cleanup: ", *state_)); }),
          "AddCleanup");
  }
  ~Server() {
    *state_ = "server destroyed";
    Event("~Server");
  }

 private:
  // On the heap so that a use after ~Server reads what the test can see.
  std::unique_ptr<std::string> state_ =
      std::make_unique<std::string>("server alive");
  ManagedThread reader_;
};

int DocumentedMain() {
  MainGuard guard;
  if (g_variant == "handle_scope") {
    // A handle destroyed long before any stop: terminate, then joined.
    { ManagedThread scoped = StartReader("scoped"); }
    Event("scope left");
  }
  Server server;
  Say("ready");
  if (g_variant == "wait_for_shutdown") return guard.WaitForShutdown();
  if (g_variant != "batch") guard.WaitForStop();  // SIGTERM from the test.
  return guard.Shutdown();
}

// --- 2. exit(3) holding a lock a terminate callback needs -------------------

int ExitHoldingLock() {
  std::unique_ptr<MainGuard> guard;
  if (g_variant == "guard") guard = std::make_unique<MainGuard>();
  static absl::Mutex* const lock = new absl::Mutex();
  ManagedThreadOptions needs_lock;
  needs_lock.on_terminate = [] {
    absl::MutexLock hold(lock);  // Held for good by the exit() caller.
  };
  ManagedThread waiter = Check(
      ManagedThread::Start(
          "needs-lock",
          [](StopToken stop) {
            absl::Notification stopped;
            StopCallback on_stop(stop, [&] { stopped.Notify(); });
            stopped.WaitForNotification();
          },
          std::move(needs_lock)),
      "Start needs-lock");
  auto go = std::make_shared<absl::Notification>();
  ManagedThread exiter = Check(ManagedThread::Start("exiter", [go] {
                                 lock->Lock();
                                 go->WaitForNotification();
                                 std::exit(3);
                               }),
                               "Start exiter");
  Say("ready");
  go->Notify();
  if (guard == nullptr) Forever();
  guard->WaitForStop();
  return guard->Shutdown();
}

// --- 3. exit(1) and exit(2) at once, handles at namespace scope -------------

ManagedThread g_exit_one;
ManagedThread g_exit_two;
ManagedThread g_worker;

int ConcurrentExits() {
  std::unique_ptr<MainGuard> guard;
  if (g_variant == "guard") guard = std::make_unique<MainGuard>();
  Runtime& rt = Runtime::Default();
  for (const char* phase : {"flush", "close", "release"}) {
    Component c = Check(rt.AddComponent(absl::StrCat("c-", phase)), "Add");
    Check(c.AddCleanup(phase, "note", [phase] {
            Event(absl::StrCat("cleanup ", phase));
          }),
          "AddCleanup");
  }
  g_worker = StartReader("worker");
  auto go = std::make_shared<absl::Notification>();
  g_exit_one = Check(ManagedThread::Start("exit-1", [go] {
                       go->WaitForNotification();
                       std::exit(1);
                     }),
                     "Start");
  g_exit_two = Check(ManagedThread::Start("exit-2", [go] {
                       go->WaitForNotification();
                       std::exit(2);
                     }),
                     "Start");
  Say("ready");
  go->Notify();
  if (guard == nullptr) Forever();
  guard->WaitForStop();
  return guard->Shutdown();
}

// --- 4. fork() with threads, a consumer and a pool running ------------------

ManagedThread g_inherited;
constexpr int kForks = 10;
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAllocatorForkUnsafe = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAllocatorForkUnsafe = true;
#else
constexpr bool kAllocatorForkUnsafe = false;
#endif
#else
constexpr bool kAllocatorForkUnsafe = false;
#endif

void ChildUsesInherited(int round, BackgroundConsumer<int>* consumer,
                        ManagedThread* local, ThreadPool* pool) {
  const std::string file = absl::StrCat("child-", round);
  Append(file, absl::StrCat("push: ", consumer->Push(1).ToString()));
  Append(file, absl::StrCat("join: ", g_inherited.Join().ToString()));
  Append(file, absl::StrCat("join_local: ", local->JoinFor(absl::Seconds(5))
                                                .ToString()));
  Append(file, absl::StrCat("post: ", pool->Post(ShutdownBehavior::
                                                     kBlockShutdown,
                                                 [] {})
                                          .ToString()));
}

int ForkChild() {
  std::unique_ptr<MainGuard> guard;
  if (g_variant == "guard") guard = std::make_unique<MainGuard>();
  static std::atomic<int64_t> handled{0};
  auto consumer = Check(BackgroundConsumer<int>::Create(
                            "sink", [](int&&) { handled.fetch_add(1); }),
                        "Create consumer");
  auto pool = Check(ThreadPool::Create("pool"), "Create pool");
  g_inherited = StartReader("inherited");
  ManagedThread local = StartReader("local");
  // Pushes without pause, so the consumer's lock is often held at fork().
  // Under ASan it pauses at each fork(), once the consumer has caught up:
  // clang 14's ASan allocator is not fork-safe (a child forked while
  // another thread allocates can block in malloc for good).
  std::atomic<bool> stop{false};
  std::atomic<bool> pause{false};
  std::atomic<bool> paused{false};
  std::atomic<int64_t> accepted{0};
  std::thread producer([&] {
    while (!stop.load(std::memory_order_relaxed)) {
      if (kAllocatorForkUnsafe && pause.load()) {
        paused.store(true);
        continue;
      }
      paused.store(false);
      if (consumer->Push(7).ok()) accepted.fetch_add(1);
    }
  });
  Say("ready");
  for (int round = 0; round < kForks; ++round) {
    if (kAllocatorForkUnsafe) {
      paused.store(false);  // Only the producer sets it, while it pauses.
      pause.store(true);
      while (!paused.load() || handled.load() < accepted.load()) {
        std::this_thread::yield();
      }
    }
    const pid_t pid = fork();
    pause.store(false);
    if (pid < 0) return 92;
    if (pid == 0) {
      g_in_fork_child.store(true);
      ChildUsesInherited(round, consumer.get(), &local, pool.get());
      if (round % 2 == 1) {  // Destroy the inherited locals too.
        consumer.reset();
        pool.reset();
        local = ManagedThread();
      }
      Append(absl::StrCat("child-", round), "exiting");
      std::exit(0);  // Static destructors: ~g_inherited in the child.
    }
    int status = 0;
    if (waitpid(pid, &status, 0) != pid) return 93;
    Event(absl::StrCat("child ", round, " exit ",
                       WIFEXITED(status) ? WEXITSTATUS(status)
                                         : 1000 + WTERMSIG(status)));
  }
  stop = true;
  producer.join();
  if (guard == nullptr) return 0;
  return guard->Shutdown();
}

// --- 5. quick_exit(3) with records queued on a consumer ---------------------

constexpr int kRecords = 1000;

int QuickExit() {
  std::unique_ptr<MainGuard> guard;
  if (g_variant == "guard") {
    guard = std::make_unique<MainGuard>();
  } else {
    Check(InstallQuickExitHook(), "InstallQuickExitHook");
  }
  const std::string path = g_dir + "/records";
  static int fd = -1;
  fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  auto log = Check(BackgroundConsumer<std::string>::Create(
                       "log",
                       [](std::string&& line) {
                         line += "\n";
                         (void)!write(fd, line.data(), line.size());
                       }),
                   "Create");
  for (int i = 0; i < kRecords; ++i) {
    Check(log->Push(absl::StrCat("record ", i)), "Push");
  }
  Check(log->Push("forcing exit"), "Push");
  std::quick_exit(3);
}

}  // namespace
}  // namespace orderly

// LeakSanitizer's hook, asked at the exit-time check: none in a fork()
// child. There the parent's threads are gone, so what only their stacks
// referenced looks leaked ("Running thread ... was not suspended. False
// leaks are possible.").
extern "C" int __lsan_is_turned_off() {
  return orderly::g_in_fork_child.load() ? 1 : 0;
}

int main(int argc, char** argv) {
  using Scenario = int (*)();
  const std::map<std::string, Scenario> scenarios = {
      {"documented_main", &orderly::DocumentedMain},
      {"exit_holding_lock", &orderly::ExitHoldingLock},
      {"concurrent_exits", &orderly::ConcurrentExits},
      {"fork_child", &orderly::ForkChild},
      {"quick_exit", &orderly::QuickExit},
  };
  if (argc != 4 || scenarios.count(argv[1]) == 0) {
    orderly::Say("usage: exits_main <scenario> <variant> <dir>");
    return 2;
  }
  orderly::g_variant = argv[2];
  orderly::g_dir = argv[3];
  return scenarios.at(argv[1])();
}
