// Copyright 2026 The orderly Authors.
//
// SequenceListener and report counters: what a listener sees, in order.

#include "runtime/sequence_listener.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/runtime.h"
#include "tests/runtime/sequence_fixture.h"
#include "tests/test_util.h"

namespace orderly {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(SequenceListenerTest, CountersAndListenersSeeTheSequence) {
  class Recorder : public SequenceListener {
   public:
    explicit Recorder(EventLog& log) : log_(log) {}
    void OnStopRequested(const StopReason& reason, absl::Time) override {
      log_.Add("stop " + reason.ToString());
    }
    void OnPhaseBegin(absl::string_view phase, absl::Time, absl::Time) override {
      log_.Add(absl::StrCat("phase ", phase));
    }
    void OnFinished(const ShutdownReport& report) override {
      log_.Add(absl::StrCat("finished ", report.counters.size()));
    }

   private:
    EventLog& log_;
  };
  EventLog log;
  Recorder recorder(log);
  std::atomic<int64_t> dropped{0};
  Runtime rt;
  rt.AddListener(&recorder);
  ASSERT_TRUE(rt.AddReportCounter("queue.dropped", [&] {
                  return dropped.load();
                }).ok());
  EXPECT_EQ(rt.AddReportCounter("queue.dropped", [] { return int64_t{0}; })
                .code(),
            absl::StatusCode::kAlreadyExists);
  ASSERT_TRUE(rt.AddComponent("q").ok());
  ASSERT_TRUE(rt.AddCleanup("q", "flush", "drop", [&] { dropped = 7; }).ok());
  rt.RequestStop(StopReason::Signal(15));
  auto report = MustShutdown(rt);
  EXPECT_THAT(log.Take(),
              ElementsAre("stop SIGTERM (signal 15)", "phase drain",
                          "phase threads", "phase flush", "phase close",
                          "phase release", "finished 1"));
  ASSERT_EQ(report->counters.size(), 1u);
  EXPECT_EQ(report->counters[0].name, "queue.dropped");
  EXPECT_EQ(report->counters[0].value, 7);  // Read after the cleanups.
  EXPECT_THAT(report->ToText(), HasSubstr("queue.dropped = 7"));
}

}  // namespace
}  // namespace orderly
