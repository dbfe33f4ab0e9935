// Copyright 2026 The orderly Authors.
//
// access_gate.h (internal): the counter behind ComponentAccess.
//
// One atomic word: the number of uses in progress, and a closed bit. A use
// enters with one fetch_add and leaves with one fetch_sub; the teardown
// closes with one fetch_or and waits until the count drops to zero. All
// three are read-modify-writes of the same word, so they are totally
// ordered: a use either entered before the close (the teardown waits for
// it) or sees the closed bit (and is refused, undoing its add). Leave() is
// a release and the teardown's wait an acquire: everything a use did
// happens-before the teardown.
//
// Waking the teardown: the last use to leave a closed gate takes `mu_`
// once, which makes absl::Mutex re-evaluate the teardown's Await condition.
// No use pays for a lock while the gate is open.

#ifndef ORDERLY_RUNTIME_INTERNAL_ACCESS_GATE_H_
#define ORDERLY_RUNTIME_INTERNAL_ACCESS_GATE_H_

#include <atomic>
#include <cstdint>
#include <string>

#include "absl/base/optimization.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace orderly {
namespace runtime_internal {

class AccessGate {
 public:
  explicit AccessGate(std::string component)
      : component_(std::move(component)) {}
  AccessGate(const AccessGate&) = delete;
  AccessGate& operator=(const AccessGate&) = delete;

  // True: a use is in progress until Leave(). False: the gate is closed.
  bool TryEnter() noexcept {
    const uint64_t before = word_.fetch_add(1, std::memory_order_acquire);
    if (ABSL_PREDICT_TRUE((before & kClosed) == 0)) return true;
    Leave();
    return false;
  }

  void Leave() noexcept {
    const uint64_t before = word_.fetch_sub(1, std::memory_order_release);
    if (ABSL_PREDICT_FALSE(before == (kClosed | 1))) WakeTeardown();
  }

  // Closes the gate (later TryEnter() calls fail); returns the uses in
  // progress at that moment.
  int64_t Close() noexcept;
  // Waits until no use is in progress, or `deadline`; returns the uses
  // still in progress.
  int64_t AwaitIdle(absl::Time deadline);
  // Close(), then AwaitIdle(deadline).
  int64_t CloseAndAwait(absl::Time deadline) {
    Close();
    return AwaitIdle(deadline);
  }

  bool closed() const noexcept {
    return (word_.load(std::memory_order_acquire) & kClosed) != 0;
  }
  const std::string& component() const { return component_; }

 private:
  static constexpr uint64_t kClosed = uint64_t{1} << 63;
  void WakeTeardown() noexcept;

  std::atomic<uint64_t> word_{0};
  absl::Mutex mu_;
  const std::string component_;
};

}  // namespace runtime_internal
}  // namespace orderly

#endif  // ORDERLY_RUNTIME_INTERNAL_ACCESS_GATE_H_
