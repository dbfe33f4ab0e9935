// Copyright 2026 The orderly Authors.

#include "blocks/managed_thread.h"

#include <system_error>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "runtime/internal/exception_text.h"

namespace orderly {

struct ManagedThread::State {
  enum class Join { kRunning, kJoining, kJoined, kDetached };

  explicit State(std::string thread_name) : name(std::move(thread_name)) {}

  const std::string name;
  StopSource stop_source;
  // Called only by this thread's terminate callback, which runs once.
  absl::AnyInvocable<void()> on_terminate;

  // Written by the thread before it ends; read only by the joiner, after
  // std::thread::join() returned (join is the happens-before edge), which
  // then copies it under `mu` for every other caller.
  std::exception_ptr thrown;
  std::string thrown_text;

  // Touched by Start() and then only by the caller that moved `join` from
  // kRunning to kJoining (or kDetached): never by two threads at once.
  std::thread thread;

  mutable absl::Mutex mu;
  bool start_done ABSL_GUARDED_BY(mu) = false;
  absl::Status start_status ABSL_GUARDED_BY(mu);
  std::thread::id id ABSL_GUARDED_BY(mu);
  Join join ABSL_GUARDED_BY(mu) = Join::kRunning;
  absl::Status result ABSL_GUARDED_BY(mu);
  std::exception_ptr exception ABSL_GUARDED_BY(mu);

  // The registration the thread makes of itself: its terminate callback
  // requests this thread's stop, then runs the user's `on_terminate`.
  ThreadOptions MakeRegistrationOptions(const ManagedThreadOptions& options);
  // The thread's body: registers it, publishes the outcome for Start(), runs
  // `fn`, records what it threw, ends the registration. `s` keeps the state
  // alive until the thread ends, also when its handle detached it.
  static void Run(std::shared_ptr<State> s, Runtime* runtime,
                  absl::AnyInvocable<void(StopToken)> fn,
                  ThreadOptions registration);
  // Blocks the starting thread until the new thread has registered (or
  // failed to, and then joins it); returns that outcome.
  absl::Status AwaitRegistered();
};

namespace {

absl::Status CheckStartArguments(
    absl::string_view name, const absl::AnyInvocable<void(StopToken)>& fn) {
  if (name.empty()) {
    return absl::InvalidArgumentError(
        "ManagedThread::Start: the name is empty; name the thread, so that a "
        "shutdown report can say which thread hangs");
  }
  if (!fn) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ManagedThread::Start(\"", name, "\"): the function is empty"));
  }
  return absl::OkStatus();
}

}  // namespace

ThreadOptions ManagedThread::State::MakeRegistrationOptions(
    const ManagedThreadOptions& options) {
  ThreadOptions registration;
  registration.daemon = options.daemon;
  registration.join_budget = options.join_budget;
  // The state outlives the registration: the registration ends on the
  // thread, before the thread ends, and the state lives until it is joined.
  registration.on_terminate = [s = this] {
    s->stop_source.RequestStop();
    if (s->on_terminate) s->on_terminate();
  };
  return registration;
}

void ManagedThread::State::Run(std::shared_ptr<State> s, Runtime* runtime,
                               absl::AnyInvocable<void(StopToken)> fn,
                               ThreadOptions registration) {
  // Registered on the thread itself: the registry keys a registration to
  // the thread that made it (Shutdown() on it must not wait for itself).
  absl::StatusOr<ThreadRegistration> reg =
      runtime->RegisterThread(s->name, std::move(registration));
  {
    absl::MutexLock lock(&s->mu);
    s->start_status = reg.status();
    s->start_done = true;
  }
  if (!reg.ok()) return;
  try {
    fn(s->stop_source.token());
  } catch (...) {
    s->thrown = std::current_exception();
    s->thrown_text = runtime_internal::DescribeCurrentException();
  }
  fn = nullptr;  // Its captures go while the thread still counts as running.
  reg->Reset();  // "This thread is done": the runtime's join returns.
}

absl::Status ManagedThread::State::AwaitRegistered() {
  absl::Status started;
  {
    absl::MutexLock lock(&mu);
    id = thread.get_id();
    mu.Await(absl::Condition(&start_done));
    started = start_status;
  }
  if (!started.ok()) thread.join();  // It returned without running `fn`.
  return started;
}

absl::StatusOr<ManagedThread> ManagedThread::StartImpl(
    absl::string_view name, absl::AnyInvocable<void(StopToken)> fn,
    ManagedThreadOptions options) {
  if (absl::Status bad = CheckStartArguments(name, fn); !bad.ok()) return bad;
  Runtime* runtime =
      options.runtime != nullptr ? options.runtime : &Runtime::Default();
  auto state = std::make_shared<State>(std::string(name));
  state->on_terminate = std::move(options.on_terminate);
  ThreadOptions registration = state->MakeRegistrationOptions(options);
  try {
    state->thread = std::thread(&State::Run, state, runtime, std::move(fn),
                                std::move(registration));
  } catch (const std::system_error& e) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "ManagedThread::Start(\"", name, "\"): no thread: ", e.what()));
  }
  if (absl::Status started = state->AwaitRegistered(); !started.ok()) {
    return absl::Status(started.code(),
                        absl::StrCat("ManagedThread::Start(\"", name,
                                     "\"): ", started.message()));
  }
  return ManagedThread(std::move(state));
}

ManagedThread::~ManagedThread() { StopAndJoinOrDetach(); }

ManagedThread& ManagedThread::operator=(ManagedThread&& other) noexcept {
  if (this != &other) {
    StopAndJoinOrDetach();
    state_ = std::move(other.state_);
  }
  return *this;
}

void ManagedThread::StopAndJoinOrDetach() {
  if (state_ == nullptr) return;
  State& s = *state_;
  s.stop_source.RequestStop();
  bool detach = false;
  {
    absl::MutexLock lock(&s.mu);
    if (s.id == std::this_thread::get_id() && s.join == State::Join::kRunning) {
      s.join = State::Join::kDetached;
      detach = true;
    }
  }
  if (detach) {
    // The thread destroys its own handle: joining would wait for itself,
    // std::thread would terminate. Its closure keeps the state alive, and
    // the runtime still joins it through its registration.
    s.thread.detach();
  } else {
    Join().IgnoreError();
  }
  state_.reset();
}

bool ManagedThread::RequestStop() {
  return state_ != nullptr && state_->stop_source.RequestStop();
}

StopToken ManagedThread::stop_token() const {
  return state_ != nullptr ? state_->stop_source.token() : StopToken();
}

absl::Status ManagedThread::Join() {
  if (state_ == nullptr) {
    return absl::FailedPreconditionError(
        "ManagedThread::Join: an empty handle (default-constructed or moved "
        "from) has no thread to join");
  }
  State& s = *state_;
  {
    absl::MutexLock lock(&s.mu);
    if (s.id == std::this_thread::get_id()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "ManagedThread \"", s.name,
          "\": Join() called on the thread itself, which would wait for "
          "itself forever; return from the thread's function instead"));
    }
    switch (s.join) {
      case State::Join::kJoined:
        return s.result;
      case State::Join::kJoining:
        // Another caller joins; wait for its result.
        s.mu.Await(absl::Condition(
            +[](State::Join* j) { return *j == State::Join::kJoined; },
            &s.join));
        return s.result;
      case State::Join::kDetached:
        return absl::FailedPreconditionError(absl::StrCat(
            "ManagedThread \"", s.name, "\" was detached by its own thread"));
      case State::Join::kRunning:
        s.join = State::Join::kJoining;
        break;
    }
  }
  // Only this caller touches s.thread from here on.
  s.thread.join();
  absl::MutexLock lock(&s.mu);
  s.exception = s.thrown;  // Published after the thread's end: no torn read.
  s.result = s.thrown == nullptr
                 ? absl::OkStatus()
                 : absl::UnknownError(absl::StrCat("ManagedThread \"", s.name,
                                                   "\" ended by an exception: ",
                                                   s.thrown_text));
  s.join = State::Join::kJoined;
  return s.result;
}

std::exception_ptr ManagedThread::exception() const {
  if (state_ == nullptr) return nullptr;
  absl::MutexLock lock(&state_->mu);
  return state_->exception;
}

bool ManagedThread::joined() const {
  if (state_ == nullptr) return false;
  absl::MutexLock lock(&state_->mu);
  return state_->join == State::Join::kJoined;
}

absl::string_view ManagedThread::name() const {
  return state_ != nullptr ? absl::string_view(state_->name)
                           : absl::string_view();
}

}  // namespace orderly
