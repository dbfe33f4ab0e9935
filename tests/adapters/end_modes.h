// Copyright 2026 The orderly Authors.
//
// end_modes.h: the three ways an adapter test's child process ends, and
// the counts it reports, shared by the children (*_main.cc) and the tests.
//
// A child runs its library under load, prints "ready" once the load runs,
// and ends by one of:
//   sigterm  the test sends SIGTERM; main returns guard.Shutdown();
//   exit     a registered worker thread calls exit(kExitCode);
//   return   main returns guard.Shutdown() while the load runs.
// EndMain() is that end, shared by the children. In the `release` phase a
// child prints one line
//   "counts sent=<n> received=<n>"
// (items the producers handed to the library, items that came out the
// other end), which the test parses: lost = sent - received.

#ifndef ORDERLY_TESTS_ADAPTERS_END_MODES_H_
#define ORDERLY_TESTS_ADAPTERS_END_MODES_H_

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "blocks/managed_thread.h"
#include "hooks/main_guard.h"
#include "runtime/runtime.h"

namespace orderly {

enum class EndMode { kSigterm, kExit, kReturn };

inline constexpr int kExitCode = 3;

inline std::optional<EndMode> ParseEndMode(absl::string_view text) {
  if (text == "sigterm") return EndMode::kSigterm;
  if (text == "exit") return EndMode::kExit;
  if (text == "return") return EndMode::kReturn;
  return std::nullopt;
}

inline const char* EndModeName(EndMode mode) {
  switch (mode) {
    case EndMode::kSigterm: return "sigterm";
    case EndMode::kExit: return "exit";
    case EndMode::kReturn: return "return";
  }
  return "?";
}

struct Counts {
  int64_t sent = 0;
  int64_t received = 0;
};

// In the child: a component "counts" whose `release` cleanup prints what
// `read` returns (after every other component's cleanups: nothing
// depends on it, and `release` is the last phase).
inline absl::Status PrintCountsAtRelease(Runtime& rt,
                                         std::function<Counts()> read) {
  auto counts = rt.AddComponent("counts");
  if (!counts.ok()) return counts.status();
  return counts->AddCleanup("release", "print counts", [read] {
    const Counts c = read();
    std::printf("counts sent=%lld received=%lld\n",
                static_cast<long long>(c.sent),
                static_cast<long long>(c.received));
    std::fflush(stdout);
  });
}

// In the child, the end of main once its load is started: for kExit, a
// registered thread "exiter" calls exit(kExitCode) as soon as
// `wait_ready` returns; main waits for `wait_ready` too, prints "ready",
// waits for the stop request unless `mode` is kReturn, and returns what
// guard.Shutdown() returns (the sequence runs while main's locals exist).
// Returns kStartFailed if the exiter cannot start.
inline constexpr int kStartFailed = 19;
inline int EndMain(EndMode mode, MainGuard& guard,
                   std::function<void()> wait_ready) {
  std::optional<ManagedThread> exiter;
  if (mode == EndMode::kExit) {
    auto t = ManagedThread::Start("exiter", [wait_ready] {
      wait_ready();
      std::exit(kExitCode);
    });
    if (!t.ok()) {
      std::fprintf(stderr, "exiter: %s\n", t.status().ToString().c_str());
      return kStartFailed;
    }
    exiter.emplace(*std::move(t));
  }
  wait_ready();
  std::printf("ready\n");
  std::fflush(stdout);
  if (mode != EndMode::kReturn) guard.WaitForStop();
  return guard.Shutdown();
}

// In the test: the counts line of a child's stdout.
inline std::optional<Counts> ParseCounts(const std::string& out) {
  const size_t at = out.rfind("counts sent=");
  if (at == std::string::npos) return std::nullopt;
  Counts c;
  long long sent = 0, received = 0;
  if (std::sscanf(out.c_str() + at, "counts sent=%lld received=%lld", &sent,
                  &received) != 2) {
    return std::nullopt;
  }
  c.sent = sent;
  c.received = received;
  return c;
}

}  // namespace orderly

#endif  // ORDERLY_TESTS_ADAPTERS_END_MODES_H_
