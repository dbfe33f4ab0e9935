// Copyright 2026 The orderly Authors.

#include "hooks/listen_fds.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace orderly {
namespace {

absl::Status Errno(absl::string_view what) {
  const int err = errno;
  return absl::Status(absl::ErrnoToStatusCode(err),
                      absl::StrCat(what, ": ", strerror(err)));
}

// Reads an environment variable as a positive integer; 0 when missing or
// malformed.
int64_t EnvInt(const char* name) {
  const char* text = getenv(name);
  int64_t value = 0;
  if (text == nullptr || !absl::SimpleAtoi(text, &value) || value <= 0) {
    return 0;
  }
  return value;
}

}  // namespace

std::vector<int> ListenFds() {
  const int64_t pid = EnvInt("LISTEN_PID");
  const int64_t count = EnvInt("LISTEN_FDS");
  unsetenv("LISTEN_PID");
  unsetenv("LISTEN_FDS");
  unsetenv("LISTEN_FDNAMES");
  std::vector<int> fds;
  // A bound keeps a corrupt count from walking the fd table.
  if (pid != getpid() || count <= 0 || count > 4096) return fds;
  for (int fd = kListenFdsStart; fd < kListenFdsStart + count; ++fd) {
    const int flags = fcntl(fd, F_GETFD);
    if (flags < 0) continue;  // Not open: nothing to take.
    (void)fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
    fds.push_back(fd);
  }
  return fds;
}

absl::StatusOr<int> ListenTcp(int port, const ListenOptions& options) {
  if (port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("ListenTcp: port ", port, " is not in 0..65535"));
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, options.address.c_str(), &addr.sin_addr) != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ListenTcp: \"", options.address, "\" is not an IPv4 address"));
  }
  const std::string where = absl::StrCat(options.address, ":", port);
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Errno("socket");
  const int one = 1;
  absl::Status status;
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0) {
    status = Errno("setsockopt SO_REUSEADDR");
  } else if (options.reuse_port &&
             setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) !=
                 0) {
    status = Errno("setsockopt SO_REUSEPORT");
  } else if (bind(fd, reinterpret_cast<const sockaddr*>(&addr),
                  sizeof(addr)) != 0) {
    status = Errno(absl::StrCat("bind ", where));
  } else if (listen(fd, options.backlog) != 0) {
    status = Errno(absl::StrCat("listen ", where));
  }
  if (!status.ok()) {
    close(fd);
    return status;
  }
  return fd;
}

absl::StatusOr<int> LocalPort(int fd) {
  sockaddr_in addr{};
  socklen_t len = sizeof(addr);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return Errno("getsockname");
  }
  return static_cast<int>(ntohs(addr.sin_port));
}

}  // namespace orderly
