// Copyright 2026 The orderly Authors.

#include "runtime/internal/stop_state.h"

#include <utility>

#include "runtime/stop_token.h"

namespace orderly {
namespace runtime_internal {

StopState::StopState(Kind kind) noexcept : counted_(kind == Kind::kStandalone) {}

void StopState::Release() noexcept {
  if (counted_ && refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    delete this;
  }
}

void StopState::AddSource() noexcept {
  if (!counted_) return;
  sources_.fetch_add(1, std::memory_order_relaxed);
  AddRef();
}

void StopState::ReleaseSource() noexcept {
  if (!counted_) return;
  sources_.fetch_sub(1, std::memory_order_acq_rel);
  Release();
}

bool StopState::Add(StopCallbackNode* node, absl::string_view name) {
  absl::MutexLock lock(&mu_);
  // Checked under the lock, and the flag is set before whoever runs the
  // callbacks takes this lock: each node is either on the list when they
  // look, or told here to run at once. Never both, never neither.
  if (stop_requested()) return false;
  if (!counted_) node->step_name = std::string(name);
  node->id = next_id_++;
  node->prev = tail_;
  node->next = nullptr;
  (tail_ == nullptr ? head_ : tail_->next) = node;
  tail_ = node;
  node->stage = StopCallbackNode::Stage::kLinked;
  return true;
}

void StopState::UnlinkLocked(StopCallbackNode* node) {
  (node->prev == nullptr ? head_ : node->prev->next) = node->next;
  (node->next == nullptr ? tail_ : node->next->prev) = node->prev;
  node->prev = node->next = nullptr;
}

void StopState::Remove(StopCallbackNode* node) {
  absl::MutexLock lock(&mu_);
  switch (node->stage) {
    case StopCallbackNode::Stage::kIdle:  // Ran, or never registered.
      return;
    case StopCallbackNode::Stage::kLinked:  // Not started: it never will.
      UnlinkLocked(node);
      node->stage = StopCallbackNode::Stage::kIdle;
      return;
    case StopCallbackNode::Stage::kRunning:
      break;
  }
  if (node->runner == std::this_thread::get_id()) {
    // The callback destroys its own StopCallback: do not wait for
    // ourselves; tell Run() not to touch the node afterwards.
    *node->destroyed = true;
    return;
  }
  ++blocked_removals_;
  mu_.Await(absl::Condition(
      +[](StopCallbackNode* n) {
        return n->stage != StopCallbackNode::Stage::kRunning;
      },
      node));
  --blocked_removals_;
}

void StopState::TakeLocked(StopCallbackNode* node, bool* destroyed) {
  UnlinkLocked(node);
  node->stage = StopCallbackNode::Stage::kRunning;
  node->runner = std::this_thread::get_id();
  node->destroyed = destroyed;
}

// Releases a running node however its callback returns, a throw included:
// after this, its owner's destructor neither waits nor writes through
// `destroyed`, which points into the unwound frame.
class StopState::RunGuard {
 public:
  RunGuard(StopState* state, StopCallbackNode* node, bool* destroyed)
      : state_(state), node_(node), destroyed_(destroyed) {}
  RunGuard(const RunGuard&) = delete;
  RunGuard& operator=(const RunGuard&) = delete;
  ~RunGuard() {
    absl::MutexLock lock(&state_->mu_);
    if (*destroyed_) return;  // The owner is gone with its node.
    node_->stage = StopCallbackNode::Stage::kIdle;
    node_->destroyed = nullptr;
  }

 private:
  StopState* const state_;
  StopCallbackNode* const node_;
  bool* const destroyed_;
};

void StopState::Run(StopCallbackNode* node, bool* destroyed) {
  RunGuard guard(this, node, destroyed);
  node->invoke(node);  // User code: no lock held.
}

void StopState::RunCallbacks() noexcept {
  for (;;) {
    bool destroyed = false;
    StopCallbackNode* node;
    {
      absl::MutexLock lock(&mu_);
      node = head_;
      if (node == nullptr) return;
      TakeLocked(node, &destroyed);
    }
    Run(node, &destroyed);  // A throw ends here: noexcept terminates.
  }
}

std::vector<StopState::Pending> StopState::PendingCallbacks() {
  std::vector<Pending> pending;
  absl::MutexLock lock(&mu_);
  for (StopCallbackNode* n = head_; n != nullptr; n = n->next) {
    pending.push_back(Pending{n->id, n->step_name});
  }
  return pending;
}

bool StopState::RunPending(uint64_t id) {
  bool destroyed = false;
  StopCallbackNode* node;
  {
    absl::MutexLock lock(&mu_);
    // Usually the head: the steps run in registration order. An earlier one
    // may still be linked if its step was abandoned before it took it.
    node = head_;
    while (node != nullptr && node->id < id) node = node->next;
    if (node == nullptr || node->id != id) return false;  // Destroyed.
    TakeLocked(node, &destroyed);
  }
  Run(node, &destroyed);
  return true;
}

int StopState::BlockedRemovalsForTesting() const {
  absl::MutexLock lock(&mu_);
  return blocked_removals_;
}

StopState* StopTokenAccess::StateForTesting(const StopToken& token) {
  return token.state_;
}

}  // namespace runtime_internal
}  // namespace orderly
