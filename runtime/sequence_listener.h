// Copyright 2026 The orderly Authors.
//
// sequence_listener.h: observe a runtime's sequence as it runs.
//
// For integrations that must tell someone how the shutdown progresses: the
// systemd notifier (hooks/systemd_notify.h) sends STOPPING=1 and
// EXTEND_TIMEOUT_USEC= from these calls. Register with
// Runtime::AddListener().
//
// Contract: every method runs on the runtime's sequencer thread, which is
// also its watchdog; a listener must return quickly and must not block, call
// Shutdown(), or take locks that sequence steps may hold. Calls come in
// order: OnStopRequested once, OnPhaseBegin per phase, OnFinished once;
// OnDeadline at most once, between them, when the watchdog fires.

#ifndef ORDERLY_RUNTIME_SEQUENCE_LISTENER_H_
#define ORDERLY_RUNTIME_SEQUENCE_LISTENER_H_

#include "runtime/version.h"  // First: checks for C++17.

#include <pthread.h>

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "runtime/report.h"
#include "runtime/stop_reason.h"

namespace orderly {

// A thread the sequence still waits for, or left running, when the
// deadline passed: "cleanup store/close" (its executor), "thread worker-2".
struct StuckThread {
  std::string name;
  pthread_t thread;
};

class SequenceListener {
 public:
  virtual ~SequenceListener() = default;

  // The default implementations do nothing (a listener overrides the calls
  // it needs).
  // The sequence starts; it must be done by `deadline`.
  virtual void OnStopRequested(const StopReason& /*reason*/,
                               absl::Time /*deadline*/) {}
  // A phase starts; it ends by `phase_deadline` (InfiniteFuture if it has no
  // budget of its own), the sequence by `deadline`.
  virtual void OnPhaseBegin(absl::string_view /*phase*/,
                            absl::Time /*phase_deadline*/,
                            absl::Time /*deadline*/) {}
  // The deadline passed. The watchdog has written the report so far to
  // stderr and is about to take RuntimeOptions::on_deadline (for kExit and
  // kAbort, the process ends when the listeners return). `stuck` lists the
  // threads still running user code: the step running now and the threads
  // being joined or demoted. The one call that may take a bounded while:
  // hooks/stack_dump.h writes each stuck thread's stack from here.
  virtual void OnDeadline(const std::vector<StuckThread>& /*stuck*/) {}
  // The report is final.
  virtual void OnFinished(const ShutdownReport& /*report*/) {}
};

}  // namespace orderly

#endif  // ORDERLY_RUNTIME_SEQUENCE_LISTENER_H_
