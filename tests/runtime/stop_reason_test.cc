// Copyright 2026 The orderly Authors.
//
// StopReason: its text, and Pack()/Unpack(), the one word a signal handler
// stores (kind, the low 12 bits of the code, the 48-bit text address).

#include "runtime/stop_reason.h"

#include <signal.h>

#include <cstdint>

#include "gtest/gtest.h"

namespace orderly {
namespace {

void ExpectSame(const StopReason& a, const StopReason& b) {
  EXPECT_EQ(a.kind(), b.kind());
  EXPECT_EQ(a.code(), b.code());
  EXPECT_EQ(a.text(), b.text());  // The same pointer: nothing was copied.
}

TEST(StopReasonTest, ToStringNamesTheReason) {
  EXPECT_EQ(StopReason::Signal(SIGTERM).ToString(), "SIGTERM (signal 15)");
  EXPECT_EQ(StopReason::Exit(3).ToString(), "exit(3)");
  EXPECT_EQ(StopReason::Destroyed().ToString(), "runtime destroyed");
  EXPECT_EQ(StopReason::Message("admin /quitquitquit").ToString(),
            "requested: admin /quitquitquit");
  EXPECT_EQ(StopReason().ToString(), "requested: requested");
  EXPECT_EQ(StopReason::Signal(1000).ToString(), "signal 1000");
}

TEST(StopReasonTest, NullMessageIsEmptyText) {
  const StopReason r = StopReason::Message(nullptr);
  ASSERT_NE(r.text(), nullptr);
  EXPECT_STREQ(r.text(), "");
}

TEST(StopReasonTest, PackedWordIsNeverZeroAndRoundTrips) {
  static const char kText[] = "config reload";
  for (const StopReason& r :
       {StopReason(), StopReason::Message(kText), StopReason::Signal(SIGINT),
        StopReason::Signal(SIGTERM), StopReason::Exit(0),
        StopReason::Exit(255), StopReason::Destroyed()}) {
    const uint64_t word = r.Pack();
    EXPECT_NE(word, 0u) << r.ToString();
    ExpectSame(StopReason::Unpack(word), r);
  }
}

TEST(StopReasonTest, ZeroUnpacksToTheDefaultReason) {
  // The runtime's atomic starts at 0: "no reason recorded yet".
  ExpectSame(StopReason::Unpack(0), StopReason());
}

TEST(StopReasonTest, PackKeepsTheLow12BitsOfTheCode) {
  // Signal numbers and exit statuses fit; larger codes are cut, as
  // documented, never spilled into the kind or the pointer.
  const StopReason big = StopReason::Exit(4096 + 7);
  const StopReason unpacked = StopReason::Unpack(big.Pack());
  EXPECT_EQ(unpacked.kind(), StopReason::Kind::kExit);
  EXPECT_EQ(unpacked.code(), 7);
  EXPECT_EQ(unpacked.text(), big.text());
  EXPECT_EQ(StopReason::Unpack(StopReason::Exit(4095).Pack()).code(), 4095);
}

TEST(StopReasonTest, IsTriviallyCopyableForSignalHandlers) {
  static_assert(std::is_trivially_copyable<StopReason>::value,
                "recorded from signal handlers");
  constexpr StopReason r = StopReason::Signal(SIGTERM);
  static_assert(r.code() == SIGTERM, "constexpr");
}

}  // namespace
}  // namespace orderly
