// Copyright 2026 The orderly Authors.
//
// thread_activity.h (internal): what a registered thread is doing, for the
// report. Not for users: orderly's building blocks (blocks/) attach one to
// the threads they register, so that a worker past its join budget is
// reported with the task it runs, not only by the worker's name.
//
// The registry asks an activity to describe itself only while the thread's
// registration is live and waited for (under the registry's lock, which the
// owner's unregistration needs): when it demotes the thread past its join
// budget, and for the watchdog's last words. The activity must outlive the
// registration it was attached to.

#ifndef ORDERLY_RUNTIME_INTERNAL_THREAD_ACTIVITY_H_
#define ORDERLY_RUNTIME_INTERNAL_THREAD_ACTIVITY_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "runtime/thread_registration.h"

namespace orderly {

class Runtime;

namespace runtime_internal {

class ThreadActivity {
 public:
  // A short phrase, e.g. `task "fetch" (SKIP_ON_SHUTDOWN) for 1.2s`; empty
  // when there is nothing to say. Called with the registry's lock held: it
  // must not call into the runtime, and must not block for long (it may
  // take its owner's own lock).
  virtual std::string Describe() const = 0;

 protected:
  ~ThreadActivity() = default;
};

// Runtime::RegisterThread() with an activity attached (may be null).
struct ThreadActivityAccess {
  static absl::StatusOr<ThreadRegistration> RegisterThread(
      Runtime& runtime, absl::string_view name, ThreadOptions&& options,
      const ThreadActivity* activity);
};

}  // namespace runtime_internal
}  // namespace orderly

#endif  // ORDERLY_RUNTIME_INTERNAL_THREAD_ACTIVITY_H_
