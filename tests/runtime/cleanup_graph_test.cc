// Copyright 2026 The orderly Authors.
//
// The cleanup graph (runtime/internal/cleanup_graph.h), through the runtime
// that declares into it: phase order, dependents first, last-registered
// first; bad declarations refused with the name or the cycle.

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/runtime.h"
#include "tests/runtime/sequence_fixture.h"
#include "tests/test_util.h"

namespace orderly {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(CleanupGraphTest, CleanupsRunInPhaseOrderDependentsFirstLifo) {
  EventLog log;
  Runtime rt;
  ASSERT_TRUE(rt.AddPhase("final", PhasePlacement::After("release")).ok());
  ASSERT_TRUE(rt.AddPhase("pre", PhasePlacement::Before("drain")).ok());
  ASSERT_TRUE(rt.AddComponent("log").ok());
  ASSERT_TRUE(rt.AddComponent("store", {"log"}).ok());
  ASSERT_TRUE(rt.AddComponent("server", {"store"}).ok());
  auto add = [&](const char* component, const char* phase, const char* name) {
    ASSERT_TRUE(rt.AddCleanup(component, phase, name, [&log, component, name] {
                    log.Add(absl::StrCat(component, "/", name));
                  }).ok());
  };
  add("log", "flush", "flush-1");
  add("log", "flush", "flush-2");  // LIFO: runs before flush-1.
  add("store", "flush", "sync");
  add("server", "drain", "stop-accepting");
  add("store", "close", "close-db");
  add("log", "close", "close-file");
  add("server", "pre", "unready");
  add("log", "final", "last-words");
  const std::string plan = rt.Plan().ToText();
  EXPECT_EQ(plan,
            "phase pre\n"
            "  cleanup server/unready\n"
            "phase drain\n"
            "  cleanup server/stop-accepting\n"
            "phase threads\n"
            "phase flush\n"
            "  cleanup store/sync\n"
            "  cleanup log/flush-2\n"
            "  cleanup log/flush-1\n"
            "phase close\n"
            "  cleanup store/close-db\n"
            "  cleanup log/close-file\n"
            "phase release\n"
            "phase final\n"
            "  cleanup log/last-words\n");
  auto report = MustShutdown(rt);
  EXPECT_THAT(log.Take(),
              ElementsAre("server/unready", "server/stop-accepting",
                          "store/sync", "log/flush-2", "log/flush-1",
                          "store/close-db", "log/close-file",
                          "log/last-words"));
  EXPECT_TRUE(report->ok()) << report->ToText();
  std::vector<std::string> phases;
  for (const PhaseRecord& p : report->phases) phases.push_back(p.name);
  EXPECT_THAT(phases, ElementsAre("pre", "drain", "threads", "flush", "close",
                                  "release", "final"));
}

TEST(CleanupGraphTest, BadDeclarationsAreRefusedWithNames) {
  Runtime rt;
  ASSERT_TRUE(rt.AddComponent("a").ok());
  ASSERT_TRUE(rt.AddComponent("b", {"a"}).ok());
  ASSERT_TRUE(rt.AddComponent("c", {"b"}).ok());

  absl::Status cycle = rt.AddDependency("a", "c");
  EXPECT_EQ(cycle.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(cycle.message(), HasSubstr("dependency cycle: a -> c -> b -> a"));
  EXPECT_THAT(rt.AddDependency("a", "a").message(),
              HasSubstr("dependency cycle: a -> a"));

  absl::Status unknown_dep = rt.AddComponent("d", {"nope"}).status();
  EXPECT_EQ(unknown_dep.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(unknown_dep.message(), HasSubstr("\"nope\""));

  absl::Status dup = rt.AddComponent("a").status();
  EXPECT_EQ(dup.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(dup.message(), HasSubstr("\"a\""));

  EXPECT_EQ(rt.AddComponent("").status().code(),
            absl::StatusCode::kInvalidArgument);

  absl::Status unknown_phase = rt.AddCleanup("a", "flsh", "x", [] {});
  EXPECT_EQ(unknown_phase.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(unknown_phase.message(),
              HasSubstr("unknown phase \"flsh\"; phases are: drain, threads, "
                        "flush, close, release"));

  absl::Status unknown_component = rt.AddCleanup("zz", "flush", "x", [] {});
  EXPECT_EQ(unknown_component.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(unknown_component.message(), HasSubstr("\"zz\""));

  EXPECT_EQ(rt.AddCleanup("a", "threads", "x", [] {}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(rt.AddCleanup("a", "flush", "", [] {}).code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(rt.AddCleanup("a", "flush", "x", [] {}).ok());
  absl::Status dup_cleanup = rt.AddCleanup("a", "close", "x", [] {});
  EXPECT_EQ(dup_cleanup.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(dup_cleanup.message(), HasSubstr("\"x\""));

  EXPECT_EQ(rt.AddPhase("flush", PhasePlacement::After("drain")).code(),
            absl::StatusCode::kAlreadyExists);
  absl::Status bad_anchor = rt.AddPhase("p", PhasePlacement::After("nope"));
  EXPECT_EQ(bad_anchor.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(bad_anchor.message(), HasSubstr("\"nope\""));
  EXPECT_EQ(rt.AddPhase("", PhasePlacement::After("drain")).code(),
            absl::StatusCode::kInvalidArgument);

  EXPECT_EQ(rt.RegisterThread("").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace orderly
