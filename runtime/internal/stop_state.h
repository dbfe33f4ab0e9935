// Copyright 2026 The orderly Authors.
//
// stop_state.h (internal): the flag and callback list behind StopToken.
//
// The flag is one atomic; setting it is async-signal-safe. Callbacks live in
// an intrusive list guarded by a mutex, and are run one at a time outside the
// lock by DispatchCallbacks(); a node being run is marked so that its owner's
// destructor waits for it (C++20 ~stop_callback semantics).

#ifndef ORDERLY_RUNTIME_INTERNAL_STOP_STATE_H_
#define ORDERLY_RUNTIME_INTERNAL_STOP_STATE_H_

#include <atomic>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/functional/function_ref.h"
#include "absl/synchronization/mutex.h"

namespace orderly {
namespace runtime_internal {

struct StopCallbackNode {
  absl::AnyInvocable<void()> callback;
  std::string name;
  StopCallbackNode* prev = nullptr;
  StopCallbackNode* next = nullptr;
  // The fields below are guarded by the owning StopState's mutex.
  bool linked = false;   // In the list.
  bool running = false;  // Taken by DispatchCallbacks(), not yet returned.
  std::thread::id runner;          // The thread running the callback.
  bool* destroyed_flag = nullptr;  // Set when the callback removes its node.
};

class StopState {
 public:
  StopState() = default;
  StopState(const StopState&) = delete;
  StopState& operator=(const StopState&) = delete;

  bool stop_requested() const {
    return requested_.load(std::memory_order_acquire);
  }

  // Sets the flag. Lock-free and async-signal-safe. True for the first call.
  bool RequestStop() {
    return !requested_.exchange(true, std::memory_order_acq_rel);
  }

  // Registers `node`, or returns false if the stop was already requested, in
  // which case the caller runs the callback itself, at once.
  bool Add(StopCallbackNode* node);
  // Deregisters `node`; waits while another thread runs its callback.
  // Returns after the node is no longer referenced by this state.
  void Remove(StopCallbackNode* node);

  // Takes every registered callback once, oldest first, and hands it to
  // `invoke(name, run)` outside the lock. `invoke` must call `run()` exactly
  // once, on any thread (the sequencer runs it on its executor, within a
  // budget); `run()` runs the callback and then releases the node, so an
  // owner destroying its StopCallback meanwhile waits for exactly that.
  // Callbacks registered while this runs are taken too. Requires
  // stop_requested().
  void DispatchCallbacks(
      absl::FunctionRef<void(const std::string& name,
                             absl::AnyInvocable<void() &&> run)>
          invoke);

 private:
  std::atomic<bool> requested_{false};
  void RunNode(StopCallbackNode* node);

  absl::Mutex mu_;
  StopCallbackNode* head_ ABSL_GUARDED_BY(mu_) = nullptr;
  StopCallbackNode* tail_ ABSL_GUARDED_BY(mu_) = nullptr;
};

}  // namespace runtime_internal
}  // namespace orderly

#endif  // ORDERLY_RUNTIME_INTERNAL_STOP_STATE_H_
