// Copyright 2026 The orderly Authors.
//
// readiness.h: whether this instance wants traffic, for load balancers.
//
// A service behind a load balancer answers two questions: "am I alive?"
// (liveness: restart me if not) and "should you route to me?" (readiness).
// `Readiness` is the second answer, owned by each Runtime
// (Runtime::readiness()). It starts ready; it turns not ready at the stop
// request, inside Runtime::RequestStop() itself (one atomic store, so also
// from a signal handler), before any phase runs, and never turns ready again
// in that sequence. A health endpoint reads it:
//
//   orderly::Readiness& readiness = orderly::Runtime::Default().readiness();
//   // GET /readyz
//   if (readiness.ready()) {
//     Reply(200, "ready\n");
//   } else {
//     Reply(503, "stopping\n");
//   }
//
// A service that warms up first calls SetReady(false) before it listens and
// SetReady(true) when warm; a push-based health service (gRPC's
// HealthCheckService::SetServingStatus, a registration with a discovery
// service) adds a listener instead of polling:
//
//   absl::Status added = readiness.AddListener([&](bool ready) {
//     health->SetServingStatus(ready ? SERVING : NOT_SERVING);
//   });
//   if (!added.ok()) return added;
//
// With RuntimeOptions::lame_duck > 0 the sequence then keeps the process
// serving, not ready, for that long (the `lame-duck` phase, before `drain`),
// so that load balancers see /readyz fail and stop routing to it before the
// drain stops accepting (runtime_options.h).
//
// Taken from: Spring Boot's ReadinessState (ACCEPTING_TRAFFIC /
// REFUSING_TRAFFIC, published as an event listeners receive); gRPC's health
// service, whose Shutdown() sets NOT_SERVING and ignores later
// SetServingStatus() calls (SetReady(true) after the stop is refused here).
//
// Thread-safety: every method is thread-safe; ready() is one atomic load
// (acquire) and async-signal-safe.
// Ordering: a reader that sees ready() == false after a stop request also
// sees stop_requested() == true (the stop state is set first).
// Listeners: each runs once per change, outside any lock, on the thread that
// changed the state (SetReady()), or, for the stop request, on the runtime's
// executor as a stop callback ("readiness: not ready", a step of the
// report, registered by the first AddListener()). Changes reach listeners
// in order, each state once. A listener must not block, and must not call
// AddListener() or SetReady() (they would wait for it).
// Lifetime: owned by its Runtime; listeners live as long as it.

#ifndef ORDERLY_RUNTIME_READINESS_H_
#define ORDERLY_RUNTIME_READINESS_H_

#include <atomic>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "runtime/stop_token.h"

namespace orderly {

class Runtime;

class Readiness {
 public:
  ~Readiness();
  Readiness(const Readiness&) = delete;
  Readiness& operator=(const Readiness&) = delete;

  // One atomic load: true while this instance wants traffic.
  bool ready() const noexcept {
    return state_.load(std::memory_order_acquire) == kReady;
  }

  // Changes the state and runs the listeners if it changed. Errors:
  // FailedPrecondition for SetReady(true) once the stop was requested (the
  // state stays not ready).
  absl::Status SetReady(bool ready);

  // Adds a listener of every later change, called with the new state. Errors:
  // InvalidArgument for an empty function.
  absl::Status AddListener(absl::AnyInvocable<void(bool ready)> listener);

 private:
  friend class Runtime;
  explicit Readiness(Runtime* runtime) : runtime_(runtime) {}
  // One word, so that SetReady(true) racing the stop request either happens
  // before it (and is undone by it) or is refused: kStopping is terminal.
  enum State : int { kNotReady = 0, kReady = 1, kStopping = 2 };

  // Runtime::RequestStop(): async-signal-safe; listeners run later.
  void MarkStoppingNoNotify() noexcept {
    state_.store(kStopping, std::memory_order_release);
  }
  // Runs the listeners with `ready` unless they were last told that.
  void Notify(bool ready) ABSL_LOCKS_EXCLUDED(set_mu_, mu_);

  Runtime* const runtime_;
  std::atomic<int> state_{kReady};
  // Serializes notifications, so listeners see changes in order.
  absl::Mutex set_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  bool notified_ready_ ABSL_GUARDED_BY(set_mu_) = true;
  absl::Mutex mu_;
  // Shared so that Notify() can run them outside mu_ while others are added.
  std::vector<std::shared_ptr<absl::AnyInvocable<void(bool)>>> listeners_
      ABSL_GUARDED_BY(mu_);
  // Set by the first AddListener(): runs the listeners at the stop request.
  bool stop_callback_added_ ABSL_GUARDED_BY(mu_) = false;
  std::unique_ptr<StopCallback<absl::AnyInvocable<void()>>> on_stop_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace orderly

#endif  // ORDERLY_RUNTIME_READINESS_H_
