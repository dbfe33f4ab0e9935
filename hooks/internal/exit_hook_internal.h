// Copyright 2026 The orderly Authors.
//
// exit_hook_internal.h: the exit hook's state across fork().

#ifndef ORDERLY_HOOKS_INTERNAL_EXIT_HOOK_INTERNAL_H_
#define ORDERLY_HOOKS_INTERNAL_EXIT_HOOK_INTERNAL_H_

namespace orderly {
namespace hooks_internal {

// In the child of fork(), with one thread: forgets which parent thread was
// ending the process, so that the child's own exit() ends the child.
void ResetExitHookAfterForkInChild();

}  // namespace hooks_internal
}  // namespace orderly

#endif  // ORDERLY_HOOKS_INTERNAL_EXIT_HOOK_INTERNAL_H_
