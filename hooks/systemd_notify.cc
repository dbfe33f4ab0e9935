// Copyright 2026 The orderly Authors.

#include "hooks/systemd_notify.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "runtime/runtime.h"

namespace orderly {

absl::StatusOr<std::unique_ptr<SystemdNotifier>> SystemdNotifier::Create(
    absl::string_view notify_socket, absl::Duration slack) {
  if (notify_socket.empty() ||
      (notify_socket[0] != '/' && notify_socket[0] != '@')) {
    return absl::InvalidArgumentError(absl::StrCat(
        "SystemdNotifier: NOTIFY_SOCKET=\"", notify_socket,
        "\" is neither an absolute path nor an abstract name (\"@name\")"));
  }
  sockaddr_un address;
  memset(&address, 0, sizeof(address));
  address.sun_family = AF_UNIX;
  if (notify_socket.size() > sizeof(address.sun_path) - 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "SystemdNotifier: NOTIFY_SOCKET=\"", notify_socket, "\" is ",
        notify_socket.size(), " bytes, longer than a socket address (",
        sizeof(address.sun_path) - 1, ")"));
  }
  memcpy(address.sun_path, notify_socket.data(), notify_socket.size());
  if (address.sun_path[0] == '@') address.sun_path[0] = '\0';  // Abstract.
  // An abstract name's length counts exactly; a path's ends at its NUL.
  const socklen_t length = static_cast<socklen_t>(
      offsetof(sockaddr_un, sun_path) + notify_socket.size() +
      (notify_socket[0] == '/' ? 1 : 0));
  const int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return absl::InternalError(
        absl::StrCat("SystemdNotifier: socket() failed: ", strerror(errno)));
  }
  return std::unique_ptr<SystemdNotifier>(
      new SystemdNotifier(fd, address, length, slack));
}

SystemdNotifier::SystemdNotifier(int fd, const sockaddr_un& address,
                                 socklen_t length, absl::Duration slack)
    : fd_(fd), address_(address), address_length_(length), slack_(slack) {}

SystemdNotifier::~SystemdNotifier() { close(fd_); }

absl::Status SystemdNotifier::Send(absl::string_view message) const {
  for (;;) {
    const ssize_t n =
        sendto(fd_, message.data(), message.size(), MSG_DONTWAIT | MSG_NOSIGNAL,
               reinterpret_cast<const sockaddr*>(&address_), address_length_);
    if (n >= 0) return absl::OkStatus();
    if (errno == EINTR) continue;
    return absl::UnavailableError(absl::StrCat(
        "SystemdNotifier: sendto(NOTIFY_SOCKET) failed: ", strerror(errno)));
  }
}

std::string SystemdNotifier::ExtendUntil(absl::Time until) const {
  const absl::Duration left =
      std::max(until - absl::Now(), absl::ZeroDuration()) + slack_;
  return absl::StrCat("EXTEND_TIMEOUT_USEC=",
                      absl::ToInt64Microseconds(left));
}

void SystemdNotifier::OnStopRequested(const StopReason& reason,
                                      absl::Time deadline) {
  // Errors are dropped: the sequence does not wait on the supervisor.
  Send(absl::StrCat("STOPPING=1\nSTATUS=stopping: ", reason.ToString(), "\n",
                    ExtendUntil(deadline)))
      .IgnoreError();
}

void SystemdNotifier::OnPhaseBegin(absl::string_view phase,
                                   absl::Time phase_deadline,
                                   absl::Time deadline) {
  Send(absl::StrCat("STATUS=stopping: phase ", phase, "\n",
                    ExtendUntil(std::min(phase_deadline, deadline))))
      .IgnoreError();
}

absl::StatusOr<bool> InstallSystemdNotifier() {
  const char* socket = getenv("NOTIFY_SOCKET");
  if (socket == nullptr || socket[0] == '\0') return false;
  auto notifier = SystemdNotifier::Create(socket);
  if (!notifier.ok()) return notifier.status();
  // Leaked: a listener outlives its runtime, and Default() is never destroyed.
  Runtime::Default().AddListener(notifier->release());
  return true;
}

}  // namespace orderly
