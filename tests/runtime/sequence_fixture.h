// Copyright 2026 The orderly Authors.
//
// sequence_fixture.h: helpers the core's tests share. MustShutdown() runs a
// runtime's sequence and expects it to succeed; Waiter is a registered
// thread that waits for its terminate callback.

#ifndef ORDERLY_TESTS_RUNTIME_SEQUENCE_FIXTURE_H_
#define ORDERLY_TESTS_RUNTIME_SEQUENCE_FIXTURE_H_

#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "runtime/runtime.h"
#include "tests/test_util.h"

namespace orderly {

inline std::shared_ptr<const ShutdownReport> MustShutdown(Runtime& rt) {
  auto report = rt.Shutdown();
  EXPECT_TRUE(report.ok()) << report.status();
  return report.ok() ? *report : nullptr;
}

// A thread that registers itself and waits until its terminate callback
// asks it to stop; it logs "terminate <name>" and, on exit, "exit <name>".
class Waiter {
 public:
  Waiter(Runtime& rt, std::string name, EventLog& log, bool daemon = false)
      : name_(std::move(name)) {
    thread_ = std::thread([&, daemon] {
      ThreadOptions options;
      options.daemon = daemon;
      options.on_terminate = [this, &log] {
        log.Add("terminate " + name_);
        stop_.Notify();
      };
      auto reg = rt.RegisterThread(name_, std::move(options));
      ASSERT_TRUE(reg.ok()) << reg.status();
      registered_.Notify();
      stop_.WaitForNotification();
      if (!daemon) log.Add("exit " + name_);
      release_.WaitForNotification();
    });
    registered_.WaitForNotification();
    if (!daemon) release_.Notify();
  }
  ~Waiter() {
    if (!release_.HasBeenNotified()) release_.Notify();
    thread_.join();
  }
  void Release() { release_.Notify(); }

 private:
  std::string name_;
  // Members, not locals: abseil 20220623's Notify() may still touch the
  // notification after WaitForNotification() returns.
  absl::Notification registered_;
  absl::Notification stop_;
  absl::Notification release_;
  std::thread thread_;
};

}  // namespace orderly

#endif  // ORDERLY_TESTS_RUNTIME_SEQUENCE_FIXTURE_H_
