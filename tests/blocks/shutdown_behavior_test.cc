// Copyright 2026 The orderly Authors.
//
// ShutdownBehavior's names, as reports and errors print them. What each
// behaviour does in a pool is tested in thread_pool_test.cc and
// task_tracker_test.cc.

#include "blocks/shutdown_behavior.h"

#include <string>

#include "gtest/gtest.h"

namespace orderly {
namespace {

TEST(ShutdownBehaviorTest, EachBehaviourHasItsName) {
  EXPECT_EQ(std::string(ShutdownBehaviorName(
                ShutdownBehavior::kContinueOnShutdown)),
            "CONTINUE_ON_SHUTDOWN");
  EXPECT_EQ(std::string(ShutdownBehaviorName(ShutdownBehavior::kSkipOnShutdown)),
            "SKIP_ON_SHUTDOWN");
  EXPECT_EQ(
      std::string(ShutdownBehaviorName(ShutdownBehavior::kBlockShutdown)),
      "BLOCK_SHUTDOWN");
  // constexpr: usable where a constant is needed.
  static_assert(ShutdownBehaviorName(ShutdownBehavior::kBlockShutdown)[0] ==
                    'B',
                "ShutdownBehaviorName is constexpr");
}

}  // namespace
}  // namespace orderly
