// Copyright 2026 The orderly Authors.
//
// task_tracker.h (internal): a ThreadPool's shutdown accounting, apart from
// its workers.
//
// As Chromium's base/task/thread_pool/task_tracker.h keeps WillPostTask(),
// RunTask() and StartShutdown() apart from its thread groups, this class
// answers three questions and nothing else: may this task be queued, may
// this dequeued task start, and does anything still block shutdown. The
// pool (thread_pool.cc) owns the threads, the queue, its lock and the
// wake-ups; it calls in here at each step of a task:
//
//   WillPostTask()  ->  (queued)  ->  WillRunTask()  ->  (runs)  ->  DidRunTask()
//                                     false: dropped, not run
//
// The word. One std::atomic<uint64_t>: bit 0 says "shutdown started"; the
// rest counts the items that block shutdown, in units of kOneItem:
//   - a kBlockShutdown task, from WillPostTask() to its DidRunTask();
//   - a kSkipOnShutdown task, from WillRunTask() to its DidRunTask().
// A kContinueOnShutdown task is never counted.
//
// Invariants (tests/blocks/task_tracker_test.cc)
// 1. Counted or refused, never both, never neither. A task that blocks
//    shutdown is counted by one read-modify-write that reads the bit in the
//    same step: it is counted before StartShutdown() (and shutdown waits for
//    it), or it sees the bit (and is refused, or does not start; it then
//    takes its item back). (LoadWillPostAndRunRacingStartShutdown)
// 2. Nothing is accepted after completion. Once IsShutdownComplete() has
//    been true, no task is accepted or started: after the bit, only a
//    follow-up (WillPostFollowUpTask()) is, and only while the count is not
//    zero. So a worker that sees "complete" may end: no work can arrive that
//    it must run. A refused WillPostTask()/WillRunTask() may make the word
//    read "not complete" for a moment (it adds an item, sees the bit, takes
//    it back); taking it back calls on_complete again, so a worker that
//    looked in that moment and went to sleep is woken.
//    (FollowUpTaskIsRefusedOnceShutdownIsComplete)
// 3. Never low. The count is lowered only after the tasks it counts have
//    finished; Batch defers that, so the count may read high for a while
//    (shutdown waits a little longer), never low.
// 4. Completion is announced, never early: the call that takes the count
//    to zero after the bit (DidRunTask(), Batch::Flush(), a refusal taking
//    its item back, or StartShutdown() if nothing was counted) calls
//    `on_complete`; DidRunTask() and Flush() also return true then. It may
//    be called more than once (see 2), never before every counted task has
//    finished. (LoadWillPostAndRunRacingStartShutdown)
//
// Thread-safety: every method of TaskTracker is thread-safe and lock-free
// (a load, one fetch_add, or for a follow-up a compare-and-swap loop that
// retries only when another thread changed the word meanwhile). A Batch
// belongs to one thread.
// Memory ordering: a DidRunTask() that returns true, or an
// IsShutdownComplete() that returns true, happens-after every counted
// task's DidRunTask() (acquire/release on the word).

#ifndef ORDERLY_BLOCKS_INTERNAL_TASK_TRACKER_H_
#define ORDERLY_BLOCKS_INTERNAL_TASK_TRACKER_H_

#include <atomic>
#include <cassert>
#include <cstdint>
#include <utility>

#include "absl/functional/any_invocable.h"
#include "blocks/shutdown_behavior.h"

namespace orderly {
namespace blocks_internal {

class TaskTracker {
 public:
  class Batch;

  // `on_complete` (may be empty) is called as invariant 4 says, on the
  // calling thread, from inside the call that completes the shutdown: it
  // must be quick and must not call back into this tracker's posting
  // methods (the pool wakes its workers in it).
  explicit TaskTracker(absl::AnyInvocable<void() const> on_complete = nullptr)
      : on_complete_(std::move(on_complete)) {}
  TaskTracker(const TaskTracker&) = delete;
  TaskTracker& operator=(const TaskTracker&) = delete;

  // Whether a task of this behaviour is counted from WillRunTask() (or, for
  // kBlockShutdown, from WillPostTask()) until its DidRunTask().
  static constexpr bool BlocksShutdown(ShutdownBehavior behavior) {
    return behavior != ShutdownBehavior::kContinueOnShutdown;
  }

  // Sets the shutdown bit: from now on only follow-ups are accepted and
  // only kBlockShutdown tasks start. Non-blocking; may be called any number
  // of times, from any thread. Returns true for the call that set the bit
  // (the caller wakes the workers: some may end, see IsShutdownComplete()).
  bool StartShutdown();

  // One acquire load. Stays true once true.
  bool HasShutdownStarted() const {
    return (word_.load(std::memory_order_acquire) & kShutdownBit) != 0;
  }

  // Shutdown has started and nothing blocks it: every counted task has
  // finished. Stays true once true (invariant 2).
  bool IsShutdownComplete() const {
    return word_.load(std::memory_order_acquire) == kShutdownBit;
  }

  // Whether a task may be queued now; true before shutdown starts, false
  // after. A kBlockShutdown task is counted in the same step (invariant 1):
  // the caller must queue it and, in time, call WillRunTask() and
  // DidRunTask() for it; it blocks shutdown until then. For the other
  // behaviours this is one load and counts nothing: call it under the lock
  // that the pool's cancelling drain also takes, so that each task is queued
  // before the drain looks (and cancelled by it), or refused.
  bool WillPostTask(ShutdownBehavior behavior);

  // A kBlockShutdown task posted by counted work that is still running (its
  // follow-up): counted and accepted unless shutdown is complete, also after
  // StartShutdown(). The caller vouches that it runs counted work (the pool
  // checks the calling thread; the tracker cannot); the tracker checks that
  // something is still counted, which keeps invariant 2 even if the caller
  // is wrong.
  bool WillPostFollowUpTask();

  // Whether a dequeued task may start now; call it just before running it.
  //   kBlockShutdown       true (counted since it was posted).
  //   kSkipOnShutdown      true and counted, unless shutdown has started.
  //   kContinueOnShutdown  true unless shutdown has started.
  // A task that may not start is dropped (the pool cancels it). One that
  // may, and BlocksShutdown(), needs a DidRunTask() after it has run.
  bool WillRunTask(ShutdownBehavior behavior);

  // A task that WillRunTask() let start has finished (returned, threw, its
  // completion callback ran). Uncounts it if it was counted. Returns true
  // iff this completed the shutdown (invariant 4).
  bool DidRunTask(ShutdownBehavior behavior) {
    return BlocksShutdown(behavior) && Uncount(1);
  }

 private:
  static constexpr uint64_t kShutdownBit = 1;
  static constexpr uint64_t kOneItem = 2;

  // Adds kOneItem unless `refuse(word)` (a compare-and-swap loop); false if
  // refused.
  template <typename Refuse>
  bool CountUnless(Refuse refuse);
  // Adds kOneItem; takes it back and returns false if the bit was set.
  bool CountUnlessShutdownStarted();
  // Subtracts `n` items; true iff that completed the shutdown (then calls
  // on_complete_).
  bool Uncount(uint64_t n);

  const absl::AnyInvocable<void() const> on_complete_;
  std::atomic<uint64_t> word_{0};
};

// DidRunTask() for one worker thread, in batches: one read-modify-write on
// the word per kSize counted tasks instead of one per task (what keeps the
// pool at least as fast as a plain mutex + condvar pool:
// benchmarks/README-blocks.md). Until Flush(), the count reads high
// (invariant 3). So flush before the thread waits, ends, or runs work that
// nobody may wait for: a kContinueOnShutdown task
// (ThreadPoolTest.LongContinueTaskDoesNotHoldBackTheOtherWorkers).
//
// Thread-compatible: one thread uses a Batch. Flush it before destroying it
// (the destructor checks, in debug builds).
class TaskTracker::Batch {
 public:
  static constexpr uint64_t kSize = 64;

  explicit Batch(TaskTracker& tracker) : tracker_(tracker) {}
  ~Batch() { assert(pending_ == 0 && "flush a TaskTracker::Batch first"); }
  Batch(const Batch&) = delete;
  Batch& operator=(const Batch&) = delete;

  // As TaskTracker::DidRunTask(), deferred until kSize counted tasks wait
  // or Flush(). Returns true iff this flushed and completed the shutdown.
  bool DidRunTask(ShutdownBehavior behavior) {
    if (!BlocksShutdown(behavior)) return false;
    return ++pending_ == kSize && Flush();
  }

  // As TaskTracker::WillRunTask(), but a kSkipOnShutdown task takes over
  // one count this batch holds (a finished task's, not yet uncounted)
  // instead of adding its own: no read-modify-write of the shared word per
  // task in a stream of kSkipOnShutdown work (BM_Pool_Orderly_SkipOnShutdown).
  // Why that keeps invariant 1: the word already counts the taken-over item,
  // so a StartShutdown() after the load below finds shutdown blocked until
  // this task's DidRunTask() is flushed, exactly as if the task had counted
  // itself at that load; after the bit, the task is refused as before.
  // (TaskTrackerSingleTest.BatchSkipTaskTakesOverAHeldCount)
  bool WillRunTask(ShutdownBehavior behavior) {
    if (behavior == ShutdownBehavior::kSkipOnShutdown && pending_ != 0) {
      if (tracker_.HasShutdownStarted()) return false;
      --pending_;
      return true;
    }
    return tracker_.WillRunTask(behavior);
  }

  // Uncounts what this batch holds. Returns true iff that completed the
  // shutdown.
  bool Flush() {
    return pending_ != 0 && tracker_.Uncount(std::exchange(pending_, 0));
  }

  bool empty() const { return pending_ == 0; }

 private:
  TaskTracker& tracker_;
  uint64_t pending_ = 0;
};

}  // namespace blocks_internal
}  // namespace orderly

#endif  // ORDERLY_BLOCKS_INTERNAL_TASK_TRACKER_H_
