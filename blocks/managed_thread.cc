// Copyright 2026 The orderly Authors.

#include "blocks/managed_thread.h"

#include <unistd.h>

#include <atomic>
#include <optional>
#include <system_error>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "blocks/internal/destructor_budget.h"
#include "runtime/internal/exception_text.h"
#include "runtime/internal/fork_epoch.h"
#include "runtime/internal/text_out.h"

namespace orderly {

struct ManagedThread::State {
  enum class Join { kRunning, kJoining, kJoined, kDetached };

  State(std::string thread_name, Runtime* rt)
      : name(std::move(thread_name)),
        runtime(rt),
        epoch(runtime_internal::ForkEpoch()) {}

  // The terminate callback, run at most once: by the registration (the
  // runtime's `threads` phase) or by the handle's destructor, whichever
  // comes first.
  void Terminate() {
    if (terminated.exchange(true, std::memory_order_acq_rel)) return;
    stop_source.RequestStop();
    if (on_terminate) on_terminate();
  }

  const std::string name;
  Runtime* const runtime;
  const uint32_t epoch;  // runtime_internal::ForkEpoch() at Start().
  absl::Duration destructor_budget = absl::InfiniteDuration();
  StopSource stop_source;
  std::atomic<bool> terminated{false};
  // Called only by Terminate(), which runs it once.
  absl::AnyInvocable<void()> on_terminate;
  // Notified by the thread as its last touch of anything but this state:
  // after it, std::thread::join() returns within a moment.
  absl::Notification finished;
  // Set by the thread before its registration ends: from then on it only
  // leaves, so the destructor waits for it even after the sequence.
  std::atomic<bool> ending{false};

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
  // The thread's registration while it is active (the body's own, cleared
  // before it ends): the destructor asks it whether the sequence gave up.
  const ThreadRegistration* registration ABSL_GUARDED_BY(mu) = nullptr;

  // The registration the thread makes of itself: its terminate callback is
  // Terminate().
  ThreadOptions MakeRegistrationOptions(const ManagedThreadOptions& options);
  // The thread's body: registers it, publishes the outcome for Start(), runs
  // `fn`, records what it threw, ends the registration. `s` keeps the state
  // alive until the thread ends, also when its handle detached it.
  static void Run(std::shared_ptr<State> s,
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
  registration.on_terminate = [s = this] { s->Terminate(); };
  return registration;
}

void ManagedThread::State::Run(std::shared_ptr<State> s,
                               absl::AnyInvocable<void(StopToken)> fn,
                               ThreadOptions registration) {
  // Registered on the thread itself: the registry keys a registration to
  // the thread that made it (Shutdown() on it must not wait for itself).
  absl::StatusOr<ThreadRegistration> reg =
      s->runtime->RegisterThread(s->name, std::move(registration));
  {
    absl::MutexLock lock(&s->mu);
    s->start_status = reg.status();
    s->start_done = true;
    if (reg.ok()) s->registration = &*reg;
  }
  if (!reg.ok()) {
    s->finished.Notify();
    return;
  }
  try {
    fn(s->stop_source.token());
  } catch (...) {
    s->thrown = std::current_exception();
    s->thrown_text = runtime_internal::DescribeCurrentException();
  }
  fn = nullptr;  // Its captures go while the thread still counts as running.
  {
    absl::MutexLock lock(&s->mu);
    s->registration = nullptr;
  }
  s->ending.store(true, std::memory_order_release);
  reg->Reset();  // "This thread is done": the runtime's join returns.
  s->finished.Notify();
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
  auto state = std::make_shared<State>(std::string(name), runtime);
  state->on_terminate = std::move(options.on_terminate);
  state->destructor_budget =
      blocks_internal::DestructorBudget(options.join_budget, runtime->options());
  ThreadOptions registration = state->MakeRegistrationOptions(options);
  try {
    state->thread = std::thread(&State::Run, state, std::move(fn),
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

bool ManagedThread::Inherited() const {
  return state_ != nullptr &&
         state_->epoch != runtime_internal::ForkEpoch();
}

void ManagedThread::StopAndJoinOrDetach() {
  if (state_ == nullptr) return;
  if (Inherited()) {
    // The child of fork(): the thread exists only in the parent, and a
    // parent thread may hold the state's lock. Leak it; touch nothing.
    runtime_internal::LeakForever(std::move(state_));
    return;
  }
  State& s = *state_;
  bool own_thread = false;
  {
    absl::MutexLock lock(&s.mu);
    own_thread = s.id == std::this_thread::get_id();
  }
  if (own_thread) {
    // The thread destroys its own handle: joining would wait for itself.
    // Its closure keeps the state alive, and the runtime still joins it
    // through its registration.
    DetachIfRunning(s);
    state_.reset();
    return;
  }
  // As the sequence would: the terminate callback (once), then a join
  // bounded by the thread's join budget. After the sequence, a thread it
  // gave up on (demoted, or abandoned by exit(): running or parked in the
  // exit hook) is never waited for.
  bool given_up = false;
  {
    absl::MutexLock lock(&s.mu);
    given_up = s.registration != nullptr && s.registration->given_up() &&
               s.runtime->shutdown_complete();
  }
  // A thread that has ended needs no asking (and its callback must not run
  // after its end).
  if (!s.ending.load(std::memory_order_acquire)) s.Terminate();
  if (given_up) {
    GiveUp(s, "the shutdown sequence gave up on it");
  } else {
    absl::Status joined = JoinUntil(absl::Now() + s.destructor_budget);
    if (absl::IsDeadlineExceeded(joined)) {
      GiveUp(s, absl::StrCat("past its join budget of ",
                             runtime_internal::HumanDuration(s.destructor_budget)));
    }
  }
  state_.reset();
}

void ManagedThread::GiveUp(State& s, absl::string_view why) {
  if (!DetachIfRunning(s)) return;  // Ended or joined meanwhile.
  runtime_internal::WriteAll(
      STDERR_FILENO,
      absl::StrCat("orderly: ManagedThread \"", s.name,
                   "\" still running when its handle was destroyed (", why,
                   "); detached, not joined\n"));
}

bool ManagedThread::DetachIfRunning(State& s) {
  {
    absl::MutexLock lock(&s.mu);
    if (s.join != State::Join::kRunning) return false;
    s.join = State::Join::kDetached;
  }
  s.thread.detach();  // Only this caller touches s.thread from here on.
  return true;
}

bool ManagedThread::RequestStop() {
  return state_ != nullptr && !Inherited() && state_->stop_source.RequestStop();
}

StopToken ManagedThread::stop_token() const {
  return state_ != nullptr && !Inherited() ? state_->stop_source.token()
                                           : StopToken();
}

absl::Status ManagedThread::Join() { return JoinUntil(absl::InfiniteFuture()); }

absl::Status ManagedThread::JoinFor(absl::Duration timeout) {
  return JoinUntil(absl::Now() + timeout);
}

absl::Status ManagedThread::JoinUntil(absl::Time deadline) {
  if (state_ == nullptr) {
    return absl::FailedPreconditionError(
        "ManagedThread::Join: an empty handle (default-constructed or moved "
        "from) has no thread to join");
  }
  State& s = *state_;
  if (Inherited()) {
    return runtime_internal::InheritedAcrossFork(
        absl::StrCat("ManagedThread \"", s.name, "\": Join"));
  }
  {
    absl::MutexLock lock(&s.mu);
    if (s.id == std::this_thread::get_id()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "ManagedThread \"", s.name,
          "\": Join() called on the thread itself, which would wait for "
          "itself forever; return from the thread's function instead"));
    }
    if (s.join == State::Join::kDetached) {
      return absl::FailedPreconditionError(
          absl::StrCat("ManagedThread \"", s.name, "\" was detached"));
    }
  }
  // Bounded: the thread's last step notifies `finished`; the join after it
  // returns within a moment.
  if (!s.finished.WaitForNotificationWithDeadline(deadline)) {
    return absl::DeadlineExceededError(absl::StrCat(
        "ManagedThread \"", s.name, "\" still running at the join deadline"));
  }
  return JoinFinished(s);
}

absl::Status ManagedThread::JoinFinished(State& s) {
  {
    absl::MutexLock lock(&s.mu);
    switch (s.join) {
      case State::Join::kJoined:
        return s.result;
      case State::Join::kJoining:
        // Another caller joins; its thread has finished: wait for it.
        s.mu.Await(absl::Condition(
            +[](State::Join* j) { return *j == State::Join::kJoined; },
            &s.join));
        return s.result;
      case State::Join::kDetached:
        return absl::FailedPreconditionError(
            absl::StrCat("ManagedThread \"", s.name, "\" was detached"));
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
  if (state_ == nullptr || Inherited()) return nullptr;
  absl::MutexLock lock(&state_->mu);
  return state_->exception;
}

bool ManagedThread::joined() const {
  if (state_ == nullptr || Inherited()) return false;
  absl::MutexLock lock(&state_->mu);
  return state_->join == State::Join::kJoined;
}

absl::string_view ManagedThread::name() const {
  // Immutable since Start(): safe to read in a fork() child too.
  return state_ != nullptr ? absl::string_view(state_->name)
                           : absl::string_view();
}

}  // namespace orderly
