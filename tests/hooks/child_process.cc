// Copyright 2026 The orderly Authors.

#include "tests/hooks/child_process.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <utility>

#include "absl/time/clock.h"

extern char** environ;

namespace orderly {

ChildProcess::ChildProcess(std::vector<std::string> argv,
                           std::vector<std::string> extra_env) {
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0) return;
  if (pipe2(err, O_CLOEXEC) != 0) {
    close(out[0]);
    close(out[1]);
    return;
  }
  std::vector<char*> args;
  for (std::string& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  std::vector<char*> env;
  for (char** e = environ; *e != nullptr; ++e) env.push_back(*e);
  for (std::string& e : extra_env) env.push_back(e.data());
  env.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
  // A fresh signal mask and default dispositions, whatever this process has.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  start_ = absl::Now();
  if (posix_spawnp(&pid_, args[0], &actions, &attr, args.data(), env.data()) !=
      0) {
    pid_ = -1;
  }
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  close(err[1]);
  out_fd_ = out[0];
  err_fd_ = err[0];
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !reaped_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (out_fd_ >= 0) close(out_fd_);
  if (err_fd_ >= 0) close(err_fd_);
}

bool ChildProcess::ReadSome(absl::Duration timeout) {
  pollfd fds[2] = {{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}};
  if (out_fd_ < 0 && err_fd_ < 0) return false;
  const int ms = static_cast<int>(absl::ToInt64Milliseconds(timeout));
  const int n = poll(fds, 2, ms < 0 ? 0 : ms);
  if (n < 0 && errno != EINTR) return false;
  int* fd_of[2] = {&out_fd_, &err_fd_};
  std::string* text_of[2] = {&out_, &err_};
  for (int i = 0; i < 2; ++i) {
    if (*fd_of[i] < 0 || fds[i].revents == 0) continue;
    char buffer[4096];
    const ssize_t got = read(*fd_of[i], buffer, sizeof(buffer));
    if (got > 0) {
      text_of[i]->append(buffer, static_cast<size_t>(got));
    } else if (got == 0 || errno != EINTR) {
      close(*fd_of[i]);
      *fd_of[i] = -1;
    }
  }
  return out_fd_ >= 0 || err_fd_ >= 0;
}

bool ChildProcess::WaitForOutput(absl::string_view text,
                                 absl::Duration timeout) {
  const absl::Time until = absl::Now() + timeout;
  while (absl::string_view(out_).find(text) == absl::string_view::npos) {
    const absl::Duration left = until - absl::Now();
    if (left <= absl::ZeroDuration()) return false;
    if (!ReadSome(left)) return absl::string_view(out_).find(text) != absl::string_view::npos;
  }
  return true;
}

ChildProcess::Result ChildProcess::Wait(absl::Duration timeout) {
  Result result;
  const absl::Time until = absl::Now() + timeout;
  int status = 0;
  for (;;) {
    const pid_t done = pid_ > 0 ? waitpid(pid_, &status, WNOHANG) : -1;
    if (done == pid_ || done < 0) {
      result.elapsed = absl::Now() - start_;
      reaped_ = done == pid_;
      break;
    }
    if (absl::Now() >= until) {
      result.timed_out = true;
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      reaped_ = true;
      result.elapsed = absl::Now() - start_;
      break;
    }
    // Output until both pipes close, then poll the exit in short steps.
    if (!ReadSome(std::min(until - absl::Now(), absl::Milliseconds(20)))) {
      absl::SleepFor(absl::Milliseconds(1));
    }
  }
  // What is left in the pipes; bounded, as a grandchild may hold them open.
  const absl::Time drain_until = absl::Now() + absl::Seconds(1);
  while (absl::Now() < drain_until &&
         ReadSome(drain_until - absl::Now())) {
  }
  if (reaped_ && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (reaped_ && WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  result.out = out_;
  result.err = err_;
  return result;
}

std::ostream& operator<<(std::ostream& os, const ChildProcess::Result& r) {
  return os << "\n--- exit code " << r.exit_code << ", signal " << r.signal
            << (r.timed_out ? ", TIMED OUT" : "") << ", after "
            << absl::FormatDuration(r.elapsed) << "\n--- stdout:\n"
            << r.out << "--- stderr:\n"
            << r.err << "---";
}

}  // namespace orderly
