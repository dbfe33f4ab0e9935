// Copyright 2026 The orderly Authors.
//
// The example of hooks/listen_fds.h, compiled and run both ways: with a
// socket passed by systemd (LISTEN_FDS, in a child process, since
// ListenFds() edits the environment) and without (SO_REUSEPORT). The
// function below holds the example verbatim between "example:" and "end of
// example".

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "hooks/listen_fds.h"

namespace {

absl::Status Fail(absl::Status status) { return status; }

absl::StatusOr<int> OpenListener(int port) {
  // example: listen_fds.h
  std::vector<int> fds = orderly::ListenFds();  // systemd, if any
  int fd;
  if (!fds.empty()) {
    fd = fds[0];
  } else {
    orderly::ListenOptions options;
    options.reuse_port = true;
    absl::StatusOr<int> bound = orderly::ListenTcp(port, options);
    if (!bound.ok()) return Fail(bound.status());
    fd = *bound;
  }
  // end of example
  return fd;
}

TEST(ListenFdsExampleTest, WithoutSystemdBindsWithReusePort) {
  absl::StatusOr<int> fd = OpenListener(0);
  ASSERT_TRUE(fd.ok()) << fd.status();
  absl::StatusOr<int> port = orderly::LocalPort(*fd);
  ASSERT_TRUE(port.ok()) << port.status();
  // A second instance of the example binds the same port: SO_REUSEPORT.
  absl::StatusOr<int> again = OpenListener(*port);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(orderly::LocalPort(*again).value_or(-1), *port);
  close(*again);
  close(*fd);
}

TEST(ListenFdsExampleTest, UnderSocketActivationTakesFd3) {
  const pid_t pid = fork();
  if (pid == 0) {
    absl::StatusOr<int> passed = orderly::ListenTcp(0);
    if (!passed.ok()) _exit(1);
    if (dup2(*passed, orderly::kListenFdsStart) != orderly::kListenFdsStart) {
      _exit(2);
    }
    setenv("LISTEN_PID", absl::StrCat(getpid()).c_str(), 1);
    setenv("LISTEN_FDS", "1", 1);
    absl::StatusOr<int> fd = OpenListener(0);
    if (!fd.ok()) _exit(3);
    if (*fd != orderly::kListenFdsStart) _exit(4);
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
