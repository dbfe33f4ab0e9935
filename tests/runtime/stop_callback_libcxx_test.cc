// Copyright 2026 The orderly Authors.
//
// LLVM libc++'s behavioural cases for std::stop_callback
// (libcxx/test/std/thread/thread.stoptoken/stopcallback/), ported to
// orderly's API, once per flavour (stop_harness.h). One test per upstream
// case; each names its upstream file. The compile-time checks of those files
// (constraints, explicit, noexcept, CTAD, callback_type, not copyable) are
// the static_asserts below.

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "runtime/stop_token.h"
#include "tests/runtime/stop_harness.h"
#include "tests/test_util.h"

namespace orderly {
namespace {

// --- Compile-time checks ---------------------------------------------------

struct Cb {
  void operator()() const {}
};
template <bool kNoexcept>
struct CbNoExcept {
  CbNoExcept(int) noexcept(kNoexcept) {}  // NOLINT: implicit on purpose.
  void operator()() const {}
};

// cons.const.token.pass.cpp / cons.rvalue.token.pass.cpp: constraints.
static_assert(std::is_constructible_v<StopCallback<void (*)()>,
                                      const StopToken&, void (*)()>);
static_assert(!std::is_constructible_v<StopCallback<void (*)()>,
                                       const StopToken&, void (*)(int)>);
static_assert(std::is_constructible_v<StopCallback<Cb>, const StopToken&, Cb&>);
static_assert(std::is_constructible_v<StopCallback<Cb&>, StopToken&&, Cb&>);
static_assert(!std::is_constructible_v<StopCallback<Cb>, StopToken&&, int>);
// ... explicit:
static_assert(!std::is_convertible_v<const StopToken&, StopCallback<Cb>>);
// ... noexcept(is_nothrow_constructible_v<Callback, C>):
static_assert(std::is_nothrow_constructible_v<StopCallback<CbNoExcept<true>>,
                                              const StopToken&, int>);
static_assert(!std::is_nothrow_constructible_v<
              StopCallback<CbNoExcept<false>>, StopToken&&, int>);
// copy.move.compile.pass.cpp
static_assert(!std::is_copy_constructible_v<StopCallback<Cb>>);
static_assert(!std::is_move_constructible_v<StopCallback<Cb>>);
static_assert(!std::is_copy_assignable_v<StopCallback<Cb>>);
static_assert(!std::is_move_assignable_v<StopCallback<Cb>>);
// typedef.compile.pass.cpp
static_assert(std::is_same_v<StopCallback<Cb>::callback_type, Cb>);
// ctad.compile.pass.cpp
TEST(LibcxxStopCallbackCompileTest, Ctad) {
  StopToken st;
  auto a = [] {};
  static_assert(std::is_same_v<decltype(StopCallback(st, a)),
                               StopCallback<decltype(a)>>);
  static_assert(std::is_same_v<decltype(StopCallback(st, std::as_const(a))),
                               StopCallback<decltype(a)>>);
  static_assert(std::is_same_v<decltype(StopCallback(st, std::move(a))),
                               StopCallback<decltype(a)>>);
  static_assert(std::is_same_v<decltype(StopCallback(st, a, "named")),
                               StopCallback<decltype(a)>>);
}

// --- Behaviour, for the const StopToken& and the StopToken&& constructors --

enum class TokenArg { kConstRef, kRvalue };

class LibcxxStopCallbackTest
    : public ::testing::TestWithParam<std::tuple<Flavour, TokenArg>> {
 protected:
  // A token argument as the case's constructor takes it.
  StopToken Token() { return h_.token(); }
  bool rvalue() const { return std::get<1>(GetParam()) == TokenArg::kRvalue; }
  template <typename F>
  auto Make(F&& f) {
    using Sc = StopCallback<std::decay_t<F>>;
    if (rvalue()) return std::make_unique<Sc>(Token(), std::forward<F>(f));
    return std::make_unique<Sc>(token_, std::forward<F>(f));
  }
  StopHarness h_{std::get<0>(GetParam())};
  const StopToken token_ = h_.token();
};

// cons.{const,rvalue}.token.pass.cpp, "was requested"
TEST_P(LibcxxStopCallbackTest, WasRequested) {
  h_.RequestStopAndWait();
  bool called = false;
  auto sc = Make([&] { called = true; });
  EXPECT_TRUE(called);
}

// cons.{const,rvalue}.token.pass.cpp, "was not requested"
TEST_P(LibcxxStopCallbackTest, WasNotRequested) {
  bool called = false;
  auto sc = Make([&] { called = true; });
  EXPECT_FALSE(called);
  h_.RequestStopAndWait();
  EXPECT_TRUE(called);
}

// cons.{const,rvalue}.token.pass.cpp, "token has no state"
TEST_P(LibcxxStopCallbackTest, TokenHasNoState) {
  StopToken st;
  bool called = false;
  if (rvalue()) {
    StopCallback sc(std::move(st), [&] { called = true; });
  } else {
    StopCallback sc(st, [&] { called = true; });
  }
  EXPECT_FALSE(called);
}

// cons.{const,rvalue}.token.pass.cpp, "should not be called multiple times"
TEST_P(LibcxxStopCallbackTest, NotCalledMultipleTimes) {
  std::atomic<int> called_times{0};
  auto sc = Make([&] { ++called_times; });
  constexpr int kRequesters = 10;
  std::vector<std::thread> threads;
  for (int i = 0; i < kRequesters; ++i) {
    threads.emplace_back([&] { h_.RequestStopAndWait(); });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(called_times.load(), 1);
}

// cons.{const,rvalue}.token.pass.cpp, "adding more callbacks during invoking
// other callbacks"
TEST_P(LibcxxStopCallbackTest, AddingCallbacksWhileOthersRun) {
  absl::Notification started, finish;
  auto sc = Make([&] {
    started.Notify();
    finish.WaitForNotification();
  });
  h_.StartStop();
  started.WaitForNotification();
  bool second_called = false;
  auto sc2 = Make([&] { second_called = true; });
  EXPECT_TRUE(second_called);  // Ran at once: the stop was requested.
  finish.Notify();
  h_.FinishStop();
}

// cons.{const,rvalue}.token.pass.cpp, "adding callbacks on different threads"
TEST_P(LibcxxStopCallbackTest, AddingCallbacksOnDifferentThreads) {
  constexpr int kThreads = 10;
  std::atomic<int> called{0};
  absl::Notification done;
  Latch registered(kThreads + 1);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      auto sc = Make([&] { called.fetch_add(1, std::memory_order_relaxed); });
      registered.ArriveAndWait();
      done.WaitForNotification();
    });
  }
  registered.ArriveAndWait();
  h_.RequestStopAndWait();
  done.Notify();
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(called.load(), kThreads);
}

struct CbWithTracking {
  bool* lvalue;
  bool* const_lvalue;
  bool* rvalue;
  bool* const_rvalue;
  void operator()() & { *lvalue = true; }
  void operator()() const& { *const_lvalue = true; }
  void operator()() && { *rvalue = true; }
  void operator()() const&& { *const_rvalue = true; }
};

// cons.{const,rvalue}.token.pass.cpp, "correct overload" (four kinds)
TEST_P(LibcxxStopCallbackTest, CorrectOverload) {
  bool called[4][4] = {};
  auto tracker = [&](int i) {
    return CbWithTracking{&called[i][0], &called[i][1], &called[i][2],
                          &called[i][3]};
  };
  h_.RequestStopAndWait();  // Each runs in its constructor.
  CbWithTracking lvalue = tracker(2), const_lvalue = tracker(3);
  StopCallback<CbWithTracking> a(token_, tracker(0));
  StopCallback<const CbWithTracking> b(token_, tracker(1));
  StopCallback<CbWithTracking&> c(token_, lvalue);
  StopCallback<const CbWithTracking&> d(token_, const_lvalue);
  const bool want[4][4] = {{false, false, true, false},
                           {false, false, false, true},
                           {true, false, false, false},
                           {false, true, false, false}};
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 4; ++j) EXPECT_EQ(called[i][j], want[i][j]) << i << j;
  }
}

// --- dtor.pass.cpp --------------------------------------------------------

using LibcxxStopCallbackDtorTest = StopFlavourTest;

// dtor.pass.cpp, "Unregisters the callback from the owned stop state"
TEST_P(LibcxxStopCallbackDtorTest, Unregisters) {
  bool called = false;
  { StopCallback sc(h_.token(), [&] { called = true; }); }
  h_.RequestStopAndWait();
  EXPECT_FALSE(called);
}

// dtor.pass.cpp, "The destructor does not block waiting for the execution of
// another callback registered by an associated stop_callback" (and, as
// orderly promises, the destroyed one never runs).
TEST_P(LibcxxStopCallbackDtorTest, DoesNotBlockForAnotherCallback) {
  std::atomic<int> started_index{0};
  std::atomic<int> runs[3] = {};
  absl::Notification started, finish;
  auto body = [&](int i) {
    return [&, i] {
      ++runs[i];
      started_index = i;
      started.Notify();
      finish.WaitForNotification();
    };
  };
  std::optional<StopCallback<std::function<void()>>> sc1(std::in_place,
                                                         h_.token(), body(1));
  std::optional<StopCallback<std::function<void()>>> sc2(std::in_place,
                                                         h_.token(), body(2));
  h_.StartStop();
  started.WaitForNotification();
  const int other = started_index == 1 ? 2 : 1;
  absl::Notification destroyed;
  std::thread destroyer([&] {
    (other == 1 ? sc1 : sc2).reset();  // Must not wait for the running one.
    destroyed.Notify();
  });
  EXPECT_TRUE(destroyed.WaitForNotificationWithTimeout(kHangGuard));
  finish.Notify();
  destroyer.join();
  h_.FinishStop();
  EXPECT_EQ(runs[other].load(), 0);
  EXPECT_EQ(runs[3 - other].load(), 1);
}

// dtor.pass.cpp, "If callback is concurrently executing on another thread,
// then the return from the invocation of callback strongly happens before
// callback is destroyed."
TEST_P(LibcxxStopCallbackDtorTest, WaitsForTheCallbackOnAnotherThread) {
  struct Callback {
    absl::Notification* started;
    std::atomic<bool>* destroyer_returned;
    std::atomic<bool>* finished;
    const StopToken* token;
    bool moved = false;
    Callback(absl::Notification* s, std::atomic<bool>* r, std::atomic<bool>* f,
             const StopToken* t)
        : started(s), destroyer_returned(r), finished(f), token(t) {}
    Callback(Callback&& o) noexcept
        : started(o.started), destroyer_returned(o.destroyer_returned),
          finished(o.finished), token(o.token) {
      o.moved = true;
    }
    void operator()() const {
      started->Notify();
      // Return only once the destructor waits for us (or, if it is broken,
      // has returned: the check in ~Callback then fails).
      SpinUntil([&] {
        return BlockedDestructors(*token) == 1 || destroyer_returned->load();
      });
      finished->store(true);
    }
    ~Callback() {
      EXPECT_TRUE(moved || finished->load());
    }
  };
  absl::Notification started;
  std::atomic<bool> destroyer_returned{false}, finished{false};
  const StopToken token = h_.token();
  std::optional<StopCallback<Callback>> sc(
      std::in_place, token,
      Callback(&started, &destroyer_returned, &finished, &token));
  h_.StartStop();
  started.WaitForNotification();
  sc.reset();
  destroyer_returned = true;
  h_.FinishStop();
}

// dtor.pass.cpp, "If callback is executing on the current thread, then the
// destructor does not block waiting for the return from the invocation".
struct CallbackHolder;
struct DeleteHolder {
  CallbackHolder* holder;
  void operator()() const;
};
struct CallbackHolder {
  std::unique_ptr<StopCallback<DeleteHolder>> callback;
};
void DeleteHolder::operator()() const { holder->callback.reset(); }

TEST_P(LibcxxStopCallbackDtorTest, DoesNotBlockOnTheRunningThread) {
  CallbackHolder holder;
  holder.callback = std::make_unique<StopCallback<DeleteHolder>>(
      h_.token(), DeleteHolder{&holder});
  h_.RequestStopAndWait();  // Would deadlock if the destructor waited.
  EXPECT_EQ(holder.callback, nullptr);
}

INSTANTIATE_TEST_SUITE_P(Flavours, LibcxxStopCallbackDtorTest,
                         ::testing::Values(Flavour::kStandalone,
                                           Flavour::kRuntime),
                         FlavourName);

INSTANTIATE_TEST_SUITE_P(
    Flavours, LibcxxStopCallbackTest,
    ::testing::Combine(::testing::Values(Flavour::kStandalone,
                                         Flavour::kRuntime),
                       ::testing::Values(TokenArg::kConstRef,
                                         TokenArg::kRvalue)),
    [](const auto& info) {
      return std::string(std::get<0>(info.param) == Flavour::kStandalone
                             ? "Standalone"
                             : "Runtime") +
             (std::get<1>(info.param) == TokenArg::kRvalue ? "Rvalue"
                                                           : "ConstRef");
    });

}  // namespace
}  // namespace orderly
