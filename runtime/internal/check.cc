// Copyright 2026 The orderly Authors.

#include "runtime/internal/check.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <cstdlib>

namespace orderly {
namespace runtime_internal {
namespace {

// write(2) until done; no allocation, no lock (async-signal-safe).
void RawWrite(const char* text, size_t size) noexcept {
  while (size > 0) {
    const ssize_t n = write(STDERR_FILENO, text, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    text += n;
    size -= static_cast<size_t>(n);
  }
}

void RawWrite(const char* text) noexcept {
  if (text != nullptr) RawWrite(text, strlen(text));
}

}  // namespace

void CheckFailed(const char* file, int line, const char* condition,
                 const char* message) noexcept {
  char digits[16];
  size_t at = sizeof(digits);
  unsigned value = line > 0 ? static_cast<unsigned>(line) : 0;
  do {
    digits[--at] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0 && at > 0);
  RawWrite("orderly: CHECK FAILED at ");
  RawWrite(file);
  RawWrite(":");
  RawWrite(digits + at, sizeof(digits) - at);
  RawWrite(": ");
  RawWrite(condition);
  RawWrite(": ");
  RawWrite(message);
  RawWrite("\n");
  std::abort();
}

#ifndef NDEBUG

void ThreadChecker::Bind() noexcept {
  std::thread::id unbound;
  const std::thread::id self = std::this_thread::get_id();
  if (!owner_.compare_exchange_strong(unbound, self,
                                      std::memory_order_acq_rel) &&
      unbound != self) {
    CheckFailed(__FILE__, __LINE__, "Bind()",
                "the checker is bound to another thread already");
  }
}

void ThreadChecker::Detach() noexcept {
  owner_.store(std::thread::id(), std::memory_order_release);
}

bool ThreadChecker::CalledOnBoundThread() const noexcept {
  std::thread::id owner = std::thread::id();
  const std::thread::id self = std::this_thread::get_id();
  // Binds an unbound checker to the caller; otherwise reads the owner.
  if (owner_.compare_exchange_strong(owner, self, std::memory_order_acq_rel)) {
    return true;
  }
  return owner == self;
}

#else  // NDEBUG

void ThreadChecker::Bind() noexcept {}
void ThreadChecker::Detach() noexcept {}
bool ThreadChecker::CalledOnBoundThread() const noexcept { return true; }

#endif  // NDEBUG

}  // namespace runtime_internal
}  // namespace orderly
