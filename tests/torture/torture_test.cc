// Copyright 2026 The orderly Authors.
//
// The torture suite (issue #7): randomized shutdowns with injected faults,
// each checked against the invariants of DESIGN.md (invariants.h). Every
// round is a fresh Runtime built from one seed (scenario.h); a failure
// prints the seed, the scenario, the report and the command that replays it.
//
//   ORDERLY_TORTURE_SEED=123     replay one seed (with --test_env=...)
//   ORDERLY_TORTURE_SEEDS=10000  run that many seeds, from seed 1, cut into
//                                kShards ranges (one per Bazel shard)
// README.md says how many seeds CI runs under each configuration.

#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/torture/invariants.h"
#include "tests/torture/scenario.h"
#include "tests/torture/scenario_runner.h"

namespace orderly {
namespace torture {
namespace {

// CI's seeds: sized so that the test takes well under two minutes under
// TSan on two cores (README.md has the measured times).
#if defined(ORDERLY_SANITIZER_BUILD)
constexpr uint64_t kDefaultSeeds = 800;
#else
constexpr uint64_t kDefaultSeeds = 1000;
#endif

uint64_t EnvOr(const char* name, uint64_t otherwise) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::strtoull(value, nullptr, 10)
                                            : otherwise;
}

// Runs one seed; returns false (after reporting why) if it broke anything.
bool RunSeed(uint64_t seed) {
  const Scenario scenario = Scenario::Generate(seed);
  Observed observed;
  {
    Round round(scenario);
    observed = round.Run();
  }
  const std::vector<std::string> broken = CheckInvariants(scenario, observed);
  if (broken.empty()) return true;
  ADD_FAILURE() << "torture seed " << seed << " broke "
                << broken.size() << " invariant(s):\n  "
                << absl::StrJoin(broken, "\n  ") << "\n"
                << scenario.Describe()
                << (observed.report != nullptr ? observed.report->ToText()
                                               : std::string("(no report)\n"))
                << "replay: bazel test //tests/torture:torture_test "
                   "--test_env=ORDERLY_TORTURE_SEED="
                << seed;
  return false;
}

// The seeds are cut into kShards ranges, one test each; BUILD's shard_count
// equals kShards, so each Bazel shard runs one range (gtest hands shard i
// the i-th test), and a plain run runs them all, one after the other.
constexpr int kShards = 4;

class TortureTest : public ::testing::TestWithParam<int> {};

TEST_P(TortureTest, RandomizedShutdownsKeepTheirInvariants) {
  if (const uint64_t seed = EnvOr("ORDERLY_TORTURE_SEED", 0); seed != 0) {
    if (GetParam() == 0) RunSeed(seed);
    return;
  }
  const uint64_t seeds = EnvOr("ORDERLY_TORTURE_SEEDS", kDefaultSeeds);
  const uint64_t shard = static_cast<uint64_t>(GetParam());
  const uint64_t first = shard * seeds / kShards + 1;
  const uint64_t last = (shard + 1) * seeds / kShards;
  const absl::Time start = absl::Now();
  for (uint64_t seed = first; seed <= last; ++seed) {
    if (!RunSeed(seed)) return;  // The first failing seed is enough.
  }
  std::cout << "torture seeds " << first << ".." << last << " in "
            << absl::FormatDuration(absl::Now() - start) << "\n";
}

INSTANTIATE_TEST_SUITE_P(SeedRanges, TortureTest, ::testing::Range(0, kShards));

}  // namespace
}  // namespace torture
}  // namespace orderly
