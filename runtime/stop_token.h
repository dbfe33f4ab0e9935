// Copyright 2026 The orderly Authors.
//
// stop_token.h: react to a stop request without polling.
//
//   orderly::StopToken token = runtime.stop_token();
//   orderly::StopCallback on_stop(token, [&] { listener.Close(); },
//                                 "close listener");
//   while (!token.stop_requested()) Serve(listener);
//
// StopSource, StopToken and StopCallback<Callback> are C++20's
// std::stop_source, std::stop_token and std::stop_callback<Callback>, in
// orderly's names (RequestStop(), token(), kNoStopState) and with an optional
// name for each callback. A token comes from one of two kinds of source:
//
// A standalone StopSource (ManagedThread uses one) behaves exactly as C++20:
// - The state is shared by the sources, tokens and StopCallbacks that refer
//   to it, and lives as long as the last of them. Copies share the state;
//   the source of a move has none; a default-constructed token, and a
//   StopSource(kNoStopState), have none (and allocate nothing).
// - RequestStop() sets the flag and, if this call set it, runs every
//   registered callback on the calling thread before returning, oldest
//   first (C++20 leaves the order unspecified).
// - A callback that throws ends the process (std::terminate): RequestStop()
//   is noexcept, as request_stop() is.
//
// A Runtime's token (Runtime::stop_token()) differs from C++20 where the
// runtime's contract requires it; each difference is deliberate, and tested
// (RuntimeStopTokenTest in tests/runtime/stop_token_test.cc):
// - Runtime::RequestStop() is async-signal-safe, so it cannot run callbacks:
//   it returns at once, and the callbacks registered before it run on the
//   sequence's executor thread, as the sequence's first step (oldest first,
//   each within RuntimeOptions::callback_budget; Runtime::Shutdown()
//   returns after them).
// - A callback still running past its budget is abandoned (the report says
//   it timed out) and the next one starts on a fresh executor: two of a
//   runtime's callbacks may then run at the same time.
// - A callback that throws does not end the process: the sequence records
//   the exception in the report and runs the next callback (DESIGN.md:
//   errors never stop the sequence). Its StopCallback stays destructible.
// - The state lives inside the Runtime (so that Runtime::stop_requested()
//   is one load at a fixed offset): the runtime's tokens and callbacks must
//   not outlive it (Runtime::Default() lives forever). stop_possible() is
//   true for the runtime's whole life.
//
// Both kinds:
// - A StopCallback constructed after the stop was requested runs its
//   callback at once, in the constructor, on the constructing thread. A
//   throw from it ends the process (std::terminate), as in C++20.
// - The callback is invoked as std::forward<Callback>(callback)(): a
//   callable stored by value gets its && overload; StopCallback<F&> calls an
//   lvalue, StopCallback<const F> a const rvalue.
// - Destroying a StopCallback whose callback has not started deregisters it
//   without waiting for anything: its callback never runs. If the callback
//   runs on another thread, the destructor waits for it to return; if it
//   runs on this thread (a callback destroying its own StopCallback), the
//   destructor returns at once. So a callback may destroy its own or any
//   other StopCallback.
// - A callback may request the stop again (nothing happens: RequestStop()
//   returns false) and may register new StopCallbacks (they run at once).
//
// Additions to C++20, both kinds: the callbacks' order (oldest first), and a
// name per callback (copied; a runtime's report labels the callback's step
// with it).
//
// Thread-safety: every member function may be called concurrently on
// distinct objects that share a state; a single object is as thread-safe as
// an int (const members concurrently; not a write beside anything else).
// Memory order: a RequestStop() that returns true (or, for a runtime, the
// first one) happens before every stop_requested() that returns true.

#ifndef ORDERLY_RUNTIME_STOP_TOKEN_H_
#define ORDERLY_RUNTIME_STOP_TOKEN_H_

#include "runtime/version.h"  // First: checks for C++17.

#include <type_traits>
#include <utility>

#include "absl/strings/string_view.h"
#include "runtime/internal/stop_state.h"

namespace orderly {

template <typename Callback>
class StopCallback;

// A view of a stop state: can see the request and register callbacks on it.
// Cheap to copy (one reference count), noexcept throughout.
class StopToken {
 public:
  // A token without a state: it never stops.
  StopToken() noexcept = default;
  StopToken(const StopToken& other) noexcept : state_(other.state_) {
    if (state_ != nullptr) state_->AddRef();
  }
  StopToken(StopToken&& other) noexcept
      : state_(std::exchange(other.state_, nullptr)) {}
  StopToken& operator=(const StopToken& other) noexcept {
    StopToken(other).swap(*this);
    return *this;
  }
  StopToken& operator=(StopToken&& other) noexcept {
    StopToken(std::move(other)).swap(*this);
    return *this;
  }
  ~StopToken() {
    if (state_ != nullptr) state_->Release();
  }
  void swap(StopToken& other) noexcept { std::swap(state_, other.state_); }

  // A null check and one acquire load.
  bool stop_requested() const noexcept {
    return state_ != nullptr && state_->stop_requested();
  }
  // False without a state, or when no stop was requested and every source
  // of the state is gone (no stop can come).
  bool stop_possible() const noexcept {
    return state_ != nullptr && state_->stop_possible();
  }

  // Equal if both have the same state, or both none.
  friend bool operator==(const StopToken& a, const StopToken& b) noexcept {
    return a.state_ == b.state_;
  }
  friend bool operator!=(const StopToken& a, const StopToken& b) noexcept {
    return a.state_ != b.state_;
  }
  friend void swap(StopToken& a, StopToken& b) noexcept { a.swap(b); }

 private:
  friend class Runtime;
  friend class StopSource;
  template <typename Callback>
  friend class StopCallback;
  friend struct runtime_internal::StopTokenAccess;
  // Shares `state` (adds a reference).
  explicit StopToken(runtime_internal::StopState* state) noexcept
      : state_(state) {
    if (state_ != nullptr) state_->AddRef();
  }

  runtime_internal::StopState* state_ = nullptr;
};

// The tag for a StopSource without a state (C++20 std::nostopstate).
struct NoStopState {
  explicit NoStopState() = default;
};
inline constexpr NoStopState kNoStopState{};

// An owner of a stop state that can request the stop, as std::stop_source:
// copies share the state; the source of a move has none.
class StopSource {
 public:
  // A new state. Throws std::bad_alloc if it cannot be allocated.
  StopSource();
  // No state: RequestStop() returns false; tokens never stop.
  explicit StopSource(NoStopState) noexcept {}
  StopSource(const StopSource& other) noexcept : state_(other.state_) {
    if (state_ != nullptr) state_->AddSource();
  }
  StopSource(StopSource&& other) noexcept
      : state_(std::exchange(other.state_, nullptr)) {}
  StopSource& operator=(const StopSource& other) noexcept {
    StopSource(other).swap(*this);
    return *this;
  }
  StopSource& operator=(StopSource&& other) noexcept {
    StopSource(std::move(other)).swap(*this);
    return *this;
  }
  ~StopSource() {
    if (state_ != nullptr) state_->ReleaseSource();
  }
  void swap(StopSource& other) noexcept { std::swap(state_, other.state_); }

  // Requests the stop. Returns true for the call that made the request,
  // after running every registered callback on the calling thread; false
  // without a state or if a stop was requested already (it then returns at
  // once, even while the first request still runs callbacks). Thread-safe;
  // not async-signal-safe (it locks; use a Runtime for signals).
  bool RequestStop() noexcept;
  bool stop_requested() const noexcept {
    return state_ != nullptr && state_->stop_requested();
  }
  // True if this source has a state.
  bool stop_possible() const noexcept { return state_ != nullptr; }
  StopToken token() const noexcept { return StopToken(state_); }

  friend bool operator==(const StopSource& a, const StopSource& b) noexcept {
    return a.state_ == b.state_;
  }
  friend bool operator!=(const StopSource& a, const StopSource& b) noexcept {
    return a.state_ != b.state_;
  }
  friend void swap(StopSource& a, StopSource& b) noexcept { a.swap(b); }

 private:
  runtime_internal::StopState* state_ = nullptr;
};

// Runs `callback` once when the token's stop is requested (see the top of
// this file for when, where and how). Neither copyable nor movable: it is
// registered by address. Holds a reference to the token's state while
// registered.
//
//   StopCallback cb(token, [&] { cv.SignalAll(); });           // deduced
//   StopCallback<std::function<void()>> named(token, f, "wake worker");
//
// `name` labels the callback's step in a runtime's shutdown report; a
// standalone state ignores it.
template <typename Callback>
class StopCallback : private runtime_internal::StopCallbackNode {
  static_assert(std::is_invocable_v<Callback>,
                "StopCallback<Callback>: Callback must be invocable with no "
                "arguments, as std::forward<Callback>(callback)()");
  static_assert(std::is_destructible_v<Callback>,
                "StopCallback<Callback>: Callback must be destructible");

 public:
  using callback_type = Callback;

  template <typename C>
  using IfConstructible =
      std::enable_if_t<std::is_constructible_v<Callback, C>, int>;

  // Throws what constructing the callback from `callback` throws; nothing
  // is registered then.
  template <typename C, IfConstructible<C> = 0>
  explicit StopCallback(const StopToken& token, C&& callback,
                        absl::string_view name) noexcept(
      std::is_nothrow_constructible_v<Callback, C>)
      : StopCallbackNode(&Invoke), callback_(std::forward<C>(callback)) {
    if (Register(token.state_, name)) token.state_->AddRef();
  }
  // As above; a token that registers the callback gives its state to it
  // (the token is left without one). If the callback runs at once, or the
  // token has no state, the token is left as it was.
  template <typename C, IfConstructible<C> = 0>
  explicit StopCallback(StopToken&& token, C&& callback,
                        absl::string_view name) noexcept(
      std::is_nothrow_constructible_v<Callback, C>)
      : StopCallbackNode(&Invoke), callback_(std::forward<C>(callback)) {
    if (Register(token.state_, name)) token.state_ = nullptr;
  }
  // Named "stop callback".
  template <typename C, IfConstructible<C> = 0>
  explicit StopCallback(const StopToken& token, C&& callback) noexcept(
      std::is_nothrow_constructible_v<Callback, C>)
      : StopCallback(token, std::forward<C>(callback), kDefaultName) {}
  template <typename C, IfConstructible<C> = 0>
  explicit StopCallback(StopToken&& token, C&& callback) noexcept(
      std::is_nothrow_constructible_v<Callback, C>)
      : StopCallback(std::move(token), std::forward<C>(callback),
                     kDefaultName) {}

  // Deregisters the callback: see the top of this file for when it waits.
  ~StopCallback() {
    if (state_ == nullptr) return;
    state_->Remove(this);
    state_->Release();
  }
  StopCallback(const StopCallback&) = delete;
  StopCallback& operator=(const StopCallback&) = delete;

 private:
  static void Invoke(runtime_internal::StopCallbackNode* node) {
    std::forward<Callback>(static_cast<StopCallback*>(node)->callback_)();
  }
  void InvokeAtOnce() noexcept { std::forward<Callback>(callback_)(); }
  // True if registered: `state_` is then set, and owes a reference.
  bool Register(runtime_internal::StopState* state, absl::string_view name) {
    if (state == nullptr) return false;
    if (!state->Add(this, name)) {
      InvokeAtOnce();
      return false;
    }
    state_ = state;
    return true;
  }

  static constexpr absl::string_view kDefaultName = "stop callback";

  Callback callback_;
  runtime_internal::StopState* state_ = nullptr;  // Null if not registered.
};

template <typename Callback>
StopCallback(StopToken, Callback) -> StopCallback<Callback>;
template <typename Callback>
StopCallback(StopToken, Callback, absl::string_view) -> StopCallback<Callback>;

}  // namespace orderly

#endif  // ORDERLY_RUNTIME_STOP_TOKEN_H_
