// Copyright 2026 The orderly Authors.
//
// A dlopen()ed plugin that declared a component, a cleanup, a terminate
// hook and a thread is dlclose()d; the shutdown then runs clean, because
// the plugin removed its component first. Without the removal, the
// sequence would call into unmapped code: the second test shows it does.

#include <string>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/hooks/child_process.h"
#include "tests/test_util.h"

namespace orderly {
namespace {

using ::testing::HasSubstr;

const char* g_main = nullptr;
const char* g_plugin = nullptr;

TEST(PluginTest, RemovedBeforeDlcloseTheShutdownRunsClean) {
  const std::string events = NewTestDir("plugin") + "/events";
  ChildProcess child({g_main, g_plugin, events, "remove"});
  ChildProcess::Result r = child.Wait(absl::Seconds(30));
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("one runtime")) << r;
  EXPECT_THAT(r.out, HasSubstr("unloaded")) << r;
  // Removed: neither its hook nor its cleanup ran.
  EXPECT_EQ(ReadFile(events), "");
}

TEST(PluginTest, LeftInPlaceTheShutdownCallsUnmappedCode) {
  const std::string events = NewTestDir("plugin") + "/events";
  ChildProcess child({g_main, g_plugin, events, "keep"});
  ChildProcess::Result r = child.Wait(absl::Seconds(30));
  EXPECT_THAT(r.out, HasSubstr("unloaded")) << r;
  EXPECT_TRUE(r.signal != 0 || r.exit_code != 0) << r;
}

}  // namespace
}  // namespace orderly

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  if (argc != 3) {
    std::fprintf(stderr, "usage: plugin_test <plugin_main> <plugin.so>\n");
    return 2;
  }
  orderly::g_main = argv[1];
  orderly::g_plugin = argv[2];
  return RUN_ALL_TESTS();
}
