// Copyright 2026 The orderly Authors.
//
// pool_core_ahead.cc: the tasks a worker takes ahead (invariant W6 in
// pool_core.h). Why: a worker outrun by its posters took the pool's lock
// once per task, against the posters and the other workers; taking a few
// ahead while the queue is long takes it once per batch. A batch is never
// a hiding place: a worker about to wait or end takes it back, and
// CancelPending() cancels what in it does not block shutdown.

#include <algorithm>
#include <new>
#include <utility>
#include <vector>

#include "blocks/internal/pool_core.h"

namespace orderly {
namespace blocks_internal {

void PoolCore::TakeAheadLocked(Worker& w) {
  // A long queue only, so that the other workers keep their share.
  const size_t k = std::min(
      kAhead, queue_.size() / static_cast<size_t>(regular_workers_ + 1));
  if (k < 2) return;
  absl::MutexLock lock(&w.ahead_mu);
  try {
    while (w.ahead.size() < k &&
           queue_.front().behavior != ShutdownBehavior::kContinueOnShutdown) {
      w.ahead.push_back(std::move(queue_.front()));  // Throws: unchanged.
      queue_.pop_front();
    }
  } catch (const std::bad_alloc&) {
    // Its first block: the worker takes the rest one at a time.
  }
  w.ahead_size.store(w.ahead.size(), std::memory_order_relaxed);
}

bool PoolCore::TakeAhead(Worker& w, Task& task) {
  absl::MutexLock lock(&w.ahead_mu);
  if (w.ahead.empty()) {
    w.current = nullptr;
    return false;
  }
  task = w.ahead.take_front();
  w.ahead_size.store(w.ahead.size(), std::memory_order_relaxed);
  w.current = &task;
  w.current_since_ns = CoarseNowNs();
  return true;
}

bool PoolCore::ReclaimAheadLocked() {
  bool reclaimed = false;
  for (int i = 0; i < regular_workers_; ++i) {
    Worker& v = *workers_[static_cast<size_t>(i)];
    if (v.ahead_size.load(std::memory_order_relaxed) == 0) continue;
    absl::MutexLock lock(&v.ahead_mu);
    try {
      while (!v.ahead.empty()) {
        queue_.push_back(std::move(v.ahead.front()));  // Throws: unchanged.
        v.ahead.pop_front();
        reclaimed = true;
      }
    } catch (const std::bad_alloc&) {
      // What is left runs on its worker once that one is back.
    }
    v.ahead_size.store(v.ahead.size(), std::memory_order_relaxed);
  }
  if (reclaimed && idle_ > signaled_) {  // A hand for the reclaimed ones.
    ++signaled_;
    work_cv_.Signal();
  }
  return reclaimed;
}

void PoolCore::CancelAheadLocked(std::vector<Task>& dropped) {
  std::vector<Task> kept;
  for (int i = 0; i < regular_workers_; ++i) {
    Worker& v = *workers_[static_cast<size_t>(i)];
    absl::MutexLock lock(&v.ahead_mu);
    kept.clear();
    while (!v.ahead.empty()) {
      Task t = v.ahead.take_front();
      (t.behavior == ShutdownBehavior::kBlockShutdown ? kept : dropped)
          .push_back(std::move(t));
    }
    for (Task& t : kept) v.ahead.push_back(std::move(t));
    v.ahead_size.store(v.ahead.size(), std::memory_order_relaxed);
  }
}

}  // namespace blocks_internal
}  // namespace orderly
