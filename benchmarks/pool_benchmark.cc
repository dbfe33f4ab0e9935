// Copyright 2026 The orderly Authors.
//
// ThreadPool beside the pools a user would pick instead, in one binary:
// the hand-written mutex + condvar pool, boost::asio::thread_pool and
// oneTBB's task_arena::enqueue. Every pool gets the same work: 1,000,000
// copies of one task body (count down; the last opens a notification),
// 2 workers, posted by 1 or 4 submitting threads (the /1 and /4 suffix).
// The time runs from the first submission to the last task done; creating
// and joining the pool is outside it. Figures: README.md, tools/bench_table.py.

#include <atomic>
#include <memory>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include "absl/synchronization/notification.h"
#include "benchmark/benchmark.h"
#include "benchmarks/baselines.h"
#include "blocks/thread_pool.h"
#include "runtime/runtime.h"

namespace orderly {
namespace {

constexpr int kPoolTasks = 1000000;
constexpr int kWorkers = 2;

// The one task body every pool runs.
struct CountDown {
  std::atomic<int> left{kPoolTasks};
  absl::Notification done;
  void Tick() {
    if (left.fetch_sub(1, std::memory_order_acq_rel) == 1) done.Notify();
  }
};

// Posts kPoolTasks copies of the task through `post` from `submitters`
// threads and waits for the last; sets the iteration's time.
template <typename Post>
void RunOnce(benchmark::State& state, CountDown& count, Post post) {
  const int submitters = static_cast<int>(state.range(0));
  const int per = kPoolTasks / submitters;
  const double seconds = bench::TimedOnThreads(
      submitters,
      [&](int) {
        for (int i = 0; i < per; ++i) post([c = &count] { c->Tick(); });
      },
      [&] { count.done.WaitForNotification(); });
  state.SetIterationTime(seconds);
}

void PoolArgs(benchmark::internal::Benchmark* b) {
  b->UseManualTime()->Unit(benchmark::kMillisecond)->Arg(1)->Arg(4);
}

// BLOCK_SHUTDOWN: the accounting word is touched at submission and
// completion (workers subtract in batches).
void BM_Pool_Orderly_BlockShutdown(benchmark::State& state) {
  for (auto _ : state) {
    Runtime rt;
    ThreadPoolOptions options;
    options.runtime = &rt;
    options.num_threads = kWorkers;
    auto pool = ThreadPool::Create("bench", options);
    CountDown count;
    RunOnce(state, count, [&](auto task) {
      (*pool)->Post(ShutdownBehavior::kBlockShutdown, std::move(task))
          .IgnoreError();
    });
  }
  state.SetItemsProcessed(state.iterations() * kPoolTasks);
}
BENCHMARK(BM_Pool_Orderly_BlockShutdown)->Apply(PoolArgs);

// SKIP_ON_SHUTDOWN (Chromium's default): counted when each task starts.
void BM_Pool_Orderly_SkipOnShutdown(benchmark::State& state) {
  for (auto _ : state) {
    Runtime rt;
    ThreadPoolOptions options;
    options.runtime = &rt;
    options.num_threads = kWorkers;
    auto pool = ThreadPool::Create("bench", options);
    CountDown count;
    RunOnce(state, count, [&](auto task) {
      (*pool)->Post(ShutdownBehavior::kSkipOnShutdown, std::move(task))
          .IgnoreError();
    });
  }
  state.SetItemsProcessed(state.iterations() * kPoolTasks);
}
BENCHMARK(BM_Pool_Orderly_SkipOnShutdown)->Apply(PoolArgs);

void BM_Pool_MutexCondvar(benchmark::State& state) {
  for (auto _ : state) {
    bench::MutexCondvarPool pool(kWorkers);
    CountDown count;
    RunOnce(state, count, [&](auto task) { pool.Post(std::move(task)); });
  }
  state.SetItemsProcessed(state.iterations() * kPoolTasks);
}
BENCHMARK(BM_Pool_MutexCondvar)->Apply(PoolArgs);

void BM_Pool_BoostAsio(benchmark::State& state) {
  for (auto _ : state) {
    boost::asio::thread_pool pool(kWorkers);
    CountDown count;
    RunOnce(state, count,
            [&](auto task) { boost::asio::post(pool, std::move(task)); });
    pool.join();
  }
  state.SetItemsProcessed(state.iterations() * kPoolTasks);
}
BENCHMARK(BM_Pool_BoostAsio)->Apply(PoolArgs);

// oneTBB: an arena of 2 worker slots, none reserved for the submitting
// thread (so 2 workers run tasks, as in the other pools); the global limit
// lets TBB keep 2 workers on a 2-core machine (its default is cores - 1).
void BM_Pool_OneTbbArenaEnqueue(benchmark::State& state) {
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism,
                            kWorkers + 1);
  for (auto _ : state) {
    tbb::task_arena arena(kWorkers, /*reserved_for_masters=*/0);
    arena.initialize();
    CountDown count;
    RunOnce(state, count, [&](auto task) { arena.enqueue(std::move(task)); });
  }
  state.SetItemsProcessed(state.iterations() * kPoolTasks);
}
BENCHMARK(BM_Pool_OneTbbArenaEnqueue)->Apply(PoolArgs);

}  // namespace
}  // namespace orderly
