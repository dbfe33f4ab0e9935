// Copyright 2026 The orderly Authors.
//
// consumer_core.h (internal): the state behind BackgroundConsumer<T>.
//
// Design. One mutex guards the queue (a vector) and a few flags. Processing
// is done in batches, outside the lock: whoever processes swaps the whole
// queue out under the lock and sets `busy_`; nobody takes a batch while
// `busy_` is set. Batches are taken in queue order and processed one at a
// time, so every accepted item is processed exactly once, in the order it
// was accepted, whoever processes it: the consumer thread, or a Close()
// caller (the runtime's `flush` cleanup) after the consumer has been joined.
//
// Wake-ups. After a batch the consumer lingers (a timed wait of kLinger)
// before it sleeps; producers signal it only when it sleeps, or when the
// queue is half full while it lingers. So while items flow, a push is a lock
// and an append, never a syscall, and an item waits at most kLinger.
//
// Thread model: producers call Push() from any thread, concurrently; batches are processed by one thread at a time (`busy_`),
// the consumer thread or a Close() caller; Start() is called once, by the
// thread that created the core, before it is shared.

#ifndef ORDERLY_BLOCKS_INTERNAL_CONSUMER_CORE_H_
#define ORDERLY_BLOCKS_INTERNAL_CONSUMER_CORE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "blocks/managed_thread.h"
#include "blocks/overflow_policy.h"
#include "runtime/internal/check.h"
#include "runtime/internal/exception_text.h"
#include "runtime/internal/fork_epoch.h"
#include "runtime/runtime.h"
#include "runtime/stop_token.h"

namespace orderly {
namespace blocks_internal {

struct ConsumerStats {
  int64_t processed = 0;       // The handler returned.
  int64_t dropped = 0;         // Discarded on a full queue (kDrop).
  int64_t refused = 0;         // Push() returned an error.
  int64_t handler_errors = 0;  // The handler (or fallback) threw.
  int64_t fallback = 0;        // Handled by the fallback after the drain.
  // Accepted, not yet handed to the handler: what would be lost if the
  // process ended now (0 once the drain finished; the quick_exit hook and
  // a drain given up past the sequence count it).
  int64_t undelivered = 0;
};

// Indices of the counters, in the order of kCounterNames.
enum Counter {
  kProcessed, kDropped, kRefused, kHandlerErrors, kFallback, kUndelivered,
  kCounterCount
};
inline constexpr const char* kCounterNames[] = {
    "processed", "dropped",  "refused",
    "handler_errors", "fallback", "undelivered"};

// How long the consumer waits for more items after a batch before it sleeps
// (and producers must wake it): the most an item waits while items flow.
inline constexpr absl::Duration kLinger = absl::Microseconds(50);

template <typename T>
class ConsumerCore {
 public:
  ConsumerCore(std::string name, absl::AnyInvocable<void(T&&)> handler,
               size_t capacity, OverflowPolicy policy,
               absl::AnyInvocable<void(T&&) const> fallback)
      : name_(std::move(name)),
        capacity_(capacity),
        policy_(policy),
        handler_(std::move(handler)),
        fallback_(std::move(fallback)) {}

  // Starts the consumer thread. Call once, before the core is shared.
  absl::Status Start(Runtime& runtime) {
    ORDERLY_DCHECK(consumer_thread_.name().empty(),
                   "ConsumerCore::Start: call once");
    runtime_ = &runtime;
    ManagedThreadOptions options;
    options.runtime = &runtime;
    absl::StatusOr<ManagedThread> thread = ManagedThread::Start(
        name_, [this](StopToken stop) { ConsumerMain(stop); },
        std::move(options));
    if (!thread.ok()) return thread.status();
    consumer_thread_ = std::move(*thread);
    return absl::OkStatus();
  }

  // Consumes `item` only if it is accepted or handed to the fallback.
  absl::Status Push(T& item) {
    if (inherited()) {
      return runtime_internal::InheritedAcrossFork(
          absl::StrCat("BackgroundConsumer \"", name_, "\": Push"));
    }
    bool wake = false;
    Verdict verdict;
    {
      absl::MutexLock lock(&mu_);
      verdict = PushLocked(item, &wake);
    }
    switch (verdict) {
      case Verdict::kAccepted:
        if (wake) not_empty_.Signal();
        return absl::OkStatus();
      case Verdict::kDropped:
        Add(kDropped, 1);
        return absl::OkStatus();
      case Verdict::kFull:
        Add(kRefused, 1);
        return absl::ResourceExhaustedError(absl::StrCat(
            "BackgroundConsumer \"", name_, "\": queue full (capacity ",
            capacity_, ", overflow policy \"fail\"); the item was not "
            "accepted"));
      case Verdict::kWouldWaitForItself:
        Add(kRefused, 1);
        return absl::ResourceExhaustedError(absl::StrCat(
            "BackgroundConsumer \"", name_, "\": Push() from its own handler "
            "into a full queue would wait for itself; the item was not "
            "accepted"));
      case Verdict::kClosed:
        break;
    }
    return Refuse(item);
  }

  // Refuses later pushes, joins the consumer, processes what is left. True
  // once the handler will not run again; false if it gave up: after the
  // sequence, a consumer thread still running was demoted (stuck in the
  // handler) and is never waited for; what it holds stays counted in
  // ".undelivered". In a fork() child, an inherited consumer is left alone.
  bool Close() {
    if (inherited()) return false;
    {
      absl::MutexLock lock(&mu_);
      if (!closed_) {
        closed_ = true;
        not_empty_.Signal();
        not_full_.SignalAll();
      }
      // From the handler: the drain in progress on this thread goes on.
      if (busy_ && processing_thread_ == std::this_thread::get_id()) {
        return false;
      }
    }
    // One caller joins, concurrent callers wait for it (ManagedThread).
    // Empty if Start() failed: nothing to join.
    const bool sequence_over =
        runtime_ != nullptr && runtime_->shutdown_complete();
    absl::Status joined = sequence_over
                              ? consumer_thread_.JoinFor(absl::ZeroDuration())
                              : consumer_thread_.Join();
    if (absl::IsDeadlineExceeded(joined)) return false;
    DrainRemaining();
    return true;
  }

  // Close(), then drops the handler and fallback (and their captures),
  // unless Close() gave up (the handler may still run: they are kept).
  void CloseAndRelease() {
    if (!Close()) return;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(+[](bool* busy) { return !*busy; }, &busy_));
      busy_ = true;  // Keeps a concurrent Close() from touching handler_.
    }
    handler_ = nullptr;
    fallback_ = nullptr;
    absl::MutexLock lock(&mu_);
    busy_ = false;
  }

  // True in the child of fork() for a consumer made in the parent.
  bool inherited() const { return epoch_ != runtime_internal::ForkEpoch(); }

  int64_t Read(Counter counter) const {
    return counters_[counter].load(std::memory_order_relaxed);
  }
  ConsumerStats stats() const {
    return ConsumerStats{Read(kProcessed),     Read(kDropped),
                         Read(kRefused),       Read(kHandlerErrors),
                         Read(kFallback),      Read(kUndelivered)};
  }
  std::string last_handler_error() const {
    if (inherited()) return "";
    absl::MutexLock lock(&mu_);
    return last_error_;
  }
  const std::string& name() const { return name_; }
  int blocked() const {
    if (inherited()) return 0;
    absl::MutexLock lock(&mu_);
    return blocked_;
  }

 private:
  enum class Verdict { kAccepted, kDropped, kFull, kWouldWaitForItself,
                       kClosed };

  Verdict PushLocked(T& item, bool* wake) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    for (;;) {
      if (closed_) return Verdict::kClosed;
      // Once the consumer stopped at shutdown, nobody makes room before the
      // producers are joined: accept over capacity, `flush` delivers it.
      if (queue_.size() < capacity_ || consumer_gone_) break;
      if (policy_ == OverflowPolicy::kDrop) return Verdict::kDropped;
      if (policy_ == OverflowPolicy::kFail) return Verdict::kFull;
      if (busy_ && processing_thread_ == std::this_thread::get_id()) {
        return Verdict::kWouldWaitForItself;
      }
      ++blocked_;
      not_full_.Wait(&mu_);
      --blocked_;
    }
    queue_.push_back(std::move(item));
    Add(kUndelivered, 1);  // Under mu_: before the consumer can take it.
    // One signal per sleep; while the consumer lingers, none until the
    // queue is half full (it wakes by itself within kLinger).
    if (consumer_ == Consumer::kSleeping ||
        (consumer_ == Consumer::kLingering &&
         queue_.size() >= wake_threshold_)) {
      consumer_ = Consumer::kRunning;
      *wake = true;
    }
    return Verdict::kAccepted;
  }

  absl::Status Refuse(T& item) {
    if (!fallback_) {
      Add(kRefused, 1);
      return absl::FailedPreconditionError(absl::StrCat(
          "BackgroundConsumer \"", name_, "\" is closed (Close() was called, "
          "or shutdown in progress drained it in `flush`); the item was not "
          "accepted"));
    }
    try {
      fallback_(std::move(item));
    } catch (...) {
      Add(kHandlerErrors, 1);
      const std::string what = runtime_internal::DescribeCurrentException();
      {
        absl::MutexLock lock(&mu_);
        last_error_ = what;
      }
      return absl::UnknownError(absl::StrCat(
          "BackgroundConsumer \"", name_, "\": the fallback ", what));
    }
    Add(kFallback, 1);
    return absl::OkStatus();
  }

  void ConsumerMain(StopToken stop) {
    // The runtime's `threads` phase asks the thread to stop through its
    // token: finish the batch in hand and leave the rest to `flush`.
    StopCallback wake(stop, [this] {
      absl::MutexLock lock(&mu_);
      stop_ = true;
      not_empty_.Signal();
    });
    std::vector<T> batch;
    mu_.Lock();
    for (;;) {
      // After a batch, linger before sleeping: a producer that pushes
      // steadily then pays no wake-up, and items wait at most kLinger.
      bool lingered = false;
      while (queue_.empty() && !closed_ && !stop_) {
        if (!lingered) {
          consumer_ = Consumer::kLingering;
          not_empty_.WaitWithTimeout(&mu_, kLinger);
          lingered = true;
        } else {
          consumer_ = Consumer::kSleeping;
          not_empty_.Wait(&mu_);
        }
        consumer_ = Consumer::kRunning;
      }
      if (stop_ && !closed_) break;
      mu_.Await(absl::Condition(+[](bool* busy) { return !*busy; }, &busy_));
      if (!TakeBatchLocked(&batch)) break;  // Closed, and nothing is left.
      mu_.Unlock();
      Process(batch);
      mu_.Lock();
      FinishBatchLocked();
    }
    consumer_gone_ = true;
    consumer_ = Consumer::kRunning;  // Gone: nobody to signal.
    not_full_.SignalAll();  // Blocked pushes now go over capacity.
    mu_.Unlock();
  }

  void DrainRemaining() {
    std::vector<T> batch;
    for (;;) {
      {
        absl::MutexLock lock(&mu_);
        mu_.Await(
            absl::Condition(+[](bool* busy) { return !*busy; }, &busy_));
        if (!TakeBatchLocked(&batch)) return;
      }
      Process(batch);
      absl::MutexLock lock(&mu_);
      FinishBatchLocked();
    }
  }

  // Takes the whole queue (requires !busy_); false if it is empty.
  bool TakeBatchLocked(std::vector<T>* batch)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    ORDERLY_DCHECK(!busy_, "ConsumerCore: a batch taken while one is out");
    if (queue_.empty()) return false;
    batch->swap(queue_);  // `queue_` gets the batch's spare capacity.
    busy_ = true;
    processing_thread_ = std::this_thread::get_id();
    if (blocked_ > 0) not_full_.SignalAll();
    return true;
  }

  void FinishBatchLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    ORDERLY_DCHECK(busy_ && processing_thread_ == std::this_thread::get_id(),
                   "ConsumerCore: a batch finished by a thread not holding it");
    busy_ = false;
    processing_thread_ = std::thread::id();
  }

  // Runs the handler on every item of `batch`, outside the lock; an
  // exception costs one item, not the batch. Requires the batch (busy_).
  void Process(std::vector<T>& batch) {
    if (runtime_internal::kDebugChecks) {
      absl::MutexLock lock(&mu_);
      ORDERLY_DCHECK(busy_ && processing_thread_ == std::this_thread::get_id(),
                     "ConsumerCore: Process() without holding the batch");
    }
    const size_t n = batch.size();
    size_t i = 0;
    int64_t errors = 0;
    while (i < n) {
      try {
        for (; i < n; ++i) handler_(std::move(batch[i]));
      } catch (...) {
        ++errors;
        ++i;
        const std::string what = runtime_internal::DescribeCurrentException();
        absl::MutexLock lock(&mu_);
        last_error_ = what;
      }
    }
    Add(kProcessed, static_cast<int64_t>(n) - errors);
    Add(kUndelivered, -static_cast<int64_t>(n));
    if (errors > 0) Add(kHandlerErrors, errors);
    batch.clear();  // Destroys the items outside the lock; keeps capacity.
  }

  void Add(Counter counter, int64_t n) {
    counters_[counter].fetch_add(n, std::memory_order_relaxed);
  }

  const std::string name_;
  const size_t capacity_;
  const OverflowPolicy policy_;
  const size_t wake_threshold_ = capacity_ / 2 > 0 ? capacity_ / 2 : 1;
  // Called only by the thread holding the batch (busy_): one at a time.
  absl::AnyInvocable<void(T&&)> handler_;
  // Called by pushing threads after the drain; const-callable, so safe to
  // call from several at once. Released only by CloseAndRelease().
  absl::AnyInvocable<void(T&&) const> fallback_;
  // Set by Start() before the core is shared; then only Join() is called.
  ManagedThread consumer_thread_;

  std::atomic<int64_t> counters_[kCounterCount] = {};
  // runtime_internal::ForkEpoch() at construction (fork_epoch.h).
  const uint32_t epoch_ = runtime_internal::ForkEpoch();
  Runtime* runtime_ = nullptr;  // Set by Start().

  mutable absl::Mutex mu_;
  absl::CondVar not_empty_;  // The consumer waits for items (or the end).
  absl::CondVar not_full_;   // kBlock producers wait for room.
  std::vector<T> queue_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;   // Pushes are refused.
  bool stop_ ABSL_GUARDED_BY(mu_) = false;     // The consumer was told to stop.
  bool busy_ ABSL_GUARDED_BY(mu_) = false;     // A batch is being processed.
  enum class Consumer { kRunning, kLingering, kSleeping };
  Consumer consumer_ ABSL_GUARDED_BY(mu_) = Consumer::kRunning;
  bool consumer_gone_ ABSL_GUARDED_BY(mu_) = false;
  int blocked_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread::id processing_thread_ ABSL_GUARDED_BY(mu_);
  std::string last_error_ ABSL_GUARDED_BY(mu_);
};

}  // namespace blocks_internal
}  // namespace orderly

#endif  // ORDERLY_BLOCKS_INTERNAL_CONSUMER_CORE_H_
