// Copyright 2026 The orderly Authors.
//
// listen_fds.h: listening sockets that survive a restart.
//
// A rolling restart needs a listening socket while the old instance drains
// and the new one starts. Two ways, both here:
//
//   - systemd socket activation: systemd owns the socket (a .socket unit)
//     and passes it to each new instance as fd 3 (LISTEN_FDS=1,
//     LISTEN_PID=<pid>); connections queue in the kernel while no instance
//     runs. ListenFds() takes them, as sd_listen_fds(3) does.
//   - SO_REUSEPORT: old and new instance each bind the same port; the kernel
//     spreads new connections over every socket bound to it, so the new
//     instance takes connections while the old one is in its lame duck.
//     ListenTcp() with ListenOptions::reuse_port.
//
//   std::vector<int> fds = orderly::ListenFds();  // systemd, if any
//   int fd;
//   if (!fds.empty()) {
//     fd = fds[0];
//   } else {
//     orderly::ListenOptions options;
//     options.reuse_port = true;
//     absl::StatusOr<int> bound = orderly::ListenTcp(port, options);
//     if (!bound.ok()) return Fail(bound.status());
//     fd = *bound;
//   }
//
// Kubernetes and systemd settings that go with a lame duck: docs/fleet.md.
//
// Thread-safety: ListenFds() reads and unsets environment variables; call it
// once, early in main, before other threads start (as sd_listen_fds). The
// others are thread-safe.

#ifndef ORDERLY_HOOKS_LISTEN_FDS_H_
#define ORDERLY_HOOKS_LISTEN_FDS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace orderly {

// The first fd systemd passes (SD_LISTEN_FDS_START).
inline constexpr int kListenFdsStart = 3;

// The fds passed by socket activation: kListenFdsStart ... +LISTEN_FDS-1,
// when LISTEN_PID names this process; marked close-on-exec. Unsets
// LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES either way, so that children do
// not take them too. Empty when nothing was passed (the variables are
// missing, malformed, or meant for another process).
std::vector<int> ListenFds();

struct ListenOptions {
  // The IPv4 address to bind; loopback by default.
  std::string address = "127.0.0.1";
  // SO_REUSEPORT: other sockets (of this or another process of the same
  // user) may bind the same address and port; the kernel balances new
  // connections across them.
  bool reuse_port = false;
  int backlog = 128;
};

// A TCP socket bound to `port` (0: an ephemeral one) and listening, with
// SO_REUSEADDR set (restarts do not wait for TIME_WAIT) and close-on-exec.
// The caller owns the fd. Errors: InvalidArgument (bad address or port),
// or the failing system call's, naming it and errno ("bind 127.0.0.1:8080:
// Address already in use").
absl::StatusOr<int> ListenTcp(int port, const ListenOptions& options = {});

// The local port a bound socket listens on. Errors: the getsockname's.
absl::StatusOr<int> LocalPort(int fd);

}  // namespace orderly

#endif  // ORDERLY_HOOKS_LISTEN_FDS_H_
