// Copyright 2026 The orderly Authors.
//
// GNU libstdc++'s behavioural cases for <stop_token>
// (libstdc++-v3/testsuite/30_threads/stop_token/), ported to orderly's API.
// One test per upstream test function; each names its upstream file. Cases
// that need only a token and a request run once per flavour (TEST_P,
// stop_harness.h); those that copy, move or destroy a StopSource are TESTs
// on a standalone source.
//
// Not ported: 1.cc and 2.cc (the __cpp_lib_jthread feature-test macro),
// stop_source/109339.cc (a -Wmaybe-uninitialized compile check),
// stop_callback/destructible_neg.cc and invocable_neg.cc (programs that must
// not compile; StopCallback's static_asserts state the same requirements).

#include <atomic>
#include <functional>
#include <memory>
#include <thread>
#include <utility>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "runtime/stop_token.h"
#include "tests/runtime/stop_harness.h"

namespace orderly {
namespace {

using LibstdcxxStopTokenTest = StopFlavourTest;

// stop_callback.cc, test01: an lvalue std::function, copied; a callback that
// runs at once leaves an rvalue token as it was.
TEST_P(LibstdcxxStopTokenTest, StopCallbackTest01) {
  bool called = false;
  std::function<void()> f = [&called] { called = true; };
  h_.RequestStopAndWait();
  StopToken tok = h_.token();
  StopCallback cb1(tok, f);
  EXPECT_TRUE(tok.stop_possible());
  EXPECT_TRUE(f != nullptr);
  EXPECT_TRUE(called);
  called = false;
  StopCallback cb2(std::move(tok), f);
  EXPECT_TRUE(tok.stop_possible());  // NOLINT: not moved from (ran at once).
  EXPECT_TRUE(called);
  StopToken sink(std::move(tok));  // Leaves tok empty.
  called = false;
  StopCallback cb3(tok, f);  // NOLINT: use after move, on purpose.
  EXPECT_FALSE(called);
  StopCallback cb4(std::move(tok), f);
  EXPECT_FALSE(called);
}

// stop_callback.cc, test02: as test01 with the std::function moved in.
TEST_P(LibstdcxxStopTokenTest, StopCallbackTest02) {
  bool called = false;
  const std::function<void()> f0 = [&called] { called = true; };
  std::function<void()> f = f0;
  h_.RequestStopAndWait();
  StopToken tok = h_.token();
  StopCallback cb1(tok, std::move(f));
  EXPECT_TRUE(f == nullptr);  // NOLINT: use after move, on purpose.
  EXPECT_TRUE(called);
  called = false;
  f = f0;
  StopCallback cb2(std::move(tok), std::move(f));
  EXPECT_TRUE(tok.stop_possible());  // NOLINT: not moved from (ran at once).
  EXPECT_TRUE(called);
  StopToken sink(std::move(tok));
  called = false;
  f = f0;
  StopCallback cb3(tok, std::move(f));  // NOLINT: use after move.
  EXPECT_FALSE(called);
}

// stop_callback.cc, test03: registering with an rvalue token takes its
// state; callbacks on an empty token never run.
TEST_P(LibstdcxxStopTokenTest, StopCallbackTest03) {
  bool called[4] = {};
  StopToken tok = h_.token();
  StopCallback cb1(tok, [&] { called[0] = true; });
  EXPECT_TRUE(tok.stop_possible());
  StopCallback cb2(std::move(tok), [&] { called[1] = true; });
  EXPECT_FALSE(tok.stop_possible());  // NOLINT: moved from, on purpose.
  StopCallback cb3(tok, [&] { called[2] = true; });
  StopCallback cb4(std::move(tok), [&] { called[3] = true; });
  EXPECT_FALSE(called[0] || called[1] || called[2] || called[3]);
  h_.RequestStopAndWait();
  EXPECT_TRUE(called[0] && called[1]);
  EXPECT_FALSE(called[2] || called[3]);
}

// stop_callback/deadlock.cc and deadlock-mt.cc (PR libstdc++/92895): a
// callback destroys another registered StopCallback; no deadlock.
TEST_P(LibstdcxxStopTokenTest, CallbackDestroysAnother) {
  using F = void (*)();
  std::unique_ptr<StopCallback<F>> pcb;
  auto dereg = [&pcb] { pcb.reset(); };
  const StopToken stok = h_.token();
  StopCallback cb1(stok, dereg);
  pcb = std::make_unique<StopCallback<F>>(stok, [] {});
  StopCallback cb2(stok, dereg);
  h_.RequestStopAndWait();
  EXPECT_EQ(pcb, nullptr);
}

// stop_callback/destroy.cc (PR libstdc++/92895): the callable is not
// destroyed while it still runs; the StopCallback destructor on another
// thread waits for it.
TEST_P(LibstdcxxStopTokenTest, CallableNotDestroyedWhileRunning) {
  struct Shared {
    std::atomic<int> stage{0};
    StopToken token;
  };
  struct F {
    Shared* shared;
    explicit F(Shared* s) : shared(s) {}
    ~F() { EXPECT_EQ(shared->stage.load(), 4); }
    void operator()() const noexcept {
      shared->stage = 2;  // Lets the owner's thread destroy the StopCallback.
      SpinUntil([&] {
        return BlockedDestructors(shared->token) == 1 || shared->stage == 9;
      });
      shared->stage = 4;
    }
  };
  Shared shared;
  shared.token = h_.token();
  std::thread t2([&] {
    StopCallback<F> cb(shared.token, &shared);
    shared.stage = 1;
    SpinUntil([&] { return shared.stage == 2; });
    // ~StopCallback blocks until the callback completes.
  });
  SpinUntil([&] { return shared.stage == 1; });
  h_.StartStop();
  t2.join();
  if (shared.stage != 4) shared.stage = 9;  // Failed: unblock the callback.
  h_.FinishStop();
}

// stop_callback/invoke.cc (PR libstdc++/92895): callbacks registered before
// the request are invoked with the right value category.
TEST_P(LibstdcxxStopTokenTest, InvokeValueCategory) {
  int lval[5] = {}, rval[5] = {};
  struct F {
    int* lval;
    int* rval;
    int i;
    void operator()() const& { ++lval[i]; }
    void operator()() && { ++rval[i]; }
  };
  const StopToken stok = h_.token();
  StopCallback<F> cb0(stok, F{lval, rval, 0});
  StopCallback<F> cb1(stok, F{lval, rval, 1});
  StopCallback<F> cb2(stok, F{lval, rval, 2});
  F f3{lval, rval, 3};
  StopCallback<F&> cb3(stok, f3);
  StopCallback<const F> cb4(stok, F{lval, rval, 4});
  h_.RequestStopAndWait();
  EXPECT_TRUE(lval[0] == 0 && lval[1] == 0 && lval[2] == 0);
  EXPECT_EQ(lval[3], 1);
  EXPECT_EQ(lval[4], 1);
  EXPECT_TRUE(rval[0] == 1 && rval[1] == 1 && rval[2] == 1);
  EXPECT_TRUE(rval[3] == 0 && rval[4] == 0);
}

// stop_token.cc, test01: copy, move and swap of tokens.
TEST_P(LibstdcxxStopTokenTest, StopTokenTest01) {
  StopToken tok = h_.token();
  StopToken copy(tok);
  EXPECT_TRUE(copy == tok);
  StopToken move(std::move(tok));
  EXPECT_TRUE(move != tok && move == copy);  // NOLINT: use after move.
  EXPECT_FALSE(tok.stop_possible());         // NOLINT: use after move.
  h_.RequestStopAndWait();
  EXPECT_TRUE(move.stop_requested() && copy.stop_requested());
  EXPECT_FALSE(tok.stop_requested());  // NOLINT: use after move.
  tok.swap(move);
  EXPECT_TRUE(tok == copy && tok.stop_requested());
  EXPECT_FALSE(move.stop_possible() || move.stop_requested());
  swap(move, copy);
  EXPECT_TRUE(tok == move && move.stop_requested());
  EXPECT_FALSE(copy.stop_possible() || copy.stop_requested());
}

// stop_token.cc, test02: tokens of two states.
TEST_P(LibstdcxxStopTokenTest, StopTokenTest02) {
  StopHarness other(GetParam());
  StopToken tok = h_.token();
  StopToken copy = other.token();
  EXPECT_TRUE(copy != tok);
  copy = tok;
  EXPECT_TRUE(copy == tok);
  copy = other.token();
  EXPECT_TRUE(copy != tok);
}

// stop_token.cc, test03: register, deregister, request, register late.
TEST_P(LibstdcxxStopTokenTest, StopTokenTest03) {
  const StopToken stok = h_.token();
  EXPECT_TRUE(stok.stop_possible() && !stok.stop_requested());
  bool cb1called = false, cb2called = false, cb3called = false;
  { StopCallback scb1(stok, [&] { cb1called = true; }); }
  auto cb2 = [&] {
    EXPECT_TRUE(stok.stop_requested());
    cb2called = true;
  };
  StopCallback scb2a(stok, cb2);  // Copies cb2.
  EXPECT_FALSE(cb1called || cb2called);
  EXPECT_TRUE(h_.RequestStopAndWait());
  EXPECT_TRUE(stok.stop_possible() && stok.stop_requested());
  EXPECT_FALSE(cb1called);
  EXPECT_TRUE(cb2called);
  EXPECT_FALSE(h_.RequestStopAndWait());
  StopCallback scb3(stok, [&] { cb3called = true; });
  EXPECT_TRUE(cb3called);
}

// stop_token/stop_possible.cc, test01
TEST_P(LibstdcxxStopTokenTest, StopPossibleTest01) {
  const StopToken tok = h_.token();
  EXPECT_TRUE(tok.stop_possible());
  h_.RequestStopAndWait();
  EXPECT_TRUE(tok.stop_possible());
}

// stop_token/stop_possible.cc, test02: false once no source is left.
TEST(LibstdcxxStopTokenStandaloneTest, StopPossibleTest02) {
  const StopToken tok = StopSource().token();
  EXPECT_FALSE(tok.stop_possible());
}

// stop_source.cc, test01: copy and move of a source with a state.
TEST(LibstdcxxStopTokenStandaloneTest, StopSourceTest01) {
  StopSource ssrc;
  EXPECT_TRUE(ssrc.stop_possible() && !ssrc.stop_requested());
  EXPECT_TRUE(ssrc == ssrc && !(ssrc != ssrc));
  StopSource copy(ssrc);
  EXPECT_TRUE(copy.stop_possible() && copy == ssrc);
  StopSource move(std::move(ssrc));
  EXPECT_TRUE(move.stop_possible() && copy.stop_possible());
  EXPECT_FALSE(ssrc.stop_possible() || ssrc.stop_requested());  // NOLINT
  EXPECT_TRUE(move != ssrc && ssrc == ssrc && move == copy);     // NOLINT
  EXPECT_TRUE(copy != ssrc);                                     // NOLINT
}

// stop_source.cc, test02: copy and move of a source without a state.
TEST(LibstdcxxStopTokenStandaloneTest, StopSourceTest02) {
  StopSource ssrc(kNoStopState);
  EXPECT_FALSE(ssrc.stop_possible() || ssrc.stop_requested());
  StopSource copy(ssrc);
  EXPECT_FALSE(copy.stop_possible());
  EXPECT_TRUE(copy == ssrc);
  StopSource move(std::move(ssrc));
  EXPECT_FALSE(move.stop_possible());
  EXPECT_TRUE(move == ssrc && move == copy);  // NOLINT: use after move.
}

// stop_source.cc, test03: swap.
TEST(LibstdcxxStopTokenStandaloneTest, StopSourceTest03) {
  StopSource s1;
  StopSource copy(s1);
  s1.RequestStop();
  StopSource s2(kNoStopState);
  EXPECT_TRUE(s1 != s2);
  s1.swap(s2);
  EXPECT_FALSE(s1.stop_possible() || s1.stop_requested());
  EXPECT_TRUE(s2.stop_possible() && s2.stop_requested() && s2 == copy);
  swap(s1, s2);
  EXPECT_TRUE(s1.stop_possible() && s1.stop_requested() && s1 == copy);
  EXPECT_FALSE(s2.stop_possible());
}

// stop_source/assign.cc, test01: copy assignment.
TEST(LibstdcxxStopTokenStandaloneTest, StopSourceAssignTest01) {
  StopSource src1, src2;
  const StopSource orig1(src1);
  EXPECT_TRUE(src1 != src2);
  src1 = src2;
  EXPECT_TRUE(src1 == src2 && src1 != orig1);
}

// stop_source/assign.cc, test02: move assignment.
TEST(LibstdcxxStopTokenStandaloneTest, StopSourceAssignTest02) {
  StopSource src1, src2;
  const StopSource orig1(src1), orig2(src2), src0(kNoStopState);
  src1 = std::move(src2);
  EXPECT_TRUE(src1 == orig2 && src2 == src0);  // NOLINT: use after move.
  EXPECT_TRUE(src1 != orig1 && src0 != orig1);
}

INSTANTIATE_TEST_SUITE_P(Flavours, LibstdcxxStopTokenTest,
                         ::testing::Values(Flavour::kStandalone,
                                           Flavour::kRuntime),
                         FlavourName);

}  // namespace
}  // namespace orderly
