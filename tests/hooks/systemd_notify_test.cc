// Copyright 2026 The orderly Authors.
//
// systemd notifications: STOPPING=1 and the extensions, to a path and to an
// abstract socket.
// Each in a real child process (hooks_test_util.h).

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/hooks/child_process.h"
#include "tests/hooks/hooks_test_util.h"

namespace orderly {
namespace {

using ::testing::HasSubstr;

// Starts the systemd scenario with NOTIFY_SOCKET=`name` bound to `fd`, and
// returns the datagrams received.
std::vector<std::string> NotificationsFromChild(int fd,
                                                const std::string& name) {
  const std::string dir = NewDir();
  ChildProcess child({g_scenario_main, "systemd", dir},
                     {absl::StrCat("NOTIFY_SOCKET=", name)});
  ChildProcess::Result r = child.Wait(kTimeout);
  EXPECT_EQ(r.exit_code, 0) << r;
  std::vector<std::string> messages;
  char buffer[4096];
  for (;;) {
    const ssize_t n = recv(fd, buffer, sizeof(buffer), MSG_DONTWAIT);
    if (n < 0) break;
    messages.emplace_back(buffer, static_cast<size_t>(n));
  }
  return messages;
}

void ExpectStoppingAndExtensions(const std::vector<std::string>& messages) {
  ASSERT_FALSE(messages.empty());
  EXPECT_THAT(messages[0], HasSubstr("STOPPING=1"));
  int extensions = 0;
  for (const std::string& m : messages) {
    if (m.find("EXTEND_TIMEOUT_USEC=") != std::string::npos) ++extensions;
  }
  // One at the stop request and one per phase (drain ... release).
  EXPECT_GE(extensions, 1);
  EXPECT_EQ(extensions, 6) << testing::PrintToString(messages);
}

int BoundDatagramSocket(const sockaddr_un& address, socklen_t length) {
  const int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (bind(fd, reinterpret_cast<const sockaddr*>(&address), length) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

TEST(SystemdNotifyTest, SystemdNotifySocketGetsStoppingAndExtensions) {
  // A short path: TEST_TMPDIR may exceed sockaddr_un's 108 bytes.
  char dir[] = "/tmp/orderly-notify-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string path = absl::StrCat(dir, "/notify");
  sockaddr_un address = {};
  address.sun_family = AF_UNIX;
  ASSERT_LT(path.size(), sizeof(address.sun_path));
  path.copy(address.sun_path, path.size());
  const int fd = BoundDatagramSocket(address, sizeof(address));
  ASSERT_GE(fd, 0);
  ExpectStoppingAndExtensions(NotificationsFromChild(fd, path));
  close(fd);
  unlink(path.c_str());
  rmdir(dir);
}

TEST(SystemdNotifyTest, SystemdNotifyAbstractSocket) {
  const std::string name = absl::StrCat("orderly-notify-test-", getpid());
  sockaddr_un address = {};
  address.sun_family = AF_UNIX;
  name.copy(address.sun_path + 1, name.size());  // sun_path[0] == '\0'.
  const int fd = BoundDatagramSocket(
      address,
      static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size()));
  ASSERT_GE(fd, 0);
  ExpectStoppingAndExtensions(NotificationsFromChild(fd, "@" + name));
  close(fd);
}

}  // namespace
}  // namespace orderly
