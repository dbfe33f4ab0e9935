// Copyright 2026 The orderly Authors.
//
// The examples of runtime/readiness.h, compiled and run. Each function below
// holds one example verbatim between "example:" and "end of example"; the
// code around it only supplies what the example leaves to the service
// (Reply(), a health service) and checks what the example does.

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "runtime/readiness.h"
#include "runtime/runtime.h"

namespace {

// What the /readyz example answered, in order.
std::vector<std::pair<int, std::string>>* replies =
    new std::vector<std::pair<int, std::string>>;
void Reply(int code, const char* body) { replies->emplace_back(code, body); }

void ServeReadyz() {
  // example: readiness.h, a health endpoint.
  orderly::Readiness& readiness = orderly::Runtime::Default().readiness();
  // GET /readyz
  if (readiness.ready()) {
    Reply(200, "ready\n");
  } else {
    Reply(503, "stopping\n");
  }
  // end of example
}

// A stand-in for gRPC's HealthCheckService: it records each status set.
enum ServingStatus { SERVING, NOT_SERVING };
class FakeHealth {
 public:
  void SetServingStatus(ServingStatus status) {
    absl::MutexLock lock(&mu_);
    statuses_.push_back(status);
  }
  std::vector<ServingStatus> statuses() {
    absl::MutexLock lock(&mu_);
    return statuses_;
  }

 private:
  absl::Mutex mu_;
  std::vector<ServingStatus> statuses_ ABSL_GUARDED_BY(mu_);
};

// The example's `health`: at namespace scope, so that the listener's [&]
// captures nothing that dies before it runs.
FakeHealth* health = nullptr;

absl::Status PushReadiness(orderly::Runtime& rt) {
  orderly::Readiness& readiness = rt.readiness();
  // example: readiness.h, a push-based health service.
  absl::Status added = readiness.AddListener([&](bool ready) {
    health->SetServingStatus(ready ? SERVING : NOT_SERVING);
  });
  if (!added.ok()) return added;
  // end of example
  return absl::OkStatus();
}

TEST(ReadinessExampleTest, ReadyzAnswers200ThenAt503TheStopRequest) {
  ServeReadyz();
  orderly::Runtime::Default().RequestStop();
  ServeReadyz();
  ASSERT_EQ(replies->size(), 2u);
  EXPECT_EQ((*replies)[0], std::make_pair(200, std::string("ready\n")));
  EXPECT_EQ((*replies)[1], std::make_pair(503, std::string("stopping\n")));
  auto report = orderly::Runtime::Default().Shutdown();
  ASSERT_TRUE(report.ok()) << report.status();
}

TEST(ReadinessExampleTest, ListenerPushesEveryChangeToTheHealthService) {
  FakeHealth fake;  // Outlives the runtime, as the listener needs.
  health = &fake;
  orderly::Runtime rt;
  ASSERT_TRUE(PushReadiness(rt).ok());
  ASSERT_TRUE(rt.readiness().SetReady(false).ok());  // Warming up.
  ASSERT_TRUE(rt.readiness().SetReady(true).ok());   // Warm.
  ASSERT_TRUE(rt.Shutdown().ok());  // The listener runs at the stop request.
  EXPECT_EQ(fake.statuses(),
            (std::vector<ServingStatus>{NOT_SERVING, SERVING, NOT_SERVING}));
}

}  // namespace
