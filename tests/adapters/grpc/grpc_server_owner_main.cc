// Copyright 2026 The orderly Authors.
//
// A gRPC server on loopback owned by GrpcServerOwner, under load from four
// client threads in the same process (each RPC works 2 ms), plus one RPC
// of 200 ms in flight when the end comes, plus a thread polling a
// completion queue. A "checker" component (it depends on "grpc", so its
// drain runs first) asks the health service for the server's status while
// the server still answers. Ends as end_modes.h says;
// grpc_server_owner_test.cc checks that every RPC a handler started was
// answered OK, and the lines
//   "health <status>"    what the health service said during the drain
//   "slow <code>"        how the 200 ms RPC ended
//   "stuck <code>"       how an RPC that never answers ended (mode `stuck`)
//
//   grpc_server_owner_main <sigterm|exit|return|stuck>
//
// `stuck` adds an RPC whose handler answers only once cancelled, and
// returns from main: the drain cancels it at its 1 s budget (from the
// drain phase's budget), the report
// says the drain ran out, and the process ends promptly.

#include <atomic>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "adapters/grpc/grpc_server_owner.h"
#include "blocks/managed_thread.h"
#include "hooks/main_guard.h"
#include "tests/adapters/end_modes.h"
#include "tests/adapters/grpc/echo.grpc.pb.h"
#include "tests/adapters/grpc/health.grpc.pb.h"

namespace orderly {
namespace {

constexpr int kClients = 4;
constexpr int64_t kReadyReplies = 200;  // Answered in all: "ready".

std::atomic<int64_t> g_started{0};   // Handlers that began (stuck aside).
std::atomic<int64_t> g_answered{0};  // Replies a client got OK.
absl::Notification g_ready;
absl::Notification g_slow_started;
absl::Notification g_stuck_started;

class EchoService final : public test::Echo::Service {
  grpc::Status Say(grpc::ServerContext* context, const test::EchoRequest* req,
                   test::EchoReply* reply) override {
    if (req->until_cancelled()) {
      g_stuck_started.Notify();
      // The handler's work: it polls its cancellation, as a long call
      // should (gRPC offers no wake-up for a synchronous handler).
      while (!context->IsCancelled()) absl::SleepFor(absl::Milliseconds(5));
      return grpc::Status::CANCELLED;
    }
    g_started.fetch_add(1);
    if (req->work_ms() >= 100) g_slow_started.Notify();
    absl::SleepFor(absl::Milliseconds(req->work_ms()));  // The work.
    reply->set_text(req->text());
    return grpc::Status::OK;
  }
};

grpc::Status Call(test::Echo::Stub& stub, int work_ms, bool until_cancelled) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(30));
  test::EchoRequest req;
  req.set_text("hello");
  req.set_work_ms(work_ms);
  req.set_until_cancelled(until_cancelled);
  test::EchoReply reply;
  grpc::Status s = stub.Say(&context, req, &reply);
  if (s.ok() && reply.text() == "hello" &&
      g_answered.fetch_add(1) + 1 == kReadyReplies) {
    g_ready.Notify();
  }
  return s;
}

// Sends until the stop request; the RPC in flight then finishes in drain.
void Client(std::shared_ptr<grpc::Channel> channel) {
  auto stub = test::Echo::NewStub(channel);
  while (!Runtime::Default().stop_requested()) Call(*stub, 2, false);
}

// The health status during the drain, before the server's own drain.
std::string g_health = "none";
absl::Status DeclareChecker(Runtime& rt,
                            std::shared_ptr<grpc::Channel> channel) {
  auto checker = rt.AddComponent("checker", {"grpc"});
  if (!checker.ok()) return checker.status();
  return checker->AddCleanup("drain", "check health", [channel] {
    using grpc::health::v1::HealthCheckResponse;
    auto stub = grpc::health::v1::Health::NewStub(channel);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(5));
    HealthCheckResponse response;
    grpc::Status s = stub->Check(
        &context, grpc::health::v1::HealthCheckRequest(), &response);
    g_health = s.ok()
                   ? HealthCheckResponse::ServingStatus_Name(response.status())
                   : absl::StrCat("error ", s.error_message());
  });
}

void PrintLine(const std::string& line) {
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

absl::Status StartThreads(std::shared_ptr<grpc::Channel> channel,
                          grpc::ServerCompletionQueue& cq, bool stuck,
                          std::vector<ManagedThread>& threads) {
  auto add = [&threads](absl::StatusOr<ManagedThread> t) {
    if (t.ok()) threads.push_back(*std::move(t));
    return t.status();
  };
  absl::Status s = add(ManagedThread::Start("cq-poller", [&cq] {
    void* tag;
    bool ok;
    while (cq.Next(&tag, &ok)) {
    }
  }));
  for (int c = 0; s.ok() && c < kClients; ++c) {
    s = add(ManagedThread::Start("client-" + std::to_string(c),
                                 [channel] { Client(channel); }));
  }
  if (s.ok()) {
    s = add(ManagedThread::Start("slow", [channel] {
      auto stub = test::Echo::NewStub(channel);
      PrintLine(absl::StrCat("slow ", Call(*stub, 200, false).error_code()));
    }));
  }
  if (s.ok() && stuck) {
    s = add(ManagedThread::Start("stuck", [channel] {
      auto stub = test::Echo::NewStub(channel);
      PrintLine(absl::StrCat("stuck ", Call(*stub, 0, true).error_code()));
    }));
  }
  return s;
}

int Run(const std::string& mode_name, MainGuard& guard) {
  const bool stuck = mode_name == "stuck";
  const auto mode = stuck ? EndMode::kReturn : ParseEndMode(mode_name);
  if (!mode) return 2;
  Runtime& rt = Runtime::Default();
  if (!PrintCountsAtRelease(rt, [] {
         return Counts{g_started.load(), g_answered.load()};
       }).ok()) {
    return 10;
  }
  grpc::EnableDefaultHealthCheckService(true);
  EchoService echo;
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                           &port);
  builder.RegisterService(&echo);
  std::unique_ptr<grpc::ServerCompletionQueue> cq =
      builder.AddCompletionQueue();
  orderly::GrpcServerOwnerOptions options;
  options.completion_queues = {cq.get()};
  if (stuck) {
    // drain_budget unset: the drain phase's 1.5 s less the 0.5 s grace.
    options.cancel_grace = absl::Milliseconds(500);
    if (!rt.SetPhaseBudget("drain", absl::Milliseconds(1500)).ok()) return 15;
  } else {
    options.drain_budget = absl::Seconds(5);
  }
  // example: grpc_server_owner.h
  auto server = orderly::GrpcServerOwner::Start(builder, options);
  if (!server.ok()) return 1;
  // end of example
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                     grpc::InsecureChannelCredentials());
  if (!DeclareChecker(rt, channel).ok()) return 11;
  auto health = rt.AddComponent("health-line", {"checker"});
  if (!health.ok() || !health->AddCleanup("release", "print", [] {
        PrintLine("health " + g_health);
      }).ok()) {
    return 12;
  }
  std::vector<ManagedThread> threads;
  if (!StartThreads(channel, *cq, stuck, threads).ok()) return 13;
  return EndMain(*mode, guard, [stuck] {
    g_ready.WaitForNotification();
    g_slow_started.WaitForNotification();
    if (stuck) g_stuck_started.WaitForNotification();
  });
}

}  // namespace
}  // namespace orderly

int main(int argc, char** argv) {
  orderly::MainGuard guard;
  if (argc != 2) return 2;
  return orderly::Run(argv[1], guard);
}
