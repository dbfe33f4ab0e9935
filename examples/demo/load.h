// Copyright 2026 The orderly Authors.
//
// load.h: client threads that drive the demo server, and count what they
// saw, so that the demo can compare the clients' view with the server's.
//
// Each client is a registered ManagedThread: it keeps one connection and
// sends "GET key-<i>" requests one after the other, each answered before
// the next. It does not stop when the stop is requested: it keeps going
// through `drain`, as real clients would, and sees the server close its
// connection (a request then in flight is "unanswered": the server never
// accepted it) and refuse the next one (the client then ends). The `threads`
// phase asks it to stop (its StopToken) and joins it like every other thread.
//
// Thread-safety: stats() from any thread.
// Lifetime: destroy after the sequence (the destructor joins the clients).

#ifndef ORDERLY_EXAMPLES_DEMO_LOAD_H_
#define ORDERLY_EXAMPLES_DEMO_LOAD_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "blocks/managed_thread.h"
#include "runtime/runtime.h"

namespace orderly_demo {

class Load {
 public:
  struct Stats {
    int64_t sent = 0;        // Whole requests written.
    int64_t answered = 0;    // "VALUE n" replies read.
    int64_t unanswered = 0;  // The connection closed before the reply.
    int64_t refused = 0;     // connect() refused (the server drained).
  };

  // Starts `clients` client threads against 127.0.0.1:`port`.
  absl::Status Start(orderly::Runtime& rt, int port, int clients);
  Stats stats() const;

 private:
  struct Counters {
    std::atomic<int64_t> sent{0}, answered{0}, unanswered{0}, refused{0};
  };
  std::shared_ptr<Counters> counters_ = std::make_shared<Counters>();
  std::vector<orderly::ManagedThread> clients_;
};

}  // namespace orderly_demo

#endif  // ORDERLY_EXAMPLES_DEMO_LOAD_H_
