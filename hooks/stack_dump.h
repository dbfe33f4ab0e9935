// Copyright 2026 The orderly Authors.
//
// stack_dump.h: when the deadline passes, show where each stuck thread is.
//
// The watchdog (runtime_options.h) writes which phase, step or thread is
// still running, and for how long. With this hook it also writes the stack
// of each thread still running user code (SequenceListener::OnDeadline: the
// executor of the stuck callback or cleanup, the threads being joined and the
// demoted ones), symbolized:
//
//   orderly: stack of cleanup store/close-db (where it is blocked):
//       #0 0x5581c0a3e2b1 clock_nanosleep
//       #1 0x5581c0a3d0f2 absl::SleepFor()
//       #2 0x5581c0a1c9a4 (anonymous namespace)::CloseDb()
//
// How. The watchdog sends each stuck thread a reserved realtime signal with
// pthread_sigqueue(), carrying a pointer to a preallocated slot. The handler,
// on the stuck thread, only fills the slot with
// absl::GetStackTraceWithContext() (a frame-pointer walk: async-signal-safe,
// no allocation, no lock; builds keep frame pointers,
// -fno-omit-frame-pointer) and posts a semaphore (sem_post is
// async-signal-safe). The watchdog waits for it with a timeout, then
// symbolizes the frames itself (absl::Symbolize), outside any handler. A
// thread that does not answer in time (it blocks the signal, or a sanitizer
// defers the handler) is reported as such; its slot is never reused, so a
// late answer writes nowhere that matters. Frames without frame pointers
// (some libc code) may cut a stack short; under ThreadSanitizer, whose
// handler wrapper has none, the stack shows only that wrapper.
//
// Contract: the signal (default SIGRTMIN + 4) is reserved for this; nothing
// else may use or block it. Frames are never symbolized inside the handler.
// Thread-safety: InstallStackDumpOnDeadline() may be called from any thread,
// once per process.

#ifndef ORDERLY_HOOKS_STACK_DUMP_H_
#define ORDERLY_HOOKS_STACK_DUMP_H_

#include "runtime/version.h"  // First: checks for C++17.

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace orderly {

struct StackDumpOptions {
  // The reserved signal; 0 means SIGRTMIN + 4.
  int signal = 0;
  // How long the watchdog waits for each thread's answer.
  absl::Duration answer_timeout = absl::Milliseconds(200);
  // At most this many threads' stacks per deadline (1 to 16).
  int max_threads = 8;
};

// Installs the handler and adds the listener to Runtime::Default(). Errors:
// InvalidArgument (a signal outside SIGRTMIN..SIGRTMAX, max_threads outside
// 1..16, a negative timeout), AlreadyExists (installed already), Internal
// (sigaction failed).
absl::Status InstallStackDumpOnDeadline(StackDumpOptions options = {});

}  // namespace orderly

#endif  // ORDERLY_HOOKS_STACK_DUMP_H_
