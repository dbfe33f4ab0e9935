// Copyright 2026 The orderly Authors.

#include "tests/hooks/hooks_test_util.h"

#include <stdlib.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"

namespace orderly {

const char* g_scenario_main = nullptr;
const char* g_global_lifetime_main = nullptr;

std::string NewDir() {
  std::string dir = absl::StrCat(getenv("TEST_TMPDIR"), "/hooks-XXXXXX");
  if (mkdtemp(dir.data()) == nullptr) ADD_FAILURE() << "mkdtemp " << dir;
  return dir;
}

std::vector<std::string> Events(const std::string& dir) {
  std::ifstream in(dir + "/events");
  std::stringstream text;
  text << in.rdbuf();
  return absl::StrSplit(text.str(), '\n', absl::SkipEmpty());
}

}  // namespace orderly
