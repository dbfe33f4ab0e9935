// Copyright 2026 The orderly Authors.
//
// ZmqContextOwner (adapters/zmq/zmq_context_owner.h) against Debian's
// libzmq, in a child process (zmq_context_owner_main.cc) ended by
// SIGTERM, exit() from a worker and a return from main: every message
// pushed was pulled, the worker blocked in recv() was ended by the
// context's shutdown, and the process ended promptly. A context that
// cannot close (a socket left open) is named in the report, not a hang.

#include <string>

#include "adapters/zmq/zmq_context_owner.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/runtime.h"
#include "tests/adapters/adapter_test_util.h"

namespace orderly {
namespace {

using ::testing::HasSubstr;

const char* g_main = nullptr;
// ":suppressions=<zmq_tsan.supp>" for the child (see that file: libzmq is
// not instrumented, so TSan cannot see how it hands a message's memory
// from the pushing thread to the pulling one).
std::string g_tsan_extra;

class ZmqContextOwnerEndTest : public ::testing::TestWithParam<EndMode> {};

TEST_P(ZmqContextOwnerEndTest, EveryMessagePushedIsPulled) {
  ExpectOrderlyEnd(RunEndMode({g_main}, GetParam(), g_tsan_extra), GetParam());
}

INSTANTIATE_TEST_SUITE_P(Modes, ZmqContextOwnerEndTest,
                         ::testing::Values(EndMode::kSigterm, EndMode::kExit,
                                           EndMode::kReturn),
                         [](const auto& info) {
                           return std::string(EndModeName(info.param));
                         });

TEST(ZmqContextOwnerTest, ContextThatCannotCloseIsNamedNotAHang) {
  SetChildTsanOptions(EndMode::kReturn, g_tsan_extra);
  ChildProcess child({g_main, "leak"});
  ASSERT_TRUE(child.WaitForOutput("ready", kChildTimeout)) << child.err();
  const absl::Time ready = absl::Now();
  ChildProcess::Result r = child.Wait(kChildTimeout);
  EXPECT_FALSE(r.timed_out) << r;
  EXPECT_EQ(r.exit_code, 1) << r;  // The report is not OK.
  EXPECT_THAT(r.err, HasSubstr("zmq/zmq_ctx_term")) << r;
  EXPECT_LT(absl::Now() - ready, kExitBound) << r;
}

TEST(ZmqContextOwnerTest, RefusesBadOptions) {
  Runtime rt;
  ZmqContextOwnerOptions options;
  options.runtime = &rt;
  options.close_budget = absl::ZeroDuration();
  EXPECT_EQ(ZmqContextOwner::Create(options).status().code(),
            absl::StatusCode::kInvalidArgument);
  options.close_budget = absl::Seconds(1);
  options.io_threads = -1;
  EXPECT_EQ(ZmqContextOwner::Create(options).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ZmqContextOwnerTest, ClosedInTheCloseStep) {
  Runtime rt;
  ZmqContextOwnerOptions options;
  options.runtime = &rt;
  auto owner = ZmqContextOwner::Create(options);
  ASSERT_TRUE(owner.ok()) << owner.status();
  EXPECT_EQ(ZmqContextOwner::Create(options).status().code(),
            absl::StatusCode::kAlreadyExists);
  auto report = rt.Shutdown();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE((*report)->ok()) << (*report)->ToText();
  EXPECT_TRUE((*owner)->closed());
}

}  // namespace
}  // namespace orderly

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  if (argc != 3) {
    std::fprintf(stderr, "usage: zmq_context_owner_test <main> <tsan.supp>\n");
    return 2;
  }
  orderly::g_main = argv[1];
  orderly::g_tsan_extra = std::string(":suppressions=") + argv[2];
  return RUN_ALL_TESTS();
}
