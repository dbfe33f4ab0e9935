// Copyright 2026 The orderly Authors.
//
// SpdlogOwner (adapters/spdlog/spdlog_owner.h) against Debian's spdlog, in
// a child process (spdlog_owner_main.cc) ended mid-burst by SIGTERM,
// exit() from a worker and a return from main: every line logged is in
// the file, no "daemon still running", a prompt exit. And, in this
// process: the pool's thread is registered and ended by the component,
// bad input is refused, and a line logged after the stop is counted.

#include <memory>
#include <string>

#include "adapters/spdlog/spdlog_owner.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/runtime.h"
#include "spdlog/sinks/ostream_sink.h"
#include "tests/adapters/adapter_test_util.h"
#include "tests/test_util.h"

namespace orderly {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const char* g_main = nullptr;

class SpdlogOwnerEndTest : public ::testing::TestWithParam<EndMode> {};

TEST_P(SpdlogOwnerEndTest, EveryLineLoggedIsWritten) {
  const std::string dir = NewTestDir("spdlog_owner");
  EndResult r = RunEndMode({g_main, dir + "/log.txt"}, GetParam());
  ExpectOrderlyEnd(r, GetParam());
  EXPECT_THAT(r.result.err, Not(HasSubstr("daemon"))) << r.result;
}

INSTANTIATE_TEST_SUITE_P(Modes, SpdlogOwnerEndTest,
                         ::testing::Values(EndMode::kSigterm, EndMode::kExit,
                                           EndMode::kReturn),
                         [](const auto& info) {
                           return std::string(EndModeName(info.param));
                         });

TEST(SpdlogOwnerTest, FlushWritesTheQueueAndCountsLinesAfterStop) {
  Runtime rt;
  SpdlogOwnerOptions options;
  options.runtime = &rt;
  options.name = "log";
  auto owner = SpdlogOwner::Start(options);
  ASSERT_TRUE(owner.ok()) << owner.status();
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  sink->set_pattern("%v");
  auto logger = (*owner)->AddLogger("unit", sink);
  ASSERT_TRUE(logger.ok()) << logger.status();
  EXPECT_EQ((*owner)->AddLogger("unit", sink).status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ((*owner)->AddLogger("none", nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
  constexpr int kLines = 1000;
  for (int i = 0; i < kLines; ++i) (*logger)->info("line {}", i);
  auto report = rt.Shutdown();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE((*report)->ok()) << (*report)->ToText();
  const std::string text = out.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), kLines);
  // The pool's thread was registered (it starts asynchronously: counted
  // once the pool has been joined) and its registration has ended.
  EXPECT_EQ((*owner)->pool_threads().registered(), 1);
  EXPECT_EQ((*owner)->pool_threads().active(), 0);
  (*logger)->info("too late {}", 1);  // A plain string would throw.
  EXPECT_THAT(rt.ReadCounters(),
              ::testing::Contains(std::make_pair(
                  std::string("log: lines after stop"), int64_t{1})));
  EXPECT_EQ((*owner)->AddLogger("later", sink).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(SpdlogOwnerTest, RefusesBadOptions) {
  Runtime rt;
  SpdlogOwnerOptions options;
  options.runtime = &rt;
  options.threads = 0;
  EXPECT_EQ(SpdlogOwner::Start(options).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace orderly

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  if (argc != 2) {
    std::fprintf(stderr, "usage: spdlog_owner_test <main>\n");
    return 2;
  }
  orderly::g_main = argv[1];
  return RUN_ALL_TESTS();
}
