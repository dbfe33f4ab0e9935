// Copyright 2026 The orderly Authors.
//
// The building blocks next to their baselines, in one binary (timings on a
// shared 2-core machine are noisy: compare neighbours, see README-blocks.md).
//
//   BM_Push_*   one producer's cost of a push, consumer running meanwhile.
//   BM_Drain_*  per-item cost of processing 1,000,000 queued items at once.
//   BM_Pool_*   1,000,000 empty tasks through 2 workers, submit to done.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include "absl/synchronization/notification.h"
#include "benchmark/benchmark.h"
#include "blocks/background_consumer.h"
#include "runtime/runtime.h"
#include "blocks/thread_pool.h"

namespace orderly {
namespace {

constexpr int kDrainItems = 1000000;
constexpr int kPoolTasks = 1000000;

// --- Baselines -------------------------------------------------------------

// The usual consumer: mutex + condvar + deque, one item per lock.
class MutexCondvarConsumer {
 public:
  explicit MutexCondvarConsumer(std::function<void(int)> handler)
      : handler_(std::move(handler)), thread_([this] { Run(); }) {}
  ~MutexCondvarConsumer() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  void Push(int v) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.push_back(v);
    }
    cv_.notify_one();
  }

 private:
  void Run() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      cv_.wait(lock, [this] { return done_ || !queue_.empty(); });
      if (queue_.empty()) return;
      int v = queue_.front();
      queue_.pop_front();
      lock.unlock();
      handler_(v);
      lock.lock();
    }
  }
  std::function<void(int)> handler_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<int> queue_;
  bool done_ = false;
  std::thread thread_;
};

// The usual pool: mutex + condvar + deque of std::function; the destructor
// runs what is queued, then joins.
class MutexCondvarPool {
 public:
  explicit MutexCondvarPool(int n) {
    for (int i = 0; i < n; ++i) threads_.emplace_back([this] { Run(); });
  }
  ~MutexCondvarPool() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
  }
  void Post(std::function<void()> task) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.push_back(std::move(task));
    }
    cv_.notify_one();
  }

 private:
  void Run() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      cv_.wait(lock, [this] { return done_ || !queue_.empty(); });
      if (queue_.empty()) return;
      std::function<void()> task = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      task();
      lock.lock();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool done_ = false;
  std::vector<std::thread> threads_;
};

// --- Push --------------------------------------------------------------------

void BM_Push_BackgroundConsumer(benchmark::State& state) {
  int64_t sum = 0;
  Runtime rt;
  BackgroundConsumerOptions<int> options;
  options.runtime = &rt;
  auto consumer = BackgroundConsumer<int>::Create(
      "bench", [&sum](int&& v) { sum += v; }, std::move(options));
  int i = 0;
  for (auto _ : state) {
    (*consumer)->Push(i++).IgnoreError();
  }
  (*consumer)->Close();
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Push_BackgroundConsumer)->UseRealTime();

void BM_Push_MutexCondvarDeque(benchmark::State& state) {
  int64_t sum = 0;
  {
    MutexCondvarConsumer consumer([&sum](int v) { sum += v; });
    int i = 0;
    for (auto _ : state) consumer.Push(i++);
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Push_MutexCondvarDeque)->UseRealTime();

// --- Drain at shutdown ------------------------------------------------------

// 1,000,000 items wait in the queue when the runtime shuts down; the time is
// that of the `flush` cleanup that drains them (from the report).
void BM_Drain_BackgroundConsumerAtShutdown(benchmark::State& state) {
  for (auto _ : state) {
    absl::Notification entered, gate;
    int64_t sum = 0;
    absl::Duration drain;
    {
      Runtime rt;
      // Terminated after the consumer (older): opens the gate once the
      // consumer thread was told to stop, so `flush` gets every item.
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

// --- Pools -------------------------------------------------------------------

// Every task BLOCK_SHUTDOWN: the accounting word is touched at submission
// and completion; destroying the pool waits for all of them.
void BM_Pool_Orderly_BlockShutdown(benchmark::State& state) {
  for (auto _ : state) {
    Runtime rt;
    ThreadPoolOptions options;
    options.runtime = &rt;
    options.num_threads = 2;
    auto pool = ThreadPool::Create("bench", options);
    for (int i = 0; i < kPoolTasks; ++i) {
      (*pool)->Post(ShutdownBehavior::kBlockShutdown, [] {}).IgnoreError();
    }
    pool->reset();  // Runs all, joins both workers.
  }
  state.SetItemsProcessed(state.iterations() * kPoolTasks);
}
BENCHMARK(BM_Pool_Orderly_BlockShutdown)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// SKIP_ON_SHUTDOWN (the default in Chromium): counted when each task starts.
// A BLOCK_SHUTDOWN task at the end would not wait for the others (2
// workers), so every task counts down and the last one opens `done`.
void BM_Pool_Orderly_SkipOnShutdown(benchmark::State& state) {
  for (auto _ : state) {
    Runtime rt;
    ThreadPoolOptions options;
    options.runtime = &rt;
    options.num_threads = 2;
    auto pool = ThreadPool::Create("bench", options);
    std::atomic<int> left{kPoolTasks};
    absl::Notification done;
    for (int i = 0; i < kPoolTasks; ++i) {
      (*pool)
          ->Post(ShutdownBehavior::kSkipOnShutdown,
                 [&] {
                   if (left.fetch_sub(1, std::memory_order_acq_rel) == 1) {
                     done.Notify();
                   }
                 })
          .IgnoreError();
    }
    done.WaitForNotification();
    pool->reset();
  }
  state.SetItemsProcessed(state.iterations() * kPoolTasks);
}
BENCHMARK(BM_Pool_Orderly_SkipOnShutdown)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void BM_Pool_MutexCondvar(benchmark::State& state) {
  for (auto _ : state) {
    MutexCondvarPool pool(2);
    for (int i = 0; i < kPoolTasks; ++i) pool.Post([] {});
  }  // Runs all, joins.
  state.SetItemsProcessed(state.iterations() * kPoolTasks);
}
BENCHMARK(BM_Pool_MutexCondvar)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_Pool_BoostAsio(benchmark::State& state) {
  for (auto _ : state) {
    boost::asio::thread_pool pool(2);
    for (int i = 0; i < kPoolTasks; ++i) boost::asio::post(pool, [] {});
    pool.join();  // Runs all, joins.
  }
  state.SetItemsProcessed(state.iterations() * kPoolTasks);
}
BENCHMARK(BM_Pool_BoostAsio)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace orderly
