// Copyright 2026 The orderly Authors.
//
// Four producer threads log to an async spdlog logger owned by SpdlogOwner
// (a file sink) until the stop request, up to kMaxLines each. Ends as
// end_modes.h says, mid-burst in every mode; in `release` it counts the
// lines in the file (received) against the lines logged (sent).
// spdlog_owner_test.cc checks that none was lost.
//
//   spdlog_owner_main <log file> <sigterm|exit|return>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/notification.h"
#include "adapters/spdlog/spdlog_owner.h"
#include "blocks/managed_thread.h"
#include "hooks/main_guard.h"
#include "spdlog/sinks/basic_file_sink.h"
#include "tests/adapters/end_modes.h"

namespace orderly {
namespace {

constexpr int kProducers = 4;
constexpr int64_t kMaxLines = 50000;     // Per producer: a bounded burst.
constexpr int64_t kReadyLines = 2000;    // In all: "ready".

std::atomic<int64_t> g_sent{0};
absl::Notification g_ready;

int64_t CountLines(const std::string& path) {
  std::ifstream in(path);
  int64_t lines = 0;
  for (std::string line; std::getline(in, line);) ++lines;
  return lines;
}

absl::Status StartProducers(std::shared_ptr<spdlog::logger> logger,
                            std::vector<ManagedThread>& producers) {
  for (int p = 0; p < kProducers; ++p) {
    auto t = ManagedThread::Start(
        "producer-" + std::to_string(p), [logger, p](StopToken stop) {
          for (int64_t i = 0; i < kMaxLines && !stop.stop_requested(); ++i) {
            logger->info("p{} line {}", p, i);
            if (g_sent.fetch_add(1) + 1 == kReadyLines) g_ready.Notify();
          }
        });
    if (!t.ok()) return t.status();
    producers.push_back(*std::move(t));
  }
  return absl::OkStatus();
}

int Run(const std::string& path, EndMode mode, MainGuard& guard) {
  if (!PrintCountsAtRelease(Runtime::Default(), [path] {
         return Counts{g_sent.load(), CountLines(path)};
       }).ok()) {
    return 10;
  }
  auto sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path, true);
  sink->set_pattern("%v");
  // example: spdlog_owner.h
  auto logs = orderly::SpdlogOwner::Start();
  auto logger = logs.ok() ? (*logs)->AddLogger("app", sink) : logs.status();
  // end of example
  if (!logger.ok()) return 1;
  std::vector<ManagedThread> producers;
  if (!StartProducers(*logger, producers).ok()) return 11;
  return EndMain(mode, guard, [] { g_ready.WaitForNotification(); });
}

}  // namespace
}  // namespace orderly

int main(int argc, char** argv) {
  orderly::MainGuard guard;
  const auto mode = argc == 3 ? orderly::ParseEndMode(argv[2]) : std::nullopt;
  if (!mode) return 2;
  return orderly::Run(argv[1], *mode, guard);
}
