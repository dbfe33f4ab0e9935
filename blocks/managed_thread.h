// Copyright 2026 The orderly Authors.
//
// managed_thread.h: a std::jthread that takes part in the shutdown sequence.
//
// A `ManagedThread` runs a function on a new thread that is registered with a
// runtime (see thread_registration.h). Like C++20's std::jthread it has a
// stop token and joins on destruction; unlike it, it never calls
// std::terminate, and an exception that escapes the function is kept and
// handed to whoever joins.
//
//   auto worker = orderly::ManagedThread::Start(
//       "ingest", [&](orderly::StopToken stop) {
//         while (!stop.stop_requested()) IngestOne();
//       });
//   if (!worker.ok()) return worker.status();  // e.g. shutdown too far along
//   ...
//   absl::Status ended = worker->Join();  // or let the destructor join
//
// Contract
// - Start() returns once the new thread is registered with the runtime
//   (Runtime::Default() unless ManagedThreadOptions::runtime says otherwise),
//   or with the registration's error, in which case the function never runs:
//   FailedPrecondition once the runtime's `threads` phase has joined its
//   threads, InvalidArgument for an empty name.
// - The registration's terminate callback requests this thread's stop (its
//   StopSource runs StopCallbacks inline, as C++20's does), then runs
//   ManagedThreadOptions::on_terminate if any. So a function that watches its
//   StopToken stops when the runtime's `threads` phase asks it to. A
//   non-daemon thread is joined by that phase; a daemon one is not.
// - Join() waits, unbounded like std::thread::join(), for the thread to end
//   and returns OK, or Unknown with the
//   text of the exception that escaped the function; exception() then returns
//   that exception, to rethrow. Join() may be called any number of times,
//   from any number of threads at once: one joins, the others wait for it,
//   all get the same result. Called on the thread itself it returns
//   FailedPrecondition at once instead of deadlocking.
// - JoinFor(timeout) / JoinUntil(deadline): Join() bounded; DeadlineExceeded
//   if the thread still runs then (the handle stays valid; call again).
//
// Destruction: safe at any time, in any process (DESIGN.md, Handles)
// - Before or during the shutdown sequence, the destructor stops the thread
//   as the sequence would: it runs the terminate callback (StopToken, then
//   on_terminate; at most once in all, whether the runtime's `threads` phase
//   or the destructor comes first), then joins within the thread's join
//   budget (ManagedThreadOptions::join_budget, else RuntimeOptions::
//   join_budget, else RuntimeOptions::deadline, else 25 s). Past it, it
//   writes one line on stderr naming the thread and detaches it: never a
//   hang. So a thread that only its on_terminate releases (an
//   io_context::run(), a blocking read()) ends when its handle goes, e.g.
//   as main's locals are destroyed.
// - After the sequence, a thread that has not ended was demoted, abandoned
//   or parked by the exit hook: the destructor never waits for it (one line
//   on stderr, then detached). An ended thread is joined.
// - Run on the thread itself (the thread destroys its own handle), it
//   detaches: the thread keeps its state alive until it ends, and the
//   runtime still joins it through its registration.
// - In the child of fork(), a handle inherited from the parent names a
//   thread that did not follow: the destructor leaks its state on purpose
//   (never joins, locks or frees it), and every method returns at once:
//   Join*() FailedPrecondition "inherited across fork()", RequestStop()
//   false, stop_token() a never-stopping token, joined() false.
//   Regression tests: ExitTest.ForkChildUsesInheritedHandles.
//
// Thread-safety: every method may be called from any thread, concurrently
// with each other, except the destructor and move assignment, which (as for
// any object) must not race other calls on the same handle.
//
// Lifetime: a non-daemon ManagedThread must be joined (or destroyed) before
// its runtime is destroyed; Runtime::Default() never is.
//
// Ordering: everything the thread did happens-before Join() returns, in
// every thread that calls Join(); the stored exception is published only
// after the thread has ended, through the join itself.

#ifndef ORDERLY_BLOCKS_MANAGED_THREAD_H_
#define ORDERLY_BLOCKS_MANAGED_THREAD_H_

#include "runtime/version.h"  // First: checks for C++17.

#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "runtime/runtime.h"
#include "runtime/stop_token.h"

namespace orderly {

struct ManagedThreadOptions {
  // The runtime to register with; null means Runtime::Default().
  Runtime* runtime = nullptr;
  // A daemon thread is asked to stop in `threads` but not joined there.
  bool daemon = false;
  // Runs after this thread's stop request, from the registration's terminate
  // callback (on the sequencer's executor). Must not block; for what the
  // StopToken cannot reach (close a socket, wake a foreign wait).
  absl::AnyInvocable<void()> on_terminate;
  // How long `threads` waits for this thread; unset: the runtime's default.
  std::optional<absl::Duration> join_budget;
};

class ManagedThread {
 public:
  // Starts `fn` on a new registered thread; `fn` takes a StopToken or
  // nothing. See the contract above for errors.
  template <typename F>
  static absl::StatusOr<ManagedThread> Start(
      absl::string_view name, F&& fn, ManagedThreadOptions options = {}) {
    if constexpr (std::is_invocable_v<std::decay_t<F>&, StopToken>) {
      return StartImpl(name, absl::AnyInvocable<void(StopToken)>(
                                 std::forward<F>(fn)),
                       std::move(options));
    } else {
      static_assert(std::is_invocable_v<std::decay_t<F>&>,
                    "a ManagedThread runs fn(StopToken) or fn()");
      return StartImpl(
          name,
          [f = std::forward<F>(fn)](StopToken) mutable { f(); },
          std::move(options));
    }
  }

  // An empty handle: no thread.
  ManagedThread() = default;
  // Terminate callback, then a bounded join (see Destruction above).
  ~ManagedThread();
  ManagedThread(ManagedThread&& other) noexcept = default;
  // Stops and joins the thread this handle had, then takes `other`'s.
  ManagedThread& operator=(ManagedThread&& other) noexcept;
  ManagedThread(const ManagedThread&) = delete;
  ManagedThread& operator=(const ManagedThread&) = delete;

  // Requests the thread's stop; true for the call that made the request.
  // Runs the StopCallbacks of its token on the calling thread.
  bool RequestStop();
  // A token that stops when RequestStop() is called or the runtime's
  // `threads` phase terminates the thread. Never-stopping if empty.
  StopToken stop_token() const;

  // Waits for the thread to end. OK; Unknown if the function threw (the
  // message says what); FailedPrecondition if called on the thread itself or
  // on an empty handle.
  absl::Status Join();
  // Join(), bounded: DeadlineExceeded if the thread still runs at the
  // deadline (nothing changes; call again). Same errors as Join() otherwise.
  absl::Status JoinFor(absl::Duration timeout);
  absl::Status JoinUntil(absl::Time deadline);
  // The exception that escaped the function, once a Join() has returned;
  // null before that or if none escaped.
  std::exception_ptr exception() const;
  // True once some Join() has returned for this thread.
  bool joined() const;

  // The name given to Start(); empty for an empty handle.
  absl::string_view name() const;
  bool valid() const { return state_ != nullptr; }

 private:
  struct State;
  explicit ManagedThread(std::shared_ptr<State> state)
      : state_(std::move(state)) {}
  static absl::StatusOr<ManagedThread> StartImpl(
      absl::string_view name, absl::AnyInvocable<void(StopToken)> fn,
      ManagedThreadOptions options);
  void StopAndJoinOrDetach();
  // True in the child of fork() for a handle made in the parent.
  bool Inherited() const;
  // Detaches the thread, unless it was joined or detached; true if it did.
  static bool DetachIfRunning(State& s);
  // Detaches a thread that still runs, with one line on stderr.
  static void GiveUp(State& s, absl::string_view why);
  // The join of a thread that has finished (or its result, when another
  // caller joined it).
  static absl::Status JoinFinished(State& s);

  // Shared with the thread's own closure, so that a thread that destroys its
  // own handle keeps its state until it ends.
  std::shared_ptr<State> state_;
};

}  // namespace orderly

#endif  // ORDERLY_BLOCKS_MANAGED_THREAD_H_
