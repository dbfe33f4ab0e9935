// Copyright 2026 The orderly Authors.
//
// A process whose async spdlog logger runs on spdlog's own thread pool,
// registered through ForeignThreads (ended_by the "spdlog" component, whose
// flush cleanup calls spdlog::shutdown()). Four producers log; main returns
// guard.Shutdown(). foreign_threads_spdlog_test.cc checks that nothing was
// lost, that the report is OK with no "daemon still running" line, and that
// static destructors ran.
//
//   spdlog_main <log file> <marker file> <lines per producer>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "blocks/foreign_threads.h"
#include "blocks/managed_thread.h"
#include "hooks/main_guard.h"
#include "runtime/runtime.h"
#include "spdlog/async.h"
#include "spdlog/sinks/basic_file_sink.h"
#include "spdlog/spdlog.h"

namespace {

// Writes its marker only when static destructors run.
struct StaticDestructorMarker {
  std::string path;
  ~StaticDestructorMarker() {
    if (path.empty()) return;
    if (FILE* f = std::fopen(path.c_str(), "w")) {
      std::fputs("static destructors ran\n", f);
      std::fclose(f);
    }
  }
};
StaticDestructorMarker g_marker;

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) return 2;
  orderly::MainGuard guard;
  g_marker.path = argv[2];
  const int lines = std::atoi(argv[3]);
  orderly::Runtime& rt = orderly::Runtime::Default();

  // example: foreign_threads.h + recipes.md
  auto log = rt.AddComponent("spdlog");
  if (!log.ok()) return 5;
  if (!log->AddCleanup("flush", "shutdown", [] { spdlog::shutdown(); }).ok()) {
    return 5;
  }
  orderly::ForeignThreadOptions options;
  options.ended_by = "spdlog";  // its cleanup joins the pool's thread
  orderly::ForeignThreads pool_threads(rt, "spdlog-pool", options);
  spdlog::init_thread_pool(8192, 1, pool_threads.StartHook(),
                           pool_threads.StopHook());
  // end of example

  auto logger = spdlog::basic_logger_mt<spdlog::async_factory>(
      "file", argv[1], /*truncate=*/true);
  logger->set_pattern("%v");
  std::vector<orderly::ManagedThread> producers;
  for (int p = 0; p < 4; ++p) {
    auto t = orderly::ManagedThread::Start(
        "producer-" + std::to_string(p), [logger, p, lines](orderly::StopToken) {
          for (int i = 0; i < lines; ++i) logger->info("p{} line {}", p, i);
        });
    if (!t.ok()) return 3;
    producers.push_back(*std::move(t));
  }
  for (auto& t : producers) {
    if (!t.Join().ok()) return 4;
  }
  std::printf("registered %lld\n",
              static_cast<long long>(pool_threads.registered()));
  std::fflush(stdout);
  return guard.Shutdown();
}
