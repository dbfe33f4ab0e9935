// Copyright 2026 The orderly Authors.
//
// stop_token.h: react to a stop request without polling.
//
//   orderly::StopToken token = runtime.stop_token();
//   orderly::StopCallback on_stop(token, [&] { listener.Close(); },
//                                 "close listener");
//   while (!token.stop_requested()) Serve(listener);
//
// Semantics follow C++20's std::stop_token / std::stop_callback, with one
// documented difference forced by signal-safety:
// - A StopCallback constructed after the stop was requested runs its
//   callback at once, in the constructor, on the constructing thread.
// - A StopCallback constructed before runs exactly once after the request.
//   Because Runtime::RequestStop() is async-signal-safe, it cannot run
//   callbacks itself; they run on the runtime's sequencer thread as the first
//   step of the sequence (in registration order, each within
//   RuntimeOptions::callback_budget). For a standalone StopSource (used by
//   ManagedThread), RequestStop() runs them inline, exactly as C++20 does.
// - Destroying a StopCallback deregisters it; if its callback is running on
//   another thread, the destructor waits for it to return. A callback may
//   destroy its own StopCallback.
//
// Thread-safety: tokens and sources are safe to use from any thread.
// Lifetime: a token must not outlive the runtime or source it came from
// (Runtime::Default() lives forever).

#ifndef ORDERLY_RUNTIME_STOP_TOKEN_H_
#define ORDERLY_RUNTIME_STOP_TOKEN_H_

#include <string>
#include <thread>

#include "absl/functional/any_invocable.h"
#include "absl/strings/string_view.h"

namespace orderly {

namespace runtime_internal {
class StopState;
struct StopCallbackNode;
}  // namespace runtime_internal

class StopToken {
 public:
  // A token that never stops.
  StopToken() = default;

  bool stop_requested() const;
  // False for a default-constructed token.
  bool stop_possible() const { return state_ != nullptr; }

 private:
  friend class Runtime;
  friend class StopSource;
  friend class StopCallback;
  explicit StopToken(runtime_internal::StopState* state) : state_(state) {}

  runtime_internal::StopState* state_ = nullptr;
};

// An owner of a stop state that runs callbacks inline on RequestStop(), as
// C++20's std::stop_source. Not copyable; tokens refer to it.
class StopSource {
 public:
  StopSource();
  ~StopSource();
  StopSource(const StopSource&) = delete;
  StopSource& operator=(const StopSource&) = delete;

  // Returns true for the call that made the request. Runs the callbacks on
  // the calling thread before returning. Not async-signal-safe.
  bool RequestStop();
  bool stop_requested() const;
  StopToken token() const { return StopToken(state_); }

 private:
  runtime_internal::StopState* state_;
};

class StopCallback {
 public:
  StopCallback(const StopToken& token, absl::AnyInvocable<void()> callback,
               absl::string_view name = "stop callback");
  ~StopCallback();
  StopCallback(const StopCallback&) = delete;
  StopCallback& operator=(const StopCallback&) = delete;

 private:
  runtime_internal::StopState* state_;
  runtime_internal::StopCallbackNode* node_;  // Null if it ran at once.
};

}  // namespace orderly

#endif  // ORDERLY_RUNTIME_STOP_TOKEN_H_
