// Copyright 2026 The orderly Authors.
//
// OverflowPolicy: its names, and what a full BackgroundConsumer queue does
// with a push under each policy (block until room, fail with a status, drop
// and count).

#include "blocks/overflow_policy.h"

#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "blocks/background_consumer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/runtime.h"

namespace orderly {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

BackgroundConsumerOptions<int> On(Runtime& rt, size_t capacity,
                                  OverflowPolicy overflow) {
  BackgroundConsumerOptions<int> options;
  options.runtime = &rt;
  options.capacity = capacity;
  options.overflow = overflow;
  return options;
}

TEST(OverflowPolicyTest, Names) {
  static_assert(OverflowPolicyName(OverflowPolicy::kBlock)[0] == 'b',
                "usable in constant expressions");
  EXPECT_STREQ(OverflowPolicyName(OverflowPolicy::kBlock), "block");
  EXPECT_STREQ(OverflowPolicyName(OverflowPolicy::kFail), "fail");
  EXPECT_STREQ(OverflowPolicyName(OverflowPolicy::kDrop), "drop");
}

class OverflowTest : public ::testing::TestWithParam<OverflowPolicy> {};

TEST_P(OverflowTest, FullQueueFollowsThePolicy) {
  const OverflowPolicy policy = GetParam();
  absl::Notification entered, gate, pushed;  // Outlive the runtime.
  std::vector<int> delivered;                // Read after Close().
  absl::Status third;
  Runtime rt;
  auto sink = BackgroundConsumer<int>::Create(
      "sink",
      [&](int&& v) {
        if (v == 0) {
          entered.Notify();
          gate.WaitForNotification();
        }
        delivered.push_back(v);
      },
      On(rt, /*capacity=*/2, policy));
  ASSERT_TRUE(sink.ok()) << sink.status();
  ASSERT_TRUE((*sink)->Push(0).ok());
  entered.WaitForNotification();  // The consumer holds item 0: queue empty.
  ASSERT_TRUE((*sink)->Push(1).ok());
  ASSERT_TRUE((*sink)->Push(2).ok());  // Full now.
  std::thread pusher([&] {
    third = (*sink)->Push(3);
    pushed.Notify();
  });
  if (policy == OverflowPolicy::kBlock) {
    // Not a sleep: ends as soon as the push is parked waiting for room.
    while ((*sink)->BlockedPushersForTesting() == 0) std::this_thread::yield();
    EXPECT_FALSE(pushed.HasBeenNotified());
  } else {
    pushed.WaitForNotification();  // Returns without the consumer's help.
  }
  gate.Notify();
  pusher.join();
  (*sink)->Close();
  const auto stats = (*sink)->stats();
  switch (policy) {
    case OverflowPolicy::kBlock:
      EXPECT_TRUE(third.ok()) << third;
      EXPECT_THAT(delivered, ElementsAre(0, 1, 2, 3));
      break;
    case OverflowPolicy::kFail:
      EXPECT_EQ(third.code(), absl::StatusCode::kResourceExhausted);
      EXPECT_THAT(third.message(), HasSubstr("queue full (capacity 2"));
      EXPECT_THAT(delivered, ElementsAre(0, 1, 2));
      EXPECT_EQ(stats.refused, 1);
      break;
    case OverflowPolicy::kDrop:
      EXPECT_TRUE(third.ok()) << third;
      EXPECT_THAT(delivered, ElementsAre(0, 1, 2));
      EXPECT_EQ(stats.dropped, 1);
      break;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Policies, OverflowTest,
    ::testing::Values(OverflowPolicy::kBlock, OverflowPolicy::kFail,
                      OverflowPolicy::kDrop),
    [](const ::testing::TestParamInfo<OverflowPolicy>& info) {
      return std::string(OverflowPolicyName(info.param));
    });

}  // namespace
}  // namespace orderly
