// Copyright 2026 The orderly Authors.
//
// store.h: the demo's "store", the component the request handlers read.
//
// A stand-in for a database connection: `Get(key)` counts the reads of a key
// and returns the count. It declares the component "store" with one cleanup,
// "close" in the `close` phase, which runs after `threads` has joined every
// request handler; a read after that is refused and counted, so the demo can
// check that none happened.
//
// Thread-safety: Get() and the counters may be called from any thread.
// Lifetime: the runtime's cleanup shares ownership (shared_ptr), so the
// store may be released before or after the sequence runs.

#ifndef ORDERLY_EXAMPLES_DEMO_STORE_H_
#define ORDERLY_EXAMPLES_DEMO_STORE_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "runtime/runtime.h"

namespace orderly_demo {

class Store {
 public:
  // Declares the component "store" and its cleanup. Errors: those of
  // Runtime::AddComponent / AddCleanup (e.g. AlreadyExists).
  static absl::StatusOr<std::shared_ptr<Store>> Create(orderly::Runtime& rt);

  // How many times `key` was read, this read included; FailedPrecondition
  // once the store is closed.
  absl::StatusOr<int64_t> Get(absl::string_view key);

  // Idempotent. Runs as the `close` cleanup.
  void Close();

  int64_t reads_after_close() const { return reads_after_close_.load(); }

 private:
  Store() = default;

  mutable absl::Mutex mu_;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  std::map<std::string, int64_t, std::less<>> reads_ ABSL_GUARDED_BY(mu_);
  std::atomic<int64_t> reads_after_close_{0};
};

}  // namespace orderly_demo

#endif  // ORDERLY_EXAMPLES_DEMO_STORE_H_
