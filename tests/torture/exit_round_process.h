// Copyright 2026 The orderly Authors.
//
// exit_round_process.h: the process an exit round builds (exit_round.h), in
// exit_round_main, on Runtime::Default(): cleanups, a BackgroundConsumer
// with its producers, ManagedThreads that only a stop ends, foreign threads,
// a ThreadPool; and the shared state the trigger (exit_round_main.cc) uses.
// One process per round, so the state is global: set by main before any
// thread starts, never destroyed where threads the runtime gave up on may
// still use it.
//
// Output: each line is one write(2) on an O_APPEND file, so lines stay whole
// and nothing is lost at exit(), quick_exit() or in a fork() child.

#ifndef ORDERLY_TESTS_TORTURE_EXIT_ROUND_PROCESS_H_
#define ORDERLY_TESTS_TORTURE_EXIT_ROUND_PROCESS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "blocks/background_consumer.h"
#include "blocks/managed_thread.h"
#include "blocks/thread_pool.h"
#include "runtime/stop_token.h"
#include "tests/torture/exit_round.h"

namespace orderly {
namespace torture {

inline constexpr int64_t kStride = 1000000;  // item = producer * kStride + i

extern ExitRound g_round;
extern std::string g_dir;
extern int g_events;    // <dir>/events
extern int g_items;     // <dir>/items
extern int g_accepted;  // <dir>/accepted

int OpenAppend(absl::string_view file);  // <dir>/<file>, O_APPEND
void Line(int fd, absl::string_view line);  // One write(2).
void Event(absl::string_view line);         // Line(g_events, line)
[[noreturn]] void Fail(absl::string_view what, const absl::Status& status);
template <typename T>
T Check(absl::StatusOr<T> value, absl::string_view what) {
  if (!value.ok()) Fail(what, value.status());
  return std::move(*value);
}

// Items handled so far; the trigger waits for g_round.go_after_items.
struct Progress {
  absl::Mutex mu;
  int handled ABSL_GUARDED_BY(mu) = 0;
  int target = 0;  // Set before any thread starts.
  bool Reached() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    return handled >= target;
  }
};
extern Progress* const g_progress;
extern absl::Notification* const g_ready;      // main wrote "ready"
extern absl::Notification* const g_fork_done;  // the forking thread is done

// What a kLockGate thread waits for; its on_terminate takes `mu` to open it.
struct Gate {
  absl::Mutex mu;
  bool open ABSL_GUARDED_BY(mu) = false;
  bool IsOpen() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) { return open; }
};
extern std::vector<Gate*>* const g_gates;  // One per managed thread.

// Where handles live (exit_round.h, Where). Members in this order so that
// the threads (the producers among them) go before the consumer they use.
struct Handles {
  std::unique_ptr<BackgroundConsumer<int64_t>> consumer;
  std::unique_ptr<ThreadPool> pool;
  std::vector<ManagedThread> threads;
};
extern Handles g_namespace;              // Destroyed by static destruction.
extern Handles* g_locals;                // main's local.
extern std::unique_ptr<Handles>* g_heap;  // main's local, owning.
extern BackgroundConsumer<int64_t>* g_consumer;
extern ThreadPool* g_pool;  // Null without a pool.
Handles& At(Where where);

// Appends "locals destroyed" when main's later locals are gone.
struct LocalsSentinel {
  ~LocalsSentinel() { Event("locals destroyed"); }
};

void WaitForStop(StopToken stop);
// The trigger's "random point": after "ready", once enough items went by.
void WaitGo();
// Pushes one item; records it in <dir>/accepted if Push() said OK.
bool PushItem(int producer, int i);

// Everything but the trigger's actors, in g_round's placements; needs
// g_locals and g_heap.
void BuildProcess();

}  // namespace torture
}  // namespace orderly

#endif  // ORDERLY_TESTS_TORTURE_EXIT_ROUND_PROCESS_H_
