// Copyright 2026 The orderly Authors.
//
// The suppressions compiled in (//sanitizers:tsan_suppressions) are the
// lines of the file users pass in TSAN_OPTIONS (sanitizers/tsan.supp).

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"

extern "C" const char* __tsan_default_suppressions();

namespace {

const char* g_supp_path = nullptr;

// tsan.supp without its comments and blank lines, one rule a line.
std::string Rules(const std::string& text) {
  std::string rules;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (line.empty() || line[0] == '#') continue;
    rules.append(line.data(), line.size()).push_back('\n');
  }
  return rules;
}

TEST(TsanSuppressionsTest, CompiledInRulesAreTheFileRules) {
  std::ifstream in(g_supp_path);
  ASSERT_TRUE(in) << "cannot read " << g_supp_path;
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(Rules(text.str()), __tsan_default_suppressions());
  EXPECT_NE(Rules(text.str()), "");
}

}  // namespace

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <path of sanitizers/tsan.supp>\n", argv[0]);
    return 2;
  }
  g_supp_path = argv[1];
  return RUN_ALL_TESTS();
}
