// Copyright 2026 The orderly Authors.

#include "hooks/signals.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "hooks/internal/signals_internal.h"
#include "runtime/internal/os_threads.h"
#include "runtime/internal/text_out.h"
#include "runtime/runtime.h"

namespace orderly {
namespace {

// Follows the sequence, so that a forced exit can say where it was.
class Progress : public SequenceListener {
 public:
  void OnPhaseBegin(absl::string_view phase, absl::Time, absl::Time) override {
    absl::MutexLock lock(&mu_);
    phase_.assign(phase.data(), phase.size());
    phase_start_ = absl::Now();
  }
  void OnFinished(const ShutdownReport&) override {
    absl::MutexLock lock(&mu_);
    finished_ = true;
  }

  // "still running: phase threads (for 102ms)".
  std::string Describe() const {
    absl::MutexLock lock(&mu_);
    if (finished_) return "the sequence had finished";
    if (phase_.empty()) return "still running: the stop callbacks";
    return absl::StrCat("still running: phase ", phase_, " (for ",
                        runtime_internal::HumanDuration(absl::Now() - phase_start_),
                        ")");
  }

 private:
  mutable absl::Mutex mu_;
  std::string phase_ ABSL_GUARDED_BY(mu_);
  absl::Time phase_start_ ABSL_GUARDED_BY(mu_);
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

struct SignalState {
  absl::Mutex mu;
  bool installed ABSL_GUARDED_BY(mu) = false;
  // Written before the thread starts and the handlers are installed; read
  // only afterwards (pthread_create and sigaction order them).
  SignalOptions options;
  sigset_t set;
  sigset_t unblock_in_child;  // Those of `set` we blocked.
  std::vector<std::pair<int, struct sigaction>> previous;
  Progress* progress = nullptr;  // Leaked: listeners outlive the runtime.
  // The dedicated thread, for the forwarding handler.
  std::atomic<bool> has_thread{false};
  std::atomic<pthread_t> thread{};
  // In a child of fork(): the parent's state, kept and never freed (a thread
  // that did not follow may have held its lock).
  SignalState* parent = nullptr;
};

SignalState*& StatePointer() {
  // Never destroyed: the thread and the handler use it until the end.
  static SignalState* state = new SignalState();
  return state;
}

SignalState& State() { return *StatePointer(); }

// The handler, for a thread that does not block the signals: forwards the
// signal to the dedicated thread, which blocks it and takes it in sigwait().
void Forward(int sig) {
  const int saved_errno = errno;
  SignalState& state = State();
  if (state.has_thread.load(std::memory_order_acquire)) {
    pthread_kill(state.thread.load(std::memory_order_acquire), sig);
  }
  errno = saved_errno;
}

// "not run: phase flush [log/flush-file], phase close, phase release".
std::string NotRun(const ShutdownPlan& plan) {
  constexpr size_t kMaxNames = 8;
  std::vector<std::string> phases;
  for (const PlannedPhase& phase : plan.phases) {
    std::vector<std::string> steps;
    for (const PlannedThread& t : phase.threads) steps.push_back(t.name);
    for (const PlannedCleanup& c : phase.cleanups) {
      steps.push_back(StepLabel(c.component, c.name));
    }
    std::string text = absl::StrCat("phase ", phase.name);
    if (!steps.empty()) {
      const size_t more = steps.size() > kMaxNames ? steps.size() - kMaxNames
                                                   : 0;
      steps.resize(steps.size() - more);
      absl::StrAppend(&text, " [", absl::StrJoin(steps, ", "),
                      more > 0 ? absl::StrCat(" and ", more, " more") : "",
                      "]");
    }
    phases.push_back(std::move(text));
  }
  if (phases.empty()) return "nothing left to run";
  return absl::StrCat("not run: ", absl::StrJoin(phases, ", "));
}

[[noreturn]] void EndAtOnce(int sig, const Progress& progress) {
  const int code = 128 + sig;
  runtime_internal::WriteAll(
      STDERR_FILENO,
      absl::StrCat("orderly: second signal, ",
                   StopReason::Signal(sig).ToString(),
                   ", during shutdown: forced exit now with code ", code,
                   ", skipping the rest of the sequence; ",
                   progress.Describe(), "; ",
                   NotRun(Runtime::Default().Plan()), "\n"));
  _exit(code);
}

void* SignalThreadMain(void*) {
  pthread_setname_np(pthread_self(), "orderly-signals");
  runtime_internal::NoteSignalThread();
  SignalState& state = State();
  int received = 0;
  for (;;) {
    int sig = 0;
    if (sigwait(&state.set, &sig) != 0) continue;
    if (++received == 1) {
      runtime_internal::WriteAll(
          STDERR_FILENO,
          absl::StrCat("orderly: received ", StopReason::Signal(sig).ToString(),
                       ": stopping in order; send it again to end the "
                       "process at once\n"));
      Runtime::Default().RequestStop(StopReason::Signal(sig));
    } else if (state.options.second_signal_ends_process) {
      EndAtOnce(sig, *state.progress);
    }
  }
}

absl::Status Validate(const std::vector<int>& signals) {
  if (signals.empty()) {
    return absl::InvalidArgumentError(
        "InstallSignalHandling: no signals given; the default is SIGTERM and "
        "SIGINT");
  }
  constexpr int kRefused[] = {SIGKILL, SIGSTOP, SIGSEGV, SIGBUS, SIGFPE,
                              SIGILL,  SIGTRAP, SIGSYS,  SIGABRT};
  for (size_t i = 0; i < signals.size(); ++i) {
    const int sig = signals[i];
    if (sig <= 0 || sig >= NSIG || sig >= SIGRTMIN) {
      return absl::InvalidArgumentError(absl::StrCat(
          "InstallSignalHandling: signal ", sig,
          " is not a standard signal number (1 to ", SIGRTMIN - 1, ")"));
    }
    if (std::find(std::begin(kRefused), std::end(kRefused), sig) !=
        std::end(kRefused)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "InstallSignalHandling: ", StopReason::Signal(sig).ToString(),
          " cannot request a graceful stop (it cannot be caught, or it "
          "reports a fault on the thread that raised it)"));
    }
    if (std::find(signals.begin(), signals.begin() + i, sig) !=
        signals.begin() + i) {
      return absl::InvalidArgumentError(absl::StrCat(
          "InstallSignalHandling: ", StopReason::Signal(sig).ToString(),
          " is listed twice"));
    }
  }
  return absl::OkStatus();
}

absl::Status Errno(const char* call, int error) {
  return absl::InternalError(absl::StrCat("InstallSignalHandling: ", call,
                                          " failed: ", strerror(error)));
}

}  // namespace

absl::Status InstallSignalHandling(SignalOptions options) {
  if (absl::Status s = Validate(options.signals); !s.ok()) return s;
  SignalState& state = State();
  absl::MutexLock lock(&state.mu);
  if (state.installed) {
    return absl::AlreadyExistsError(
        "InstallSignalHandling: signal handling is installed already (by "
        "MainGuard or an earlier call); install it once per process");
  }
  sigset_t set, old_mask;
  sigemptyset(&set);
  for (int sig : options.signals) sigaddset(&set, sig);
  // Block first: the dedicated thread, and orderly's threads if the default
  // runtime is created below, inherit the block.
  if (int e = pthread_sigmask(SIG_BLOCK, &set, &old_mask); e != 0) {
    return Errno("pthread_sigmask", e);
  }
  state.options = std::move(options);
  state.set = set;
  sigemptyset(&state.unblock_in_child);
  for (int sig : state.options.signals) {
    if (!sigismember(&old_mask, sig)) sigaddset(&state.unblock_in_child, sig);
  }
  state.progress = new Progress();
  Runtime::Default().AddListener(state.progress);

  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_t thread;
  const int e = pthread_create(&thread, &attr, &SignalThreadMain, nullptr);
  pthread_attr_destroy(&attr);
  if (e != 0) {
    pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
    return Errno("pthread_create", e);
  }
  state.thread.store(thread, std::memory_order_release);
  state.has_thread.store(true, std::memory_order_release);

  for (int sig : state.options.signals) {
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = &Forward;
    action.sa_flags = SA_RESTART;
    sigfillset(&action.sa_mask);
    struct sigaction previous;
    if (sigaction(sig, &action, &previous) != 0) {
      return Errno("sigaction", errno);
    }
    state.previous.emplace_back(sig, previous);
  }
  state.installed = true;
  return absl::OkStatus();
}

namespace hooks_internal {

void ResetSignalsAfterForkInChild() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  // One thread in the child: read without the lock (a vanished parent thread
  // may have held it), then start from a fresh state that keeps the old one.
  SignalState& state = State();
  if (!state.installed) return;
  state.has_thread.store(false, std::memory_order_release);
  for (const auto& [sig, previous] : state.previous) {
    sigaction(sig, &previous, nullptr);
  }
  pthread_sigmask(SIG_UNBLOCK, &state.unblock_in_child, nullptr);
  SignalState* fresh = new SignalState();
  fresh->parent = &state;
  StatePointer() = fresh;
}

}  // namespace hooks_internal
}  // namespace orderly
