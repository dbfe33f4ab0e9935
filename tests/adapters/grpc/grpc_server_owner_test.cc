// Copyright 2026 The orderly Authors.
//
// GrpcServerOwner against Debian's gRPC, in child processes
// (grpc_server_owner_main.cc): for SIGTERM, exit() from a worker and a
// return from main, every RPC a handler started is answered OK (the 200 ms
// one in flight at the end included), the health service says NOT_SERVING
// during the drain, and the process ends within the bound; an RPC that
// never answers is cancelled at the drain budget (taken from the drain
// phase's budget) and named in the report.
//
//   grpc_server_owner_test <path of grpc_server_owner_main>

#include <string>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "adapters/grpc/grpc_server_owner.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/runtime.h"
#include "tests/adapters/adapter_test_util.h"
#include "tests/adapters/grpc/echo.grpc.pb.h"

namespace orderly {
namespace {

using ::testing::HasSubstr;

const char* g_main = nullptr;

class GrpcServerOwnerEndTest : public ::testing::TestWithParam<EndMode> {};

TEST_P(GrpcServerOwnerEndTest, EveryStartedRpcIsAnsweredHealthNotServing) {
  const EndResult r = RunEndMode({g_main}, GetParam());
  ExpectOrderlyEnd(r, GetParam());
  EXPECT_THAT(r.result.out, HasSubstr("health NOT_SERVING")) << r.result;
  EXPECT_THAT(r.result.out, HasSubstr("slow 0\n")) << r.result;  // OK
}

INSTANTIATE_TEST_SUITE_P(Modes, GrpcServerOwnerEndTest,
                         ::testing::Values(EndMode::kSigterm, EndMode::kExit,
                                           EndMode::kReturn),
                         [](const auto& info) {
                           return std::string(EndModeName(info.param));
                         });

TEST(GrpcServerOwnerTest, RpcThatNeverAnswersIsCancelledAtTheDrainBudget) {
  SetChildTsanOptions(EndMode::kReturn, "");
  ChildProcess child({g_main, "stuck"});
  ASSERT_TRUE(child.WaitForOutput("ready", kChildTimeout)) << child.err();
  const absl::Time ready = absl::Now();
  ChildProcess::Result r = child.Wait(kChildTimeout);
  const absl::Duration took = absl::Now() - ready;
  EXPECT_FALSE(r.timed_out) << r;
  EXPECT_EQ(r.exit_code, 1) << r;  // The report is not OK: it says why.
  // Never answered: the client sees the server's cancel (CANCELLED, or
  // UNAVAILABLE as the server's transport closes), never OK.
  EXPECT_THAT(r.out, ::testing::ContainsRegex("stuck (1|14)\n")) << r;
  EXPECT_THAT(r.out, HasSubstr("slow 0\n")) << r;   // Finished in the drain.
  EXPECT_THAT(r.err, HasSubstr("grpc/Shutdown")) << r;
  EXPECT_THAT(r.err, HasSubstr("drain budget of 1s were cancelled")) << r;
  EXPECT_GE(took, absl::Milliseconds(900)) << r;  // It had its budget.
  EXPECT_LT(took, kExitBound) << r;
}

TEST(GrpcServerOwnerTest, RefusesBadOptions) {
  Runtime rt;
  grpc::ServerBuilder builder;
  GrpcServerOwnerOptions options;
  options.runtime = &rt;
  options.drain_budget = absl::ZeroDuration();
  EXPECT_EQ(GrpcServerOwner::Start(builder, options).status().code(),
            absl::StatusCode::kInvalidArgument);
  options.drain_budget = absl::Seconds(1);
  options.completion_queues = {nullptr};
  auto refused = GrpcServerOwner::Start(builder, options);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.status().message(), HasSubstr("null queue"));
}

TEST(GrpcServerOwnerTest, APortThatCannotBeBoundIsUnavailableAndFreesTheName) {
  Runtime rt;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("256.0.0.1:1", grpc::InsecureServerCredentials());
  GrpcServerOwnerOptions options;
  options.runtime = &rt;
  auto refused = GrpcServerOwner::Start(builder, options);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable)
      << refused.status();
  EXPECT_TRUE(rt.AddComponent("grpc").ok());  // The name was given back.
}

TEST(GrpcServerOwnerTest, DestroyedBeforeTheSequenceRemovesItsComponent) {
  Runtime rt;
  test::Echo::Service echo;  // Every method unimplemented: enough to serve.
  grpc::ServerBuilder builder;
  builder.RegisterService(&echo);
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                           &port);
  GrpcServerOwnerOptions options;
  options.runtime = &rt;
  {
    auto owner = GrpcServerOwner::Start(builder, options);
    ASSERT_TRUE(owner.ok()) << owner.status();
    EXPECT_GT(port, 0);
    EXPECT_FALSE((*owner)->shut_down());
  }
  auto report = rt.Shutdown();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_THAT((*report)->ToText(), ::testing::Not(HasSubstr("grpc/")));
}

}  // namespace
}  // namespace orderly

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <grpc_server_owner_main>\n", argv[0]);
    return 2;
  }
  orderly::g_main = argv[1];
  return RUN_ALL_TESTS();
}
