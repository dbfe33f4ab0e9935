// Copyright 2026 The orderly Authors.

#include "runtime/stop_token.h"

#include <memory>
#include <utility>

#include "runtime/internal/stop_state.h"

namespace orderly {

bool StopToken::stop_requested() const {
  return state_ != nullptr && state_->stop_requested();
}

StopSource::StopSource() : state_(new runtime_internal::StopState()) {}

StopSource::~StopSource() { delete state_; }

bool StopSource::RequestStop() {
  if (!state_->RequestStop()) return false;
  state_->DispatchCallbacks(
      [](const std::string&, absl::AnyInvocable<void() &&> run) {
        std::move(run)();
      });
  return true;
}

bool StopSource::stop_requested() const { return state_->stop_requested(); }

StopCallback::StopCallback(const StopToken& token,
                           absl::AnyInvocable<void()> callback,
                           absl::string_view name)
    : state_(token.state_), node_(nullptr) {
  if (state_ == nullptr) return;  // A token that never stops.
  auto node = std::make_unique<runtime_internal::StopCallbackNode>();
  node->callback = std::move(callback);
  node->name = std::string(name);
  if (state_->Add(node.get())) {
    node_ = node.release();
  } else {
    node->callback();  // Stop already requested: run at once.
  }
}

StopCallback::~StopCallback() {
  if (node_ == nullptr) return;
  state_->Remove(node_);
  delete node_;
}

}  // namespace orderly
