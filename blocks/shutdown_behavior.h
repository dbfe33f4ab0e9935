// Copyright 2026 The orderly Authors.
//
// shutdown_behavior.h: what the shutdown sequence does with one pool task,
// as Chromium's base::TaskShutdownBehavior.
//
//   kContinueOnShutdown  dropped if not started; if running, never waited
//                        for.
//   kSkipOnShutdown      dropped if not started; finished if started.
//   kBlockShutdown       run even if not started; shutdown waits for it.
//
// Used by ThreadPool (thread_pool.h), which includes this header.

#ifndef ORDERLY_BLOCKS_SHUTDOWN_BEHAVIOR_H_
#define ORDERLY_BLOCKS_SHUTDOWN_BEHAVIOR_H_

#include "runtime/version.h"  // First: checks for C++17.

namespace orderly {

enum class ShutdownBehavior {
  kContinueOnShutdown,
  kSkipOnShutdown,
  kBlockShutdown,
};

// "CONTINUE_ON_SHUTDOWN", "SKIP_ON_SHUTDOWN", "BLOCK_SHUTDOWN".
constexpr const char* ShutdownBehaviorName(ShutdownBehavior behavior) {
  switch (behavior) {
    case ShutdownBehavior::kContinueOnShutdown:
      return "CONTINUE_ON_SHUTDOWN";
    case ShutdownBehavior::kSkipOnShutdown:
      return "SKIP_ON_SHUTDOWN";
    case ShutdownBehavior::kBlockShutdown:
      return "BLOCK_SHUTDOWN";
  }
  return "?";
}

}  // namespace orderly

#endif  // ORDERLY_BLOCKS_SHUTDOWN_BEHAVIOR_H_
