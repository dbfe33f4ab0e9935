// Copyright 2026 The orderly Authors.
//
// The examples of render/report_json.h and docs/report_json.md, compiled
// and run. WriteReport() holds the header's example verbatim between
// "example:" and "end of example"; the test checks the line it writes on
// stderr, and that docs/report_json.md's example document has the shape of
// what the renderer writes: the same members, in the same order, with the
// same types, at every level (the doc shows no straggler, daemon or
// counter; their arrays may have elements here).

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"
#include "render/report_json.h"
#include "runtime/runtime.h"
#include "tests/mini_json.h"
#include "tests/test_util.h"

namespace orderly {
namespace {

absl::Status WriteReport() {
  // example: report_json.h
  auto report = orderly::Runtime::Default().Shutdown();
  orderly::ReportJsonOptions options;
  options.instance = "kv-2";
  absl::Status s = orderly::WriteReportJson(**report, "-", options);
  // one line on stderr: {"schema":"orderly.shutdown_report/v1",...}
  // end of example
  return s;
}

// The shape of a document: for each path ("phases[].steps[]"), its type
// and, for objects, its member names in order. Numbers and null are one
// type: a budget is a number or null (no limit).
struct Shape {
  std::map<std::string, std::set<std::string>> types;
  std::map<std::string, std::string> members;
};

void Collect(const Json& v, const std::string& path, Shape* shape) {
  static const char* const kTypes[] = {"number|null", "bool",  "number|null",
                                       "string",      "array", "object"};
  shape->types[path].insert(kTypes[static_cast<int>(v.type())]);
  if (v.type() == Json::Type::kArray) {
    for (const Json& e : v.array()) Collect(e, path + "[]", shape);
  } else if (v.type() == Json::Type::kObject) {
    std::vector<std::string> names;
    for (const auto& [name, member] : v.object()) {
      names.push_back(name);
      Collect(member, path + "." + name, shape);
    }
    const std::string joined = absl::StrJoin(names, ",");
    auto [it, inserted] = shape->members.emplace(path, joined);
    EXPECT_EQ(it->second, joined) << "members of " << path << " differ";
  }
}

// The indented block of docs/report_json.md that starts with {"schema".
std::string DocExample() {
  std::string block;
  bool in = false;
  for (absl::string_view line :
       absl::StrSplit(ReadFile("docs/report_json.md"), '\n')) {
    if (!in && absl::StartsWith(line, "    {\"schema\"")) in = true;
    if (!in) continue;
    if (!absl::ConsumePrefix(&line, "    ")) break;
    absl::StrAppend(&block, line, "\n");
  }
  return block;
}

TEST(ReportJsonExampleTest, HeaderExampleWritesOneLineAndTheDocHasItsShape) {
  Runtime& rt = Runtime::Default();
  // A stop callback and a cleanup, so that the document has a step of each
  // place the doc's example shows one.
  StopCallback on_stop(
      rt.stop_token(), [] {}, "example: stop callback");
  auto http = rt.AddComponent("http");
  ASSERT_TRUE(http.ok()) << http.status();
  ASSERT_TRUE(http->AddCleanup("drain", "stop-accepting", [] {}).ok());

  testing::internal::CaptureStderr();
  absl::Status written = WriteReport();
  const std::string err = testing::internal::GetCapturedStderr();
  ASSERT_TRUE(written.ok()) << written;

  // One line, the document alone.
  ASSERT_TRUE(absl::EndsWith(err, "\n")) << err;
  const std::string line = err.substr(0, err.size() - 1);
  EXPECT_EQ(line.find('\n'), std::string::npos) << err;
  EXPECT_TRUE(
      absl::StartsWith(line, "{\"schema\":\"orderly.shutdown_report/v1\","))
      << line;
  std::string error;
  std::optional<Json> rendered = Json::Parse(line, &error);
  ASSERT_TRUE(rendered) << error << "\n" << line;
  EXPECT_EQ((*rendered)["instance"].string(), "kv-2");

  const std::string doc_text = DocExample();
  std::optional<Json> doc = Json::Parse(doc_text, &error);
  ASSERT_TRUE(doc) << "docs/report_json.md's example: " << error << "\n"
                   << doc_text;
  EXPECT_EQ((*doc)["schema"].string(), kReportJsonSchema);
  Shape want, got;
  Collect(*doc, "", &want);
  Collect(*rendered, "", &got);
  for (const auto& [path, members] : want.members) {
    EXPECT_EQ(got.members[path], members) << path << "\n" << line;
  }
  for (const auto& [path, types] : want.types) {
    EXPECT_EQ(got.types[path], types) << path << "\n" << line;
  }
  // What the doc cannot show: elements of an array it shows empty
  // (stragglers, daemons_running, the unknown threads: a sanitizer's own
  // thread shows there), members of counters ({}).
  for (const auto& [path, types] : got.types) {
    if (want.types.count(path) != 0) continue;
    EXPECT_TRUE(absl::StartsWith(path, ".stragglers[]") ||
                absl::StartsWith(path, ".daemons_running[]") ||
                absl::StartsWith(path, ".unknown_threads_when_cleanups_began[]") ||
                absl::StartsWith(path, ".unknown_threads_at_end[]") ||
                absl::StartsWith(path, ".counters."))
        << path << " is not in docs/report_json.md's example\n" << line;
  }
}

}  // namespace
}  // namespace orderly
