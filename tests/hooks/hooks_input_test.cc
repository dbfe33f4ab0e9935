// Copyright 2026 The orderly Authors.
//
// Bad input to the hooks gets a clear absl::Status naming what was wrong;
// the systemd notifier's datagrams. In-process: nothing here installs a
// process-wide hook (a refused call changes nothing).

#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hooks/signals.h"
#include "hooks/stack_dump.h"
#include "hooks/systemd_notify.h"
#include "runtime/runtime.h"

namespace orderly {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

void ExpectInvalid(const absl::Status& status, absl::string_view names) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr(names));
}

TEST(HooksInputTest, SignalListsAreChecked) {
  SignalOptions none;
  none.signals = {};
  ExpectInvalid(InstallSignalHandling(none), "no signals given");
  SignalOptions kill;
  kill.signals = {SIGTERM, SIGKILL};
  ExpectInvalid(InstallSignalHandling(kill), "SIGKILL (signal 9)");
  SignalOptions fault;
  fault.signals = {SIGSEGV};
  ExpectInvalid(InstallSignalHandling(fault), "SIGSEGV");
  SignalOptions twice;
  twice.signals = {SIGINT, SIGTERM, SIGINT};
  ExpectInvalid(InstallSignalHandling(twice), "listed twice");
  SignalOptions out_of_range;
  out_of_range.signals = {0};
  ExpectInvalid(InstallSignalHandling(out_of_range), "signal 0");
  SignalOptions realtime;
  realtime.signals = {SIGRTMIN + 1};
  ExpectInvalid(InstallSignalHandling(realtime), "not a standard signal");
}

TEST(HooksInputTest, StackDumpOptionsAreChecked) {
  StackDumpOptions not_realtime;
  not_realtime.signal = SIGUSR1;
  ExpectInvalid(InstallStackDumpOnDeadline(not_realtime),
                "is not a realtime signal");
  StackDumpOptions too_many;
  too_many.max_threads = 17;
  ExpectInvalid(InstallStackDumpOnDeadline(too_many), "max_threads is 17");
  StackDumpOptions negative;
  negative.answer_timeout = absl::Seconds(-1);
  ExpectInvalid(InstallStackDumpOnDeadline(negative), "negative");
}

TEST(HooksInputTest, NotifySocketNamesAreChecked) {
  ExpectInvalid(SystemdNotifier::Create("").status(), "NOTIFY_SOCKET=\"\"");
  ExpectInvalid(SystemdNotifier::Create("run/notify").status(),
                "\"run/notify\" is neither an absolute path");
  ExpectInvalid(SystemdNotifier::Create("vsock:2:1234").status(), "vsock");
  ExpectInvalid(SystemdNotifier::Create("/" + std::string(200, 'x')).status(),
                "longer than a socket address");
}

TEST(HooksInputTest, DefaultOptionsAfterFirstUseAreRefused) {
  Runtime::Default();
  const absl::Status status = Runtime::SetDefaultOptions(RuntimeOptions());
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("exists already"));
}

// The value of KEY= in a datagram of KEY=VALUE lines.
std::string Field(const std::string& message, absl::string_view key) {
  for (absl::string_view line : absl::StrSplit(message, '\n')) {
    if (absl::ConsumePrefix(&line, key) && absl::ConsumePrefix(&line, "=")) {
      return std::string(line);
    }
  }
  return "";
}

TEST(SystemdNotifierTest, SendsStoppingThenExtensionsUpToEachDeadline) {
  const std::string name = absl::StrCat("orderly-notifier-test-", getpid());
  sockaddr_un address = {};
  address.sun_family = AF_UNIX;
  name.copy(address.sun_path + 1, name.size());
  const int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(bind(fd, reinterpret_cast<const sockaddr*>(&address),
                 static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 +
                                        name.size())),
            0);
  auto notifier = SystemdNotifier::Create("@" + name, absl::Seconds(1));
  ASSERT_TRUE(notifier.ok()) << notifier.status();
  const auto receive = [fd] {
    char buffer[1024];
    const ssize_t n = recv(fd, buffer, sizeof(buffer), MSG_DONTWAIT);
    return n < 0 ? std::string() : std::string(buffer, n);
  };
  const absl::Time now = absl::Now();
  (*notifier)->OnStopRequested(StopReason::Signal(SIGTERM),
                               now + absl::Seconds(25));
  const std::string stopping = receive();
  EXPECT_THAT(stopping, StartsWith("STOPPING=1\n"));
  EXPECT_EQ(Field(stopping, "STATUS"), "stopping: SIGTERM (signal 15)");
  int64_t usec = 0;
  ASSERT_TRUE(absl::SimpleAtoi(Field(stopping, "EXTEND_TIMEOUT_USEC"), &usec))
      << stopping;
  // Up to the deadline plus the slack, less what has passed since `now`.
  EXPECT_LE(usec, 26'000'000);
  EXPECT_GT(usec, 25'000'000);

  // A phase with a 2 s budget: extended to its end, not the deadline's.
  (*notifier)->OnPhaseBegin("flush", now + absl::Seconds(2),
                            now + absl::Seconds(25));
  const std::string phase = receive();
  EXPECT_EQ(Field(phase, "STATUS"), "stopping: phase flush");
  ASSERT_TRUE(absl::SimpleAtoi(Field(phase, "EXTEND_TIMEOUT_USEC"), &usec));
  EXPECT_LE(usec, 3'000'000);
  EXPECT_GT(usec, 2'000'000);
  close(fd);
}

TEST(SystemdNotifierTest, SendToAMissingSocketIsUnavailable) {
  auto notifier = SystemdNotifier::Create("/nonexistent/orderly/notify");
  ASSERT_TRUE(notifier.ok()) << notifier.status();
  const absl::Status sent = (*notifier)->Send("STOPPING=1");
  EXPECT_EQ(sent.code(), absl::StatusCode::kUnavailable) << sent;
  EXPECT_THAT(std::string(sent.message()), HasSubstr("sendto"));
}

}  // namespace
}  // namespace orderly
