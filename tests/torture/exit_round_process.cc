// Copyright 2026 The orderly Authors.

#include "tests/torture/exit_round_process.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "blocks/background_consumer.h"
#include "blocks/managed_thread.h"
#include "blocks/thread_pool.h"
#include "runtime/runtime.h"
#include "tests/torture/exit_round.h"

namespace orderly {
namespace torture {

ExitRound g_round;
std::string g_dir;
int g_events = -1;
int g_items = -1;
int g_accepted = -1;

int OpenAppend(absl::string_view file) {
  const std::string path = absl::StrCat(g_dir, "/", file);
  return open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

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

Progress* const g_progress = new Progress();
absl::Notification* const g_ready = new absl::Notification();
absl::Notification* const g_fork_done = new absl::Notification();

std::vector<Gate*>* const g_gates = new std::vector<Gate*>();

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

void WaitForStop(StopToken stop) {
  absl::Notification stopped;
  StopCallback on_stop(stop, [&] { stopped.Notify(); });
  stopped.WaitForNotification();
}

void WaitGo() {
  g_ready->WaitForNotification();
  absl::MutexLock lock(&g_progress->mu);
  g_progress->mu.Await(absl::Condition(g_progress, &Progress::Reached));
}

bool PushItem(int producer, int i) {
  if (!g_consumer->Push(producer * kStride + i).ok()) return false;
  Line(g_accepted, absl::StrCat(producer, " ", i));
  return true;
}

namespace {

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

}  // namespace

void BuildProcess() {
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
}

}  // namespace torture
}  // namespace orderly
