// Copyright 2026 The orderly Authors.

#include "examples/demo/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace orderly_demo {

namespace {

// Owns a file descriptor (move-only, so a pool task can own a connection:
// a task the pool refuses or cancels closes it when destroyed).
class UniqueFd {
 public:
  explicit UniqueFd(int fd = -1) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }
  ~UniqueFd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

absl::Status Errno(absl::string_view what) {
  return absl::ErrnoToStatus(errno, absl::StrCat("server: ", what));
}

bool SendAll(int fd, absl::string_view data) {
  while (!data.empty()) {
    const ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

constexpr size_t kMaxLine = 1024;

}  // namespace

struct Server::State {
  UniqueFd listener;
  // Readable (and never read) once the server drains: every connection's
  // poll() wakes up, level-triggered.
  UniqueFd draining;
  int port = 0;
  std::shared_ptr<Store> store;
  std::shared_ptr<AccessLog> log;
  std::atomic<bool> stopped_accepting{false};
  std::atomic<int64_t> connections{0}, connections_refused{0},
      requests_accepted{0}, requests_answered{0}, log_lines_queued{0};

  // `drain`, and the acceptor's terminate callback. Non-blocking.
  void StopAccepting() {
    if (stopped_accepting.exchange(true)) return;
    // Refuses new connections and wakes accept() (EINVAL).
    shutdown(listener.get(), SHUT_RDWR);
    const uint64_t one = 1;
    (void)!write(draining.get(), &one, sizeof(one));
  }

  void AcceptLoop(orderly::ThreadPool* pool,
                  const std::shared_ptr<State>& self);
  void Serve(int fd);
  bool Answer(int fd, absl::string_view request);
};

void Server::State::AcceptLoop(orderly::ThreadPool* pool,
                               const std::shared_ptr<State>& self) {
  while (true) {
    UniqueFd conn(accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (conn.get() < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return;  // Shut down (EINVAL), or broken: stop accepting either way.
    }
    const absl::Status posted =
        pool->Post(orderly::ShutdownBehavior::kBlockShutdown,
                   [self, conn = std::move(conn)] { self->Serve(conn.get()); });
    if (posted.ok()) {
      connections.fetch_add(1);
    } else {
      connections_refused.fetch_add(1);  // The task, and `conn`, are gone.
    }
  }
}

void Server::State::Serve(int fd) {
  std::string buffer;
  char chunk[4096];
  bool closing = false;
  while (true) {
    // Answer every whole request received so far.
    for (size_t nl; (nl = buffer.find('\n')) != std::string::npos;) {
      if (!Answer(fd, absl::string_view(buffer).substr(0, nl))) return;
      buffer.erase(0, nl + 1);
    }
    if (closing || buffer.size() > kMaxLine) return;  // Closes `fd`.
    pollfd fds[2] = {{fd, POLLIN, 0}, {draining.get(), POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    // Draining: read only what has already arrived, answer it, close.
    const bool drain = (fds[1].revents & POLLIN) != 0;
    const ssize_t n = recv(fd, chunk, sizeof(chunk), drain ? MSG_DONTWAIT : 0);
    if (n > 0) {
      buffer.append(chunk, static_cast<size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (drain && n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      closing = true;
    } else {
      return;  // The client closed the connection, or it broke.
    }
  }
}

bool Server::State::Answer(int fd, absl::string_view request) {
  requests_accepted.fetch_add(1);
  std::string reply;
  if (absl::ConsumePrefix(&request, "GET ") && !request.empty()) {
    absl::StatusOr<int64_t> value = store->Get(request);
    reply = value.ok() ? absl::StrCat("VALUE ", *value, "\n")
                       : absl::StrCat("ERR ", value.status().message(), "\n");
  } else {
    reply = "ERR expected: GET <key>\n";
  }
  if (!SendAll(fd, reply)) return false;
  requests_answered.fetch_add(1);
  reply.pop_back();  // The newline.
  if (log->Write(absl::StrCat("fd=", fd, " \"", request, "\" -> ", reply))
          .ok()) {
    log_lines_queued.fetch_add(1);
  }
  return true;
}

absl::StatusOr<std::unique_ptr<Server>> Server::Start(
    orderly::Runtime& rt, std::shared_ptr<Store> store,
    std::shared_ptr<AccessLog> log, int workers) {
  auto state = std::make_shared<State>();
  state->store = std::move(store);
  state->log = std::move(log);
  state->listener = UniqueFd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (state->listener.get() < 0) return Errno("socket");
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;  // Ephemeral.
  socklen_t len = sizeof(addr);
  if (bind(state->listener.get(), reinterpret_cast<sockaddr*>(&addr),
           sizeof(addr)) != 0 ||
      listen(state->listener.get(), 128) != 0 ||
      getsockname(state->listener.get(), reinterpret_cast<sockaddr*>(&addr),
                  &len) != 0) {
    return Errno("bind/listen on 127.0.0.1");
  }
  state->port = ntohs(addr.sin_port);
  state->draining = UniqueFd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (state->draining.get() < 0) return Errno("eventfd");

  std::unique_ptr<Server> server(new Server());
  server->state_ = state;
  orderly::ThreadPoolOptions pool_options;
  pool_options.runtime = &rt;
  pool_options.num_threads = workers;
  auto pool = orderly::ThreadPool::Create("workers", pool_options);
  if (!pool.ok()) return pool.status();
  server->pool_ = std::move(*pool);

  // The server uses the store, the log and the pool: it is torn down first.
  auto component =
      rt.AddComponent("server", {"store", "access-log", "workers"});
  if (!component.ok()) return component.status();
  absl::Status s = component->AddCleanup("drain", "stop-accepting",
                                         [state] { state->StopAccepting(); });
  if (!s.ok()) return s;

  orderly::ManagedThreadOptions acceptor_options;
  acceptor_options.runtime = &rt;
  acceptor_options.on_terminate = [state] { state->StopAccepting(); };
  auto acceptor = orderly::ManagedThread::Start(
      "acceptor",
      [state, pool = server->pool_.get()] { state->AcceptLoop(pool, state); },
      std::move(acceptor_options));
  if (!acceptor.ok()) return acceptor.status();
  server->acceptor_ = std::move(*acceptor);
  return server;
}

Server::~Server() {
  if (state_ != nullptr) state_->StopAccepting();
}

int Server::port() const { return state_->port; }

Server::Stats Server::stats() const {
  Stats s;
  s.connections = state_->connections.load();
  s.connections_refused = state_->connections_refused.load();
  s.requests_accepted = state_->requests_accepted.load();
  s.requests_answered = state_->requests_answered.load();
  s.log_lines_queued = state_->log_lines_queued.load();
  return s;
}

}  // namespace orderly_demo
