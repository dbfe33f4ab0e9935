// Copyright 2026 The orderly Authors.
//
// signals.h: SIGTERM and SIGINT request a graceful stop; a second one ends
// the process at once.
//
//   int main() {
//     absl::Status s = orderly::InstallSignalHandling();  // Or MainGuard.
//     ...start threads...
//   }
//
// What happens
//   - The first of the signals requests a stop of Runtime::Default()
//     (StopReason::Signal) and writes one line to stderr. The sequence runs
//     on the runtime's own thread; main learns of it through the stop token
//     (MainGuard::WaitForStop()).
//   - A second one (any of the signals) ends the process at once with exit
//     code 128 + its number (130 for SIGINT, 143 for SIGTERM), after writing
//     one line: "orderly: second SIGINT ...: ending the process now ..."
//     naming what is still running and which phases and cleanups will not
//     run. No cleanup, no static destructor, no stdio flush (a stuck thread
//     may hold stdio's locks).
//
// How. Nothing runs inside a signal handler but a forward. The signals are
// blocked (pthread_sigmask) in the calling thread, so every thread it starts
// afterwards inherits the block, and a dedicated thread, "orderly-signals",
// takes them with sigwait(). A thread started before the installation (or one
// that unblocks them) may still receive one: the installed handler only
// forwards it to the dedicated thread with pthread_kill(), which is
// async-signal-safe. So cleanup code never runs on an interrupted thread and
// never meets a lock that thread holds. In a container, as PID 1, the kernel
// does not apply default dispositions to init: with the signals caught and
// waited for, SIGTERM stops PID 1 as it stops any process.
//
// Contract
//   - Call it early in main, before starting threads (MainGuard does), so
//     that they inherit the block.
//   - A blocked signal mask is inherited across exec(). fork()'s child gets
//     the mask and dispositions back as they were before the installation
//     (fork_hook.h); a program started with posix_spawn() or system() from a
//     thread that blocks the signals inherits the block: pass
//     POSIX_SPAWN_SETSIGMASK with an empty mask.
//   - raise(sig), or pthread_kill() to oneself, from a thread that blocks
//     the signals leaves the signal pending on that thread alone (POSIX: a
//     thread-directed signal is for that thread), so it requests no stop.
//     From code, call Runtime::Default().RequestStop(), or send the signal
//     to the process: kill(getpid(), SIGTERM). (Found by the torture
//     suite's child-process rounds, tests/torture/README.md.)
//   - Installed once per process; the dedicated thread runs until the
//     process ends (it is not a registered thread, so it never delays the
//     sequence nor counts as running).
//
// Thread-safety: InstallSignalHandling() may be called from any thread.

#ifndef ORDERLY_HOOKS_SIGNALS_H_
#define ORDERLY_HOOKS_SIGNALS_H_

#include "runtime/version.h"  // First: checks for C++17.

#include <csignal>
#include <vector>

#include "absl/status/status.h"

namespace orderly {

struct SignalOptions {
  // Signals that request a graceful stop. Not allowed: SIGKILL and SIGSTOP
  // (cannot be caught), SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS and
  // SIGABRT (sent by faults; waiting for them on another thread would hang
  // the faulting one), and realtime signals (hooks use one, stack_dump.h).
  std::vector<int> signals = {SIGTERM, SIGINT};
  // A second signal ends the process at once. False: later signals are
  // ignored (the deadline still bounds the sequence).
  bool second_signal_ends_process = true;
};

// Installs signal handling as described above. Errors: InvalidArgument (an
// empty list, a signal not allowed or out of range, a duplicate; the message
// names it), AlreadyExists (installed already), Internal (a system call
// failed; the message names it and errno).
absl::Status InstallSignalHandling(SignalOptions options = {});

}  // namespace orderly

#endif  // ORDERLY_HOOKS_SIGNALS_H_
