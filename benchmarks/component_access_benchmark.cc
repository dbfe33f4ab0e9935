// Copyright 2026 The orderly Authors.
//
// ComponentAccess::TryUse() + the end of the use (runtime/component_access.h)
// beside the two things a user would write instead: an atomic reference
// count (fetch_add / fetch_sub, what a shared_ptr copy costs) and a
// std::shared_mutex read lock (lock_shared / unlock_shared). Each on one
// thread (uncontended) and on two threads sharing the one counter.
//
//   bazel run --config=opt //benchmarks:component_access_benchmark --
//       --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
// (one command line; a trailing backslash here would be a multi-line
// comment, which g++ -Wcomment rejects under -Werror)

#include <atomic>
#include <cstdint>
#include <shared_mutex>

#include "benchmark/benchmark.h"
#include "runtime/component_access.h"
#include "runtime/runtime.h"

namespace {

void BM_ComponentAccessTryUse(benchmark::State& state) {
  static orderly::Runtime* rt = new orderly::Runtime();
  static orderly::ComponentAccess* access = [] {
    auto c = rt->AddComponent("bench");
    return new orderly::ComponentAccess(*c->Access());
  }();
  int64_t refused = 0;
  for (auto _ : state) {
    orderly::ComponentAccess::Use use = access->TryUse();
    if (!use) ++refused;
    benchmark::DoNotOptimize(use);
  }
  if (refused != 0) state.SkipWithError("a use was refused");
}
BENCHMARK(BM_ComponentAccessTryUse)->Threads(1)->Threads(2);

// Baseline: an atomic reference count, incremented and decremented.
void BM_AtomicRefcount(benchmark::State& state) {
  static std::atomic<int64_t> count{0};
  for (auto _ : state) {
    count.fetch_add(1, std::memory_order_acquire);
    benchmark::ClobberMemory();
    count.fetch_sub(1, std::memory_order_release);
  }
}
BENCHMARK(BM_AtomicRefcount)->Threads(1)->Threads(2);

// Baseline: a reader-writer lock taken for reading.
void BM_SharedMutexReadLock(benchmark::State& state) {
  static std::shared_mutex mu;
  for (auto _ : state) {
    mu.lock_shared();
    benchmark::ClobberMemory();
    mu.unlock_shared();
  }
}
BENCHMARK(BM_SharedMutexReadLock)->Threads(1)->Threads(2);

}  // namespace
