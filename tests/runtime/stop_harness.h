// Copyright 2026 The orderly Authors.
//
// stop_harness.h: one stop state of either flavour, for the StopToken tests
// that run once per flavour (TEST_P over Flavour).
//
// - kStandalone: a StopSource; RequestStop() runs the callbacks inline.
// - kRuntime: a Runtime's token; the sequence runs the callbacks on its
//   executor, and Runtime::Shutdown() returns after them.
//
// A ported upstream case calls RequestStopAndWait() where the upstream case
// calls request_stop() on the test thread, and StartStop() / FinishStop()
// where it calls request_stop() on another thread while the test thread
// keeps going (a callback that blocks, a destructor raced with it).

#ifndef ORDERLY_TESTS_RUNTIME_STOP_HARNESS_H_
#define ORDERLY_TESTS_RUNTIME_STOP_HARNESS_H_

#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "runtime/internal/stop_state.h"
#include "runtime/runtime.h"
#include "runtime/stop_token.h"

namespace orderly {

enum class Flavour { kStandalone, kRuntime };

inline std::string FlavourName(const ::testing::TestParamInfo<Flavour>& info) {
  return info.param == Flavour::kStandalone ? "Standalone" : "Runtime";
}

// How long a test waits for what must happen at once before it calls it a
// hang (and fails, instead of hanging the suite).
inline constexpr absl::Duration kHangGuard = absl::Seconds(60);

inline RuntimeOptions HarnessOptions() {
  RuntimeOptions options;
  // Ported cases block in callbacks until the test releases them: no budget
  // may abandon them (a TSan build on two busy cores is slow).
  options.callback_budget = absl::InfiniteDuration();
  options.deadline = absl::Hours(1);
  return options;
}

class StopHarness {
 public:
  explicit StopHarness(Flavour flavour) : flavour_(flavour) {
    if (flavour == Flavour::kStandalone) {
      source_.emplace();
    } else {
      runtime_ = std::make_unique<Runtime>(HarnessOptions());
    }
  }
  ~StopHarness() {
    if (stopper_.joinable()) stopper_.join();
  }
  StopHarness(const StopHarness&) = delete;
  StopHarness& operator=(const StopHarness&) = delete;

  Flavour flavour() const { return flavour_; }
  StopToken token() {
    return source_ ? source_->token() : runtime_->stop_token();
  }
  bool stop_requested() const {
    return source_ ? source_->stop_requested() : runtime_->stop_requested();
  }

  // Requests the stop; returns once every callback registered before has
  // run. True if this call made the request.
  bool RequestStopAndWait() {
    if (source_) return source_->RequestStop();
    const bool first = !runtime_->stop_requested();
    runtime_->RequestStop();
    EXPECT_TRUE(runtime_->Shutdown().ok());
    return first;
  }
  // Requests the stop without waiting for the callbacks (a second request,
  // say, while the first one's callbacks run). True if this call made it.
  bool RequestStopNoWait() {
    if (source_) return source_->RequestStop();
    const bool first = !runtime_->stop_requested();
    runtime_->RequestStop();
    return first;
  }
  // Requests the stop so that the callbacks run on another thread, and
  // returns at once. FinishStop() waits for them.
  void StartStop() {
    if (source_) {
      stopper_ = std::thread([this] { EXPECT_TRUE(source_->RequestStop()); });
    } else {
      runtime_->RequestStop();
    }
  }
  void FinishStop() {
    if (source_) {
      stopper_.join();
    } else {
      EXPECT_TRUE(runtime_->Shutdown().ok());
    }
  }

  Runtime* runtime() { return runtime_.get(); }
  StopSource* source() { return source_ ? &*source_ : nullptr; }

 private:
  const Flavour flavour_;
  std::optional<StopSource> source_;
  std::unique_ptr<Runtime> runtime_;
  std::thread stopper_;
};

// How many StopCallback destructors on `token`'s state wait for a running
// callback now: lets a test see that a destructor blocks, without a sleep.
inline int BlockedDestructors(const StopToken& token) {
  return runtime_internal::StopTokenAccess::StateForTesting(token)
      ->BlockedRemovalsForTesting();
}

// Spins (yielding) until `done()`; for waits whose other side is a
// destructor that has no event to notify.
template <typename F>
void SpinUntil(F done) {
  while (!done()) std::this_thread::yield();
}

class StopFlavourTest : public ::testing::TestWithParam<Flavour> {
 protected:
  StopHarness h_{GetParam()};
};

}  // namespace orderly

#endif  // ORDERLY_TESTS_RUNTIME_STOP_HARNESS_H_
