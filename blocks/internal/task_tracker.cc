// Copyright 2026 The orderly Authors.

#include "blocks/internal/task_tracker.h"

namespace orderly {
namespace blocks_internal {

bool TaskTracker::StartShutdown() {
  const uint64_t old = word_.fetch_or(kShutdownBit, std::memory_order_acq_rel);
  if (old == 0 && on_complete_) on_complete_();  // Nothing was counted.
  return (old & kShutdownBit) == 0;
}

template <typename Refuse>
bool TaskTracker::CountUnless(Refuse refuse) {
  uint64_t old = word_.load(std::memory_order_acquire);
  do {
    if (refuse(old)) return false;
    // The bit is read and the item added in one step (invariant 1): a
    // concurrent StartShutdown() makes this fail and look again.
  } while (!word_.compare_exchange_weak(old, old + kOneItem,
                                        std::memory_order_acq_rel,
                                        std::memory_order_acquire));
  return true;
}

bool TaskTracker::CountUnlessShutdownStarted() {
  // One fetch_add, not a compare-and-swap loop: on the hot path (every
  // kBlockShutdown post, every kSkipOnShutdown start) a CAS after a load
  // costs a second trip of the cache line between the poster and the
  // workers (BM_Pool_Orderly_SkipOnShutdown). The price: after the bit, a
  // refusal adds an item and takes it back (invariant 2).
  const uint64_t old = word_.fetch_add(kOneItem, std::memory_order_acq_rel);
  if ((old & kShutdownBit) == 0) return true;
  Uncount(1);
  return false;
}

bool TaskTracker::WillPostTask(ShutdownBehavior behavior) {
  if (behavior != ShutdownBehavior::kBlockShutdown) return !HasShutdownStarted();
  return CountUnlessShutdownStarted();
}

bool TaskTracker::WillPostFollowUpTask() {
  // Refused only when complete (bit set, nothing counted): invariant 2.
  return CountUnless([](uint64_t word) { return word == kShutdownBit; });
}

bool TaskTracker::WillRunTask(ShutdownBehavior behavior) {
  switch (behavior) {
    case ShutdownBehavior::kBlockShutdown:
      assert(word_.load(std::memory_order_relaxed) >= kOneItem &&
             "a BLOCK_SHUTDOWN task runs that WillPostTask() did not count");
      return true;
    case ShutdownBehavior::kSkipOnShutdown:
      return CountUnlessShutdownStarted();
    case ShutdownBehavior::kContinueOnShutdown:
      return !HasShutdownStarted();
  }
  return false;
}

bool TaskTracker::Uncount(uint64_t n) {
  const uint64_t old =
      word_.fetch_sub(n * kOneItem, std::memory_order_acq_rel);
  assert(old >= n * kOneItem && "DidRunTask() for a task that was not counted");
  if (old != (n * kOneItem | kShutdownBit)) return false;
  if (on_complete_) on_complete_();
  return true;
}

}  // namespace blocks_internal
}  // namespace orderly
