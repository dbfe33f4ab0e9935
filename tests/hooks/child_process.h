// Copyright 2026 The orderly Authors.
//
// child_process.h: start a program, watch its output, collect how it ended.
//
//   ChildProcess child({scenario, "sigterm", dir});
//   ASSERT_TRUE(child.WaitForOutput("ready", absl::Seconds(20)));
//   kill(child.pid(), SIGTERM);
//   ChildProcess::Result r = child.Wait(absl::Seconds(20));
//   EXPECT_EQ(r.exit_code, 115) << r;
//
// The child gets this process's environment (so sanitizer options reach it)
// plus `extra_env`. Waits are bounded: a child still running at a Wait()
// timeout is killed (SIGKILL) and reported as timed out; the test fails
// instead of hanging.

#ifndef ORDERLY_TESTS_HOOKS_CHILD_PROCESS_H_
#define ORDERLY_TESTS_HOOKS_CHILD_PROCESS_H_

#include <sys/types.h>

#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace orderly {

class ChildProcess {
 public:
  struct Result {
    bool timed_out = false;
    int exit_code = -1;  // -1 unless it exited.
    int signal = 0;      // The signal that killed it, if one did.
    std::string out;
    std::string err;
    absl::Duration elapsed;  // From the start to its end.
  };

  // Starts argv[0] (searched in PATH if it has no '/').
  explicit ChildProcess(std::vector<std::string> argv,
                        std::vector<std::string> extra_env = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  // Reads output until stdout contains `text`; false at `timeout` or if the
  // child closed its output first.
  bool WaitForOutput(absl::string_view text, absl::Duration timeout);

  // Reads everything until the child ends, or kills it at `timeout`.
  Result Wait(absl::Duration timeout);

  // Output read so far.
  const std::string& out() const { return out_; }
  const std::string& err() const { return err_; }

 private:
  // Reads what is available within `timeout`; false once both pipes closed.
  bool ReadSome(absl::Duration timeout);

  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string out_;
  std::string err_;
  absl::Time start_;
  bool reaped_ = false;
};

std::ostream& operator<<(std::ostream& os, const ChildProcess::Result& r);

}  // namespace orderly

#endif  // ORDERLY_TESTS_HOOKS_CHILD_PROCESS_H_
