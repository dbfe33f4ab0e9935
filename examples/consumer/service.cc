// A service in its own workspace: links orderly as a static library, puts a
// MainGuard at the top of main, runs a worker and a component, and ends main
// with `return guard.Shutdown();`: the sequence runs while main's locals
// (the worker's handle) still exist, and the report becomes the exit code.

#include <cstdio>

#include "hooks/main_guard.h"
#include "blocks/managed_thread.h"
#include "runtime/runtime.h"

int main() {
  orderly::MainGuard guard;  // Signals, exit(), fork, process end: installed.
  orderly::Runtime& rt = orderly::Runtime::Default();
  orderly::Component cache = rt.AddComponent("cache").value();
  if (absl::Status s = cache.AddCleanup("flush", "write-back",
                                        [] { std::puts("cache: written back"); });
      !s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 1;
  }
  auto worker = orderly::ManagedThread::Start("worker", [](orderly::StopToken stop) {
    while (!stop.stop_requested()) {
    }
    std::puts("worker: stopped");
  });
  if (!worker.ok()) return 1;
  std::puts("service: main returns");
  return guard.Shutdown();  // Worker stopped and joined, then the cache
                           // flushed; only then are main's locals destroyed.
}
