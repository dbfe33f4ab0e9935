// Copyright 2026 The orderly Authors.
//
// metrics.h: a periodic metrics flusher, a registered thread that writes a
// snapshot line every `period` and a final one when it is asked to stop.
//
// Non-daemon, by choice: the `threads` phase asks it to stop (its
// StopToken, which also wakes its wait at once) and joins it, so its final
// snapshot is written before the sequence goes on, and the report can say
// that every thread ended (static destructors may run). A daemon flusher
// would be left running while the cleanups free what it reads, would lose
// its last snapshot, and would cost the process its static destructors
// (process_end.h). A flusher that must outlive `threads` (to report the
// cleanups themselves) would instead be a component with a `release`
// cleanup; this one only reports the service's traffic.
//
// Thread-safety: the snapshot function runs on the flusher's thread only.
// Lifetime: destroy after the sequence (the destructor joins the thread).

#ifndef ORDERLY_EXAMPLES_DEMO_METRICS_H_
#define ORDERLY_EXAMPLES_DEMO_METRICS_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "blocks/managed_thread.h"
#include "runtime/runtime.h"

namespace orderly_demo {

class MetricsFlusher {
 public:
  // Starts the thread "metrics", which writes "metrics: <snapshot()>" to
  // stdout every `period`, and "metrics (final): ..." when it stops.
  absl::Status Start(orderly::Runtime& rt, absl::Duration period,
                     std::function<std::string()> snapshot);

 private:
  orderly::ManagedThread thread_;
};

}  // namespace orderly_demo

#endif  // ORDERLY_EXAMPLES_DEMO_METRICS_H_
