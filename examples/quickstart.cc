// Copyright 2026 The orderly Authors.
//
// The README's quick start: a worker thread and two components that shut
// down in order. Build and run: bazel run //examples:quickstart

#include <cstdio>

#include "blocks/managed_thread.h"
#include "runtime/runtime.h"

int main() {
  orderly::Runtime& rt = orderly::Runtime::Default();
  // "store" uses "log": its cleanups run first, so it can log to the end.
  orderly::Component log = rt.AddComponent("log").value();
  orderly::Component store = rt.AddComponent("store", {"log"}).value();
  absl::Status s = store.AddCleanup("close", "close-db", [] { std::puts("store: closed"); });
  s.Update(log.AddCleanup("close", "close-file", [] { std::puts("log: closed"); }));
  if (!s.ok()) return std::fprintf(stderr, "%s\n", s.ToString().c_str()), 1;

  // A registered thread: asked to stop (its token), then joined, first.
  auto worker = orderly::ManagedThread::Start("worker", [](orderly::StopToken stop) {
    while (!stop.stop_requested()) { /* ... the thread's real work ... */ }
    std::puts("worker: done");
  });
  if (!worker.ok()) return std::fprintf(stderr, "%s\n", worker.status().ToString().c_str()), 1;

  auto report = rt.Shutdown();  // worker stopped and joined; store, then log.
  std::fputs((*report)->ToText().c_str(), stdout);
  return (*report)->ok() ? 0 : 1;
}
