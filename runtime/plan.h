// Copyright 2026 The orderly Authors.
//
// plan.h: the order a shutdown sequence would run, computed before any stop.
//
// `Runtime::Plan()` returns a `ShutdownPlan`: the phases in order; in
// `threads`, the live registrations in the order their terminate callbacks
// will run (reverse creation order) and which of them will be joined; in
// every other phase, the cleanups in the order they will run (dependents
// before their dependencies, last-registered first within a component).
// Print it in a test or a code review to see the order before it matters:
//
//   EXPECT_EQ(runtime.Plan().ToText(), R"(...)");
//
// A plan is a snapshot: registrations and declarations after it are not in it.

#ifndef ORDERLY_RUNTIME_PLAN_H_
#define ORDERLY_RUNTIME_PLAN_H_

#include "runtime/version.h"  // First: checks for C++17.

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace orderly {

// The phases every runtime starts with, in the order they run (DESIGN.md,
// "Phase"). `threads` is built in: it runs the terminate callbacks and the
// joins, and takes no cleanups. A service adds its own phases around these
// (Runtime::AddPhase) and registers cleanups by these names:
//
//   component->AddCleanup(orderly::kFlushPhase, "write-back", [&] { ... });
inline constexpr absl::string_view kDrainPhase = "drain";
inline constexpr absl::string_view kThreadsPhase = "threads";
inline constexpr absl::string_view kFlushPhase = "flush";
inline constexpr absl::string_view kClosePhase = "close";
inline constexpr absl::string_view kReleasePhase = "release";

struct PlannedCleanup {
  std::string component;
  std::string name;
  absl::Duration budget = absl::InfiniteDuration();
};

struct PlannedThread {
  std::string name;
  bool daemon = false;
};

struct PlannedPhase {
  std::string name;
  absl::Duration budget = absl::InfiniteDuration();
  bool is_threads = false;             // The built-in `threads` phase.
  std::vector<PlannedThread> threads;  // `threads` only: terminate order.
  std::vector<PlannedCleanup> cleanups;
};

struct ShutdownPlan {
  std::vector<PlannedPhase> phases;

  // One line per phase, then one indented line per step, for example:
  //   phase drain
  //     cleanup server/stop-accepting
  //   phase threads
  //     terminate worker-2
  //     terminate metrics (daemon)
  //     join worker-2
  std::string ToText() const;
};

}  // namespace orderly

#endif  // ORDERLY_RUNTIME_PLAN_H_
