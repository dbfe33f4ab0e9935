// Copyright 2026 The orderly Authors.

#include "runtime/internal/fork_epoch.h"

#include <pthread.h>

#include <atomic>

#include "absl/strings/str_cat.h"

namespace orderly {
namespace runtime_internal {
namespace fork_epoch_internal {

// Constant-initialized, trivially destructible (fork_epoch.h).
std::atomic<uint32_t> g_epoch{0};
std::atomic<bool> g_registered{false};

namespace {
void InChild() { g_epoch.fetch_add(1, std::memory_order_relaxed); }
}  // namespace

uint32_t ForkEpochFirstCall() {
  // Registered once; a failure (out of memory) leaves the epoch at 0, the
  // behaviour without this guard.
  static const int registered = pthread_atfork(nullptr, nullptr, &InChild);
  (void)registered;
  g_registered.store(true, std::memory_order_release);
  return g_epoch.load(std::memory_order_relaxed);
}

}  // namespace fork_epoch_internal

absl::Status InheritedAcrossFork(absl::string_view what) {
  return absl::FailedPreconditionError(absl::StrCat(
      what,
      ": this handle was inherited across fork(); its thread and state "
      "belong to the parent process, so the child may not use it (it is "
      "left alone, never joined nor freed). Create new ones in the child"));
}

}  // namespace runtime_internal
}  // namespace orderly
