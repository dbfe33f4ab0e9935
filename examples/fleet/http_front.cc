// Copyright 2026 The orderly Authors.

#include "examples/fleet/http_front.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"

namespace orderly_fleet {
namespace {

constexpr size_t kMaxRequest = 8192;
constexpr int kReadTimeoutMs = 5000;

bool SendAll(int fd, absl::string_view data) {
  while (!data.empty()) {
    const ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Reads up to the end of the request head; false on EOF, error, timeout.
bool ReadHead(int fd, std::string* head) {
  char chunk[2048];
  while (head->find("\r\n\r\n") == std::string::npos) {
    if (head->size() > kMaxRequest) return false;
    pollfd p = {fd, POLLIN, 0};
    const int ready = poll(&p, 1, kReadTimeoutMs);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return false;
    const ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    head->append(chunk, static_cast<size_t>(n));
  }
  return true;
}

std::string Reply(int code, absl::string_view body) {
  const char* text = code == 200   ? "OK"
                     : code == 503 ? "Service Unavailable"
                                   : "Not Found";
  return absl::StrCat("HTTP/1.1 ", code, " ", text,
                      "\r\nContent-Type: text/plain\r\nContent-Length: ",
                      body.size(), "\r\nConnection: close\r\n\r\n", body);
}

}  // namespace

struct HttpFront::State {
  orderly::Runtime* rt = nullptr;
  int listener = -1;
  absl::Duration work;
  std::atomic<bool> stopped_accepting{false};
  std::atomic<int64_t> requests{0}, answered{0}, ready_503{0};
  absl::Mutex mu;
  absl::flat_hash_map<std::string, int64_t> reads ABSL_GUARDED_BY(mu);

  ~State() { close(listener); }

  // `drain`, and each worker's terminate callback. Non-blocking.
  void StopAccepting() {
    if (stopped_accepting.exchange(true)) return;
    shutdown(listener, SHUT_RDWR);  // Refuses connections, wakes accept().
  }

  void Work() {
    while (true) {
      const int fd = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        return;  // Shut down (EINVAL): the drain.
      }
      Serve(fd);
      close(fd);
    }
  }

  void Serve(int fd) {
    std::string head;
    if (!ReadHead(fd, &head)) return;
    requests.fetch_add(1);
    absl::string_view line = absl::string_view(head).substr(0, head.find("\r\n"));
    std::string reply;
    if (!absl::ConsumePrefix(&line, "GET ")) {
      reply = Reply(404, "GET only\n");
    } else {
      const absl::string_view path = line.substr(0, line.find(' '));
      reply = Answer(path);
    }
    if (SendAll(fd, reply)) answered.fetch_add(1);
    shutdown(fd, SHUT_WR);
  }

  std::string Answer(absl::string_view path) {
    if (path == "/livez") return Reply(200, "alive\n");
    if (path == "/readyz") {
      if (rt->readiness().ready()) return Reply(200, "ready\n");
      ready_503.fetch_add(1);
      return Reply(503, "stopping\n");
    }
    if (absl::ConsumePrefix(&path, "/kv/")) {
      absl::SleepFor(work);  // Simulated service time: work in flight.
      int64_t n;
      {
        absl::MutexLock lock(&mu);
        n = ++reads[std::string(path)];
      }
      return Reply(200, absl::StrCat(n, "\n"));
    }
    return Reply(404, "not found\n");
  }
};

absl::StatusOr<std::unique_ptr<HttpFront>> HttpFront::Start(
    orderly::Runtime& rt, Options options) {
  if (options.listen_fd < 0 || options.workers <= 0) {
    return absl::InvalidArgumentError(
        "HttpFront: needs a listening fd and at least one worker");
  }
  auto state = std::make_shared<State>();
  state->rt = &rt;
  state->listener = options.listen_fd;
  state->work = options.work;
  std::unique_ptr<HttpFront> front(new HttpFront());
  front->state_ = state;
  auto component = rt.AddComponent("http");
  if (!component.ok()) return component.status();
  absl::Status s = component->AddCleanup("drain", "stop-accepting",
                                         [state] { state->StopAccepting(); });
  if (!s.ok()) return s;
  for (int i = 0; i < options.workers; ++i) {
    orderly::ManagedThreadOptions thread_options;
    thread_options.runtime = &rt;
    thread_options.on_terminate = [state] { state->StopAccepting(); };
    auto worker = orderly::ManagedThread::Start(
        absl::StrCat("http-", i), [state] { state->Work(); },
        std::move(thread_options));
    if (!worker.ok()) return worker.status();
    front->workers_.push_back(*std::move(worker));
  }
  return front;
}

HttpFront::~HttpFront() {
  if (state_ != nullptr) state_->StopAccepting();
}

HttpFront::Stats HttpFront::stats() const {
  Stats s;
  s.requests = state_->requests.load();
  s.answered = state_->answered.load();
  s.ready_503 = state_->ready_503.load();
  return s;
}

}  // namespace orderly_fleet
