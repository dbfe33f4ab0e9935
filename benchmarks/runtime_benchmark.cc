// Copyright 2026 The orderly Authors.
//
// The core runtime's costs, each beside a baseline measured in the same run:
//   stop_requested()           vs a raw std::atomic<bool> acquire load
//   register + unregister      vs a std::mutex-guarded std::list insert/erase
//   shutdown of N threads      vs a hand-written set-flag/notify/join loop
//   bytes per registration     vs the std::list baseline's node
// Figures and the command: benchmarks/README.md.

#include <pthread.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <list>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "benchmark/benchmark.h"
#include "runtime/runtime.h"

// Counts heap allocations and bytes, to show the registration path allocates
// nothing in steady state (the benchmark binary only; orderly itself never
// replaces operator new).
namespace {
std::atomic<int64_t> g_allocations{0};
std::atomic<int64_t> g_allocated_bytes{0};
}  // namespace

void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  g_allocated_bytes.fetch_add(static_cast<int64_t>(size),
                              std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t size, std::align_val_t align) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  g_allocated_bytes.fetch_add(static_cast<int64_t>(size),
                              std::memory_order_relaxed);
  void* p = nullptr;
  if (posix_memalign(&p, static_cast<size_t>(align), size) != 0) {
    throw std::bad_alloc();
  }
  return p;
}
// g++ 12 at -O2 takes free() in a replaced operator delete for a mismatch
// with operator new (GCC bug 103993); the pairs above are matched.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

namespace orderly {
namespace {

// Every benchmark here runs in a multi-threaded process. glibc runs a
// process that has never had a second thread on fast paths (malloc and
// free without their atomic operations) and leaves them for good when one
// starts; orderly's runtime starts its sequencer. A registry of threads is
// only ever used with threads, and without this the order decided the
// baseline: mutex + std::list took 27 ns per register + unregister when it
// ran first in its process and 49 ns after BM_RegisterUnregister.
const bool kMultiThreaded = [] {
  std::thread([] {}).join();
  return true;
}();

// --- stop_requested() ------------------------------------------------------

void BM_StopRequested(benchmark::State& state) {
  Runtime rt;
  for (auto _ : state) benchmark::DoNotOptimize(rt.stop_requested());
}
BENCHMARK(BM_StopRequested);

void BM_StopRequested_Baseline_AtomicLoad(benchmark::State& state) {
  std::atomic<bool> flag{false};
  for (auto _ : state) {
    benchmark::DoNotOptimize(flag.load(std::memory_order_acquire));
  }
}
BENCHMARK(BM_StopRequested_Baseline_AtomicLoad);

// The same flag read through a runtime's StopToken (a null check, then the
// one acquire load).
void BM_StopToken_StopRequested(benchmark::State& state) {
  Runtime rt;
  const StopToken token = rt.stop_token();
  for (auto _ : state) benchmark::DoNotOptimize(token.stop_requested());
}
BENCHMARK(BM_StopToken_StopRequested);

// --- StopCallback register + deregister ------------------------------------

// A StopCallback on a standalone StopSource, constructed and destroyed; the
// allocations per iteration are reported.
void BM_StopCallback_RegisterDeregister(benchmark::State& state) {
  StopSource source;
  const StopToken token = source.token();
  int calls = 0;
  const int64_t before = g_allocations.load(std::memory_order_relaxed);
  for (auto _ : state) {
    StopCallback cb(token, [&calls] { ++calls; });
    benchmark::DoNotOptimize(&cb);
  }
  state.counters["allocs/iter"] = benchmark::Counter(
      static_cast<double>(g_allocations.load(std::memory_order_relaxed) -
                          before) /
      static_cast<double>(state.iterations()));
  benchmark::DoNotOptimize(calls);
}
BENCHMARK(BM_StopCallback_RegisterDeregister);

// --- register + unregister -------------------------------------------------

// What a hand-written registry would do: a list under a mutex.
struct ListRegistry {
  struct Entry {
    std::string name;
    bool daemon;
    absl::AnyInvocable<void()> on_terminate;
  };
  std::mutex mu;
  std::list<Entry> entries;
};

Runtime* SharedRuntime() {
  static Runtime* const rt = new Runtime();  // Shared by benchmark threads.
  return rt;
}
ListRegistry* SharedList() {
  static ListRegistry* const list = new ListRegistry();
  return list;
}

void BM_RegisterUnregister(benchmark::State& state) {
  Runtime* rt = SharedRuntime();
  int flag = 0;
  const int64_t allocations_before = g_allocations.load();
  for (auto _ : state) {
    ThreadOptions options;
    options.on_terminate = [&flag] { flag = 1; };  // Fits inline storage.
    auto reg = rt->RegisterThread("bench-worker", std::move(options));
    benchmark::DoNotOptimize(reg);
  }
  if (state.thread_index() == 0) {
    state.counters["allocs_per_op"] = benchmark::Counter(
        static_cast<double>(g_allocations.load() - allocations_before) /
        static_cast<double>(state.iterations()));
  }
}
BENCHMARK(BM_RegisterUnregister)->Threads(1)->Threads(2);

void BM_RegisterUnregister_Baseline_MutexList(benchmark::State& state) {
  ListRegistry* list = SharedList();
  int flag = 0;
  for (auto _ : state) {
    std::list<ListRegistry::Entry>::iterator it;
    {
      std::lock_guard<std::mutex> lock(list->mu);
      it = list->entries.insert(
          list->entries.end(),
          ListRegistry::Entry{"bench-worker", false, [&flag] { flag = 1; }});
    }
    benchmark::DoNotOptimize(it);
    std::lock_guard<std::mutex> lock(list->mu);
    list->entries.erase(it);
  }
}
BENCHMARK(BM_RegisterUnregister_Baseline_MutexList)->Threads(1)->Threads(2);

// --- bytes per registration -------------------------------------------------

void BM_BytesPerRegistration(benchmark::State& state) {
  constexpr int kLive = 10000;
  for (auto _ : state) {
    Runtime rt;
    std::vector<ThreadRegistration> regs;
    regs.reserve(kLive);
    const int64_t before = g_allocated_bytes.load();
    for (int i = 0; i < kLive; ++i) {
      regs.push_back(*rt.RegisterThread("bench-worker"));
    }
    // Registry storage, plus the handle each owner keeps.
    state.counters["bytes_per_registration"] =
        static_cast<double>(g_allocated_bytes.load() - before) / kLive +
        sizeof(ThreadRegistration);
    regs.clear();
  }
}
BENCHMARK(BM_BytesPerRegistration)->Iterations(3)->Unit(benchmark::kMillisecond);

void BM_BytesPerRegistration_Baseline_MutexList(benchmark::State& state) {
  constexpr int kLive = 10000;
  for (auto _ : state) {
    ListRegistry list;
    std::vector<std::list<ListRegistry::Entry>::iterator> its;
    its.reserve(kLive);
    const int64_t before = g_allocated_bytes.load();
    for (int i = 0; i < kLive; ++i) {
      std::lock_guard<std::mutex> lock(list.mu);
      its.push_back(list.entries.insert(
          list.entries.end(), ListRegistry::Entry{"bench-worker", false, {}}));
    }
    state.counters["bytes_per_registration"] =
        static_cast<double>(g_allocated_bytes.load() - before) / kLive +
        sizeof(its[0]);
  }
}
BENCHMARK(BM_BytesPerRegistration_Baseline_MutexList)
    ->Iterations(3)
    ->Unit(benchmark::kMillisecond);

// --- shutdown latency of N threads -----------------------------------------

// A thread blocked on its own condition variable until told to stop.
struct Sleeper {
  std::mutex mu;
  std::condition_variable cv;
  bool stop = false;
  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu);
      stop = true;
    }
    cv.notify_one();
  }
  void Wait() {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [this] { return stop; });
  }
};

// Time from Shutdown() to the last thread joined, with orderly.
void BM_ShutdownThreads(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  for (auto _ : state) {
    auto rt = std::make_unique<Runtime>();
    std::vector<std::unique_ptr<Sleeper>> sleepers;
    std::vector<std::thread> threads;
    std::atomic<int> registered{0};
    absl::Notification all_registered;
    for (int i = 0; i < n; ++i) {
      sleepers.push_back(std::make_unique<Sleeper>());
      Sleeper* s = sleepers.back().get();
      threads.emplace_back([&rt, s, n, &registered, &all_registered] {
        ThreadOptions options;
        options.on_terminate = [s] { s->Stop(); };
        auto reg = rt->RegisterThread("sleeper", std::move(options));
        if (registered.fetch_add(1) + 1 == n) all_registered.Notify();
        s->Wait();
      });
    }
    all_registered.WaitForNotification();
    const absl::Time start = absl::Now();
    auto report = rt->Shutdown();
    for (std::thread& t : threads) t.join();
    state.SetIterationTime(absl::ToDoubleSeconds(absl::Now() - start));
    if (!report.ok() || !(*report)->ok()) state.SkipWithError("not clean");
  }
  state.counters["us_per_thread"] = benchmark::Counter(
      static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate |
                                  benchmark::Counter::kInvert);
}

// The same by hand: set the flags, notify in reverse order, join.
void BM_ShutdownThreads_Baseline_HandWritten(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  for (auto _ : state) {
    std::vector<std::unique_ptr<Sleeper>> sleepers;
    std::vector<std::thread> threads;
    std::atomic<int> started{0};
    absl::Notification all_started;
    for (int i = 0; i < n; ++i) {
      sleepers.push_back(std::make_unique<Sleeper>());
      Sleeper* s = sleepers.back().get();
      threads.emplace_back([s, n, &started, &all_started] {
        if (started.fetch_add(1) + 1 == n) all_started.Notify();
        s->Wait();
      });
    }
    all_started.WaitForNotification();
    const absl::Time start = absl::Now();
    for (int i = n - 1; i >= 0; --i) sleepers[i]->Stop();
    for (int i = n - 1; i >= 0; --i) threads[i].join();
    state.SetIterationTime(absl::ToDoubleSeconds(absl::Now() - start));
  }
  state.counters["us_per_thread"] = benchmark::Counter(
      static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate |
                                  benchmark::Counter::kInvert);
}

void ShutdownSizes(benchmark::internal::Benchmark* b) {
  b->UseManualTime()->Unit(benchmark::kMillisecond);
  b->Arg(1)->Arg(100)->Arg(1000)->Arg(4000);
  b->Iterations(10);
}
BENCHMARK(BM_ShutdownThreads)->Apply(ShutdownSizes);
BENCHMARK(BM_ShutdownThreads_Baseline_HandWritten)->Apply(ShutdownSizes);

}  // namespace
}  // namespace orderly
