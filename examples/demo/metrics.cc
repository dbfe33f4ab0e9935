// Copyright 2026 The orderly Authors.

#include "examples/demo/metrics.h"

#include <cstdio>
#include <utility>

#include "absl/synchronization/notification.h"
#include "runtime/stop_token.h"

namespace orderly_demo {

absl::Status MetricsFlusher::Start(orderly::Runtime& rt, absl::Duration period,
                                   std::function<std::string()> snapshot) {
  orderly::ManagedThreadOptions options;
  options.runtime = &rt;
  auto thread = orderly::ManagedThread::Start(
      "metrics",
      [period, snapshot = std::move(snapshot)](orderly::StopToken stop) {
        // Wakes the wait below at once when the thread is asked to stop.
        // Declared before the callback, which must not outlive it.
        absl::Notification stopped;
        orderly::StopCallback wake(
            stop, [&stopped] { stopped.Notify(); }, "metrics: wake");
        while (!stopped.WaitForNotificationWithTimeout(period)) {
          std::printf("metrics: %s\n", snapshot().c_str());
          std::fflush(stdout);
        }
        std::printf("metrics (final): %s\n", snapshot().c_str());
        std::fflush(stdout);
      },
      std::move(options));
  if (!thread.ok()) return thread.status();
  thread_ = std::move(*thread);
  return absl::OkStatus();
}

}  // namespace orderly_demo
