// Copyright 2026 The orderly Authors.

#include "runtime/internal/asymmetric_barrier.h"

#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>

#include "runtime/internal/check.h"

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define ORDERLY_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define ORDERLY_TSAN 1
#endif

namespace orderly {
namespace runtime_internal {

bool AsymmetricBarrierAvailable() {
#if defined(ORDERLY_TSAN)
  return false;  // TSan cannot see membarrier; use the seq_cst handshake.
#else
  const long commands = syscall(__NR_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
  if (commands < 0 || !(commands & MEMBARRIER_CMD_PRIVATE_EXPEDITED)) {
    return false;
  }
  return syscall(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED,
                 0, 0) == 0;
#endif
}

void HeavyBarrier() {
  if (syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) != 0) {
    // Registered above and supported: failing now would break the
    // registry's linearization silently. Fail loudly instead (in every
    // build: this is not a caller's contract but the kernel's).
    CheckFailed(__FILE__, __LINE__, "membarrier(PRIVATE_EXPEDITED) == 0",
                "HeavyBarrier: requires AsymmetricBarrierAvailable()");
  }
}

}  // namespace runtime_internal
}  // namespace orderly
