// Copyright 2026 The orderly Authors.
//
// hooks_test_util.h: what the process-hook tests share. Each test file runs
// the hooks in real child processes (scenario_main.cc,
// global_lifetime_main.cc) and checks exit code, output and the files the
// child wrote; it synchronizes through the child's output ("ready"), never by
// sleeping; timeouts are upper bounds that turn a hang into a failure.
// hooks_test_main.cc is their main():
//   <test> <scenario_main> [<global_lifetime_main>]

#ifndef ORDERLY_TESTS_HOOKS_HOOKS_TEST_UTIL_H_
#define ORDERLY_TESTS_HOOKS_HOOKS_TEST_UTIL_H_

#include <string>
#include <vector>

#include "absl/time/time.h"

namespace orderly {

// The child binaries, from the command line (hooks_test_main.cc).
extern const char* g_scenario_main;
extern const char* g_global_lifetime_main;

#if defined(ORDERLY_SANITIZER_BUILD)
inline constexpr bool kSanitizer = true;
#else
inline constexpr bool kSanitizer = false;
#endif
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define ORDERLY_TSAN 1
#endif
#endif

// Generous: sanitizer builds start and run slower; none is ever waited out
// by a passing test.
inline constexpr absl::Duration kTimeout = absl::Seconds(30);

// A fresh directory for one child's files.
std::string NewDir();

// The lines the child appended to <dir>/events.
std::vector<std::string> Events(const std::string& dir);

}  // namespace orderly

#endif  // ORDERLY_TESTS_HOOKS_HOOKS_TEST_UTIL_H_
