// Copyright 2026 The orderly Authors.
//
// BackgroundConsumer beside the queues a user would pick instead, in one
// binary: the hand-written mutex + condvar + deque, moodycamel's
// BlockingConcurrentQueue and spdlog's details::mpmc_blocking_queue (the
// queue behind spdlog's async logger).
//
//   BM_Push_*/P   1,000,000 ints pushed by P producers (P = 1, 4) while one
//                 consumer thread sums them: the time runs from the first
//                 push to the last push returned (per item: the producers'
//                 cost); the consumer then takes the rest, outside the time.
//   BM_Drain_*    per-item cost of handling 1,000,000 queued items at once.

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include <concurrentqueue/blockingconcurrentqueue.h>
#include <spdlog/common.h>  // SPDLOG_NOEXCEPT, which circular_q.h uses.
#include <spdlog/details/mpmc_blocking_q.h>

#include "absl/synchronization/notification.h"
#include "benchmark/benchmark.h"
#include "benchmarks/baselines.h"
#include "blocks/background_consumer.h"
#include "runtime/runtime.h"

namespace orderly {
namespace {

constexpr int kPushItems = 1000000;
constexpr int kCapacity = 65536;  // BackgroundConsumer's default; spdlog's too.
constexpr int kDrainItems = 1000000;

// What every consumer does with an item (on its one consumer thread).
struct Sink {
  int64_t sum = 0;
  int64_t count = 0;
  absl::Notification done;
  void Take(int v) {
    sum += v;
    if (++count == kPushItems) done.Notify();
  }
};

// Pushes kPushItems ints through `push` from state.range(0) producers; sets
// the iteration's time to the producers' span.
template <typename Push>
void ProduceOnce(benchmark::State& state, Push push) {
  const int producers = static_cast<int>(state.range(0));
  const int per = kPushItems / producers;
  state.SetIterationTime(bench::TimedOnThreads(
      producers,
      [&](int k) {
        for (int i = 0; i < per; ++i) push(k * per + i);
      },
      [] {}));
}

void PushArgs(benchmark::internal::Benchmark* b) {
  b->UseManualTime()->Unit(benchmark::kMillisecond)->Arg(1)->Arg(4);
}

void BM_Push_BackgroundConsumer(benchmark::State& state) {
  for (auto _ : state) {
    Sink sink;
    Runtime rt;
    BackgroundConsumerOptions<int> options;
    options.runtime = &rt;
    options.capacity = kCapacity;
    auto consumer = BackgroundConsumer<int>::Create(
        "bench", [&sink](int&& v) { sink.Take(v); }, std::move(options));
    ProduceOnce(state, [&](int v) { (*consumer)->Push(v).IgnoreError(); });
    sink.done.WaitForNotification();
    (*consumer)->Close();
    benchmark::DoNotOptimize(sink.sum);
  }
  state.SetItemsProcessed(state.iterations() * kPushItems);
}
BENCHMARK(BM_Push_BackgroundConsumer)->Apply(PushArgs);

void BM_Push_MutexCondvarDeque(benchmark::State& state) {
  for (auto _ : state) {
    Sink sink;
    {
      bench::MutexCondvarConsumer consumer([&sink](int v) { sink.Take(v); });
      ProduceOnce(state, [&](int v) { consumer.Push(v); });
      sink.done.WaitForNotification();
    }
    benchmark::DoNotOptimize(sink.sum);
  }
  state.SetItemsProcessed(state.iterations() * kPushItems);
}
BENCHMARK(BM_Push_MutexCondvarDeque)->Apply(PushArgs);

// moodycamel: unbounded (enqueue allocates blocks as needed); the consumer
// takes up to 256 at a time, as its documentation advises for throughput.
void BM_Push_MoodycamelBlockingQueue(benchmark::State& state) {
  for (auto _ : state) {
    Sink sink;
    moodycamel::BlockingConcurrentQueue<int> queue;
    std::thread consumer([&] {
      int items[256];
      while (!sink.done.HasBeenNotified()) {
        const size_t n = queue.wait_dequeue_bulk(items, 256);
        for (size_t i = 0; i < n; ++i) sink.Take(items[i]);
      }
    });
    ProduceOnce(state, [&](int v) { queue.enqueue(v); });
    consumer.join();
    benchmark::DoNotOptimize(sink.sum);
  }
  state.SetItemsProcessed(state.iterations() * kPushItems);
}
BENCHMARK(BM_Push_MoodycamelBlockingQueue)->Apply(PushArgs);

// spdlog's async queue: a mutex, two condvars and a ring of kCapacity; a
// producer blocks when it is full, like BackgroundConsumer's kBlock.
void BM_Push_SpdlogMpmcBlockingQueue(benchmark::State& state) {
  for (auto _ : state) {
    Sink sink;
    spdlog::details::mpmc_blocking_queue<int> queue(kCapacity);
    std::thread consumer([&] {
      int v;
      while (!sink.done.HasBeenNotified()) {
        if (queue.dequeue_for(v, std::chrono::milliseconds(10))) sink.Take(v);
      }
    });
    ProduceOnce(state, [&](int v) { queue.enqueue(std::move(v)); });
    consumer.join();
    benchmark::DoNotOptimize(sink.sum);
  }
  state.SetItemsProcessed(state.iterations() * kPushItems);
}
BENCHMARK(BM_Push_SpdlogMpmcBlockingQueue)->Apply(PushArgs);

// --- Drain at shutdown ------------------------------------------------------

// 1,000,000 items wait in the queue when the runtime shuts down; the time is
// that of the `drain` step that handles them (from the report).
void BM_Drain_BackgroundConsumerAtShutdown(benchmark::State& state) {
  for (auto _ : state) {
    absl::Notification entered, gate;
    int64_t sum = 0;
    absl::Duration drain;
    {
      Runtime rt;
      // Terminated after the consumer (older): opens the gate once the
      // consumer thread was told to stop, so `drain` gets every item.
      ThreadOptions opener;
      opener.daemon = true;
      opener.on_terminate = [&gate] { gate.Notify(); };
      auto reg = rt.RegisterThread("gate", std::move(opener));
      BackgroundConsumerOptions<int> options;
      options.runtime = &rt;
      options.capacity = kDrainItems + 1;
      auto consumer = BackgroundConsumer<int>::Create(
          "bench",
          [&](int&& v) {
            if (v < 0) {
              entered.Notify();
              gate.WaitForNotification();
            }
            sum += v;
          },
          std::move(options));
      (*consumer)->Push(-1).IgnoreError();
      entered.WaitForNotification();
      for (int i = 0; i < kDrainItems; ++i) {
        (*consumer)->Push(i).IgnoreError();
      }
      auto report = rt.Shutdown();
      for (const StepRecord& s : (*report)->steps) {
        if (s.component == "bench" && s.name == "drain") drain = s.duration;
      }
      reg->Reset();
    }
    benchmark::DoNotOptimize(sum);
    state.SetIterationTime(absl::ToDoubleSeconds(drain));
  }
  state.SetItemsProcessed(state.iterations() * kDrainItems);
}
BENCHMARK(BM_Drain_BackgroundConsumerAtShutdown)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

// The usual drain: pop one item at a time under the lock.
void BM_Drain_MutexDequeOneByOne(benchmark::State& state) {
  for (auto _ : state) {
    std::mutex mu;
    std::deque<int> queue;
    std::function<void(int)> handler;
    int64_t sum = 0;
    handler = [&sum](int v) { sum += v; };
    for (int i = 0; i < kDrainItems; ++i) queue.push_back(i);
    const auto start = std::chrono::steady_clock::now();
    for (;;) {
      std::unique_lock<std::mutex> lock(mu);
      if (queue.empty()) break;
      int v = queue.front();
      queue.pop_front();
      lock.unlock();
      handler(v);
    }
    const auto end = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(sum);
    state.SetIterationTime(std::chrono::duration<double>(end - start).count());
  }
  state.SetItemsProcessed(state.iterations() * kDrainItems);
}
BENCHMARK(BM_Drain_MutexDequeOneByOne)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace orderly
