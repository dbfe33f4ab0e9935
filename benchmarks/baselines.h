// Copyright 2026 The orderly Authors.
//
// The hand-written baselines of blocks_benchmark: what a user writes when
// they write it themselves. The anchors from libraries (oneTBB, Boost.Asio,
// moodycamel, spdlog) are used directly in the benchmark files.

#ifndef ORDERLY_BENCHMARKS_BASELINES_H_
#define ORDERLY_BENCHMARKS_BASELINES_H_

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace orderly {
namespace bench {

// The usual consumer: mutex + condvar + deque, one item per lock. The
// destructor handles what is queued, then joins.
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

// Runs `work(k)` on `threads` threads at once (k = 0 .. threads-1; the
// calling thread itself when threads == 1) and returns the wall time from
// the common start to the moment `finished()` returns (called after every
// thread's work is done). Thread creation is outside the time.
template <typename Work, typename Finished>
double TimedOnThreads(int threads, Work work, Finished finished) {
  if (threads == 1) {
    const auto start = std::chrono::steady_clock::now();
    work(0);
    finished();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                         start)
        .count();
  }
  std::mutex mu;
  std::condition_variable cv;
  int ready = 0;
  bool go = false;
  std::vector<std::thread> pool;
  for (int k = 0; k < threads; ++k) {
    pool.emplace_back([&, k] {
      {
        std::unique_lock<std::mutex> lock(mu);
        ++ready;
        cv.notify_all();
        cv.wait(lock, [&] { return go; });
      }
      work(k);
    });
  }
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return ready == threads; });
  }
  const auto start = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(mu);
    go = true;
  }
  cv.notify_all();
  for (std::thread& t : pool) t.join();
  finished();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                       start)
      .count();
}

}  // namespace bench
}  // namespace orderly

#endif  // ORDERLY_BENCHMARKS_BASELINES_H_
