// Copyright 2026 The orderly Authors.
//
// spdlog's real thread pool registered through ForeignThreads, in a child
// process (spdlog_main.cc): no line lost, an OK report with no daemon
// still running, and static destructors run.

#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/hooks/child_process.h"
#include "tests/test_util.h"

namespace orderly {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const char* g_main = nullptr;

TEST(ForeignThreadsSpdlogTest, PoolEndedByItsComponentLosesNothing) {
  constexpr int kLinesPerProducer = 5000;
  const std::string dir = NewTestDir("spdlog");
  const std::string log = dir + "/log.txt";
  const std::string marker = dir + "/marker";
  ChildProcess child({g_main, log, marker, std::to_string(kLinesPerProducer)});
  ChildProcess::Result r = child.Wait(absl::Seconds(60));
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("registered 1")) << r;
  EXPECT_THAT(r.err, Not(HasSubstr("daemon"))) << r;
  EXPECT_THAT(r.err, Not(HasSubstr("static destructors"))) << r;
  const std::string text = ReadFile(log);
  const size_t lines = std::count(text.begin(), text.end(), '\n');
  EXPECT_EQ(lines, size_t{4} * kLinesPerProducer);
  EXPECT_EQ(ReadFile(marker), "static destructors ran\n");
}

}  // namespace
}  // namespace orderly

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  if (argc != 2) {
    std::fprintf(stderr, "usage: foreign_threads_spdlog_test <spdlog_main>\n");
    return 2;
  }
  orderly::g_main = argv[1];
  return RUN_ALL_TESTS();
}
