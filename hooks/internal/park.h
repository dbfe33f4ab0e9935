// Copyright 2026 The orderly Authors.
//
// park.h (internal): a thread that must never return, and must touch nothing.
//
// The exit hook parks every exit() caller but the one that ends the process,
// so that none of them reaches the static destructors while the sequence
// runs (hooks/exit_hook.h).

#ifndef ORDERLY_HOOKS_INTERNAL_PARK_H_
#define ORDERLY_HOOKS_INTERNAL_PARK_H_

namespace orderly {
namespace hooks_internal {

// Never returns: the calling thread sleeps until the process ends. Touches
// no object, so static destructors may run meanwhile.
[[noreturn]] void ParkForever();

}  // namespace hooks_internal
}  // namespace orderly

#endif  // ORDERLY_HOOKS_INTERNAL_PARK_H_
