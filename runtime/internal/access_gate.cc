// Copyright 2026 The orderly Authors.

#include "runtime/internal/access_gate.h"

namespace orderly {
namespace runtime_internal {

int64_t AccessGate::Close() noexcept {
  const uint64_t before = word_.fetch_or(kClosed, std::memory_order_acq_rel);
  return static_cast<int64_t>(before & ~kClosed);
}

int64_t AccessGate::AwaitIdle(absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithDeadline(
      absl::Condition(
          +[](std::atomic<uint64_t>* word) {
            return (word->load(std::memory_order_acquire) & ~kClosed) == 0;
          },
          &word_),
      deadline);
  return static_cast<int64_t>(word_.load(std::memory_order_acquire) &
                              ~kClosed);
}

void AccessGate::WakeTeardown() noexcept {
  // Releasing mu_ re-evaluates the teardown's condition (see the header).
  absl::MutexLock lock(&mu_);
}

}  // namespace runtime_internal
}  // namespace orderly
