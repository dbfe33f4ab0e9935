// Copyright 2026 The orderly Authors.
//
// overflow_policy.h: what a bounded queue does with a push when it is full.
//
// Used by BackgroundConsumer (background_consumer.h). Each choice is
// explicit, and none loses an item silently: a refused push returns a status
// to its caller, a dropped one is counted in the shutdown report.

#ifndef ORDERLY_BLOCKS_OVERFLOW_POLICY_H_
#define ORDERLY_BLOCKS_OVERFLOW_POLICY_H_

#include "runtime/version.h"  // First: checks for C++17.

namespace orderly {

enum class OverflowPolicy {
  // Wait until the consumer makes room (back-pressure on producers).
  kBlock,
  // Return ResourceExhausted at once; the caller keeps the decision.
  kFail,
  // Discard the pushed item, count it in "<name>.dropped", return OK: for
  // producers that must never wait nor handle errors (telemetry).
  kDrop,
};

// "block", "fail", "drop".
constexpr const char* OverflowPolicyName(OverflowPolicy policy) {
  switch (policy) {
    case OverflowPolicy::kBlock:
      return "block";
    case OverflowPolicy::kFail:
      return "fail";
    case OverflowPolicy::kDrop:
      return "drop";
  }
  return "?";
}

}  // namespace orderly

#endif  // ORDERLY_BLOCKS_OVERFLOW_POLICY_H_
