// Copyright 2026 The orderly Authors.
//
// fork_epoch.h (internal): which process a handle was made in.
//
// ForkEpoch() is 0 in the process that first called it and goes up by one in
// the child of every fork() that follows (a pthread_atfork() child handler,
// installed by the first call). A handle records the epoch it was made in;
// a handle whose epoch differs from the current one was inherited across
// fork(): the thread it names, and whoever held its locks, exist only in the
// parent. Such a handle must not join, lock or free anything: its calls
// return InheritedAcrossFork() and its destructor leaks on purpose.
//
// Cost: one relaxed atomic load (and, on the first call, one registration
// with pthread_atfork()). The counter is the one piece of process-wide state
// besides Runtime::Default()'s storage: fork() is process-wide by nature.
// It is constant-initialized and trivially destructible.
//
// Ordering: in the child, the increment runs on its only thread before
// fork() returns, so every later load on that thread (and on threads it
// starts) sees it.

#ifndef ORDERLY_RUNTIME_INTERNAL_FORK_EPOCH_H_
#define ORDERLY_RUNTIME_INTERNAL_FORK_EPOCH_H_

#include <atomic>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "absl/base/optimization.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"

#if defined(__SANITIZE_ADDRESS__)
#define ORDERLY_INTERNAL_HAS_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(leak_sanitizer)
#define ORDERLY_INTERNAL_HAS_LSAN 1
#endif
#endif
#ifndef ORDERLY_INTERNAL_HAS_LSAN
#define ORDERLY_INTERNAL_HAS_LSAN 0
#endif
#if ORDERLY_INTERNAL_HAS_LSAN
#include <sanitizer/lsan_interface.h>
#endif

namespace orderly {
namespace runtime_internal {

namespace fork_epoch_internal {
// Constant-initialized, trivially destructible (defined in fork_epoch.cc).
extern std::atomic<uint32_t> g_epoch;
extern std::atomic<bool> g_registered;  // The atfork handler is installed.
uint32_t ForkEpochFirstCall();
}  // namespace fork_epoch_internal

// Inline: a registration and its end each read the epoch (the registry's
// fast path, benchmarks/README.md); after the first call it is one acquire
// load of a flag that never changes again and one relaxed load.
inline uint32_t ForkEpoch() {
  if (ABSL_PREDICT_FALSE(
          !fork_epoch_internal::g_registered.load(std::memory_order_acquire))) {
    return fork_epoch_internal::ForkEpochFirstCall();
  }
  return fork_epoch_internal::g_epoch.load(std::memory_order_relaxed);
}

// FailedPrecondition: "<what>: this handle was inherited across fork() ...".
absl::Status InheritedAcrossFork(absl::string_view what);

// Keeps `object` alive for good without ever running its destructor: for a
// handle inherited across fork(), whose state belongs to the parent, and for
// state that a detached thread still uses. Takes a copy (or the moved
// value), never a reference: LeakForever(member_) keeps what member_ holds
// alive after member_ itself is gone (regression test: ThreadPoolTest.
// LoadBlockingWorkRacingTheStopWhileWorkersEnterContinueTasks under TSan).
template <typename T>
void LeakForever(T&& object) {
  struct Holder {
    std::remove_cv_t<std::remove_reference_t<T>> value;
  };
  // Never deleted. `new` takes malloc's lock, which glibc's own atfork
  // handlers keep consistent in the child.
  // LeakSanitizer: allocated while its thread-local "disabled" count is up,
  // so the holder is not a leak to report. (Not __lsan_ignore_object(),
  // which takes a lock that a vanished parent thread may hold in a fork()
  // child: ExitTest.ForkChildUsesInheritedHandles hung under ASan.)
#if ORDERLY_INTERNAL_HAS_LSAN
  __lsan_disable();
#endif
  (void)new Holder{std::forward<T>(object)};
#if ORDERLY_INTERNAL_HAS_LSAN
  __lsan_enable();
#endif
}

}  // namespace runtime_internal
}  // namespace orderly

#endif  // ORDERLY_RUNTIME_INTERNAL_FORK_EPOCH_H_
