// Copyright 2026 The orderly Authors.
//
// ORDERLY_DCHECK and ThreadChecker (runtime/internal/check.h): a broken
// contract aborts debug builds with one line naming the place, the
// condition and the message; a kept one costs nothing visible; NDEBUG builds
// check nothing. Death tests run the failing statement in a child process.

#include "runtime/internal/check.h"

#include <signal.h>

#include <thread>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace orderly {
namespace runtime_internal {
namespace {

#ifdef NDEBUG
#define SKIP_IN_NDEBUG() GTEST_SKIP() << "contract checks are debug-only"
#else
#define SKIP_IN_NDEBUG() (void)0
#endif

class CheckDeathTest : public ::testing::Test {
 protected:
  // Threads may run when a check fails: re-execute, never fork a copy.
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

TEST(CheckTest, KeptContractDoesNothing) {
  int evaluated = 0;
  ORDERLY_DCHECK(++evaluated == 1, "evaluated once in debug builds");
  EXPECT_EQ(evaluated, kDebugChecks ? 1 : 0);
}

TEST_F(CheckDeathTest, BrokenContractAbortsWithOneLine) {
  SKIP_IN_NDEBUG();
  const int answer = 41;
  EXPECT_EXIT(ORDERLY_DCHECK(answer == 42, "the answer must be 42"),
              ::testing::KilledBySignal(SIGABRT),
              "orderly: CHECK FAILED at tests/runtime/check_test.cc:[0-9]+: "
              "answer == 42: the answer must be 42\n");
}

TEST_F(CheckDeathTest, CheckFailedIsUsableInASignalHandler) {
  SKIP_IN_NDEBUG();
  // The check allocates nothing and takes no lock: from a signal handler it
  // still writes its line and aborts.
  EXPECT_EXIT(
      {
        struct sigaction sa = {};
        sa.sa_handler = +[](int) {
          ORDERLY_DCHECK(false, "checked in a signal handler");
        };
        sigaction(SIGUSR1, &sa, nullptr);
        raise(SIGUSR1);
      },
      ::testing::KilledBySignal(SIGABRT), "checked in a signal handler");
}

TEST(ThreadCheckerTest, BindsToTheFirstThreadThatChecks) {
  ThreadChecker checker;
  EXPECT_TRUE(checker.CalledOnBoundThread());  // Binds the test thread.
  EXPECT_TRUE(checker.CalledOnBoundThread());
  bool other = true;
  std::thread([&] { other = checker.CalledOnBoundThread(); }).join();
  EXPECT_EQ(other, !kDebugChecks);
}

TEST(ThreadCheckerTest, DetachHandsTheStateToTheNextThread) {
  ThreadChecker checker;
  checker.Bind();
  checker.Detach();
  bool other = false;
  std::thread([&] { other = checker.CalledOnBoundThread(); }).join();
  EXPECT_TRUE(other);
  EXPECT_EQ(checker.CalledOnBoundThread(), !kDebugChecks);
}

// The pattern the core uses: state one thread owns, checked on each use.
class Owned {
 public:
  void Touch() {
    ORDERLY_DCHECK_CALLED_ON(owner_);
    ++touched_;
  }

 private:
  ThreadChecker owner_;
  int touched_ ABSL_GUARDED_BY(owner_) = 0;
};

TEST_F(CheckDeathTest, OwnedStateTouchedFromAnotherThreadAborts) {
  SKIP_IN_NDEBUG();
  Owned owned;
  owned.Touch();  // Binds this thread.
  EXPECT_EXIT(std::thread([&] { owned.Touch(); }).join(),
              ::testing::KilledBySignal(SIGABRT),
              "CHECK FAILED at .*: CalledOnBoundThread\\(\\): called on "
              "another thread than the one that owns this state");
}

TEST_F(CheckDeathTest, BindingABoundCheckerToAnotherThreadAborts) {
  SKIP_IN_NDEBUG();
  ThreadChecker checker;
  checker.Bind();
  EXPECT_EXIT(std::thread([&] { checker.Bind(); }).join(),
              ::testing::KilledBySignal(SIGABRT),
              "bound to another thread already");
}

}  // namespace
}  // namespace runtime_internal
}  // namespace orderly
