// Copyright 2026 The orderly Authors.
//
// io_context_runner.h: a boost::asio io_context run on registered threads
// and stopped in order (//adapters/asio, header-only, Boost.Asio from
// Debian's libboost-dev).
//
// One line starts the threads and declares the shutdown; one more per
// acceptor stops accepting at the stop request:
//
//   auto runner = orderly::IoContextRunner::Start(io, /*threads=*/4);
//   if (!runner.ok() || !(*runner)->AddAcceptor(acceptor).ok()) return 1;
//
// (tests/adapters/io_context_runner_main.cc runs this example as written.)
//
// What happens, in the runtime's sequence (runtime.h):
//   Start()  declares the component IoContextRunnerOptions::name, keeps the
//            io_context busy with a work guard and runs io.run() on
//            `threads` ManagedThreads named "<name>/<n>" (non-daemon).
//   drain    closes every acceptor given to AddAcceptor() (on the
//            acceptor's own executor, so give it a strand when several
//            threads run the io_context), turns draining() true, releases
//            the work guard, and waits up to `drain_timeout` for the
//            io_context to run out of work: the handlers in flight finish.
//            If they do not, the cleanup returns DeadlineExceeded (the
//            report says so) and the sequence goes on.
//   threads  the component's terminate hook calls io.stop(): what is still
//            pending is abandoned, not run; io.run() returns on every
//            thread and the threads are joined.
// So a connection handler that wants nothing lost finishes the request it
// has read and, when draining() is true, closes instead of reading the
// next one; an accept handler does not accept again after an error
// (closing the acceptor completes the pending accept with
// operation_aborted). A handler that calls exit() never finishes, so the
// drain waits its whole timeout: call exit() from another thread.
//
// Errors: Start() returns the runtime's error (AlreadyExists: the name is
// taken; FailedPrecondition: the `threads` phase is over) or
// InvalidArgument (threads < 1, a negative drain_timeout). AddAcceptor()
// returns FailedPrecondition once the drain has begun.
//
// Thread-safety: AddAcceptor() and draining() may be called from any
// thread. Lifetime: the io_context and each acceptor must outlive the
// runner. Destroying the runner before the sequence removes its component
// (its cleanups will not run), stops the io_context and joins its threads.
// After the sequence its threads are already joined.

#ifndef ORDERLY_ADAPTERS_ASIO_IO_CONTEXT_RUNNER_H_
#define ORDERLY_ADAPTERS_ASIO_IO_CONTEXT_RUNNER_H_

#include "runtime/version.h"  // First: checks for C++17.

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/system/error_code.hpp>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "blocks/managed_thread.h"
#include "runtime/runtime.h"

namespace orderly {

struct IoContextRunnerOptions {
  // How many threads run io.run().
  int threads = 1;
  // The component's name (also the threads' name prefix), and the
  // components it depends on (their drain cleanups run after this one's).
  std::string name = "asio";
  std::vector<std::string> depends_on;
  // How long `drain` waits for the handlers in flight.
  absl::Duration drain_timeout = absl::Seconds(1);
  // The runtime; null means Runtime::Default().
  Runtime* runtime = nullptr;
};

class IoContextRunner {
 public:
  static absl::StatusOr<std::unique_ptr<IoContextRunner>> Start(
      boost::asio::io_context& io, IoContextRunnerOptions options = {});
  static absl::StatusOr<std::unique_ptr<IoContextRunner>> Start(
      boost::asio::io_context& io, int threads) {
    IoContextRunnerOptions options;
    options.threads = threads;
    return Start(io, std::move(options));
  }

  ~IoContextRunner();
  IoContextRunner(const IoContextRunner&) = delete;
  IoContextRunner& operator=(const IoContextRunner&) = delete;

  // `acceptor` (any type with get_executor() and close(error_code&)) is
  // closed at the start of `drain`.
  template <typename Acceptor>
  absl::Status AddAcceptor(Acceptor& acceptor) {
    return AddStopAccepting([&acceptor](absl::AnyInvocable<void()> done) {
      boost::asio::post(acceptor.get_executor(),
                        [&acceptor, done = std::move(done)]() mutable {
                          boost::system::error_code ignored;
                          acceptor.close(ignored);
                          done();
                        });
    });
  }

  // The general form: `stop` runs at the start of `drain` and calls the
  // function it gets once accepting has stopped (from any thread).
  absl::Status AddStopAccepting(
      absl::AnyInvocable<void(absl::AnyInvocable<void()> done)> stop);

  // True from the start of `drain`: handlers finish what they have and
  // start nothing new. One atomic load.
  bool draining() const { return state_->draining.load(); }

  const std::string& name() const { return name_; }

 private:
  struct State {
    explicit State(boost::asio::io_context& context)
        : io(context), guard(boost::asio::make_work_guard(context)) {}
    boost::asio::io_context& io;
    std::atomic<bool> draining{false};
    absl::Mutex mu;
    std::optional<boost::asio::executor_work_guard<
        boost::asio::io_context::executor_type>>
        guard ABSL_GUARDED_BY(mu);
    std::vector<absl::AnyInvocable<void(absl::AnyInvocable<void()>)>> stops
        ABSL_GUARDED_BY(mu);
    int stops_done ABSL_GUARDED_BY(mu) = 0;
    int runs_returned ABSL_GUARDED_BY(mu) = 0;
  };

  IoContextRunner(Runtime& runtime, std::string name,
                  std::shared_ptr<State> state)
      : runtime_(runtime), name_(std::move(name)), state_(std::move(state)) {}
  static absl::Status Drain(State& state, absl::Duration timeout);

  Runtime& runtime_;
  const std::string name_;
  const std::shared_ptr<State> state_;
  std::vector<ManagedThread> threads_;
};

// --- Implementation -------------------------------------------------------

inline absl::StatusOr<std::unique_ptr<IoContextRunner>> IoContextRunner::Start(
    boost::asio::io_context& io, IoContextRunnerOptions options) {
  if (options.threads < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "IoContextRunnerOptions::threads must be >= 1, got ", options.threads));
  }
  if (options.drain_timeout < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "IoContextRunnerOptions::drain_timeout must not be negative");
  }
  Runtime& rt = options.runtime ? *options.runtime : Runtime::Default();
  auto component = rt.AddComponent(options.name, options.depends_on);
  if (!component.ok()) return component.status();
  auto state = std::make_shared<State>(io);
  std::unique_ptr<IoContextRunner> runner(
      new IoContextRunner(rt, options.name, state));
  const absl::Duration timeout = options.drain_timeout;
  absl::Status s = component->AddCleanup(
      "drain", "stop accepting, finish handlers",
      [state, timeout] { return Drain(*state, timeout); },
      timeout + absl::Seconds(1));
  if (s.ok()) {
    s = component->AddTerminateHook("io_context::stop",
                                    [state] { state->io.stop(); });
  }
  for (int i = 1; s.ok() && i <= options.threads; ++i) {
    ManagedThreadOptions thread_options;
    thread_options.runtime = &rt;
    auto t = ManagedThread::Start(
        absl::StrCat(options.name, "/", i),
        [state] {
          state->io.run();
          absl::MutexLock lock(&state->mu);
          ++state->runs_returned;
        },
        std::move(thread_options));
    if (t.ok()) runner->threads_.push_back(*std::move(t));
    else s = t.status();
  }
  if (!s.ok()) return s;  // ~IoContextRunner undoes what was done.
  return runner;
}

inline IoContextRunner::~IoContextRunner() {
  runtime_.RemoveComponent(name_).IgnoreError();  // NotFound once removed.
  {
    absl::MutexLock lock(&state_->mu);
    state_->guard.reset();
  }
  state_->io.stop();
  threads_.clear();  // Joins them (at once if the sequence did).
}

inline absl::Status IoContextRunner::AddStopAccepting(
    absl::AnyInvocable<void(absl::AnyInvocable<void()> done)> stop) {
  absl::MutexLock lock(&state_->mu);
  if (state_->draining.load()) {
    return absl::FailedPreconditionError(
        absl::StrCat(name_, ": AddAcceptor() after the drain began"));
  }
  state_->stops.push_back(std::move(stop));
  return absl::OkStatus();
}

inline absl::Status IoContextRunner::Drain(State& state,
                                           absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  std::vector<absl::AnyInvocable<void(absl::AnyInvocable<void()>)>> stops;
  {
    absl::MutexLock lock(&state.mu);
    state.draining.store(true);  // Under mu: AddStopAccepting() sees it.
    stops.swap(state.stops);
  }
  // The stops run outside the lock; `done` may run on any thread. The
  // State outlives it: the cleanup (and so Drain) holds a shared_ptr, and
  // a done() after a timed-out Drain only touches State.
  const int wanted = static_cast<int>(stops.size());
  for (auto& stop : stops) {
    stop([&state] {
      absl::MutexLock lock(&state.mu);
      ++state.stops_done;
    });
  }
  absl::MutexLock lock(&state.mu);
  auto accepting_stopped = [&state, wanted] {
    state.mu.AssertHeld();
    return state.stops_done >= wanted;
  };
  const bool stopped = state.mu.AwaitWithDeadline(
      absl::Condition(&accepting_stopped), deadline);
  state.guard.reset();  // io.run() returns once the work runs out.
  auto out_of_work = [&state] {
    state.mu.AssertHeld();
    return state.runs_returned > 0;  // Each run() returns at once then.
  };
  if (!state.mu.AwaitWithDeadline(absl::Condition(&out_of_work), deadline)) {
    return absl::DeadlineExceededError(absl::StrCat(
        stopped ? "" : "acceptors not closed; ",
        "handlers still in flight after ", absl::FormatDuration(timeout),
        "; io_context::stop() in `threads` abandons them"));
  }
  return absl::OkStatus();
}

}  // namespace orderly

#endif  // ORDERLY_ADAPTERS_ASIO_IO_CONTEXT_RUNNER_H_
