// Copyright 2026 The orderly Authors.
//
// runtime/version.h: the macros agree with each other, and its example
// (a compile-time check of the version) compiles as written. That the
// version is CHANGELOG.md's newest release is checked by
// tools/check_cmake_sync.sh; below C++17 the #error by tools/check_headers.sh.

#include "runtime/version.h"

#include <string>

#include "gtest/gtest.h"

namespace orderly {
namespace {

TEST(VersionTest, MacrosAgree) {
#if ORDERLY_VERSION_NUMBER >= 200  // 0.2.0 or later
  constexpr bool kAtLeast020 = true;
#else
  constexpr bool kAtLeast020 = false;
#endif
  EXPECT_TRUE(kAtLeast020);
  std::string expected = std::to_string(ORDERLY_VERSION_MAJOR) + "." +
                         std::to_string(ORDERLY_VERSION_MINOR) + "." +
                         std::to_string(ORDERLY_VERSION_PATCH);
  EXPECT_EQ(ORDERLY_VERSION, expected);
  EXPECT_EQ(ORDERLY_VERSION_NUMBER, ORDERLY_VERSION_MAJOR * 10000 +
                                        ORDERLY_VERSION_MINOR * 100 +
                                        ORDERLY_VERSION_PATCH);
}

}  // namespace
}  // namespace orderly
