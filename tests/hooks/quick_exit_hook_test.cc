// Copyright 2026 The orderly Authors.
//
// InstallQuickExitHook()'s options. What quick_exit() then does is tested in
// child processes: ExitTest.QuickExitDeliversEveryQueuedRecord
// (exits_test.cc) and the torture suite's quick_exit rounds.

#include "hooks/quick_exit_hook.h"

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace orderly {
namespace {

using ::testing::HasSubstr;

TEST(QuickExitHookTest, BudgetMustBePositiveAndFinite) {
  for (absl::Duration bad : {absl::ZeroDuration(), -absl::Milliseconds(1),
                             absl::InfiniteDuration()}) {
    QuickExitHookOptions options;
    options.budget = bad;
    absl::Status s = InstallQuickExitHook(options);
    EXPECT_TRUE(absl::IsInvalidArgument(s)) << s;
    EXPECT_THAT(s.message(), HasSubstr("budget is")) << s;
    EXPECT_THAT(s.message(), HasSubstr("positive and finite")) << s;
  }
}

TEST(QuickExitHookTest, InstallsOnceAndLaterCallsOnlyChangeTheOptions) {
  EXPECT_TRUE(InstallQuickExitHook().ok());
  QuickExitHookOptions options;
  options.budget = absl::Milliseconds(200);
  EXPECT_TRUE(InstallQuickExitHook(options).ok());
}

}  // namespace
}  // namespace orderly
