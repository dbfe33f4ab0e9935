// Copyright 2026 The orderly Authors.
//
// foreign_threads.h: registrations for threads a library starts itself.
//
// Libraries that run their own threads often expose "thread started" and
// "thread stopped" hooks (spdlog's thread pool, gRPC's and many executors'
// thread factories). ForeignThreads turns such a pair into one
// registration per thread, made on that thread as it starts and ended as it
// stops, with the options you give:
//
//   auto log = rt.AddComponent("spdlog");
//   if (!log.ok()) return 5;
//   if (!log->AddCleanup("flush", "shutdown", [] { spdlog::shutdown(); }).ok()) {
//     return 5;
//   }
//   orderly::ForeignThreadOptions options;
//   options.ended_by = "spdlog";  // its cleanup joins the pool's thread
//   orderly::ForeignThreads pool_threads(rt, "spdlog-pool", options);
//   spdlog::init_thread_pool(8192, 1, pool_threads.StartHook(),
//                            pool_threads.StopHook());
//
// (tests/blocks/spdlog_main.cc runs this example as written.)
//
// Which options fit
// - The library's own stop ends its threads in one of your component's
//   cleanups (spdlog::shutdown() in `flush`): `ended_by` that component.
//   The threads are not joined in `threads` (they still serve your other
//   threads' last words), are not reported as running daemons, and must
//   have ended by the end of the sequence (the report names any that did
//   not; static destructors stay allowed once they have).
// - A stop that belongs to no thread (io_context::stop(), zmq_ctx_shutdown())
//   ends them: register it with Runtime::AddTerminateHook() and leave the
//   threads non-daemon (the default): `threads` joins them after the hook.
// - They only read your components: `daemon` with `uses` (fenced, see
//   ThreadOptions::uses).
//
// Threads are named "<name>/<n>", n counting from 1 in start order. A thread
// that starts once registration is closed (the `threads` phase has joined
// everything) runs unregistered: refused() counts it.
//
// Thread-safety: OnThreadStart()/OnThreadStop() and the hooks may be called
// from any number of threads at once; each call acts for the calling thread.
// Lifetime: the object must outlive the library's use of the hooks (destroy
// it after the library has stopped its threads). Registrations still open
// then (a thread that never called the stop hook) are ended by the
// destructor and counted in unmatched().

#ifndef ORDERLY_BLOCKS_FOREIGN_THREADS_H_
#define ORDERLY_BLOCKS_FOREIGN_THREADS_H_

#include "runtime/version.h"  // First: checks for C++17.

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "runtime/runtime.h"
#include "runtime/thread_registration.h"

namespace orderly {

// What each registration gets (see ThreadOptions for each field).
struct ForeignThreadOptions {
  bool daemon = false;
  std::vector<std::string> uses;
  std::string ended_by;
  std::optional<absl::Duration> join_budget;
};

class ForeignThreads {
 public:
  ForeignThreads(Runtime& runtime, std::string name,
                 ForeignThreadOptions options = {});
  ~ForeignThreads();
  ForeignThreads(const ForeignThreads&) = delete;
  ForeignThreads& operator=(const ForeignThreads&) = delete;

  // Registers the calling thread; returns the registration's status (also
  // kept in last_error() when not OK). A second call on the same thread,
  // before OnThreadStop(), does nothing and returns OK.
  absl::Status OnThreadStart();
  // Ends the calling thread's registration, if it has one.
  void OnThreadStop();

  // OnThreadStart / OnThreadStop as std::function<void()>, the shape most
  // libraries take. They refer to this object.
  std::function<void()> StartHook() {
    return [this] { OnThreadStart().IgnoreError(); };
  }
  std::function<void()> StopHook() {
    return [this] { OnThreadStop(); };
  }

  int64_t registered() const { return registered_.load(); }  // In all.
  int64_t active() const;
  int64_t refused() const { return refused_.load(); }
  int64_t unmatched() const { return unmatched_.load(); }
  // The last refusal (e.g. FailedPrecondition naming the thread), or OK.
  absl::Status last_error() const;

 private:
  Runtime& runtime_;
  const std::string name_;
  const ForeignThreadOptions options_;
  std::atomic<int64_t> next_{0};
  std::atomic<int64_t> registered_{0};
  std::atomic<int64_t> refused_{0};
  std::atomic<int64_t> unmatched_{0};

  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::thread::id, ThreadRegistration> threads_
      ABSL_GUARDED_BY(mu_);
  absl::Status last_error_ ABSL_GUARDED_BY(mu_);
};

}  // namespace orderly

#endif  // ORDERLY_BLOCKS_FOREIGN_THREADS_H_
