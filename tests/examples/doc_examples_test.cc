// Copyright 2026 The orderly Authors.
//
// The thread-registration examples of runtime/thread_registration.h and
// docs/recipes.md ("Register a foreign library's thread"), compiled as
// written (C++17: no designated initializers) and run against a test's
// Runtime.

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "runtime/runtime.h"

namespace orderly {
namespace {

// thread_registration.h's Worker, with the elided loop body filled in.
class Worker {
 public:
  explicit Worker(Runtime& runtime) : runtime_(runtime) {}

  void Run() {
    orderly::ThreadOptions options;
    options.on_terminate = [this] { stop_.store(true); cv_.notify_all(); };
    auto reg = runtime_.RegisterThread("ingest-worker", std::move(options));
    if (!reg.ok()) return;  // Shutdown already past `threads`.
    registered_.Notify();
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_.load()) cv_.wait(lock);
  }  // `reg` ends here: the runtime sees this thread as done.

  absl::Notification registered_;

 private:
  Runtime& runtime_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable cv_;
};

TEST(DocExamplesTest, ThreadRegistrationWorkerIsTerminatedAndJoined) {
  Runtime rt;
  Worker worker(rt);
  std::thread thread([&] { worker.Run(); });
  worker.registered_.WaitForNotification();
  auto report = rt.Shutdown();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE((*report)->ok()) << (*report)->ToText();
  thread.join();
}

// docs/recipes.md: a foreign library's thread, told to stop its own way.
struct CompletionQueue {
  std::atomic<bool> shut_down{false};
  void Shutdown() { shut_down.store(true); }
};

TEST(DocExamplesTest, RecipeForeignThreadRegistersWithOptions) {
  Runtime rt;
  CompletionQueue queue;
  CompletionQueue* cq = &queue;
  absl::Notification registered, done;
  std::thread poller([&] {
    orderly::ThreadOptions options;
    options.on_terminate = [cq] { cq->Shutdown(); };
    auto reg = rt.RegisterThread("grpc-poller", std::move(options));
    if (!reg.ok()) return;  // Shutdown is past `threads`: do not start.
    registered.Notify();
    while (!cq->shut_down.load()) std::this_thread::yield();
  });
  registered.WaitForNotification();
  auto report = rt.Shutdown();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE((*report)->ok()) << (*report)->ToText();
  EXPECT_TRUE(queue.shut_down.load());
  poller.join();
}

// runtime/version.h's example.
}  // namespace
}  // namespace orderly
