// Copyright 2026 The orderly Authors.
//
// grpc_server_owner.h: a gRPC server started, drained and ended in order
// (adapters/grpc, header-only over Debian's libgrpc++-dev; a CMake
// component, see "Which Abseil" below).
//
// One line builds and starts the server from the builder the service
// already fills (`options` may be left out: GrpcServerOwnerOptions below):
//
//   auto server = orderly::GrpcServerOwner::Start(builder, options);
//   if (!server.ok()) return 1;
//
// (tests/adapters/grpc/grpc_server_owner_main.cc runs this example as
// written.)
//
// What happens, in the runtime's sequence (runtime.h):
//   stop     at the stop request, the default health service (if the
//            builder enabled it: grpc::EnableDefaultHealthCheckService)
//            turns NOT_SERVING, so that a load balancer's health checks
//            take this instance out while it still answers.
//   drain    Server::Shutdown(now + the drain budget): the `drain`
//            phase's budget as Start() finds it, less `cancel_grace`
//            (Runtime::SetPhaseBudget(), RuntimeOptions::phase_budget), 5 s
//            if that phase is unbounded, or GrpcServerOwnerOptions::
//            drain_budget if set:
//            no new RPC is accepted (a client gets UNAVAILABLE and may try
//            another instance); the RPCs in flight run to their end within
//            the budget, and those still running then are cancelled (their
//            ServerContext::IsCancelled() turns true; the client sees
//            CANCELLED or UNAVAILABLE) and the step fails with
//            DeadlineExceeded ("the RPCs still running at the end of the
//            drain budget of 5s were cancelled"), so the report says so.
//            The step's budget is the drain budget plus `cancel_grace`: a
//            handler that ignores its cancellation past that is reported
//            as the step
//            "<name>/Shutdown" timing out, the sequence goes on, and the
//            server is leaked on purpose.
//   threads  the component's terminate hook shuts down every completion
//            queue given in `completion_queues` (async services): the
//            threads that poll them see Next() return false once the queue
//            is empty, return, and are joined.
// Handlers that need something torn down later (a store, a log) declare
// it in `depends_on`: this component's drain runs before the drain of
// what it depends on, and its RPCs end before their cleanups.
//
// Errors: Start() returns InvalidArgument (drain_budget not positive,
// cancel_grace negative, a null completion queue), the runtime's error
// (AlreadyExists: the name is taken; FailedPrecondition: the drain has run)
// or Unavailable when BuildAndStart() fails (a port that cannot be bound;
// gRPC writes why to its log).
//
// Which Abseil. Debian's gRPC is linked against Debian's Abseil shared
// libraries (libabsl20220623). orderly must be built against that same
// Abseil, or one binary holds two Abseils (an ODR violation: two
// absl::Mutex implementations, two flag registries). The CMake build does
// so by default (find_package(absl), ORDERLY_DEPS_FROM_SOURCE=OFF) and
// offers this adapter as the target orderly::grpc when find_package(gRPC)
// succeeds. orderly's Bazel build compiles Abseil from source, so it has no
// gRPC target; a Bazel user who builds gRPC from source too (with the same
// @com_google_absl) can use this header as it is.
//
// Thread-safety: server() may be used from any thread. Lifetime: the
// completion queues must outlive the owner. Destroyed before the sequence,
// the owner removes its component, shuts the server down at once
// (cancelling what is in flight) and then its completion queues. Destroyed
// after a Shutdown() that overran its budget, it leaks the server.

#ifndef ORDERLY_ADAPTERS_GRPC_GRPC_SERVER_OWNER_H_
#define ORDERLY_ADAPTERS_GRPC_GRPC_SERVER_OWNER_H_

#include "runtime/version.h"  // First: checks for C++17.

#include <atomic>
#include <chrono>
#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "runtime/runtime.h"
#include "runtime/stop_token.h"

namespace orderly {

struct GrpcServerOwnerOptions {
  // The component's name, and the components its handlers use.
  std::string name = "grpc";
  std::vector<std::string> depends_on;
  // How long the RPCs in flight at `drain` may run before they are
  // cancelled: the deadline given to Server::Shutdown(). Unset: the `drain`
  // phase's budget when Start() runs, less cancel_grace; kDefaultDrainBudget
  // when that phase is unbounded.
  std::optional<absl::Duration> drain_budget;
  // How long past that deadline the handlers have to return once
  // cancelled, before the step is reported as timed out.
  absl::Duration cancel_grace = absl::Seconds(1);
  // The async services' completion queues (from
  // ServerBuilder::AddCompletionQueue()), shut down in the terminate step.
  std::vector<grpc::ServerCompletionQueue*> completion_queues;
  // The runtime; null means Runtime::Default().
  Runtime* runtime = nullptr;
};

class GrpcServerOwner {
 public:
  static constexpr absl::Duration kDefaultDrainBudget = absl::Seconds(5);

  // Builds and starts the server (builder.BuildAndStart()) and declares its
  // component.
  static absl::StatusOr<std::unique_ptr<GrpcServerOwner>> Start(
      grpc::ServerBuilder& builder, GrpcServerOwnerOptions options = {});
  ~GrpcServerOwner();
  GrpcServerOwner(const GrpcServerOwner&) = delete;
  GrpcServerOwner& operator=(const GrpcServerOwner&) = delete;

  grpc::Server& server() { return *state_->server; }
  const std::string& name() const { return name_; }
  // True once Server::Shutdown() has returned.
  bool shut_down() const { return state_->stage.load() == kShutDown; }

 private:
  enum Stage { kServing, kShuttingDown, kShutDown };
  struct State {
    std::unique_ptr<grpc::Server> server;
    std::vector<grpc::ServerCompletionQueue*> queues;
    std::atomic<int> stage{kServing};
    std::atomic<bool> queues_shut_down{false};
    // Runs Server::Shutdown(deadline) once; a second caller returns.
    void ShutDown(absl::Time deadline) {
      int expected = kServing;
      if (!stage.compare_exchange_strong(expected, kShuttingDown)) return;
      server->Shutdown(absl::ToChronoTime(deadline));
      stage.store(kShutDown);
    }
    // Completion queues shut down after the server only (gRPC's rule).
    void ShutDownQueues() {
      if (queues_shut_down.exchange(true)) return;
      for (grpc::ServerCompletionQueue* q : queues) q->Shutdown();
    }
    void NotServing() {
      grpc::HealthCheckServiceInterface* health =
          server->GetHealthCheckService();
      if (health != nullptr) health->SetServingStatus(false);
    }
  };
  using HealthCallback = StopCallback<absl::AnyInvocable<void()>>;

  // The drain phase's budget less `grace`, else kDefaultDrainBudget.
  static absl::Duration DrainBudget(const Runtime& rt, absl::Duration grace);
  static absl::Status CheckOptions(const GrpcServerOwnerOptions& options);
  static absl::Status Declare(Runtime& rt, Component& component,
                              const GrpcServerOwnerOptions& options,
                              const std::shared_ptr<State>& state);
  GrpcServerOwner(Runtime& runtime, std::string name,
                  std::shared_ptr<State> state)
      : runtime_(runtime), name_(std::move(name)), state_(std::move(state)) {}

  Runtime& runtime_;
  const std::string name_;
  std::shared_ptr<State> state_;
  std::unique_ptr<HealthCallback> health_;
};

// --- Implementation -------------------------------------------------------

inline absl::Status GrpcServerOwner::CheckOptions(
    const GrpcServerOwnerOptions& options) {
  const auto& drain = options.drain_budget;
  if ((drain && *drain <= absl::ZeroDuration()) ||
      options.cancel_grace < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "GrpcServerOwnerOptions: drain_budget must be positive and "
        "cancel_grace not negative");
  }
  for (grpc::ServerCompletionQueue* q : options.completion_queues) {
    if (q == nullptr) {
      return absl::InvalidArgumentError(
          "GrpcServerOwnerOptions: completion_queues holds a null queue");
    }
  }
  return absl::OkStatus();
}

inline absl::Duration GrpcServerOwner::DrainBudget(const Runtime& rt,
                                                   absl::Duration grace) {
  for (const PlannedPhase& phase : rt.Plan().phases) {
    if (phase.name != kDrainPhase) continue;
    if (phase.budget == absl::InfiniteDuration()) break;
    return std::max(phase.budget - grace, absl::Milliseconds(1));
  }
  return kDefaultDrainBudget;
}

inline absl::Status GrpcServerOwner::Declare(
    Runtime& rt, Component& component, const GrpcServerOwnerOptions& options,
    const std::shared_ptr<State>& state) {
  // The cleanup and the hook hold the state: an abandoned Shutdown() never
  // touches a destroyed owner.
  const absl::Duration budget = options.drain_budget
                                    ? *options.drain_budget
                                    : DrainBudget(rt, options.cancel_grace);
  absl::Status s = component.AddCleanup(
      "drain", "Shutdown",
      [state, budget]() -> absl::Status {
        const absl::Time deadline = absl::Now() + budget;
        state->ShutDown(deadline);
        if (absl::Now() < deadline) return absl::OkStatus();
        return absl::DeadlineExceededError(absl::StrCat(
            "the RPCs still running at the end of the drain budget of ",
            absl::FormatDuration(budget), " were cancelled"));
      },
      budget + options.cancel_grace);
  if (s.ok() && !state->queues.empty()) {
    s = component.AddTerminateHook("completion queues Shutdown",
                                   [state] { state->ShutDownQueues(); });
  }
  return s;
}

inline absl::StatusOr<std::unique_ptr<GrpcServerOwner>> GrpcServerOwner::Start(
    grpc::ServerBuilder& builder, GrpcServerOwnerOptions options) {
  absl::Status s = CheckOptions(options);
  if (!s.ok()) return s;
  Runtime& rt = options.runtime ? *options.runtime : Runtime::Default();
  auto component = rt.AddComponent(options.name, options.depends_on);
  if (!component.ok()) return component.status();
  auto state = std::make_shared<State>();
  state->queues = options.completion_queues;
  state->server = builder.BuildAndStart();
  if (state->server == nullptr) {
    rt.RemoveComponent(options.name).IgnoreError();
    return absl::UnavailableError(
        "GrpcServerOwner: ServerBuilder::BuildAndStart() failed (a port that "
        "cannot be bound? gRPC's log says why)");
  }
  std::unique_ptr<GrpcServerOwner> owner(
      new GrpcServerOwner(rt, options.name, state));
  s = Declare(rt, *component, options, state);
  if (!s.ok()) return s;  // ~GrpcServerOwner shuts the server down.
  owner->health_ = std::make_unique<HealthCallback>(
      rt.stop_token(), [state] { state->NotServing(); },
      "grpc health NOT_SERVING");
  return owner;
}

inline GrpcServerOwner::~GrpcServerOwner() {
  health_.reset();  // Waits for it if it runs now.
  if (state_->stage.load() == kShuttingDown) {
    // Shutdown() overran its budget and still waits for a handler: leak the
    // server rather than destroy it under that call.
    new std::shared_ptr<State>(std::move(state_));
    return;
  }
  runtime_.RemoveComponent(name_).IgnoreError();  // NotFound once removed.
  state_->ShutDown(absl::Now());  // Cancels what is in flight.
  state_->ShutDownQueues();
}

}  // namespace orderly

#endif  // ORDERLY_ADAPTERS_GRPC_GRPC_SERVER_OWNER_H_
