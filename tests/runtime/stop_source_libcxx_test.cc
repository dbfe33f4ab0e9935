// Copyright 2026 The orderly Authors.
//
// LLVM libc++'s behavioural cases for std::stop_source, std::stop_token and
// std::nostopstate (libcxx/test/std/thread/thread.stoptoken/{stopsource,
// stoptoken,nostopstate}/), ported to orderly's API. One test per upstream
// case; each names its upstream file. A case that needs a StopSource object
// (copies, moves, destruction of the source) is a TEST on a standalone
// source; a case that needs only tokens and a request runs once per flavour
// (TEST_P, stop_harness.h). The noexcept and nodiscard checks of those files
// are the static_asserts below ([[nodiscard]] is not ported: orderly's
// accessors are not marked so).

#include <optional>
#include <thread>
#include <type_traits>
#include <utility>

#include "gtest/gtest.h"
#include "runtime/stop_token.h"
#include "tests/runtime/stop_harness.h"

namespace orderly {
namespace {

static_assert(std::is_nothrow_copy_constructible_v<StopSource>);
static_assert(std::is_nothrow_move_constructible_v<StopSource>);
static_assert(std::is_nothrow_copy_assignable_v<StopSource>);
static_assert(std::is_nothrow_move_assignable_v<StopSource>);
static_assert(noexcept(std::declval<StopSource&>().RequestStop()));
static_assert(noexcept(std::declval<const StopSource&>().token()));
static_assert(std::is_nothrow_default_constructible_v<StopToken>);
static_assert(std::is_nothrow_copy_constructible_v<StopToken>);
static_assert(std::is_nothrow_move_assignable_v<StopToken>);
static_assert(noexcept(std::declval<const StopToken&>().stop_possible()));
static_assert(noexcept(std::declval<const StopToken&>() ==
                       std::declval<const StopToken&>()));
// nostopstate/cons.default.pass.cpp; stop_source(nostopstate_t) is explicit.
static_assert(std::is_nothrow_default_constructible_v<NoStopState>);
static_assert(!std::is_convertible_v<NoStopState, StopSource>);

// stopsource/cons.default.pass.cpp
TEST(LibcxxStopSourceTest, ConsDefault) {
  StopSource ss;
  EXPECT_TRUE(ss.stop_possible());
  EXPECT_FALSE(ss.stop_requested());
}

// stopsource/cons.nostopstate.pass.cpp
TEST(LibcxxStopSourceTest, ConsNoStopState) {
  StopSource ss(kNoStopState);
  EXPECT_FALSE(ss.stop_possible());
  EXPECT_FALSE(ss.stop_requested());
}

// stopsource/cons.copy.pass.cpp, first case
TEST(LibcxxStopSourceTest, ConsCopySharesTheState) {
  StopSource source;
  StopSource copy{source};
  EXPECT_TRUE(source == copy);
  EXPECT_TRUE(copy.stop_possible());
  source.RequestStop();
  EXPECT_TRUE(copy.stop_requested());
}

// stopsource/cons.copy.pass.cpp, "source counter incremented"
TEST(LibcxxStopSourceTest, ConsCopyCountsTheSource) {
  std::optional<StopSource> source(std::in_place);
  StopToken st = source->token();
  std::optional<StopSource> copy{source};
  source.reset();
  EXPECT_TRUE(st.stop_possible());
  copy.reset();
  EXPECT_FALSE(st.stop_possible());
}

// stopsource/cons.copy.pass.cpp, "copy from empty"
TEST(LibcxxStopSourceTest, ConsCopyFromEmpty) {
  StopSource ss1{kNoStopState};
  StopSource copy{ss1};
  EXPECT_FALSE(copy.stop_possible());
}

// stopsource/cons.move.pass.cpp
TEST(LibcxxStopSourceTest, ConsMove) {
  StopSource source;
  StopSource source2{std::move(source)};
  EXPECT_FALSE(source.stop_possible());  // NOLINT: use after move.
  EXPECT_TRUE(source2.stop_possible());
  source2.RequestStop();
  EXPECT_FALSE(source.stop_requested());  // NOLINT: use after move.
  EXPECT_TRUE(source2.stop_requested());
}

// stopsource/assign.copy.pass.cpp, the five cases; stopsource/move.copy.pass
// .cpp (move assignment), the same five.
struct AssignCase {
  bool lhs_state, rhs_state;
};
class LibcxxStopSourceAssignTest
    : public ::testing::TestWithParam<std::tuple<AssignCase, bool>> {};

TEST_P(LibcxxStopSourceAssignTest, AssignCopyOrMove) {
  const auto [c, move] = GetParam();
  StopSource ss1 = c.lhs_state ? StopSource() : StopSource(kNoStopState);
  StopSource ss2 = c.rhs_state ? StopSource() : StopSource(kNoStopState);
  EXPECT_EQ(ss1 == ss2, !c.lhs_state && !c.rhs_state);
  (c.rhs_state ? ss2 : ss1).RequestStop();
  const StopSource rhs_before = ss2;
  StopSource& ref = move ? (ss1 = std::move(ss2)) : (ss1 = ss2);
  EXPECT_EQ(&ref, &ss1);
  EXPECT_TRUE(ss1 == rhs_before);
  EXPECT_EQ(ss1.stop_requested(), c.rhs_state);
  EXPECT_EQ(ss1.stop_possible(), c.rhs_state);
  // The source of a move has no state; a copy shares it.
  EXPECT_EQ(ss2.stop_possible(), !move && c.rhs_state);  // NOLINT
  EXPECT_EQ(ss1 == ss2, !move || !c.rhs_state);
}
INSTANTIATE_TEST_SUITE_P(
    AllCases, LibcxxStopSourceAssignTest,
    ::testing::Combine(::testing::Values(AssignCase{true, true},
                                         AssignCase{false, true},
                                         AssignCase{true, false},
                                         AssignCase{false, false}),
                       ::testing::Bool()));

// stopsource/assign.copy.pass.cpp and move.copy.pass.cpp, "self assignment"
TEST(LibcxxStopSourceTest, SelfAssignment) {
  StopSource ss;
  StopSource& self = ss;
  EXPECT_EQ(&(ss = self), &ss);
  EXPECT_TRUE(ss.stop_possible());
  EXPECT_EQ(&(ss = std::move(self)), &ss);
  EXPECT_TRUE(ss.stop_possible());
  EXPECT_FALSE(ss.stop_requested());
  ss.RequestStop();
  EXPECT_TRUE(ss.stop_requested());
}

// stopsource/equals.pass.cpp, the four cases
TEST(LibcxxStopSourceTest, Equals) {
  const StopSource none1(kNoStopState), none2(kNoStopState);
  const StopSource a, copy(a), b;
  EXPECT_TRUE(none1 == none2 && !(none1 != none2));
  EXPECT_TRUE(!(none1 == a) && none1 != a);
  EXPECT_TRUE(a == copy && !(a != copy));
  EXPECT_TRUE(!(a == b) && a != b);
}

// stopsource/get_token.pass.cpp, "no state" and "with state"
TEST(LibcxxStopSourceTest, GetToken) {
  StopSource none(kNoStopState);
  EXPECT_FALSE(none.token().stop_possible());
  EXPECT_FALSE(none.token().stop_requested());
  StopSource ss;
  const StopToken st = ss.token();
  EXPECT_TRUE(st.stop_possible());
  EXPECT_FALSE(st.stop_requested());
  ss.RequestStop();
  EXPECT_TRUE(st.stop_requested());
}

// stopsource/request_stop.pass.cpp, "does not have ownership of a stop
// state", "makes a stop request", "already requested"
TEST(LibcxxStopSourceTest, RequestStopReturns) {
  StopSource none(kNoStopState);
  EXPECT_FALSE(none.RequestStop());
  EXPECT_FALSE(none.stop_requested());
  StopSource ss;
  EXPECT_TRUE(ss.RequestStop());
  EXPECT_TRUE(ss.stop_requested());
  EXPECT_FALSE(ss.RequestStop());
  EXPECT_TRUE(ss.stop_requested());
}

// stopsource/request_stop.pass.cpp, "the callbacks ... are synchronously
// called"
TEST(LibcxxStopSourceTest, RequestStopRunsCallbacksSynchronously) {
  StopSource ss;
  bool cb1 = false, cb2 = false;
  StopCallback sc1(ss.token(), [&] { cb1 = true; });
  StopCallback sc2(ss.token(), [&] { cb2 = true; });
  ss.RequestStop();
  EXPECT_TRUE(cb1 && cb2);
}

// stopsource/stop_possible.pass.cpp, "no state" and "with state"
TEST(LibcxxStopSourceTest, StopPossible) {
  EXPECT_FALSE(StopSource(kNoStopState).stop_possible());
  EXPECT_TRUE(StopSource().stop_possible());
}

// stopsource/stop_requested.pass.cpp, "no state", "has state", "request
// from another instance with same state", "... different state"
TEST(LibcxxStopSourceTest, StopRequested) {
  EXPECT_FALSE(StopSource(kNoStopState).stop_requested());
  StopSource ss1;
  StopSource ss2 = ss1;
  StopSource other;
  EXPECT_FALSE(ss1.stop_requested());
  ss2.RequestStop();
  EXPECT_TRUE(ss1.stop_requested());
  EXPECT_FALSE(other.stop_requested());
}

// stopsource/stop_requested.pass.cpp, "multiple threads" and "a call to
// request_stop that returns true synchronizes with stop_requested"
TEST(LibcxxStopSourceTest, StopRequestedSynchronizes) {
  StopSource ss;
  bool flag = false;  // Plain: TSan checks the happens-before.
  std::thread t([&] {
    flag = true;
    EXPECT_TRUE(ss.RequestStop());
  });
  SpinUntil([&] { return ss.stop_requested(); });
  EXPECT_TRUE(flag);
  t.join();
}

// stopsource/swap.member.pass.cpp and swap.free.pass.cpp
TEST(LibcxxStopSourceTest, Swap) {
  StopSource ss1, ss2(kNoStopState);
  const StopSource orig1 = ss1;
  ss1.RequestStop();
  ss1.swap(ss2);
  EXPECT_TRUE(ss2 == orig1 && ss2.stop_requested());
  EXPECT_FALSE(ss1.stop_possible());
  swap(ss1, ss2);
  EXPECT_TRUE(ss1 == orig1);
  EXPECT_FALSE(ss2.stop_possible());
}

// --- stop_token ------------------------------------------------------------

// stoptoken/cons.default.pass.cpp
TEST(LibcxxStopTokenTest, ConsDefault) {
  const StopToken st;
  EXPECT_FALSE(st.stop_possible());
  EXPECT_FALSE(st.stop_requested());
}

using LibcxxStopTokenFlavourTest = StopFlavourTest;

// stoptoken/cons.copy.pass.cpp
TEST_P(LibcxxStopTokenFlavourTest, ConsCopy) {
  const StopToken st = h_.token();
  StopToken copy(st);
  EXPECT_TRUE(copy == st);
  h_.RequestStopAndWait();
  EXPECT_TRUE(copy.stop_requested() && st.stop_requested());
}

// stoptoken/cons.move.pass.cpp
TEST_P(LibcxxStopTokenFlavourTest, ConsMove) {
  StopToken st = h_.token();
  StopToken moved(std::move(st));
  EXPECT_FALSE(st.stop_possible());  // NOLINT: use after move.
  EXPECT_TRUE(moved.stop_possible());
  EXPECT_TRUE(moved != st);
  h_.RequestStopAndWait();
  EXPECT_TRUE(moved.stop_requested());
  EXPECT_FALSE(st.stop_requested());  // NOLINT: use after move.
}

// stoptoken/assign.copy.pass.cpp
TEST_P(LibcxxStopTokenFlavourTest, AssignCopy) {
  StopToken st1;
  StopToken st2 = h_.token();
  EXPECT_TRUE(st1 != st2);
  h_.RequestStopAndWait();
  StopToken& ref = st1 = st2;
  EXPECT_EQ(&ref, &st1);
  EXPECT_TRUE(st1 == st2 && st1.stop_requested() && st2.stop_requested());
}

// stoptoken/assign.move.pass.cpp
TEST_P(LibcxxStopTokenFlavourTest, AssignMove) {
  StopToken st1;
  StopToken st2 = h_.token();
  h_.RequestStopAndWait();
  StopToken& ref = st1 = std::move(st2);
  EXPECT_EQ(&ref, &st1);
  EXPECT_TRUE(st1 != st2);  // NOLINT: use after move.
  EXPECT_TRUE(st1.stop_requested());
  EXPECT_FALSE(st2.stop_requested());  // NOLINT: use after move.
}

// stoptoken/swap.member.pass.cpp and swap.free.pass.cpp
TEST_P(LibcxxStopTokenFlavourTest, Swap) {
  StopToken st1;
  StopToken st2 = h_.token();
  h_.RequestStopAndWait();
  st1.swap(st2);
  EXPECT_TRUE(st1 != st2 && st1.stop_requested() && !st2.stop_requested());
  swap(st1, st2);
  EXPECT_TRUE(!st1.stop_requested() && st2.stop_requested());
}

// stoptoken/equals.pass.cpp: "both no state", "only one has no state",
// "same source", "different sources with different states"
TEST_P(LibcxxStopTokenFlavourTest, Equals) {
  StopHarness other(GetParam());
  const StopToken none1, none2;
  const StopToken st1 = h_.token(), st2 = h_.token(), st3 = other.token();
  EXPECT_TRUE(none1 == none2 && !(none1 != none2));
  EXPECT_TRUE(!(none1 == st1) && none1 != st1);
  EXPECT_TRUE(st1 == st2 && !(st1 != st2));
  EXPECT_TRUE(!(st1 == st3) && st1 != st3);
}

// stoptoken/equals.pass.cpp, "different sources with same states"
TEST(LibcxxStopTokenTest, EqualsThroughCopiedSources) {
  StopSource ss1;
  StopSource ss2 = ss1;
  EXPECT_TRUE(ss1.token() == ss2.token());
}

// stoptoken/stop_possible.pass.cpp: "no state"; "a stop request was not
// made and there are no associated stop_source objects"; "... there is an
// associated stop_source"; "a stop request was made and there are no
// associated stop_source objects"; "... there is"; "a stop request was made
// on a different thread and there are no associated stop_source objects"
TEST(LibcxxStopTokenTest, StopPossible) {
  EXPECT_FALSE(StopToken().stop_possible());
  std::optional<StopSource> ss(std::in_place);
  StopToken st = ss->token();
  EXPECT_TRUE(st.stop_possible());
  ss.reset();
  EXPECT_FALSE(st.stop_possible());
  ss.emplace();
  st = ss->token();
  ss->RequestStop();
  EXPECT_TRUE(st.stop_possible());
  ss.reset();
  EXPECT_TRUE(st.stop_possible());
  ss.emplace();
  st = ss->token();
  std::thread t([&] {
    ss->RequestStop();
    ss.reset();
  });
  EXPECT_TRUE(st.stop_possible());
  t.join();
  EXPECT_TRUE(st.stop_possible());
}

// stoptoken/stop_requested.pass.cpp: "no state", "has state", "already
// requested before constructor", "single stop_source, multiple stop_token",
// "multiple stop_source, multiple stop_token"
TEST_P(LibcxxStopTokenFlavourTest, StopRequested) {
  StopHarness other(GetParam());
  EXPECT_FALSE(StopToken().stop_requested());
  const StopToken st1 = h_.token(), st2 = h_.token(), st3 = other.token();
  EXPECT_FALSE(st1.stop_requested() || st2.stop_requested());
  h_.RequestStopAndWait();
  EXPECT_TRUE(st1.stop_requested() && st2.stop_requested());
  EXPECT_TRUE(h_.token().stop_requested());
  EXPECT_FALSE(st3.stop_requested());
}

// stoptoken/stop_requested.pass.cpp, "stop_token should share the state"
TEST(LibcxxStopTokenTest, StopRequestedOutlivesTheSource) {
  std::optional<StopSource> ss(std::in_place);
  ss->RequestStop();
  const StopToken st = ss->token();
  ss.reset();
  EXPECT_TRUE(st.stop_requested());
}

// stoptoken/stop_requested.pass.cpp: "multiple threads", "maybe concurrent
// calls", "request_stop ... synchronizes with stop_requested"
TEST_P(LibcxxStopTokenFlavourTest, StopRequestedSynchronizes) {
  const StopToken st = h_.token();
  bool flag = false;  // Plain: TSan checks the happens-before.
  std::thread t([&] {
    flag = true;
    h_.StartStop();
  });
  SpinUntil([&] { return st.stop_requested(); });
  EXPECT_TRUE(flag);
  t.join();
  h_.FinishStop();
}

INSTANTIATE_TEST_SUITE_P(Flavours, LibcxxStopTokenFlavourTest,
                         ::testing::Values(Flavour::kStandalone,
                                           Flavour::kRuntime),
                         FlavourName);

}  // namespace
}  // namespace orderly
