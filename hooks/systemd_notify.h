// Copyright 2026 The orderly Authors.
//
// systemd_notify.h: tell systemd how the shutdown progresses.
//
// When a service runs under systemd with Type=notify (or NotifyAccess=), the
// environment names a socket in NOTIFY_SOCKET. During the sequence, a
// SystemdNotifier sends:
//   - at the stop request: "STOPPING=1", a STATUS= line with the reason, and
//     "EXTEND_TIMEOUT_USEC=" up to the sequence's deadline;
//   - at each phase: "EXTEND_TIMEOUT_USEC=" up to the end of the phase's
//     budget (or the deadline, whichever comes first), plus `slack`.
// So systemd neither kills a shutdown that makes progress (TimeoutStopSec
// may be shorter than the deadline) nor waits its full TimeoutStopSec for one
// that stopped making progress: past the last extension it acts.
//
//   auto installed = orderly::InstallSystemdNotifier();  // Or MainGuard.
//
// Why no libsystemd: the protocol (sd_notify(3), "Notification Socket
// Protocol" in systemd's docs) is one datagram of newline-separated
// KEY=VALUE lines to an AF_UNIX SOCK_DGRAM socket, stable since 2010. One
// sendto() needs no library, no extra dependency for services that do not
// run under systemd, and no allocation on the sequencer thread beyond the
// message. Supported addresses: a path ("/run/systemd/notify") and an
// abstract name ("@name"); not vsock (NOTIFY_SOCKET="vsock:...").
//
// Thread-safety: Send() may be called from any thread. The listener methods
// run on the runtime's sequencer thread; each send is non-blocking
// (MSG_DONTWAIT): a full socket buffer drops the message rather than stall
// the sequence, and Send() returns the error.
// Lifetime: a notifier added to a runtime must outlive it;
// InstallSystemdNotifier() leaks the one it adds to Runtime::Default().

#ifndef ORDERLY_HOOKS_SYSTEMD_NOTIFY_H_
#define ORDERLY_HOOKS_SYSTEMD_NOTIFY_H_

#include "runtime/version.h"  // First: checks for C++17.

#include <sys/socket.h>
#include <sys/un.h>

#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "runtime/sequence_listener.h"

namespace orderly {

class SystemdNotifier : public SequenceListener {
 public:
  // `notify_socket` is NOTIFY_SOCKET's value. Errors: InvalidArgument (empty,
  // not starting with '/' or '@', or too long for sockaddr_un; the message
  // quotes it), Internal (socket() failed).
  static absl::StatusOr<std::unique_ptr<SystemdNotifier>> Create(
      absl::string_view notify_socket,
      absl::Duration slack = absl::Seconds(1));
  ~SystemdNotifier() override;
  SystemdNotifier(const SystemdNotifier&) = delete;
  SystemdNotifier& operator=(const SystemdNotifier&) = delete;

  // Sends one datagram, e.g. "STOPPING=1\nSTATUS=draining". Errors:
  // Unavailable (sendto failed; the message names errno).
  absl::Status Send(absl::string_view message) const;

  void OnStopRequested(const StopReason& reason, absl::Time deadline) override;
  void OnPhaseBegin(absl::string_view phase, absl::Time phase_deadline,
                    absl::Time deadline) override;

 private:
  SystemdNotifier(int fd, const sockaddr_un& address, socklen_t length,
                  absl::Duration slack);
  // "EXTEND_TIMEOUT_USEC=<until - now + slack>".
  std::string ExtendUntil(absl::Time until) const;

  const int fd_;
  const sockaddr_un address_;
  const socklen_t address_length_;
  const absl::Duration slack_;
};

// If NOTIFY_SOCKET is set, adds a SystemdNotifier to Runtime::Default() and
// returns true; returns false when it is not set. Errors: those of Create().
absl::StatusOr<bool> InstallSystemdNotifier();

}  // namespace orderly

#endif  // ORDERLY_HOOKS_SYSTEMD_NOTIFY_H_
