// Copyright 2026 The orderly Authors.
//
// background_consumer.h: a queue with one consumer thread that loses nothing
// at shutdown.
//
// The async log writer, the metrics flusher: producers hand items to a queue
// from any thread; one consumer thread processes them. Every accepted item is
// processed exactly once, in order per producer, whether or not the client
// ever calls Close(): at shutdown the runtime's `flush` phase drains it.
//
//   orderly::BackgroundConsumerOptions<std::string> options;
//   options.capacity = 4096;
//   options.overflow = orderly::OverflowPolicy::kBlock;
//   auto writer = orderly::BackgroundConsumer<std::string>::Create(
//       "log-writer", [&](std::string&& line) { file.Write(line); },
//       std::move(options));
//   if (!writer.ok()) return writer.status();
//   (*writer)->Push("hello").IgnoreError();  // From any thread.
//   // No Close() needed: Runtime::Shutdown() delivers the rest in `flush`.
//
// How it takes part in the sequence (DESIGN.md, The sequence)
// - Create() declares a component named after the consumer, with one cleanup
//   "drain" in `flush`, and report counters "<name>.processed", ".dropped",
//   ".refused", ".handler_errors", ".fallback" and ".undelivered" (accepted,
//   not yet handed to the handler; 0 once drained).
// - The consumer is a ManagedThread with a non-daemon registration. In
//   `threads` it is asked to stop; it finishes the batch in hand and ends,
//   and is joined there like every other thread. Items pushed meanwhile (the
//   producers run until they are joined in the same phase) stay queued.
// - The `flush` cleanup calls Close(): it refuses later pushes and processes
//   what is left, on the runtime's executor. `flush` runs after `threads`, so
//   every producer the runtime knows of has been joined: nothing it accepted
//   can still arrive.
// Why not keep the consumer running until `flush` (a daemon)? The report
// would then list it as a daemon still running when the cleanup phases
// began, and all_threads_ended() would be false for every clean shutdown,
// costing the process its static destructors; and a daemon that `threads`
// does not wait for contradicts "every thread is joined". The price of this
// choice: items left at shutdown are handled on the executor thread, never
// concurrently with the consumer (see Ordering).
//
// Contract
// - Push() accepts the item (OK), or says why not: after Close() (or the
//   flush drain), FailedPrecondition, or, if Options::fallback is set, the
//   fallback handles it on the pushing thread (OK). On a full queue:
//   kBlock waits for room; kFail returns ResourceExhausted; kDrop discards
//   the pushed item, counts it in ".dropped" and returns OK. Once the
//   consumer thread has stopped at shutdown, kBlock no longer waits (nobody
//   would make room before the producers are joined): the item is accepted
//   over capacity and delivered in `flush`. Nothing is dropped silently:
//   every item not delivered is counted.
// - A handler that throws on one item: counted in ".handler_errors",
//   last_handler_error() says what; the next items are still processed.
// - Close() is idempotent; from any thread, at any time, also concurrently
//   with the runtime's sequence. It returns once every accepted item has
//   been processed and the consumer thread is joined. Called from the
//   handler, it refuses later pushes and returns at once; the running drain
//   finishes the rest.
// - The destructor calls Close(). Do not destroy the consumer from its own
//   handler. Safe at any time: before the sequence, it stops and joins the
//   consumer thread (which drains the queue); after it, a consumer thread
//   still running (demoted: stuck in the handler) is never waited for, and
//   what it holds stays counted in ".undelivered".
// - fork(): in the child, a consumer made in the parent is refused at once:
//   Push() returns FailedPrecondition ("inherited across fork()") without
//   taking the queue's lock (a parent thread may have held it at fork());
//   Close() returns; the destructor leaks the queue on purpose. Regression
//   test: ExitTest.ForkChildUsesInheritedHandles.
// - quick_exit(): with the quick_exit hook (hooks/quick_exit_hook.h), the
//   queue is drained within its budget; what is left is counted on stderr.
//
// Thread-safety: Push(), Close(), stats() and last_handler_error() are
// thread-safe. The handler runs on one thread at a time. The fallback may
// run on several pushing threads at once.
//
// Ordering: items are processed in the order Push() accepted them (a total
// order, so in order per producer), one batch at a time. A Push() that
// returned OK happens-before the handler's call for that item; every call of
// the handler happens-before Close() returns.
//
// Lifetime: the runtime's cleanup and counters share the queue's internal
// state, so the consumer may be destroyed before or after its runtime shuts
// down. After the drain its handler is released.
//
// Cost: Push() is one lock and an amortized vector append; while items flow
// it never wakes the consumer (which lingers 50 us after each batch, the
// most an item then waits). The consumer takes the whole queue at once (a
// swap under the lock) and processes it outside the lock. See
// benchmarks/README-blocks.md.

#ifndef ORDERLY_BLOCKS_BACKGROUND_CONSUMER_H_
#define ORDERLY_BLOCKS_BACKGROUND_CONSUMER_H_

#include "runtime/version.h"  // First: checks for C++17.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "blocks/internal/consumer_core.h"
#include "blocks/managed_thread.h"
#include "blocks/overflow_policy.h"
#include "runtime/internal/fork_epoch.h"
#include "runtime/runtime.h"

namespace orderly {

template <typename T>
struct BackgroundConsumerOptions {
  // The runtime whose `flush` phase drains the queue; null: Default().
  Runtime* runtime = nullptr;
  // Most items queued at once (at least 1).
  size_t capacity = 65536;
  OverflowPolicy overflow = OverflowPolicy::kBlock;
  // Handles items pushed after the drain, on the pushing thread (several at
  // once, hence const). Unset: such pushes are refused (FailedPrecondition).
  absl::AnyInvocable<void(T&&) const> fallback;
};

template <typename T>
class BackgroundConsumer {
 public:
  using Handler = absl::AnyInvocable<void(T&&)>;
  using Options = BackgroundConsumerOptions<T>;
  using Stats = blocks_internal::ConsumerStats;

  // Declares the component, its `flush` cleanup and counters, and starts the
  // consumer thread. Errors: InvalidArgument (empty name or handler, zero
  // capacity), AlreadyExists (a component of that name exists),
  // FailedPrecondition (the runtime's sequence is past `threads`).
  static absl::StatusOr<std::unique_ptr<BackgroundConsumer>> Create(
      absl::string_view name, Handler handler, Options options = {}) {
    using Core = blocks_internal::ConsumerCore<T>;
    if (name.empty() || !handler || options.capacity == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "BackgroundConsumer::Create(\"", name, "\"): ",
          name.empty() ? "the name is empty"
          : !handler   ? "the handler is empty"
                       : "capacity must be at least 1"));
    }
    Runtime& rt =
        options.runtime != nullptr ? *options.runtime : Runtime::Default();
    absl::StatusOr<Component> component = rt.AddComponent(name);
    if (!component.ok()) return component.status();
    auto core = std::make_shared<Core>(
        std::string(name), std::move(handler), options.capacity,
        options.overflow, std::move(options.fallback));
    if (absl::Status s = core->Start(rt); !s.ok()) return s;
    absl::Status s = component->AddCleanup(
        kFlushPhase, "drain", [core] { core->Close(); });
    for (int i = 0; s.ok() && i < blocks_internal::kCounterCount; ++i) {
      const auto counter = static_cast<blocks_internal::Counter>(i);
      s = rt.AddReportCounter(
          absl::StrCat(name, ".", blocks_internal::kCounterNames[i]),
          [core, counter] { return core->Read(counter); });
    }
    if (!s.ok()) {
      core->Close();
      return s;
    }
    return std::unique_ptr<BackgroundConsumer>(
        new BackgroundConsumer(std::move(core)));
  }

  // Close(), then releases the handler and fallback. In a fork() child, for
  // a consumer made in the parent: touches nothing, leaks on purpose.
  ~BackgroundConsumer() {
    if (core_->inherited()) {
      runtime_internal::LeakForever(std::move(core_));
      return;
    }
    core_->CloseAndRelease();
  }
  BackgroundConsumer(const BackgroundConsumer&) = delete;
  BackgroundConsumer& operator=(const BackgroundConsumer&) = delete;

  // See the contract above.
  absl::Status Push(T item) { return core_->Push(item); }
  void Close() { (void)core_->Close(); }

  // The counters, each read atomically (not one snapshot across them).
  Stats stats() const { return core_->stats(); }
  // The description of the last exception a handler threw; empty if none.
  std::string last_handler_error() const {
    return core_->last_handler_error();
  }
  const std::string& name() const { return core_->name(); }

  // Pushes waiting for room (kBlock), for tests of blocking.
  int BlockedPushersForTesting() const { return core_->blocked(); }

 private:
  explicit BackgroundConsumer(
      std::shared_ptr<blocks_internal::ConsumerCore<T>> core)
      : core_(std::move(core)) {}

  std::shared_ptr<blocks_internal::ConsumerCore<T>> core_;
};

}  // namespace orderly

#endif  // ORDERLY_BLOCKS_BACKGROUND_CONSUMER_H_
