// Copyright 2026 The orderly Authors.
//
// WriteReportFiles: both files land whole (a concurrent reader never sees a
// part), an existing file is replaced by a new one rather than rewritten, a
// symbolic link planted at a final name is replaced and never followed, and
// failures are clear and leave nothing behind.

#include "render/report_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "tests/test_util.h"
#include "gtest/gtest.h"
#include "render/report_html.h"
#include "render/report_trace.h"
#include "tests/render/report_fixture.h"

namespace orderly {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string NewDir() { return NewTestDir("files"); }

void Write(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

// Every entry of `dir` but "." and "..", sorted.
std::vector<std::string> List(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return names;
  while (dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

TEST(ReportFilesTest, WritesTheTraceAndThePageAndNothingElse) {
  const std::string dir = NewDir();
  const ShutdownReport report = fixture::NastyReport();
  std::vector<std::string> written;
  ASSERT_TRUE(WriteReportFiles(report, dir, "shutdown", &written).ok());
  EXPECT_THAT(written, ElementsAre(dir + "/shutdown.trace.json",
                                   dir + "/shutdown.html"));
  EXPECT_EQ(ReadFile(dir + "/shutdown.trace.json"), ToChromeTrace(report));
  EXPECT_EQ(ReadFile(dir + "/shutdown.html"), ToHtmlTimeline(report));
  // No temporary file left behind.
  EXPECT_THAT(List(dir), ElementsAre("shutdown.html", "shutdown.trace.json"));
  struct stat st;
  ASSERT_EQ(stat((dir + "/shutdown.html").c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_mode & 0022, 0u);  // Not group or world writable.
}

TEST(ReportFilesTest, ReplacesAnExistingFileWithANewOneNotInPlace) {
  const std::string dir = NewDir();
  const std::string path = dir + "/r.html";
  Write(path, "old page");
  struct stat before;
  ASSERT_EQ(stat(path.c_str(), &before), 0);
  // A reader that opened the old file keeps reading the old file whole.
  const int reader = open(path.c_str(), O_RDONLY);
  ASSERT_GE(reader, 0);

  ASSERT_TRUE(WriteReportFiles(fixture::NastyReport(), dir, "r", nullptr).ok());

  struct stat after;
  ASSERT_EQ(stat(path.c_str(), &after), 0);
  EXPECT_NE(after.st_ino, before.st_ino);  // Renamed into place.
  EXPECT_EQ(ReadFile(path), ToHtmlTimeline(fixture::NastyReport()));
  char old[16] = {};
  EXPECT_EQ(pread(reader, old, sizeof(old), 0), 8);
  EXPECT_STREQ(old, "old page");
  close(reader);
}

TEST(ReportFilesTest, AConcurrentReaderSeesAWholeFileEveryTime) {
  const std::string dir = NewDir();
  ShutdownReport small;
  small.deadline = small.stop_requested + absl::Seconds(1);
  const ShutdownReport big = fixture::NastyReport();
  const std::string versions[] = {ToChromeTrace(small), ToChromeTrace(big)};
  ASSERT_TRUE(WriteReportFiles(small, dir, "r", nullptr).ok());

  constexpr int kWrites = 60;
  std::atomic<bool> done{false};
  std::atomic<int> reads{0};
  std::thread reader([&] {
    while (!done.load()) {
      const std::string seen = ReadFile(dir + "/r.trace.json");
      ASSERT_TRUE(seen == versions[0] || seen == versions[1])
          << "a partial file of " << seen.size() << " bytes";
      reads.fetch_add(1);
    }
  });
  for (int i = 0; i < kWrites; ++i) {
    ASSERT_TRUE(
        WriteReportFiles(i % 2 == 0 ? big : small, dir, "r", nullptr).ok());
  }
  done.store(true);
  reader.join();
  EXPECT_GT(reads.load(), 0);
  EXPECT_THAT(List(dir), ElementsAre("r.html", "r.trace.json"));
}

TEST(ReportFilesTest, ALinkPlantedAtTheNameIsReplacedNeverFollowed) {
  const std::string dir = NewDir();
  const std::string elsewhere = NewDir();
  const std::string victim = elsewhere + "/victim";
  Write(victim, "precious");
  // One link to an existing file, one dangling (a follow would create it).
  ASSERT_EQ(symlink(victim.c_str(), (dir + "/r.trace.json").c_str()), 0);
  const std::string dangling = elsewhere + "/created-by-a-follow";
  ASSERT_EQ(symlink(dangling.c_str(), (dir + "/r.html").c_str()), 0);

  ASSERT_TRUE(WriteReportFiles(fixture::NastyReport(), dir, "r", nullptr).ok());

  EXPECT_EQ(ReadFile(victim), "precious");
  EXPECT_THAT(List(elsewhere), ElementsAre("victim"));
  for (const char* name : {"/r.trace.json", "/r.html"}) {
    struct stat st;
    ASSERT_EQ(lstat((dir + name).c_str(), &st), 0);
    EXPECT_TRUE(S_ISREG(st.st_mode)) << name << " is still a link";
  }
  EXPECT_EQ(ReadFile(dir + "/r.html"), ToHtmlTimeline(fixture::NastyReport()));
}

TEST(ReportFilesTest, AMissingDirectoryIsAClearError) {
  const std::string missing = NewDir() + "/no/such/dir";
  std::vector<std::string> written;
  const absl::Status s =
      WriteReportFiles(fixture::NastyReport(), missing, "r", &written);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound) << s;
  EXPECT_THAT(s.message(), HasSubstr(absl::StrCat("\"", missing, "\"")));
  EXPECT_THAT(s.message(), HasSubstr("No such file or directory"));
  EXPECT_THAT(written, IsEmpty());
}

TEST(ReportFilesTest, AFailedRenameLeavesNoTemporaryFileAndSaysWhich) {
  const std::string dir = NewDir();
  // The page's name is taken by a non-empty directory: its rename fails
  // after the trace is already in place.
  ASSERT_EQ(mkdir((dir + "/r.html").c_str(), 0755), 0);
  Write(dir + "/r.html/keep", "x");
  std::vector<std::string> written;
  const absl::Status s =
      WriteReportFiles(fixture::NastyReport(), dir, "r", &written);
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr(absl::StrCat("to \"", dir, "/r.html\"")));
  EXPECT_THAT(written, ElementsAre(dir + "/r.trace.json"));
  EXPECT_THAT(List(dir), ElementsAre("r.html", "r.trace.json"));
  EXPECT_THAT(List(dir + "/r.html"), ElementsAre("keep"));
}

TEST(ReportFilesTest, RefusesABasenameThatIsAPath) {
  const std::string dir = NewDir();
  for (const char* bad : {"", ".", "..", "a/b", "../up"}) {
    const absl::Status s =
        WriteReportFiles(fixture::NastyReport(), dir, bad, nullptr);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_THAT(List(dir), IsEmpty());
}

TEST(ReportFilesTest, AnEmptyDirectoryMeansTheWorkingDirectory) {
  const std::string dir = NewDir();
  char old[4096];
  ASSERT_NE(getcwd(old, sizeof(old)), nullptr);
  ASSERT_EQ(chdir(dir.c_str()), 0);
  std::vector<std::string> written;
  const absl::Status s =
      WriteReportFiles(fixture::NastyReport(), "", "r", &written);
  ASSERT_EQ(chdir(old), 0);
  ASSERT_TRUE(s.ok()) << s;
  // Shown as absolute paths, so that a printed path opens from anywhere.
  char real[4096];
  ASSERT_NE(realpath(dir.c_str(), real), nullptr);
  EXPECT_THAT(written, ElementsAre(absl::StrCat(real, "/r.trace.json"),
                                   absl::StrCat(real, "/r.html")));
  EXPECT_THAT(List(dir), ElementsAre("r.html", "r.trace.json"));
}

}  // namespace
}  // namespace orderly
