// Copyright 2026 The orderly Authors.

#include "runtime/internal/stop_state.h"

#include <utility>

namespace orderly {
namespace runtime_internal {

bool StopState::Add(StopCallbackNode* node) {
  absl::MutexLock lock(&mu_);
  // Checked under the lock: DispatchCallbacks() takes the list under the same
  // lock after the flag is set, so each node is either taken by it or told
  // here to run at once. Never both, never neither.
  if (stop_requested()) return false;
  node->prev = tail_;
  node->next = nullptr;
  (tail_ == nullptr ? head_ : tail_->next) = node;
  tail_ = node;
  node->linked = true;
  return true;
}

void StopState::Remove(StopCallbackNode* node) {
  absl::MutexLock lock(&mu_);
  if (node->linked) {
    (node->prev == nullptr ? head_ : node->prev->next) = node->next;
    (node->next == nullptr ? tail_ : node->next->prev) = node->prev;
    node->linked = false;
    return;
  }
  if (!node->running) return;
  if (node->runner == std::this_thread::get_id()) {
    // The callback is destroying its own StopCallback: do not wait for
    // ourselves; tell RunNode() not to touch the node afterwards.
    *node->destroyed_flag = true;
    return;
  }
  mu_.Await(absl::Condition(
      +[](StopCallbackNode* n) { return !n->running; }, node));
}

void StopState::RunNode(StopCallbackNode* node) {
  bool destroyed = false;
  {
    absl::MutexLock lock(&mu_);
    node->runner = std::this_thread::get_id();
    node->destroyed_flag = &destroyed;
  }
  node->callback();
  absl::MutexLock lock(&mu_);
  if (destroyed) return;  // The node is gone.
  node->running = false;
  node->destroyed_flag = nullptr;
}

void StopState::DispatchCallbacks(
    absl::FunctionRef<void(const std::string& name,
                           absl::AnyInvocable<void() &&> run)>
        invoke) {
  for (;;) {
    StopCallbackNode* node;
    std::string name;
    {
      absl::MutexLock lock(&mu_);
      node = head_;
      if (node == nullptr) return;
      head_ = node->next;
      (head_ == nullptr ? tail_ : head_->prev) = nullptr;
      node->linked = false;
      node->running = true;
      name = node->name;
    }
    invoke(name, [this, node] { RunNode(node); });
  }
}

}  // namespace runtime_internal
}  // namespace orderly
