// Copyright 2026 The orderly Authors.
//
// stop_state.h (internal): the flag and callback list behind StopToken.
//
// The flag is one atomic; setting it is lock-free and async-signal-safe.
// Registered callbacks live in an intrusive list (the nodes are embedded in
// the StopCallback objects) guarded by a mutex. A node is taken off the list
// only at the moment its callback starts, one at a time, so that destroying a
// StopCallback whose callback has not started just unlinks it: it never
// waits for another callback, and its callback never runs. A node being run
// is marked so that its owner's destructor waits for exactly that callback
// (C++20 ~stop_callback), unless the owner is destroyed by the callback
// itself, on the running thread.
//
// Two kinds of state:
// - kStandalone (StopSource): on the heap, reference-counted by the sources,
//   tokens and registered callbacks that share it; deleted with the last.
//   The source that made the request runs the callbacks (RunCallbacks()).
// - kRuntime: a member of its Runtime, never counted nor deleted; the
//   runtime's sequencer runs the callbacks (PendingCallbacks(), RunPending()).

#ifndef ORDERLY_RUNTIME_INTERNAL_STOP_STATE_H_
#define ORDERLY_RUNTIME_INTERNAL_STOP_STATE_H_

#include <atomic>
#include <cstdint>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace orderly {

class StopToken;

namespace runtime_internal {

// One registration, embedded in its StopCallback (no allocation).
struct StopCallbackNode {
  using InvokeFn = void (*)(StopCallbackNode*);
  enum class Stage : uint8_t { kIdle, kLinked, kRunning };

  explicit StopCallbackNode(InvokeFn fn) noexcept : invoke(fn) {}
  StopCallbackNode(const StopCallbackNode&) = delete;
  StopCallbackNode& operator=(const StopCallbackNode&) = delete;

  const InvokeFn invoke;  // Runs the owner's callback.
  // Every field below is guarded by the owning StopState's mutex (which the
  // annotations cannot name from here).
  std::string step_name;  // A runtime's state only: the report names the step.
  uint64_t id = 0;   // Registration order, for the sequencer's steps.
  StopCallbackNode* prev = nullptr;
  StopCallbackNode* next = nullptr;
  Stage stage = Stage::kIdle;
  std::thread::id runner;     // kRunning: the thread running the callback.
  bool* destroyed = nullptr;  // kRunning: set when the callback destroys it.
};

class StopState {
 public:
  enum class Kind : uint8_t { kStandalone, kRuntime };

  explicit StopState(Kind kind) noexcept;
  StopState(const StopState&) = delete;
  StopState& operator=(const StopState&) = delete;

  // One acquire load.
  bool stop_requested() const noexcept {
    return requested_.load(std::memory_order_acquire);
  }
  // True if a stop was requested or a source can still request one. A
  // runtime is its state's source for the state's whole life.
  bool stop_possible() const noexcept {
    return stop_requested() || sources_.load(std::memory_order_acquire) != 0;
  }

  // Sets the flag. Lock-free and async-signal-safe. True for the first call.
  bool SetRequested() noexcept {
    return !requested_.exchange(true, std::memory_order_acq_rel);
  }

  // Shared ownership (kStandalone; no-ops for kRuntime). A new state holds
  // one source reference, its creator's.
  void AddRef() noexcept {
    if (counted_) refs_.fetch_add(1, std::memory_order_relaxed);
  }
  void Release() noexcept;  // Deletes the state with the last reference.
  void AddSource() noexcept;
  void ReleaseSource() noexcept;

  // Registers `node` (named `name`, for a runtime's report) unless a stop
  // was requested; false then, and the caller runs the callback at once.
  bool Add(StopCallbackNode* node, absl::string_view name);
  // Deregisters `node`. Unlinks a node whose callback has not started; waits
  // while another thread runs its callback; returns at once if the callback
  // runs on this thread (it destroys its own StopCallback).
  void Remove(StopCallbackNode* node);

  // kStandalone, by the source whose request set the flag: runs every
  // registered callback on the calling thread, oldest first. A callback that
  // throws ends the process (std::terminate), as C++20's request_stop().
  void RunCallbacks() noexcept;

  // kRuntime, by the sequencer once the flag is set (the list then only
  // shrinks): the callbacks registered, oldest first, without taking them.
  struct Pending {
    uint64_t id;
    std::string name;
  };
  std::vector<Pending> PendingCallbacks();
  // Runs the callback `id` if it is still registered; false if its
  // StopCallback was destroyed first. Rethrows what the callback throws,
  // after releasing its node (its owner can always be destroyed).
  bool RunPending(uint64_t id);

  // How many Remove() calls wait for a running callback now.
  int BlockedRemovalsForTesting() const;

 private:
  ~StopState() = default;  // Release() deletes a standalone state.
  friend class StopStateOwner;

  class RunGuard;
  // Takes `node` off the list and marks it running on this thread.
  void TakeLocked(StopCallbackNode* node, bool* destroyed)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void UnlinkLocked(StopCallbackNode* node) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Runs a node that TakeLocked() took; releases it however it returns.
  void Run(StopCallbackNode* node, bool* destroyed);

  std::atomic<bool> requested_{false};
  const bool counted_;
  std::atomic<uint32_t> refs_{1};
  std::atomic<uint32_t> sources_{1};

  mutable absl::Mutex mu_;
  StopCallbackNode* head_ ABSL_GUARDED_BY(mu_) = nullptr;
  StopCallbackNode* tail_ ABSL_GUARDED_BY(mu_) = nullptr;
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
  int blocked_removals_ ABSL_GUARDED_BY(mu_) = 0;
};

// Lets the Runtime hold its state as a member (the destructor is private so
// that nobody deletes a standalone state behind its references' back).
class StopStateOwner {
 public:
  StopStateOwner() noexcept : state_(StopState::Kind::kRuntime) {}
  ~StopStateOwner() = default;
  StopState& get() noexcept { return state_; }
  const StopState& get() const noexcept { return state_; }
  // For the child of fork(): a fresh state over the parent's (leaked).
  void ResetInChild() noexcept {
    new (&state_) StopState(StopState::Kind::kRuntime);
  }

 private:
  StopState state_;
};

// Test access to a token's state.
struct StopTokenAccess {
  static StopState* StateForTesting(const StopToken& token);
};

}  // namespace runtime_internal
}  // namespace orderly

#endif  // ORDERLY_RUNTIME_INTERNAL_STOP_STATE_H_
