// Copyright 2026 The orderly Authors.
//
// fork_hook.h: the child of fork() starts with a fresh runtime.
//
// After fork(), the child has one thread: the parent's registered threads,
// its sequencer and its signal thread did not follow. Without this hook, the
// child's exit() would wait for the parent's threads forever. With it, a
// pthread_atfork() child handler, in the child, before fork() returns:
//   1. Runtime::Default().ResetAfterForkInChild(): an empty registry, no
//      phases' cleanups or components of the parent, a fresh stop state and
//      sequencer (see runtime.h; the parent's objects are leaked, never
//      destroyed, as their locks may be held by threads that did not follow);
//   2. the exit hook forgets which parent thread was ending the process;
//   3. signal handling is undone in the child: the signals' dispositions and
//      the forking thread's mask are as before InstallSignalHandling(), so
//      the child, and what it exec()s, reacts to SIGTERM as a plain process.
//      Call InstallSignalHandling() in the child to handle them again.
// The parent is not affected.
//
// Cost: every fork() (not posix_spawn(), which runs no atfork handler)
// starts the child's sequencer thread, even a child that exec()s at once.
//
// Thread-safety: InstallForkHook() may be called from any thread; it
// registers the handler once per process, whatever the number of calls.

#ifndef ORDERLY_HOOKS_FORK_HOOK_H_
#define ORDERLY_HOOKS_FORK_HOOK_H_

#include "runtime/version.h"  // First: checks for C++17.

#include "absl/status/status.h"

namespace orderly {

// Errors: Internal if pthread_atfork() fails (out of memory).
absl::Status InstallForkHook();

}  // namespace orderly

#endif  // ORDERLY_HOOKS_FORK_HOOK_H_
