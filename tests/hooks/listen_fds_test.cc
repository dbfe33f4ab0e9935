// Copyright 2026 The orderly Authors.
//
// hooks/listen_fds.h: socket activation (in forked children, which set
// LISTEN_PID to their own pid) and SO_REUSEPORT on 127.0.0.1.

#include "hooks/listen_fds.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace orderly {
namespace {

using ::testing::HasSubstr;

// Runs `body` in a forked child; returns its exit code (the number of the
// first failed check, 0 when all held).
template <typename F>
int InChild(F body) {
  const pid_t pid = fork();
  if (pid == 0) _exit(body());
  int status = 0;
  EXPECT_EQ(waitpid(pid, &status, 0), pid);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
}

bool EnvSet(const char* name) { return getenv(name) != nullptr; }

TEST(ListenFdsTest, TakesTheFdsPassedToThisProcess) {
  const int code = InChild([] {
    absl::StatusOr<int> bound = ListenTcp(0);
    if (!bound.ok()) return 1;
    if (dup2(*bound, kListenFdsStart) != kListenFdsStart) return 2;
    if (dup2(*bound, kListenFdsStart + 1) != kListenFdsStart + 1) return 3;
    setenv("LISTEN_PID", absl::StrCat(getpid()).c_str(), 1);
    setenv("LISTEN_FDS", "2", 1);
    setenv("LISTEN_FDNAMES", "http:http", 1);
    const std::vector<int> fds = ListenFds();
    if (fds != std::vector<int>{kListenFdsStart, kListenFdsStart + 1}) {
      return 4;
    }
    if (EnvSet("LISTEN_PID") || EnvSet("LISTEN_FDS") ||
        EnvSet("LISTEN_FDNAMES")) {
      return 5;
    }
    if ((fcntl(kListenFdsStart, F_GETFD) & FD_CLOEXEC) == 0) return 6;
    if (LocalPort(kListenFdsStart).value_or(-1) !=
        LocalPort(*bound).value_or(-2)) {
      return 7;
    }
    if (!ListenFds().empty()) return 8;  // Taken once.
    return 0;
  });
  EXPECT_EQ(code, 0);
}

TEST(ListenFdsTest, IgnoresFdsMeantForAnotherProcess) {
  const int code = InChild([] {
    setenv("LISTEN_PID", absl::StrCat(getppid()).c_str(), 1);
    setenv("LISTEN_FDS", "1", 1);
    if (!ListenFds().empty()) return 1;
    if (EnvSet("LISTEN_PID") || EnvSet("LISTEN_FDS")) return 2;
    return 0;
  });
  EXPECT_EQ(code, 0);
}

TEST(ListenFdsTest, MalformedOrMissingVariablesGiveNothing) {
  const int code = InChild([] {
    unsetenv("LISTEN_PID");
    unsetenv("LISTEN_FDS");
    if (!ListenFds().empty()) return 1;
    setenv("LISTEN_PID", absl::StrCat(getpid()).c_str(), 1);
    setenv("LISTEN_FDS", "three", 1);
    if (!ListenFds().empty()) return 2;
    setenv("LISTEN_PID", absl::StrCat(getpid()).c_str(), 1);
    setenv("LISTEN_FDS", "-1", 1);
    if (!ListenFds().empty()) return 3;
    return 0;
  });
  EXPECT_EQ(code, 0);
}

TEST(ListenTcpTest, ReusePortLetsTwoSocketsBindOnePort) {
  ListenOptions options;
  options.reuse_port = true;
  absl::StatusOr<int> first = ListenTcp(0, options);
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<int> port = LocalPort(*first);
  ASSERT_TRUE(port.ok());
  ASSERT_GT(*port, 0);
  absl::StatusOr<int> second = ListenTcp(*port, options);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(LocalPort(*second).value_or(-1), *port);
  // With the first socket closed, the second still takes connections: what
  // the new instance relies on while the old one ends.
  close(*first);
  const int client = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(*port));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  EXPECT_EQ(connect(client, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)),
            0);
  close(client);
  close(*second);
}

TEST(ListenTcpTest, WithoutReusePortTheSecondBindFails) {
  absl::StatusOr<int> first = ListenTcp(0);
  ASSERT_TRUE(first.ok()) << first.status();
  const int port = LocalPort(*first).value_or(0);
  absl::StatusOr<int> second = ListenTcp(port);
  ASSERT_FALSE(second.ok());
  EXPECT_THAT(second.status().message(),
              HasSubstr(absl::StrCat("bind 127.0.0.1:", port)));
  EXPECT_THAT(second.status().message(), HasSubstr("in use"));
  close(*first);
}

TEST(ListenTcpTest, BadInputIsNamed) {
  EXPECT_THAT(ListenTcp(70000).status().message(), HasSubstr("70000"));
  ListenOptions options;
  options.address = "localhost";
  absl::StatusOr<int> bad = ListenTcp(0, options);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("\"localhost\""));
}

}  // namespace
}  // namespace orderly
