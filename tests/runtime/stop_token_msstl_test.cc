// Copyright 2026 The orderly Authors.
//
// Microsoft STL's behavioural cases for <stop_token>
// (tests/std/tests/P0660R10_stop_token/test.cpp), ported to orderly's API.
// One test per upstream block; each names its block. Cases that need only a
// token and a request run once per flavour (TEST_P, stop_harness.h); those
// that copy, move or destroy a StopSource are TESTs on a standalone source.
//
// Not ported: the allocation counts (new_counter.hpp's reset_new_counters:
// "must not allocate"; orderly's tests do not replace operator new, which
// the sanitizer builds own; BM_StopCallback_RegisterDeregister reports the
// allocations instead), and "stop_source throws bad_alloc when allocation
// fails" (needs allocation-failure injection).

#include <atomic>
#include <optional>
#include <thread>
#include <utility>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "runtime/stop_token.h"
#include "tests/runtime/stop_harness.h"

namespace orderly {
namespace {

struct ThrowingConstructionFunctor {
  explicit ThrowingConstructionFunctor(int x) { throw x; }
  void operator()() const { ADD_FAILURE() << "never constructed"; }
};

struct CallCountingFunctor {
  std::atomic<int>* state;
  explicit CallCountingFunctor(std::atomic<int>* s) : state(s) {}
  CallCountingFunctor(const CallCountingFunctor&) = delete;
  CallCountingFunctor& operator=(const CallCountingFunctor&) = delete;
  void operator()() && { ++*state; }
};

struct CbDestroyingFunctor {
  std::optional<StopCallback<CbDestroyingFunctor>>* owner;
  explicit CbDestroyingFunctor(
      std::optional<StopCallback<CbDestroyingFunctor>>& o)
      : owner(&o) {}
  CbDestroyingFunctor(const CbDestroyingFunctor&) = delete;
  CbDestroyingFunctor& operator=(const CbDestroyingFunctor&) = delete;
  void operator()() && { owner->reset(); }
};

// "all the following must not allocate, and must work with a nostopstate
// source" (the allocation count is not ported).
TEST(MsStlStopTokenTest, NoStateOperations) {
  StopToken token;
  StopToken token_copy{token};
  StopToken token_moved{std::move(token)};
  token_copy = token;             // NOLINT: use after move, on purpose.
  token_moved = std::move(token);
  token.swap(token_copy);
  EXPECT_FALSE(token.stop_requested() || token.stop_possible());
  EXPECT_TRUE(token == token_copy);
  swap(token, token_copy);
  StopSource source{kNoStopState};
  StopSource copied_source{source};
  StopSource moved_source{std::move(source)};
  copied_source = source;  // NOLINT: use after move, on purpose.
  moved_source = std::move(source);
  copied_source.swap(source);
  EXPECT_FALSE(source.token().stop_possible());
  EXPECT_FALSE(source.token().stop_requested());
  EXPECT_FALSE(source.stop_possible() || source.stop_requested());
  EXPECT_FALSE(source.RequestStop());
  EXPECT_TRUE(source == copied_source && source == moved_source);
  swap(source, copied_source);
  StopCallback cb{token, [] { ADD_FAILURE() << "no state: never runs"; }};
  StopCallback cb_moved{std::move(token), [] { ADD_FAILURE(); }};
}

// "normal reference counted things state management": stop_source.
TEST(MsStlStopTokenTest, StopSourceStateManagement) {
  StopSource empty{kNoStopState};
  StopSource source_a, source_b;
  EXPECT_TRUE(source_a.stop_possible() && !source_a.stop_requested());
  EXPECT_TRUE(source_a != empty && source_a != source_b);
  StopSource copied_source{source_a};
  EXPECT_TRUE(copied_source == source_a);
  source_a.swap(source_b);
  EXPECT_TRUE(copied_source == source_b);
  swap(source_a, source_b);
  EXPECT_TRUE(copied_source == source_a);
  StopSource moved_source{std::move(source_a)};
  EXPECT_FALSE(source_a.stop_possible());  // NOLINT: use after move.
  EXPECT_TRUE(empty == source_a && moved_source != source_a);  // NOLINT
  StopSource& self = moved_source;
  moved_source = std::move(self);
  swap(moved_source, source_a);
  copied_source = source_b;
  EXPECT_TRUE(copied_source == source_b);
  moved_source = std::move(source_a);
  EXPECT_FALSE(source_a.stop_possible());  // NOLINT: use after move.
  EXPECT_TRUE(moved_source.stop_possible());
  moved_source.swap(source_a);
  EXPECT_TRUE(source_a.stop_possible() && !moved_source.stop_possible());
  EXPECT_FALSE(empty.RequestStop());
  EXPECT_TRUE(source_a.RequestStop() && source_a.stop_requested());
  EXPECT_FALSE(source_a.RequestStop());
  EXPECT_FALSE(source_b.stop_requested() || copied_source.stop_requested());
  EXPECT_TRUE(copied_source.RequestStop());
  EXPECT_TRUE(source_b.stop_requested() && copied_source.stop_requested());
  EXPECT_FALSE(source_b.RequestStop());
}

// "normal reference counted things state management": stop_token.
TEST(MsStlStopTokenTest, StopTokenStateManagement) {
  StopSource source_a, source_b;
  StopToken token_a = source_a.token();
  EXPECT_TRUE(token_a.stop_possible() && !token_a.stop_requested());
  StopToken token_b = source_b.token();
  EXPECT_TRUE(token_a != token_b);
  StopToken copied_token{token_a};
  EXPECT_TRUE(copied_token == token_a);
  StopToken moved_token{std::move(token_a)};
  EXPECT_TRUE(moved_token == copied_token && moved_token != token_a);  // NOLINT
  EXPECT_FALSE(token_a.stop_possible() || token_a.stop_requested());  // NOLINT
  moved_token.swap(token_a);
  copied_token = token_b;
  EXPECT_TRUE(copied_token == token_b);
  moved_token = std::move(token_b);
  EXPECT_TRUE(moved_token == copied_token);
  StopToken& self = moved_token;
  moved_token = std::move(self);
  EXPECT_TRUE(moved_token == copied_token && moved_token != token_a);
  EXPECT_FALSE(token_b.stop_possible() || token_b.stop_requested());  // NOLINT
  swap(token_b, moved_token);
  EXPECT_FALSE(copied_token.stop_requested());
  EXPECT_TRUE(source_b.RequestStop());
  EXPECT_FALSE(token_a.stop_requested());
  EXPECT_TRUE(token_b.stop_requested() && copied_token.stop_requested());
}

// "the stop_possible special cases": all sources are gone.
TEST(MsStlStopTokenTest, AllSourcesGone) {
  StopToken token;
  {
    StopSource source;
    token = source.token();
    EXPECT_TRUE(token.stop_possible());
  }
  EXPECT_FALSE(token.stop_possible() || token.stop_requested());
  StopCallback cb{token, [] { ADD_FAILURE() << "no stop can come"; }};
}

// "the stop_possible special cases": all sources are gone but stop happened
// first.
TEST(MsStlStopTokenTest, AllSourcesGoneAfterTheStop) {
  StopToken token;
  {
    StopSource source;
    token = source.token();
    EXPECT_TRUE(source.RequestStop());
    EXPECT_TRUE(token.stop_possible() && token.stop_requested());
  }
  EXPECT_TRUE(token.stop_possible() && token.stop_requested());
}

// "empty assign special cases": source = empty (lvalue), = rvalue; token =
// empty (lvalue), = rvalue.
TEST(MsStlStopTokenTest, EmptyAssign) {
  StopSource source1, source2;
  const StopSource empty{kNoStopState};
  source1 = empty;
  EXPECT_FALSE(source1.stop_possible());
  source2 = StopSource{kNoStopState};
  EXPECT_FALSE(source2.stop_possible());
  StopSource source;
  StopToken token1 = source.token(), token2 = source.token();
  const StopToken empty_token;
  token1 = empty_token;
  EXPECT_FALSE(token1.stop_possible());
  token2 = StopToken{};
  EXPECT_FALSE(token2.stop_possible());
}

using MsStlStopCallbackTest = StopFlavourTest;

// "callback calling in the ctor", first block.
TEST_P(MsStlStopCallbackTest, CallingInTheCtor) {
  std::atomic<int> calls{0};
  h_.RequestStopAndWait();
  EXPECT_EQ(calls.load(), 0);
  StopCallback<CallCountingFunctor> cb{h_.token(), &calls};
  EXPECT_EQ(calls.load(), 1);
}

// "callback calling in the ctor", second block: the source is gone.
TEST(MsStlStopTokenTest, CallingInTheCtorAfterTheSourceIsGone) {
  std::atomic<int> calls{0};
  StopToken token;
  {
    StopSource source;
    token = source.token();
    source.RequestStop();
  }
  StopCallback<CallCountingFunctor> cb{token, &calls};
  EXPECT_EQ(calls.load(), 1);
}

// "callback calling on cancel"
TEST_P(MsStlStopCallbackTest, CallingOnCancel) {
  std::atomic<int> calls{0};
  StopCallback<CallCountingFunctor> cb{h_.token(), &calls};
  EXPECT_EQ(calls.load(), 0);
  h_.RequestStopAndWait();
  EXPECT_EQ(calls.load(), 1);
}

// "if the callback is executing on the current thread it does not block for
// the callback to finish executing"
TEST_P(MsStlStopCallbackTest, SelfDestroyDoesNotBlock) {
  std::optional<StopCallback<CbDestroyingFunctor>> cb;
  cb.emplace(h_.token(), cb);
  h_.RequestStopAndWait();  // Would deadlock if the destructor waited.
  EXPECT_FALSE(cb.has_value());
}

// "if the callback is executing on another thread it blocks for the callback
// to finish executing" (events instead of the upstream's timed sleeps).
TEST_P(MsStlStopCallbackTest, DestroyBlocksForTheCallbackOnAnotherThread) {
  const StopToken token = h_.token();
  absl::Notification started;
  std::atomic<bool> callback_returned{false}, destroyed{false};
  std::thread::id runner;
  {
    StopCallback cb{token, [&] {
                      runner = std::this_thread::get_id();
                      started.Notify();
                      SpinUntil([&] {
                        return BlockedDestructors(token) == 1 || destroyed;
                      });
                      callback_returned = true;
                    }};
    h_.StartStop();
    started.WaitForNotification();
    EXPECT_FALSE(h_.RequestStopNoWait());
  }  // Destroy cb: waits for the callback.
  destroyed = true;
  EXPECT_TRUE(callback_returned.load());
  EXPECT_NE(runner, std::this_thread::get_id());
  h_.FinishStop();
}

// "more than one callback in the list and the first callback unregisters
// one of the others" (idx 0..4; the second is destroyed before the stop).
TEST_P(MsStlStopCallbackTest, FirstCallbackUnregistersAnother) {
  constexpr int kCallbacks = 5;
  for (int idx = 0; idx < kCallbacks; ++idx) {
    StopHarness h(GetParam());
    const StopToken token = h.token();
    std::optional<StopCallback<CbDestroyingFunctor>> cbs[kCallbacks];
    cbs[0].emplace(token, cbs[idx]);
    for (int i = 1; i < kCallbacks; ++i) cbs[i].emplace(token, cbs[i]);
    cbs[2].reset();
    h.RequestStopAndWait();
    // Each ran and destroyed its target; cbs[0] destroyed cbs[idx] instead
    // of itself (cbs[2] was gone already).
    for (int i = 0; i < kCallbacks; ++i) {
      EXPECT_EQ(cbs[i].has_value(), i == 0 && idx != 0) << idx << i;
    }
  }
}

// "exception safety cases": the callable's constructor throws, with an
// rvalue and with an lvalue token; nothing is registered.
TEST_P(MsStlStopCallbackTest, ThrowingConstruction) {
  try {
    StopCallback<ThrowingConstructionFunctor> cb{h_.token(), 42};
    ADD_FAILURE() << "not thrown";
  } catch (int i) {
    EXPECT_EQ(i, 42);
  }
  try {
    const StopToken token_lvalue = h_.token();
    StopCallback<ThrowingConstructionFunctor> cb{token_lvalue, 43};
    ADD_FAILURE() << "not thrown";
  } catch (int i) {
    EXPECT_EQ(i, 43);
  }
  h_.RequestStopAndWait();  // Nothing registered, nothing runs.
}

INSTANTIATE_TEST_SUITE_P(Flavours, MsStlStopCallbackTest,
                         ::testing::Values(Flavour::kStandalone,
                                           Flavour::kRuntime),
                         FlavourName);

}  // namespace
}  // namespace orderly
