// Copyright 2026 The orderly Authors.
//
// A component terminate hook for a stop that belongs to no thread, with a
// real ZeroMQ context (Debian's libzmq3-dev, cppzmq-dev): zmq_ctx_shutdown()
// in the terminate step makes the worker's blocking recv() return ETERM,
// the worker is joined, and zmq_ctx_term() runs in `close` with a budget.

#include <atomic>
#include <cerrno>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "blocks/managed_thread.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/runtime.h"
#include "zmq.hpp"

namespace orderly {
namespace {

using ::testing::HasSubstr;

constexpr int kMessages = 1000;
constexpr char kEndpoint[] = "inproc://work";

const StepRecord* FindStep(const ShutdownReport& r, absl::string_view component,
                           absl::string_view name) {
  for (const StepRecord& s : r.steps) {
    if (s.component == component && s.name == name) return &s;
  }
  return nullptr;
}

// The worker: a PULL socket, blocked in recv() until the context shuts down.
absl::StatusOr<ManagedThread> StartWorker(Runtime& rt, zmq::context_t& ctx,
                                          std::atomic<int>& received,
                                          absl::Notification& bound) {
  ManagedThreadOptions options;
  options.runtime = &rt;
  return ManagedThread::Start(
      "zmq-worker",
      [&ctx, &received, &bound] {
        zmq::socket_t pull(ctx, zmq::socket_type::pull);
        pull.bind(kEndpoint);
        bound.Notify();
        zmq::message_t msg;
        try {
          while (pull.recv(msg, zmq::recv_flags::none)) received.fetch_add(1);
        } catch (const zmq::error_t& e) {
          if (e.num() != ETERM) throw;
        }
        pull.set(zmq::sockopt::linger, 0);
      },  // `pull` closes here, so zmq_ctx_term() can return.
      std::move(options));
}

TEST(TerminateHookZmqTest, ContextShutdownInTheTerminateStepEndsTheWorker) {
  // Before the runtime: destroyed after it has joined its executors (one
  // may still be in zmq_ctx_term()).
  zmq::context_t ctx;
  Runtime rt;
  auto zmq_component = rt.AddComponent("zmq");
  ASSERT_TRUE(zmq_component.ok());
  // example: recipes.md
  absl::Status s = zmq_component->AddTerminateHook(
      "zmq_ctx_shutdown", [&ctx] { ctx.shutdown(); });
  if (s.ok()) {
    s = zmq_component->AddCleanup("close", "zmq_ctx_term",
                                  [&ctx] { ctx.close(); },
                                  absl::Milliseconds(500));
  }
  // end of example
  ASSERT_TRUE(s.ok()) << s;
  std::atomic<int> received{0};
  absl::Notification bound;
  auto worker = StartWorker(rt, ctx, received, bound);
  ASSERT_TRUE(worker.ok()) << worker.status();
  bound.WaitForNotification();
  {
    zmq::socket_t push(ctx, zmq::socket_type::push);
    push.connect(kEndpoint);
    for (int i = 0; i < kMessages; ++i) {
      push.send(zmq::buffer(absl::StrCat("m", i)), zmq::send_flags::none);
    }
    push.set(zmq::sockopt::linger, -1);  // Deliver all before closing.
  }
  // Every message delivered before the stop: poll the counter (an event
  // the worker publishes), not a sleep.
  while (received.load() < kMessages) std::this_thread::yield();

  auto report = rt.Shutdown();
  ASSERT_TRUE(report.ok());
  const ShutdownReport& r = **report;
  EXPECT_TRUE(r.ok()) << r.ToText();
  EXPECT_EQ(received.load(), kMessages);
  const StepRecord* hook = FindStep(r, "zmq", "zmq_ctx_shutdown");
  ASSERT_NE(hook, nullptr) << r.ToText();
  EXPECT_EQ(hook->kind, StepKind::kTerminateCallback);
  const StepRecord* term = FindStep(r, "zmq", "zmq_ctx_term");
  ASSERT_NE(term, nullptr) << r.ToText();
  EXPECT_EQ(term->outcome, Outcome::kOk);
  // Bounded: the bar for this exit is under 1 s.
  EXPECT_LT(r.finished - r.stop_requested, absl::Seconds(1)) << r.ToText();
}

TEST(TerminateHookZmqTest, ContextThatCannotCloseIsNamedNeverAHang) {
  // Before the runtime: destroyed after it has joined its executors (one
  // may still be in zmq_ctx_term()).
  zmq::context_t ctx;
  Runtime rt;
  auto zmq_component = rt.AddComponent("zmq");
  ASSERT_TRUE(zmq_component
                  ->AddTerminateHook("zmq_ctx_shutdown",
                                     [&ctx] { ctx.shutdown(); })
                  .ok());
  ASSERT_TRUE(zmq_component
                  ->AddCleanup("close", "zmq_ctx_term", [&ctx] { ctx.close(); },
                               absl::Milliseconds(100))
                  .ok());
  // A socket left open: zmq_ctx_term() blocks until it is closed.
  std::optional<zmq::socket_t> leaked(std::in_place, ctx,
                                      zmq::socket_type::push);
  auto report = rt.Shutdown();
  ASSERT_TRUE(report.ok());
  const StepRecord* term = FindStep(**report, "zmq", "zmq_ctx_term");
  ASSERT_NE(term, nullptr) << (*report)->ToText();
  EXPECT_EQ(term->outcome, Outcome::kTimedOut);
  EXPECT_THAT((*report)->ToText(), HasSubstr("zmq/zmq_ctx_term"));
  // Closing it lets the abandoned zmq_ctx_term() return, so that the
  // runtime's destructor can join its executor.
  leaked.reset();
}

}  // namespace
}  // namespace orderly
