// Copyright 2026 The orderly Authors.
//
// thread_registration.h: how any thread takes part in the shutdown sequence.
//
// A thread — orderly's, the service's or a foreign library's — registers with
// a name, whether it is a daemon, and a terminate callback:
//
//   void Worker::Run() {
//     orderly::ThreadOptions options;
//     options.on_terminate = [this] { stop_.store(true); cv_.notify_all(); };
//     auto reg = runtime.RegisterThread("ingest-worker", std::move(options));
//     if (!reg.ok()) return;  // Shutdown already past `threads`.
//     while (!stop_.load()) { ... }
//   }  // `reg` ends here: the runtime sees this thread as done.
//
// The registration is an RAII handle. Its end (destruction or Reset())
// means "this thread is done": the `threads` phase joins a non-daemon thread
// by waiting for its registration to end, so no std::thread handle is needed.
//
// Contract
// - Terminate callbacks run once, in reverse creation order, at the start of
//   the `threads` phase, on an executor thread of the sequence (never on
//   the sequencer thread itself, which keeps watching the deadline), outside
//   every lock (so a callback may call into the runtime). They must only
//   *ask* the thread to stop: one that runs past
//   RuntimeOptions::callback_budget is reported and abandoned. A registration made after that point gets its
//   callback at once, on the registering thread, inside RegisterThread(), as
//   a C++20 stop_callback registered after request_stop() does.
// - A non-daemon registration is waited for (joined) in `threads`, within its
//   join budget; past it, it is demoted: reported as a straggler and treated
//   as a daemon. A daemon registration is never waited for, but its terminate
//   callback runs, and the report names it if it still runs when the cleanup
//   phases begin.
// - Registration stays open until the joins of `threads` have finished
//   (running threads may need helpers, CPython gh-113964); afterwards it is
//   refused with FailedPrecondition. Each registration is linearized with the
//   sequence: it is either in the set `threads` terminates and joins, or it
//   fails. None is missed.
//
// Thread-safety: RegisterThread() may be called from any thread, at any time.
// A ThreadRegistration is owned by one thread at a time (like unique_ptr).
//
// Lifetime: a registration must end before its Runtime is destroyed (the
// default runtime never is); in debug builds the runtime's destructor
// aborts, naming the registrations still active. Ending a registration whose terminate callback
// is running on another thread waits for that callback to return, as C++20's
// ~stop_callback does; so a callback must not wait for its own thread's
// registration to end.
//
// fork(): a registration inherited by the child of fork() (the forking
// thread's own, on its stack) belongs to the parent's registry. Ending it in
// the child touches nothing: it is forgotten, never unregistered, since a
// parent thread that did not follow may hold the registry's lock.
//
// Cost: register + unregister are a handful of atomic operations and no heap
// allocation in steady state for names of up to 15 characters and callbacks
// that fit absl::AnyInvocable's inline storage (benchmarks/README.md).

#ifndef ORDERLY_RUNTIME_THREAD_REGISTRATION_H_
#define ORDERLY_RUNTIME_THREAD_REGISTRATION_H_

#include "runtime/version.h"  // First: checks for C++17.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/time/time.h"

namespace orderly {

namespace runtime_internal {
class ThreadRegistry;
}  // namespace runtime_internal

struct ThreadOptions {
  // A daemon thread is abandoned, not joined.
  bool daemon = false;
  // Asks the thread to stop. May be empty (the thread then watches
  // Runtime::stop_requested() or a StopToken itself).
  absl::AnyInvocable<void()> on_terminate;
  // How long `threads` waits for this thread, counted from the start of the
  // joins. Unset: RuntimeOptions::join_budget.
  std::optional<absl::Duration> join_budget;
  // The components this thread uses (each declared already; NotFound
  // otherwise). The fence: no cleanup of such a component, nor of a
  // component it depends on, runs while this thread may still run; the
  // teardown waits for its registration to end, within
  // RuntimeOptions::fence_budget, and past it leaves those components
  // standing (leaked on purpose, reported). Meant for daemons, which are
  // never joined; a non-daemon is joined in `threads` before any teardown.
  // A thread with uses is not listed among "daemons still running": its
  // fence accounts for it, and the report names it only if it is still
  // running at the end.
  std::vector<std::string> uses;
  // The component whose cleanups end this thread (a library's pool that
  // its component stops in `flush`). Such a thread is not joined in
  // `threads` and not reported as a running daemon; once the sequence's
  // phases are over it must have ended (the sequence waits for it within
  // RuntimeOptions::fence_budget), or the report names it as a straggler
  // and static destructors are not safe. Such a registration is accepted
  // even after the joins of `threads` (a library starts its threads when it
  // likes); its terminate callback then runs at once. NotFound if the
  // component is not declared.
  std::string ended_by;
};

class ThreadRegistration {
 public:
  // An empty handle, registered nowhere.
  ThreadRegistration() = default;

  ThreadRegistration(ThreadRegistration&& other) noexcept;
  ThreadRegistration& operator=(ThreadRegistration&& other) noexcept;
  ThreadRegistration(const ThreadRegistration&) = delete;
  ThreadRegistration& operator=(const ThreadRegistration&) = delete;

  // Ends the registration: this thread is done.
  ~ThreadRegistration() { Reset(); }

  // Ends the registration now; the handle becomes empty. Idempotent.
  void Reset();

  bool active() const { return registry_ != nullptr; }

  // True once the sequence gave up on this registration: demoted past its
  // join budget (or its terminate callback's), or abandoned because its
  // thread called exit() and runs (or parked in) the sequence. A handle
  // destroyed after the sequence never waits for such a thread. May be
  // called from any thread while the registration is active (one atomic
  // load); false if it is not.
  bool given_up() const;

 private:
  friend class runtime_internal::ThreadRegistry;
  ThreadRegistration(runtime_internal::ThreadRegistry* registry,
                     uint32_t index, uint32_t generation, uint32_t epoch)
      : registry_(registry),
        index_(index),
        generation_(generation),
        epoch_(epoch) {}

  runtime_internal::ThreadRegistry* registry_ = nullptr;
  uint32_t index_ = 0;
  uint32_t generation_ = 0;
  uint32_t epoch_ = 0;  // runtime_internal::ForkEpoch() when made.
};

}  // namespace orderly

#endif  // ORDERLY_RUNTIME_THREAD_REGISTRATION_H_
