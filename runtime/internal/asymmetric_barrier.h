// Copyright 2026 The orderly Authors.
//
// asymmetric_barrier.h (internal): a Dekker handshake whose cost falls on
// the rare side.
//
// Two threads each store to one location and then load the other's; each
// must see the other's store, or the other must see its own. That needs a
// full barrier (StoreLoad) between each store and load. When one side is hot
// (a thread registering) and the other rare (the sequencer starting the
// `threads` phase), the hot side can use a compiler-only barrier and the rare
// side forces a full barrier on every running thread of the process with
// Linux's membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) — the technique of
// folly's AsymmetricMemoryBarrier and of hazard pointers.
//
// Where membarrier is not available, or under ThreadSanitizer (which cannot
// see it), Available() is false and callers use seq_cst operations on both
// sides instead.

#ifndef ORDERLY_RUNTIME_INTERNAL_ASYMMETRIC_BARRIER_H_
#define ORDERLY_RUNTIME_INTERNAL_ASYMMETRIC_BARRIER_H_

#include <atomic>

namespace orderly {
namespace runtime_internal {

// Registers the process for expedited membarrier (once per call; cheap and
// idempotent) and says whether the heavy barrier can be used.
bool AsymmetricBarrierAvailable();

// The hot side: orders nothing in hardware, only stops the compiler.
inline void LightBarrier() { std::atomic_signal_fence(std::memory_order_seq_cst); }

// The rare side: every thread of the process runs a full barrier before this
// returns. Requires AsymmetricBarrierAvailable().
void HeavyBarrier();

}  // namespace runtime_internal
}  // namespace orderly

#endif  // ORDERLY_RUNTIME_INTERNAL_ASYMMETRIC_BARRIER_H_
