// Copyright 2026 The orderly Authors.
//
// zmq_context_owner.h: a ZeroMQ context owned by a component and ended in
// order (//adapters/zmq, header-only over cppzmq; Debian's libzmq3-dev and
// cppzmq-dev, //system:zmq).
//
// One line makes the context; sockets are made from it as usual:
//
//   auto zmq = orderly::ZmqContextOwner::Create();
//   if (!zmq.ok()) return 1;
//   zmq::socket_t pull((*zmq)->context(), zmq::socket_type::pull);
//
// (tests/adapters/zmq_context_owner_main.cc runs this example as written.)
//
// What happens, in the runtime's sequence (runtime.h):
//   threads  the component's terminate hook calls zmq_ctx_shutdown(): every
//            blocking call on the context's sockets (recv, send, poll)
//            returns ETERM at once, so a worker blocked in recv() can close
//            its socket and return, and `threads` joins it.
//   close    zmq_ctx_term(), within ZmqContextOwnerOptions::close_budget.
//            It returns once every socket of the context is closed. A
//            context that cannot close (a socket left open) is reported:
//            the step "<name>/zmq_ctx_term" timed out, with the budget; the
//            sequence goes on and the process ends, never a hang. (What
//            was left open stays open: the context is leaked on purpose.)
// ZeroMQ drops what is still queued when the context shuts down; to lose
// nothing, stop the producers and let the consumers empty their sockets
// before `threads` (a `drain` cleanup of a component that depends on this
// one; tests/adapters/zmq_context_owner_main.cc shows one way: an end
// marker per producer).
//
// Errors: Create() returns the runtime's error (AlreadyExists: the name is
// taken) or InvalidArgument (io_threads < 0, close_budget not positive).
//
// Thread-safety: context() may be used from any thread, as a zmq context
// may; make no sockets after the `close` phase. Lifetime: the owner must
// outlive the sockets made from it. Destroyed before the sequence, it
// removes its component, shuts the context down and terminates it (which
// waits, as zmq_ctx_term() does, for the sockets to close). Destroyed after
// a zmq_ctx_term() that timed out, it leaks the context.

#ifndef ORDERLY_ADAPTERS_ZMQ_ZMQ_CONTEXT_OWNER_H_
#define ORDERLY_ADAPTERS_ZMQ_ZMQ_CONTEXT_OWNER_H_

#include "runtime/version.h"  // First: checks for C++17.

#include <atomic>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "runtime/runtime.h"
#include "zmq.hpp"

namespace orderly {

struct ZmqContextOwnerOptions {
  // The component's name, and the components it depends on.
  std::string name = "zmq";
  std::vector<std::string> depends_on;
  // ZMQ_IO_THREADS of the context.
  int io_threads = 1;
  // How long `close` waits in zmq_ctx_term().
  absl::Duration close_budget = absl::Seconds(1);
  // The runtime; null means Runtime::Default().
  Runtime* runtime = nullptr;
};

class ZmqContextOwner {
 public:
  static absl::StatusOr<std::unique_ptr<ZmqContextOwner>> Create(
      ZmqContextOwnerOptions options = {});
  ~ZmqContextOwner();
  ZmqContextOwner(const ZmqContextOwner&) = delete;
  ZmqContextOwner& operator=(const ZmqContextOwner&) = delete;

  zmq::context_t& context() { return state_->context; }
  const std::string& name() const { return name_; }
  // True once zmq_ctx_term() has returned.
  bool closed() const { return state_->stage.load() == kClosed; }

 private:
  enum Stage { kOpen, kTerminating, kClosed };
  struct State {
    explicit State(int io_threads) : context(io_threads) {}
    zmq::context_t context;
    std::atomic<int> stage{kOpen};
    // Runs zmq_ctx_term() once; the caller that finds it running returns.
    void Terminate() {
      int expected = kOpen;
      if (!stage.compare_exchange_strong(expected, kTerminating)) return;
      context.close();  // Retries on EINTR.
      stage.store(kClosed);
    }
  };

  ZmqContextOwner(Runtime& runtime, std::string name,
                  std::shared_ptr<State> state)
      : runtime_(runtime), name_(std::move(name)), state_(std::move(state)) {}

  Runtime& runtime_;
  const std::string name_;
  std::shared_ptr<State> state_;
};

// --- Implementation -------------------------------------------------------

inline absl::StatusOr<std::unique_ptr<ZmqContextOwner>> ZmqContextOwner::Create(
    ZmqContextOwnerOptions options) {
  if (options.io_threads < 0 || options.close_budget <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "ZmqContextOwnerOptions: io_threads must be >= 0 and close_budget "
        "positive");
  }
  Runtime& rt = options.runtime ? *options.runtime : Runtime::Default();
  auto component = rt.AddComponent(options.name, options.depends_on);
  if (!component.ok()) return component.status();
  auto state = std::make_shared<State>(options.io_threads);
  std::unique_ptr<ZmqContextOwner> owner(
      new ZmqContextOwner(rt, options.name, state));
  // The hook and the cleanup hold the state: an abandoned zmq_ctx_term()
  // never touches a destroyed owner.
  absl::Status s = component->AddTerminateHook(
      "zmq_ctx_shutdown", [state] { state->context.shutdown(); });
  if (s.ok()) {
    s = component->AddCleanup("close", "zmq_ctx_term",
                              [state] { state->Terminate(); },
                              options.close_budget);
  }
  if (!s.ok()) return s;
  return owner;
}

inline ZmqContextOwner::~ZmqContextOwner() {
  if (state_->stage.load() == kTerminating) {
    // zmq_ctx_term() timed out and still waits for a socket: leak the
    // context rather than destroy it under that call (and do not wait for
    // that cleanup in RemoveComponent()).
    new std::shared_ptr<State>(std::move(state_));
    return;
  }
  runtime_.RemoveComponent(name_).IgnoreError();  // NotFound once removed.
  if (state_->stage.load() == kOpen) {
    state_->context.shutdown();
    state_->Terminate();
  }
}

}  // namespace orderly

#endif  // ORDERLY_ADAPTERS_ZMQ_ZMQ_CONTEXT_OWNER_H_
