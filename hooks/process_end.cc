// Copyright 2026 The orderly Authors.

#include "hooks/process_end.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "runtime/internal/os_threads.h"
#include "runtime/internal/text_out.h"

namespace orderly {
namespace {

// The report's unknown threads that still run now (the same tid with the
// same name: a tid the kernel reused for another thread is not one of
// them) and that the options do not call harmless.
std::vector<std::string> UnknownStillRunning(const ShutdownReport& report,
                                             const ProcessEndOptions& options) {
  std::vector<std::string> names;
  if (options.unknown_threads != UnknownThreadPolicy::kTreatAsDaemons) {
    return names;
  }
  for (const UnknownThread& t : report.unknown_threads_at_end) {
    std::string now;
    if (!runtime_internal::ReadThreadName(t.tid, &now) || now != t.name) {
      continue;  // Ended since.
    }
    const auto& harmless = options.harmless_thread_names;
    if (std::find(harmless.begin(), harmless.end(), t.name) !=
        harmless.end()) {
      continue;
    }
    names.push_back(absl::StrCat("unknown thread ", t.tid, " \"", t.name,
                                 "\""));
  }
  return names;
}

std::string StillRunning(const ShutdownReport& report,
                         std::vector<std::string> unknown) {
  std::vector<std::string> names;
  for (const Straggler& s : report.stragglers) names.push_back(s.name);
  for (const std::string& d : report.daemons_running) {
    names.push_back(absl::StrCat("daemon ", d));
  }
  for (std::string& u : unknown) names.push_back(std::move(u));
  return absl::StrJoin(names, ", ");
}

}  // namespace

void EndProcessIfThreadsRun(const ShutdownReport& report, int exit_code,
                            const ProcessEndOptions& options) {
  std::string line;
  switch (options.static_destructors) {
    case StaticDestructors::kAlwaysRun:
      return;
    case StaticDestructors::kRunWhenSafe: {
      std::vector<std::string> unknown = UnknownStillRunning(report, options);
      if (report.all_threads_ended() && unknown.empty()) return;
      line = absl::StrCat(
          "orderly: ending the process with exit code ", exit_code,
          " without static destructors: threads may still run (",
          StillRunning(report, std::move(unknown)), "); stdio flushed\n");
      break;
    }
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
