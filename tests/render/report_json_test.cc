// Copyright 2026 The orderly Authors.
//
// render/report_json.h: the v1 document parses strictly and holds every
// field its header documents, with the fixture's nasty names intact.

#include "render/report_json.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/report.h"
#include "tests/mini_json.h"
#include "tests/render/report_fixture.h"

namespace orderly {
namespace {

using ::testing::HasSubstr;

Json MustParse(const std::string& text) {
  std::string error;
  std::optional<Json> doc = Json::Parse(text, &error);
  EXPECT_TRUE(doc.has_value()) << error << "\n" << text;
  return doc.value_or(Json());
}

TEST(ReportJsonTest, TopLevelFields) {
  const ShutdownReport r = fixture::NastyReport();
  ReportJsonOptions options;
  options.instance = "kv-\"2\"";
  options.pid = 4242;
  const std::string text = RenderReportJson(r, options);
  EXPECT_EQ(text.find('\n'), std::string::npos) << "one line";
  const Json doc = MustParse(text);
  EXPECT_EQ(doc["schema"].string(), "orderly.shutdown_report/v1");
  EXPECT_EQ(doc["instance"].string(), "kv-\"2\"");
  EXPECT_EQ(doc["pid"].number(), 4242);
  EXPECT_FALSE(doc["ok"].boolean());
  EXPECT_EQ(doc["reason"].string(), r.reason.ToString());
  EXPECT_EQ(doc["stop_requested_unix_us"].number(), 1.7e15);
  EXPECT_EQ(doc["deadline_unix_us"].number(), 1.7e15 + 5e6);
  EXPECT_EQ(doc["finished_unix_us"].number(), 1.7e15 + 2.81e6);
  EXPECT_FALSE(doc["deadline_exceeded"].boolean());
  EXPECT_EQ(doc["duration_us"].number(), 2.81e6);
}

TEST(ReportJsonTest, PhasesAndStepsInOrder) {
  const Json doc = MustParse(RenderReportJson(fixture::NastyReport()));
  const Json& callbacks = doc["stop_callbacks"];
  ASSERT_EQ(callbacks.array().size(), 1u);
  EXPECT_EQ(callbacks.array()[0]["name"].string(), "wake-main");
  EXPECT_EQ(callbacks.array()[0]["kind"].string(), "stop callback");
  EXPECT_EQ(callbacks.array()[0]["start_us"].number(), 10);

  const auto& phases = doc["phases"].array();
  ASSERT_EQ(phases.size(), 4u);
  EXPECT_EQ(phases[0]["name"].string(), "drain");
  EXPECT_EQ(phases[0]["start_us"].number(), 20);
  EXPECT_EQ(phases[0]["duration_us"].number(), 1000);
  EXPECT_EQ(phases[0]["budget_us"].number(), 1e6);
  EXPECT_TRUE(phases[2]["budget_us"].is_null()) << "flush has no budget";
  EXPECT_EQ(phases[1]["name"].string(), "threads");
  ASSERT_EQ(phases[1]["steps"].array().size(), 4u);
  const Json& straggler = phases[1]["steps"].array()[2];
  EXPECT_EQ(straggler["kind"].string(), "join");
  EXPECT_EQ(straggler["name"].string(), fixture::kWorker);
  EXPECT_EQ(straggler["outcome"].string(), OutcomeName(Outcome::kStraggler));
  EXPECT_EQ(straggler["budget_us"].number(), 2e6);

  const auto& close = phases[3]["steps"].array();
  ASSERT_EQ(close.size(), 2u);
  EXPECT_EQ(close[0]["component"].string(), fixture::kStore);
  EXPECT_EQ(close[0]["name"].string(), fixture::kStoreCleanup);
  EXPECT_EQ(close[0]["outcome"].string(), "error");
  // The error text's invalid byte became U+FFFD; the rest is intact.
  EXPECT_THAT(close[0]["error"].string(), HasSubstr("</script>"));
  EXPECT_THAT(close[0]["error"].string(), HasSubstr("\xEF\xBF\xBD end"));
  EXPECT_EQ(close[1]["outcome"].string(), OutcomeName(Outcome::kSkipped));
  EXPECT_EQ(phases[2]["steps"].array()[0]["component"].string(),
            fixture::kJournal);
}

TEST(ReportJsonTest, StragglersDaemonsCounters) {
  const Json doc = MustParse(RenderReportJson(fixture::NastyReport()));
  ASSERT_EQ(doc["stragglers"].array().size(), 1u);
  const Json& s = doc["stragglers"].array()[0];
  EXPECT_EQ(s["name"].string(), "thread " + fixture::kWorker);
  EXPECT_EQ(s["why"].string(), "not joined within its 2s join budget");
  EXPECT_EQ(s["since_us"].number(), 2001300);
  ASSERT_EQ(doc["daemons_running"].array().size(), 1u);
  EXPECT_EQ(doc["daemons_running"].array()[0].string(), "metrics");
  EXPECT_EQ(doc["counters"]["access-log.processed"].number(), 42);
}

TEST(ReportJsonTest, UnknownThreadsAreObjectsWithTidAndName) {
  ShutdownReport r = fixture::NastyReport();
  r.unknown_threads_when_cleanups_began = {{4242, "spdlog-pool"}};
  r.unknown_threads_at_end = {{4242, "spdlog-pool"}, {4250, "zmq \"io\""}};
  const Json doc = MustParse(RenderReportJson(r));
  ASSERT_EQ(doc["unknown_threads_when_cleanups_began"].array().size(), 1u);
  const Json& at_end = doc["unknown_threads_at_end"];
  ASSERT_EQ(at_end.array().size(), 2u);
  EXPECT_EQ(at_end.array()[0]["tid"].number(), 4242);
  EXPECT_EQ(at_end.array()[0]["name"].string(), "spdlog-pool");
  EXPECT_EQ(at_end.array()[1]["name"].string(), "zmq \"io\"");
}

TEST(ReportJsonTest, EmptyReportIsValid) {
  const Json doc = MustParse(RenderReportJson(ShutdownReport()));
  EXPECT_TRUE(doc["phases"].array().empty());
  EXPECT_TRUE(doc["counters"].object().empty());
  EXPECT_EQ(doc["instance"].string(), "");
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ReportJsonTest, WritesAFile) {
  const std::string path =
      std::string(std::getenv("TEST_TMPDIR")) + "/shutdown.json";
  ASSERT_TRUE(WriteReportJson(fixture::NastyReport(), path).ok());
  EXPECT_EQ(MustParse(ReadFile(path))["schema"].string(), kReportJsonSchema);
}

TEST(ReportJsonTest, WritesOneLineOnStderr) {
  const std::string path =
      std::string(std::getenv("TEST_TMPDIR")) + "/stderr.txt";
  const int saved = dup(STDERR_FILENO);
  const int file = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(file, 0);
  dup2(file, STDERR_FILENO);
  const absl::Status status = WriteReportJson(fixture::NastyReport(), "-");
  dup2(saved, STDERR_FILENO);
  close(file);
  close(saved);
  ASSERT_TRUE(status.ok()) << status;
  const std::string text = ReadFile(path);
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(text.find('\n'), text.size() - 1) << "exactly one line";
  EXPECT_EQ(MustParse(text)["schema"].string(), kReportJsonSchema);
}

TEST(ReportJsonTest, BadDestinationsAreNamed) {
  const ShutdownReport r = fixture::NastyReport();
  EXPECT_EQ(WriteReportJson(r, "").code(), absl::StatusCode::kInvalidArgument);
  const absl::Status dir = WriteReportJson(r, "/tmp/");
  EXPECT_EQ(dir.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(dir.message(), HasSubstr("\"/tmp/\""));
  const absl::Status missing =
      WriteReportJson(r, "/nonexistent-orderly-dir/r.json");
  EXPECT_FALSE(missing.ok());
  EXPECT_THAT(missing.message(), HasSubstr("/nonexistent-orderly-dir"));
}

}  // namespace
}  // namespace orderly
