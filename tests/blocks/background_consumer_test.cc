// Copyright 2026 The orderly Authors.
//
// BackgroundConsumer: nothing accepted is lost or processed twice, with or
// without Close(); refusal after the drain; counters. The overflow policies:
// overflow_policy_test.cc.

#include "blocks/background_consumer.h"

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/blocking_counter.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/runtime.h"
#include "tests/test_util.h"

namespace orderly {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

#ifdef ORDERLY_SANITIZER_BUILD
constexpr int kCloseRaceIterations = 20;
#else
constexpr int kCloseRaceIterations = 100;
#endif

BackgroundConsumerOptions<int> On(Runtime& rt, size_t capacity = 65536,
                                  OverflowPolicy overflow =
                                      OverflowPolicy::kBlock) {
  BackgroundConsumerOptions<int> options;
  options.runtime = &rt;
  options.capacity = capacity;
  options.overflow = overflow;
  return options;
}

int64_t CounterIn(const ShutdownReport& report, const std::string& name) {
  for (const auto& c : report.counters) {
    if (c.name == name) return c.value;
  }
  ADD_FAILURE() << "no counter " << name << " in\n" << report.ToText();
  return -1;
}

// A daemon registration of the calling thread, made before the consumer, so
// that its terminate callback runs after the consumer's (newest first): it
// opens `gate` once the consumer thread has been asked to stop.
absl::StatusOr<ThreadRegistration> OpenGateAfterConsumerStops(
    Runtime& rt, absl::Notification& gate) {
  ThreadOptions options;
  options.daemon = true;
  options.on_terminate = [&gate] { gate.Notify(); };
  return rt.RegisterThread("gate-opener", std::move(options));
}

TEST(BackgroundConsumerTest, NeverClosedEveryItemIsProcessedOnceAtShutdown) {
  constexpr int kItems = 100000;
  absl::Notification entered, gate;  // Outlive the runtime.
  // Written by the handler only (one call at a time); read after Shutdown().
  std::vector<int> seen(kItems, 0);
  bool in_order = true;
  int last = -1;
  int on_other_thread = 0;
  std::thread::id consumer_thread;
  Runtime rt;
  auto opener = OpenGateAfterConsumerStops(rt, gate);
  ASSERT_TRUE(opener.ok()) << opener.status();
  auto sink = BackgroundConsumer<int>::Create(
      "sink",
      [&](int&& v) {
        if (v == 0) {
          consumer_thread = std::this_thread::get_id();
          entered.Notify();
          gate.WaitForNotification();  // Until the consumer is told to stop.
        } else if (std::this_thread::get_id() != consumer_thread) {
          ++on_other_thread;
        }
        ++seen[v];
        if (v <= last) in_order = false;
        last = v;
      },
      On(rt, kItems));
  ASSERT_TRUE(sink.ok()) << sink.status();
  ASSERT_TRUE((*sink)->Push(0).ok());
  entered.WaitForNotification();
  for (int i = 1; i < kItems; ++i) ASSERT_TRUE((*sink)->Push(i).ok());
  // No Close(): the runtime's sequence must deliver all of it.
  auto report = rt.Shutdown();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE((*report)->ok()) << (*report)->ToText();
  for (int i = 0; i < kItems; ++i) ASSERT_EQ(seen[i], 1) << "item " << i;
  EXPECT_TRUE(in_order);
  // The consumer stopped after item 0; `flush` drained the rest.
  EXPECT_EQ(on_other_thread, kItems - 1);
  EXPECT_EQ(CounterIn(**report, "sink.processed"), kItems);
  EXPECT_THAT((*report)->ToText(), HasSubstr("sink/drain"));
  EXPECT_EQ((*sink)->Push(kItems).code(),
            absl::StatusCode::kFailedPrecondition);
  opener->Reset();
}

TEST(BackgroundConsumerTest, ProducersPushingUntilTerminatedLoseNothing) {
  constexpr int kProducers = 4;
  constexpr int kBeforeShutdown = 1000;  // Each pushes this many first.
  struct Item {
    int producer;
    int seq;
  };
  // Written by the handler only; read after Shutdown().
  std::vector<int> delivered(kProducers, 0);
  bool in_order = true;
  Runtime rt;
  BackgroundConsumerOptions<Item> options;
  options.runtime = &rt;
  options.capacity = 64;  // Small: producers block, also during shutdown.
  auto sink = BackgroundConsumer<Item>::Create(
      "sink",
      [&](Item&& item) {
        if (item.seq != delivered[item.producer]) in_order = false;
        ++delivered[item.producer];
      },
      std::move(options));
  ASSERT_TRUE(sink.ok()) << sink.status();
  std::vector<int> accepted(kProducers, 0);  // Each written by its producer.
  absl::BlockingCounter warmed_up(kProducers);
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&, p] {
      std::atomic<bool> stop{false};
      ThreadOptions o;
      o.on_terminate = [&stop] { stop.store(true); };
      auto reg = rt.RegisterThread(absl::StrCat("producer-", p), std::move(o));
      ASSERT_TRUE(reg.ok()) << reg.status();
      for (int seq = 0; !stop.load(); ++seq) {
        absl::Status s = (*sink)->Push(Item{p, seq});
        ASSERT_TRUE(s.ok()) << s;  // kBlock: accepted until `flush`.
        accepted[p] = seq + 1;
        if (seq + 1 == kBeforeShutdown) warmed_up.DecrementCount();
      }
    });
  }
  warmed_up.Wait();
  auto report = rt.Shutdown();
  for (auto& t : producers) t.join();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE((*report)->ok()) << (*report)->ToText();
  EXPECT_TRUE(in_order);
  int64_t total = 0;
  for (int p = 0; p < kProducers; ++p) {
    EXPECT_EQ(delivered[p], accepted[p]) << "producer " << p;
    total += accepted[p];
  }
  EXPECT_EQ(CounterIn(**report, "sink.processed"), total);
  EXPECT_EQ(CounterIn(**report, "sink.refused"), 0);
  EXPECT_EQ(CounterIn(**report, "sink.dropped"), 0);
}

TEST(BackgroundConsumerTest, HandlerThatThrowsOnOneItemIsCountedRestProcessed) {
  Runtime rt;
  std::vector<int> delivered;  // Read after Close().
  auto sink = BackgroundConsumer<int>::Create(
      "sink",
      [&](int&& v) {
        if (v == 3) throw std::runtime_error("bad record 3");
        delivered.push_back(v);
      },
      On(rt));
  ASSERT_TRUE(sink.ok()) << sink.status();
  for (int i = 0; i < 6; ++i) ASSERT_TRUE((*sink)->Push(i).ok());
  (*sink)->Close();
  EXPECT_THAT(delivered, ElementsAre(0, 1, 2, 4, 5));
  EXPECT_EQ((*sink)->stats().processed, 5);
  EXPECT_EQ((*sink)->stats().handler_errors, 1);
  EXPECT_THAT((*sink)->last_handler_error(), HasSubstr("bad record 3"));
  auto report = rt.Shutdown();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(CounterIn(**report, "sink.handler_errors"), 1);
}

TEST(BackgroundConsumerTest, CloseTwiceAndConcurrentlyWithShutdown) {
  constexpr int kItems = 1000;
  for (int iteration = 0; iteration < kCloseRaceIterations; ++iteration) {
    std::vector<int> seen(kItems, 0);  // Handler only; read after the joins.
    Runtime rt;
    auto sink = BackgroundConsumer<int>::Create(
        "sink", [&](int&& v) { ++seen[v]; }, On(rt));
    ASSERT_TRUE(sink.ok()) << sink.status();
    for (int i = 0; i < kItems; ++i) ASSERT_TRUE((*sink)->Push(i).ok());
    Latch start(3);
    std::thread closer1([&] {
      start.ArriveAndWait();
      (*sink)->Close();
    });
    std::thread closer2([&] {
      start.ArriveAndWait();
      (*sink)->Close();
    });
    start.ArriveAndWait();
    auto report = rt.Shutdown();
    closer1.join();
    closer2.join();
    (*sink)->Close();  // Once more, after everything: a no-op.
    ASSERT_TRUE(report.ok());
    EXPECT_TRUE((*report)->ok()) << (*report)->ToText();
    for (int i = 0; i < kItems; ++i) {
      ASSERT_EQ(seen[i], 1) << "item " << i << ", iteration " << iteration;
    }
    EXPECT_EQ((*sink)->stats().processed, kItems);
  }
}

TEST(BackgroundConsumerTest, PushAfterTheDrainIsRefusedWithAStatus) {
  Runtime rt;
  auto sink = BackgroundConsumer<int>::Create("sink", [](int&&) {}, On(rt));
  ASSERT_TRUE(sink.ok()) << sink.status();
  ASSERT_TRUE(rt.Shutdown().ok());
  absl::Status late = (*sink)->Push(7);
  EXPECT_EQ(late.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(late.message(), HasSubstr("\"sink\" is closed"));
  EXPECT_EQ((*sink)->stats().refused, 1);
}

TEST(BackgroundConsumerTest, PushAfterTheDrainGoesToTheFallback) {
  std::vector<int> fallen_back;  // The only pusher is this thread.
  Runtime rt;
  auto options = On(rt);
  options.fallback = [&fallen_back](int&& v) { fallen_back.push_back(v); };
  auto sink =
      BackgroundConsumer<int>::Create("sink", [](int&&) {}, std::move(options));
  ASSERT_TRUE(sink.ok()) << sink.status();
  (*sink)->Close();
  EXPECT_TRUE((*sink)->Push(7).ok());
  EXPECT_THAT(fallen_back, ElementsAre(7));
  EXPECT_EQ((*sink)->stats().fallback, 1);
  EXPECT_EQ((*sink)->stats().refused, 0);
}

TEST(BackgroundConsumerTest, CountersAreInTheReport) {
  absl::Notification entered, gate;  // Outlive the runtime.
  Runtime rt;
  auto opener = OpenGateAfterConsumerStops(rt, gate);
  ASSERT_TRUE(opener.ok());
  auto sink = BackgroundConsumer<int>::Create(
      "metrics",
      [&](int&& v) {
        if (v == 0) {
          entered.Notify();
          gate.WaitForNotification();
        }
      },
      On(rt, /*capacity=*/1, OverflowPolicy::kDrop));
  ASSERT_TRUE(sink.ok()) << sink.status();
  ASSERT_TRUE((*sink)->Push(0).ok());
  entered.WaitForNotification();
  ASSERT_TRUE((*sink)->Push(1).ok());  // Queued.
  ASSERT_TRUE((*sink)->Push(2).ok());  // Dropped: the queue holds one.
  auto report = rt.Shutdown();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(CounterIn(**report, "metrics.processed"), 2);
  EXPECT_EQ(CounterIn(**report, "metrics.dropped"), 1);
  EXPECT_EQ(CounterIn(**report, "metrics.refused"), 0);
  EXPECT_EQ(CounterIn(**report, "metrics.handler_errors"), 0);
  EXPECT_THAT((*report)->ToText(), HasSubstr("metrics.dropped = 1"));
  opener->Reset();
}

TEST(BackgroundConsumerTest, BadInputIsRefusedWithAClearError) {
  Runtime rt;
  auto noop = [](int&&) {};
  EXPECT_THAT(BackgroundConsumer<int>::Create("", noop, On(rt)).status().message(),
              HasSubstr("name is empty"));
  EXPECT_THAT(
      BackgroundConsumer<int>::Create("a", nullptr, On(rt)).status().message(),
      HasSubstr("handler is empty"));
  EXPECT_THAT(
      BackgroundConsumer<int>::Create("b", noop, On(rt, 0)).status().message(),
      HasSubstr("capacity"));
  auto first = BackgroundConsumer<int>::Create("dup", noop, On(rt));
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(BackgroundConsumer<int>::Create("dup", noop, On(rt)).status().code(),
            absl::StatusCode::kAlreadyExists);
  ASSERT_TRUE(rt.Shutdown().ok());
  auto late = BackgroundConsumer<int>::Create("late", noop, On(rt));
  EXPECT_EQ(late.status().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace orderly
