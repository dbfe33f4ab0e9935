// Copyright 2026 The orderly Authors.

#include "hooks/process_end.h"

#include <unistd.h>

#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "runtime/internal/text_out.h"

namespace orderly {
namespace {

std::string StillRunning(const ShutdownReport& report) {
  std::vector<std::string> names;
  for (const Straggler& s : report.stragglers) names.push_back(s.name);
  for (const std::string& d : report.daemons_running) {
    names.push_back(absl::StrCat("daemon ", d));
  }
  return absl::StrJoin(names, ", ");
}

}  // namespace

void EndProcessIfThreadsRun(const ShutdownReport& report, int exit_code,
                            const ProcessEndOptions& options) {
  std::string line;
  switch (options.static_destructors) {
    case StaticDestructors::kAlwaysRun:
      return;
    case StaticDestructors::kRunWhenSafe:
      if (report.all_threads_ended()) return;
      line = absl::StrCat(
          "orderly: ending the process with exit code ", exit_code,
          " without static destructors: threads may still run (",
          StillRunning(report), "); stdio flushed\n");
      break;
    case StaticDestructors::kNeverRun:
      line = absl::StrCat("orderly: ending the process with exit code ",
                          exit_code,
                          " without static destructors (as configured); "
                          "stdio flushed\n");
      break;
  }
  runtime_internal::WriteAll(STDERR_FILENO, line);
  // A backstop: a thread still running may hold a stream's lock for good.
  const absl::Duration budget = options.flush_budget;
  try {
    std::thread([budget, exit_code] {
      absl::SleepFor(budget);
      runtime_internal::WriteAll(
          STDERR_FILENO, "orderly: fflush blocked; ending without it\n");
      _exit(exit_code);
    }).detach();
  } catch (const std::system_error&) {
    // No thread: flush without a backstop.
  }
  std::fflush(nullptr);
  _exit(exit_code);
}

}  // namespace orderly
