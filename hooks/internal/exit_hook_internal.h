// Copyright 2026 The orderly Authors.
//
// exit_hook_internal.h: the exit hook's state across fork(), main's
// return and quick_exit().

#ifndef ORDERLY_HOOKS_INTERNAL_EXIT_HOOK_INTERNAL_H_
#define ORDERLY_HOOKS_INTERNAL_EXIT_HOOK_INTERNAL_H_

namespace orderly {
namespace hooks_internal {

// In the child of fork(), with one thread: forgets which parent thread was
// ending the process, so that the child's own exit() ends the child.
void ResetExitHookAfterForkInChild();

// Called by MainGuard on the main thread as main returns, once the sequence
// is done: main gives way to every exit() caller already in the hook
// (exit_hook.h, Exit codes). If one of them ends the process, or will, this
// parks the calling thread for good; otherwise it returns, and main's own
// exit() (its return value, or the guard's code) ends it.
void NoteMainReturning();

// Called by InstallForkHook(): its child handler resets the runtime and the
// exit hook; the exit hook's own (for programs without it) then does not.
void NoteForkHookInstalled();

// Called by the quick_exit hook: quick_exit() ends the process; an exit()
// caller that reaches the exit hook from now on parks.
void NoteQuickExit();

}  // namespace hooks_internal
}  // namespace orderly

#endif  // ORDERLY_HOOKS_INTERNAL_EXIT_HOOK_INTERNAL_H_
