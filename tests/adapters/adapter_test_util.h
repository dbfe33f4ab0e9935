// Copyright 2026 The orderly Authors.
//
// adapter_test_util.h: runs an adapter test's child once per end mode
// (end_modes.h) and checks what every adapter promises: the expected exit
// code, a bounded exit, the counts line, and nothing lost.

#ifndef ORDERLY_TESTS_ADAPTERS_ADAPTER_TEST_UTIL_H_
#define ORDERLY_TESTS_ADAPTERS_ADAPTER_TEST_UTIL_H_

#include <signal.h>
#include <stdlib.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/adapters/end_modes.h"
#include "tests/hooks/child_process.h"

namespace orderly {

// Generous for a loaded CI machine under TSan; the exits measured are in
// the tens of milliseconds (the tests print them).
inline constexpr absl::Duration kChildTimeout = absl::Seconds(60);
// From the end request (SIGTERM, exit(), the return) to the process end.
inline constexpr absl::Duration kExitBound = absl::Seconds(10);

struct EndResult {
  ChildProcess::Result result;
  Counts counts;
  bool counted = false;
  absl::Duration exit_time;  // From "ready" to the child's end.
};

// The child's TSAN_OPTIONS: the test's own, plus `extra` (":k=v..."), plus,
// for kExit, report_thread_leaks=0: exit() does not destroy main's
// ManagedThread handles, so the threads (ended and accounted for by the
// sequence) are never pthread_join()ed, which TSan reports as a leak.
inline void SetChildTsanOptions(EndMode mode, const std::string& extra) {
  static const std::string* const kOwn = [] {
    const char* own = getenv("TSAN_OPTIONS");
    return new std::string(own ? own : "");
  }();
  setenv("TSAN_OPTIONS",
         absl::StrCat(*kOwn, extra,
                      mode == EndMode::kExit ? ":report_thread_leaks=0" : "")
             .c_str(),
         1);
}

// Starts `argv` plus the mode, waits for "ready", sends SIGTERM in
// kSigterm, and waits for the end.
inline EndResult RunEndMode(std::vector<std::string> argv, EndMode mode,
                            const std::string& tsan_extra = "") {
  argv.push_back(EndModeName(mode));
  SetChildTsanOptions(mode, tsan_extra);
  ChildProcess child(argv);
  EndResult r;
  const bool ready = child.WaitForOutput("ready", kChildTimeout);
  const absl::Time ready_at = absl::Now();
  if (ready && mode == EndMode::kSigterm) kill(child.pid(), SIGTERM);
  r.result = child.Wait(kChildTimeout);
  r.exit_time = absl::Now() - ready_at;
  if (auto c = ParseCounts(r.result.out)) {
    r.counts = *c;
    r.counted = true;
  }
  return r;
}

inline int ExpectedExitCode(EndMode mode) {
  return mode == EndMode::kExit ? kExitCode : 0;
}

// The checks every adapter's end-mode test makes.
inline void ExpectOrderlyEnd(const EndResult& r, EndMode mode) {
  EXPECT_FALSE(r.result.timed_out) << r.result;
  EXPECT_EQ(r.result.exit_code, ExpectedExitCode(mode)) << r.result;
  ASSERT_TRUE(r.counted) << r.result;
  EXPECT_GT(r.counts.sent, 0) << r.result;
  EXPECT_EQ(r.counts.sent - r.counts.received, 0) << "lost\n" << r.result;
  EXPECT_LT(r.exit_time, kExitBound) << r.result;
  std::printf("%s: sent %lld, received %lld, lost %lld, exit %s after ready\n",
              EndModeName(mode), static_cast<long long>(r.counts.sent),
              static_cast<long long>(r.counts.received),
              static_cast<long long>(r.counts.sent - r.counts.received),
              absl::FormatDuration(r.exit_time).c_str());
}

}  // namespace orderly

#endif  // ORDERLY_TESTS_ADAPTERS_ADAPTER_TEST_UTIL_H_
