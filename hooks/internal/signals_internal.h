// Copyright 2026 The orderly Authors.
//
// signals_internal.h: signal handling across fork().

#ifndef ORDERLY_HOOKS_INTERNAL_SIGNALS_INTERNAL_H_
#define ORDERLY_HOOKS_INTERNAL_SIGNALS_INTERNAL_H_

namespace orderly {
namespace hooks_internal {

// In the child of fork(), with one thread: the dedicated thread did not
// follow. Restores the dispositions and the calling thread's mask of the
// handled signals as they were before InstallSignalHandling(), so that the
// child (and what it exec()s) reacts to them as a plain process; the child
// may install signal handling again. Only async-signal-safe calls.
void ResetSignalsAfterForkInChild();

}  // namespace hooks_internal
}  // namespace orderly

#endif  // ORDERLY_HOOKS_INTERNAL_SIGNALS_INTERNAL_H_
