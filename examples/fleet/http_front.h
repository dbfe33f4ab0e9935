// Copyright 2026 The orderly Authors.
//
// http_front.h: a small HTTP/1.1 service on loopback, with health endpoints
// and a lame-duck shutdown, for the rolling-restart proof (docs/fleet.md).
//
// Endpoints (GET only; one request per connection, answered with
// "Connection: close", as HAProxy's `option http-server-close` sends them):
//   /livez     200 "alive" while the process serves at all;
//   /readyz    200 "ready", or 503 "stopping" once the stop was requested
//              (Runtime::readiness(), runtime/readiness.h);
//   /kv/<key>  200 with how many times <key> was read, after `work` of
//              simulated service time;
//   else       404.
//
// Threads: `workers` registered ManagedThreads, each accepting on the one
// listening socket and serving the connection it took to the end. (A
// blocking accept() per thread is simplest here; an orderly ThreadPool
// would also do, as it keeps accepting tasks during the lame duck and stops
// in `drain`: blocks/thread_pool.h.)
//
// Its shutdown, in the runtime's sequence:
//   stop request  /readyz turns 503; everything else is served as before;
//   `lame-duck`   RuntimeOptions::lame_duck: still serving, so that the load
//                 balancer's health checks see 503 and stop routing here;
//   `drain`       "http/stop-accepting": the listening socket is shut down
//                 (accept() wakes with EINVAL in every worker);
//   `threads`     the workers' terminate callbacks do the same (idempotent);
//                 each worker finishes the request it is serving and ends;
//                 the joins wait for them.
// With lame_duck = 0 (the baseline) `drain` runs right after the stop
// request: the service stops accepting at SIGTERM.
//
// Thread-safety: stats() from any thread. Lifetime: destroy after the
// sequence (the workers are then joined).

#ifndef ORDERLY_EXAMPLES_FLEET_HTTP_FRONT_H_
#define ORDERLY_EXAMPLES_FLEET_HTTP_FRONT_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "blocks/managed_thread.h"
#include "runtime/runtime.h"

namespace orderly_fleet {

class HttpFront {
 public:
  struct Options {
    int listen_fd = -1;  // Bound and listening; the front takes ownership.
    int workers = 16;
    absl::Duration work = absl::Milliseconds(2);  // Per /kv request.
  };
  struct Stats {
    int64_t requests = 0;      // Whole requests read.
    int64_t answered = 0;      // Whole replies sent.
    int64_t ready_503 = 0;     // /readyz answered 503.
  };

  // Declares the component "http" and starts the workers. Errors: the
  // runtime's, or InvalidArgument for a bad listen_fd.
  static absl::StatusOr<std::unique_ptr<HttpFront>> Start(orderly::Runtime& rt,
                                                          Options options);
  ~HttpFront();
  HttpFront(const HttpFront&) = delete;
  HttpFront& operator=(const HttpFront&) = delete;

  Stats stats() const;

  struct State;

 private:
  HttpFront() = default;
  std::shared_ptr<State> state_;
  std::vector<orderly::ManagedThread> workers_;  // Last: joined first.
};

}  // namespace orderly_fleet

#endif  // ORDERLY_EXAMPLES_FLEET_HTTP_FRONT_H_
