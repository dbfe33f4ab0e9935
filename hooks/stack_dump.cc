// Copyright 2026 The orderly Authors.

#include "hooks/stack_dump.h"

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/debugging/stacktrace.h"
#include "absl/debugging/symbolize.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "runtime/internal/text_out.h"
#include "runtime/runtime.h"

namespace orderly {
namespace {

constexpr int kMaxThreads = 16;
constexpr int kSlots = 4 * kMaxThreads;  // Never reused: a few deadlines.
constexpr int kMaxFrames = 64;

struct Slot {
  void* frames[kMaxFrames];
  int depth = 0;  // Written by the handler before sem_post.
  sem_t answered;
};


struct StackState {
  absl::Mutex mu;
  bool installed ABSL_GUARDED_BY(mu) = false;
  Slot slots[kSlots];
  std::atomic<int> next_slot{0};
};

StackState& State() {
  // Never destroyed: the handler may write into a slot until the end.
  static StackState* const state = [] {
    auto* s = new StackState();
    for (Slot& slot : s->slots) sem_init(&slot.answered, 0, 0);
    return s;
  }();
  return *state;
}

// On the stuck thread. Async-signal-safe: a frame-pointer walk into a
// preallocated slot, then sem_post.
void OnStackSignal(int, siginfo_t* info, void* context) {
  if (info->si_code != SI_QUEUE || info->si_pid != getpid()) return;
  StackState& state = State();
  Slot* slot = static_cast<Slot*>(info->si_value.sival_ptr);
  if (slot < &state.slots[0] || slot >= &state.slots[kSlots]) return;
  const int saved_errno = errno;
  // From the interrupted context, skipping this handler and the kernel's
  // signal trampoline. ThreadSanitizer calls handlers from its own wrapper,
  // with a context the walk cannot follow: then walk from here instead. (Its
  // runtime keeps no frame pointers, so under TSan the stack stops there.)
  slot->depth = absl::GetStackTraceWithContext(slot->frames, kMaxFrames,
                                               /*skip_count=*/2, context,
                                               nullptr);
  if (slot->depth <= 0) {
    slot->depth = absl::GetStackTrace(slot->frames, kMaxFrames,
                                      /*skip_count=*/1);
  }
  sem_post(&slot->answered);
  errno = saved_errno;
}

bool WaitForAnswer(Slot& slot, absl::Duration timeout) {
  const timespec until = absl::ToTimespec(absl::Now() + timeout);
  for (;;) {
    if (sem_timedwait(&slot.answered, &until) == 0) return true;
    if (errno != EINTR) return false;
  }
}

std::string Symbolized(const Slot& slot) {
  std::string text;
  for (int i = 0; i < slot.depth; ++i) {
    char name[512];
    const char* symbol =
        absl::Symbolize(slot.frames[i], name, sizeof(name)) ? name : "?";
    absl::StrAppendFormat(&text, "    #%d %p %s\n", i, slot.frames[i], symbol);
  }
  return text;
}

class StackDumper : public SequenceListener {
 public:
  explicit StackDumper(const StackDumpOptions& options) : options_(options) {}

  void OnDeadline(const std::vector<StuckThread>& stuck) override {
    StackState& state = State();
    int dumped = 0;
    for (const StuckThread& t : stuck) {
      if (dumped++ == options_.max_threads) break;
      const int index = state.next_slot.fetch_add(1);
      if (index >= kSlots) break;
      Slot& slot = state.slots[index];
      runtime_internal::WriteAll(STDERR_FILENO, Capture(t, slot));
    }
  }

 private:
  std::string Capture(const StuckThread& t, Slot& slot) const {
    sigval value;
    value.sival_ptr = &slot;
    if (int e = pthread_sigqueue(t.thread, options_.signal, value); e != 0) {
      return absl::StrCat("orderly: stack of ", t.name,
                          ": not captured (pthread_sigqueue: ", strerror(e),
                          ")\n");
    }
    if (!WaitForAnswer(slot, options_.answer_timeout)) {
      return absl::StrCat(
          "orderly: stack of ", t.name, ": no answer within ",
          runtime_internal::HumanDuration(options_.answer_timeout),
          " (the thread blocks signal ", options_.signal,
          ", or its handler was deferred)\n");
    }
    return absl::StrCat("orderly: stack of ", t.name,
                        " (where it is blocked):\n", Symbolized(slot));
  }

  const StackDumpOptions options_;
};

}  // namespace

absl::Status InstallStackDumpOnDeadline(StackDumpOptions options) {
  if (options.signal == 0) options.signal = SIGRTMIN + 4;
  if (options.signal < SIGRTMIN || options.signal > SIGRTMAX) {
    return absl::InvalidArgumentError(absl::StrCat(
        "InstallStackDumpOnDeadline: signal ", options.signal,
        " is not a realtime signal (", SIGRTMIN, " to ", SIGRTMAX, ")"));
  }
  if (options.max_threads < 1 || options.max_threads > kMaxThreads) {
    return absl::InvalidArgumentError(
        absl::StrCat("InstallStackDumpOnDeadline: max_threads is ",
                     options.max_threads, "; it must be 1 to ", kMaxThreads));
  }
  if (options.answer_timeout < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "InstallStackDumpOnDeadline: answer_timeout is negative");
  }
  StackState& state = State();
  absl::MutexLock lock(&state.mu);
  if (state.installed) {
    return absl::AlreadyExistsError(
        "InstallStackDumpOnDeadline: installed already (by MainGuard or an "
        "earlier call)");
  }
  struct sigaction action;
  memset(&action, 0, sizeof(action));
  action.sa_sigaction = &OnStackSignal;
  action.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&action.sa_mask);
  if (sigaction(options.signal, &action, nullptr) != 0) {
    return absl::InternalError(absl::StrCat(
        "InstallStackDumpOnDeadline: sigaction failed: ", strerror(errno)));
  }
  // Leaked: a listener outlives its runtime.
  Runtime::Default().AddListener(new StackDumper(options));
  state.installed = true;
  return absl::OkStatus();
}

}  // namespace orderly
