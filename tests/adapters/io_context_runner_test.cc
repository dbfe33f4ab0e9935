// Copyright 2026 The orderly Authors.
//
// IoContextRunner (adapters/asio/io_context_runner.h) against the real
// Boost.Asio on loopback, in a child process (io_context_runner_main.cc)
// ended by SIGTERM, exit() from a worker and a return from main: every
// request a client sent got its reply (the drain let the handlers in
// flight finish), and the process ended promptly.
// Also, in this process: bad options are refused with InvalidArgument, and
// a drain that cannot finish (a connection that never ends) is reported
// and cut by io_context::stop(), never a hang.

#include <memory>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>

#include "adapters/asio/io_context_runner.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/runtime.h"
#include "tests/adapters/adapter_test_util.h"

namespace orderly {
namespace {

using ::testing::HasSubstr;

const char* g_main = nullptr;

class IoContextRunnerEndTest : public ::testing::TestWithParam<EndMode> {};

TEST_P(IoContextRunnerEndTest, EveryRequestSentGetsItsReply) {
  ExpectOrderlyEnd(RunEndMode({g_main}, GetParam()), GetParam());
}

INSTANTIATE_TEST_SUITE_P(Modes, IoContextRunnerEndTest,
                         ::testing::Values(EndMode::kSigterm, EndMode::kExit,
                                           EndMode::kReturn),
                         [](const auto& info) {
                           return std::string(EndModeName(info.param));
                         });

TEST(IoContextRunnerTest, RefusesBadOptions) {
  Runtime rt;
  boost::asio::io_context io;
  IoContextRunnerOptions options;
  options.runtime = &rt;
  options.threads = 0;
  auto runner = IoContextRunner::Start(io, options);
  EXPECT_EQ(runner.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(runner.status().message(), HasSubstr("threads"));
  options.threads = 1;
  options.drain_timeout = absl::Seconds(-1);
  runner = IoContextRunner::Start(io, options);
  EXPECT_EQ(runner.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(IoContextRunnerTest, WorkThatNeverEndsIsReportedAndStopped) {
  Runtime rt;
  boost::asio::io_context io;
  // A pending accept nobody closes: work that keeps io.run() going.
  boost::asio::ip::tcp::acceptor acceptor(
      boost::asio::make_strand(io),
      {boost::asio::ip::address_v4::loopback(), 0});
  acceptor.async_accept([](boost::system::error_code, auto) {});
  IoContextRunnerOptions options;
  options.runtime = &rt;
  options.threads = 2;
  options.drain_timeout = absl::Milliseconds(50);
  auto runner = IoContextRunner::Start(io, options);
  ASSERT_TRUE(runner.ok()) << runner.status();
  auto report = rt.Shutdown();
  ASSERT_TRUE(report.ok());
  const std::string text = (*report)->ToText();
  EXPECT_FALSE((*report)->ok()) << text;
  EXPECT_THAT(text, HasSubstr("handlers still in flight")) << text;
  EXPECT_TRUE(io.stopped());
  EXPECT_LT((*report)->finished - (*report)->stop_requested, absl::Seconds(5));
}

TEST(IoContextRunnerTest, DestroyedBeforeTheSequenceStopsAndJoins) {
  Runtime rt;
  boost::asio::io_context io;
  IoContextRunnerOptions options;
  options.runtime = &rt;
  auto runner = IoContextRunner::Start(io, options);
  ASSERT_TRUE(runner.ok()) << runner.status();
  runner->reset();
  EXPECT_TRUE(io.stopped());
  auto report = rt.Shutdown();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE((*report)->ok()) << (*report)->ToText();
  EXPECT_THAT((*report)->ToText(), ::testing::Not(HasSubstr("asio")));
}

}  // namespace
}  // namespace orderly

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  if (argc != 2) {
    std::fprintf(stderr, "usage: io_context_runner_test <main>\n");
    return 2;
  }
  orderly::g_main = argv[1];
  return RUN_ALL_TESTS();
}
