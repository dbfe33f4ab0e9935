// Copyright 2026 The orderly Authors.

#include "examples/demo/load.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace orderly_demo {
namespace {

int Connect(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  // A safety net, not a synchronization: a server that never answers ends
  // the client instead of hanging the `threads` phase.
  timeval timeout = {5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Reads one line (without its newline); false if the connection closed.
bool ReadLine(int fd, std::string* line) {
  line->clear();
  char c;
  while (true) {
    const ssize_t n = recv(fd, &c, 1, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    if (c == '\n') return true;
    *line += c;
  }
}

bool SendAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n =
        send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

absl::Status Load::Start(orderly::Runtime& rt, int port, int clients) {
  for (int i = 0; i < clients; ++i) {
    orderly::ManagedThreadOptions options;
    options.runtime = &rt;
    auto client = orderly::ManagedThread::Start(
        absl::StrCat("client-", i),
        [port, i, counters = counters_](orderly::StopToken stop) {
          int fd = -1;
          for (int64_t n = 0; !stop.stop_requested(); ++n) {
            if (fd < 0 && (fd = Connect(port)) < 0) {
              counters->refused.fetch_add(1);
              return;  // The server no longer accepts: done.
            }
            const std::string request =
                absl::StrCat("GET key-", (i * 7 + n) % 16, "\n");
            std::string reply;
            if (!SendAll(fd, request)) {
              close(std::exchange(fd, -1));  // Not sent: not a request.
              continue;
            }
            counters->sent.fetch_add(1);
            if (ReadLine(fd, &reply) && absl::StartsWith(reply, "VALUE ")) {
              counters->answered.fetch_add(1);
            } else {
              counters->unanswered.fetch_add(1);
              close(std::exchange(fd, -1));
            }
          }
          if (fd >= 0) close(fd);
        },
        std::move(options));
    if (!client.ok()) return client.status();
    clients_.push_back(std::move(*client));
  }
  return absl::OkStatus();
}

Load::Stats Load::stats() const {
  return {counters_->sent.load(), counters_->answered.load(),
          counters_->unanswered.load(), counters_->refused.load()};
}

}  // namespace orderly_demo
