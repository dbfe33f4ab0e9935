// Copyright 2026 The orderly Authors.
//
// pool_core_ahead.cc: the tasks a worker takes ahead (invariant W6 in
// pool_core.h). Why: a worker outrun by its posters took the pool's lock
// once per task, against the posters and the other workers; taking a few
// ahead while the queue is long takes it once per batch. A batch is never
// a hiding place: a worker about to wait or end puts it back, a worker
// coming back to the queue takes over one held by a stuck worker, and
// CancelPending() cancels what in it does not block shutdown.

#include <algorithm>
#include <new>
#include <optional>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "blocks/internal/pool_core.h"

namespace orderly {
namespace blocks_internal {

void PoolCore::SetAheadSize(Worker& v) {
  const size_t n = v.ahead.size();
  const size_t before = v.ahead_size.exchange(n, std::memory_order_relaxed);
  if ((before == 0) != (n == 0)) {
    holders_.fetch_add(n == 0 ? -1 : 1, std::memory_order_relaxed);
  }
}

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
    // The worker takes the rest one at a time.
  }
  w.ahead_epoch = next_ahead_epoch_++;
  SetAheadSize(w);
}

bool PoolCore::TakeAhead(Worker& w, Task& task) {
  absl::MutexLock lock(&w.ahead_mu);
  if (w.ahead.empty()) {
    w.current = nullptr;
    return false;
  }
  task = w.ahead.take_front();
  SetAheadSize(w);
  w.current = &task;
  w.current_since_ns.store(CoarseNowNs(), std::memory_order_relaxed);
  return true;
}

bool PoolCore::TakeOverLocked(Worker& thief, Worker& v) {
  // The oldest stale batch becomes the thief's own: its tasks are older
  // than any in the queue. Taken out first, so that only one worker's
  // ahead_mu is held at a time. The thief's ahead is empty and keeps a
  // block (ReserveBlock()): up to kAhead tasks go in without throwing.
  std::optional<Task> taken[kAhead];
  size_t n = 0;
  {
    absl::MutexLock lock(&v.ahead_mu);
    while (!v.ahead.empty() && n < kAhead) {
      taken[n++].emplace(v.ahead.take_front());
    }
    SetAheadSize(v);
  }
  absl::MutexLock lock(&thief.ahead_mu);
  for (size_t i = 0; i < n; ++i) {
    thief.ahead.push_back(std::move(*taken[i]));
  }
  thief.ahead_epoch = v.ahead_epoch;
  SetAheadSize(thief);
  return n > 0;
}

bool PoolCore::ReclaimAheadLocked(Worker& thief, bool all) {
  if (holders_.load(std::memory_order_relaxed) == 0) return false;
  int64_t now = 0;  // Read once, and only if a worker holds tasks ahead.
  absl::InlinedVector<Worker*, 4> victims;
  for (int i = 0; i < regular_workers_; ++i) {
    Worker* v = workers_[static_cast<size_t>(i)].get();
    if (v == &thief || v->ahead_size.load(std::memory_order_relaxed) == 0) {
      continue;
    }
    if (!all) {
      if (now == 0) now = CoarseNowNs();
      if (now - v->current_since_ns.load(std::memory_order_relaxed) <
          kStaleAheadNs) {
        continue;
      }
    }
    victims.push_back(v);
  }
  if (victims.empty()) return false;
  std::sort(victims.begin(), victims.end(), [](Worker* a, Worker* b) {
    return a->ahead_epoch < b->ahead_epoch;  // Oldest batch first.
  });
  if (!all) return TakeOverLocked(thief, *victims.front());
  // The queue is empty: every batch goes back into it, oldest first.
  bool moved = false;
  for (Worker* v : victims) {
    absl::MutexLock lock(&v->ahead_mu);
    try {
      while (!v->ahead.empty()) {
        queue_.push_back(std::move(v->ahead.front()));  // Throws: unchanged.
        v->ahead.pop_front();
        moved = true;
      }
    } catch (const std::bad_alloc&) {
      // What is left runs on its worker once that one is back.
    }
    SetAheadSize(*v);
  }
  if (moved && idle_ > signaled_) {  // A hand for the tasks put back.
    ++signaled_;
    work_cv_.Signal();
  }
  return moved;
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
    SetAheadSize(v);
  }
}

}  // namespace blocks_internal
}  // namespace orderly
