// Copyright 2026 The orderly Authors.
//
// server.h: the demo's TCP server on 127.0.0.1, with an orderly shutdown.
//
// Protocol: one request per line, "GET <key>\n", answered "VALUE <n>\n"
// (n: how many times the key was read) or "ERR <why>\n". A connection may
// carry any number of requests.
//
// Threads: an acceptor (a registered ManagedThread) takes connections and
// hands each to a ThreadPool worker, which serves it until the client
// closes it or the server drains. (One worker per open connection keeps the
// example short; a real server would multiplex connections on an event
// loop, and its shutdown would be declared the same way.)
//
// Its shutdown, as DESIGN.md's sequence runs it:
//   stop request  the pool refuses new work: a connection accepted from now
//                 on is closed unread (the client sees it closed; nothing it
//                 sent was accepted);
//   `drain`       "server/stop-accepting": the listening socket is shut down
//                 (new connections are refused, accept() wakes up) and every
//                 open connection is told to answer the requests it has
//                 already received, then close;
//   `threads`     the acceptor's terminate callback shuts the listening
//                 socket down too (idempotent: it also covers a stop that
//                 skips or outruns `drain`); the acceptor and the workers
//                 are joined. Connections are kBlockShutdown tasks, so the
//                 pool waits for each to finish its last answer;
//   then the access log is flushed and the store closed (their headers).
//
// A request counts as accepted when a worker has read its whole line, and as
// answered when the whole reply was sent; each answered request writes one
// access-log line. Lost = accepted - answered-and-logged, which the demo
// checks is 0.
//
// Thread-safety: stats() from any thread.
// Lifetime: the runtime's cleanup, the acceptor's callback and the pool's
// tasks share the server's state (shared_ptr); destroy the Server after the
// sequence (the destructor joins the acceptor and the pool).

#ifndef ORDERLY_EXAMPLES_DEMO_SERVER_H_
#define ORDERLY_EXAMPLES_DEMO_SERVER_H_

#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "examples/demo/access_log.h"
#include "examples/demo/store.h"
#include "blocks/managed_thread.h"
#include "runtime/runtime.h"
#include "blocks/thread_pool.h"

namespace orderly_demo {

class Server {
 public:
  struct Stats {
    int64_t connections = 0;          // Accepted and handed to a worker.
    int64_t connections_refused = 0;  // Accepted during shutdown, closed.
    int64_t requests_accepted = 0;    // A whole request line was read.
    int64_t requests_answered = 0;    // Its whole reply was sent.
    int64_t log_lines_queued = 0;     // AccessLog::Write() returned OK.
  };

  // Listens on 127.0.0.1 (an ephemeral port), declares the component
  // "server" (depending on "store", "access-log" and the pool "workers"),
  // starts the pool and the acceptor. Errors: a system call's (with errno
  // text), or the runtime's.
  static absl::StatusOr<std::unique_ptr<Server>> Start(
      orderly::Runtime& rt, std::shared_ptr<Store> store,
      std::shared_ptr<AccessLog> log, int workers);

  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  int port() const;
  Stats stats() const;

  struct State;  // Shared with the runtime's callbacks and the pool's tasks.

 private:
  Server() = default;

  std::shared_ptr<State> state_;
  std::unique_ptr<orderly::ThreadPool> pool_;
  orderly::ManagedThread acceptor_;  // Last: stopped and joined first.
};

}  // namespace orderly_demo

#endif  // ORDERLY_EXAMPLES_DEMO_SERVER_H_
