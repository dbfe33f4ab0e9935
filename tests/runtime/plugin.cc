// Copyright 2026 The orderly Authors.
//
// A plugin, built as a shared object and dlopen()ed by plugin_main.cc. It
// declares a component with a cleanup and a terminate hook, and starts a
// thread; orderly_plugin_stop() retires all of it, as a plugin's unload
// must before dlclose() (docs/shared_objects.md).

#include <cstdio>
#include <optional>
#include <string>

#include "blocks/managed_thread.h"
#include "runtime/runtime.h"

namespace {

std::optional<orderly::ManagedThread> g_worker;
std::string g_events;

void Event(const char* what) {
  if (FILE* f = std::fopen(g_events.c_str(), "a")) {
    std::fprintf(f, "%s\n", what);
    std::fclose(f);
  }
}

}  // namespace

// Returns the runtime the plugin sees, so that the host can check there is
// one (the executable's); null on error.
extern "C" orderly::Runtime* orderly_plugin_start(const char* events) {
  g_events = events;
  orderly::Runtime& rt = orderly::Runtime::Default();
  auto plugin = rt.AddComponent("plugin");
  if (!plugin.ok()) return nullptr;
  if (!plugin->AddCleanup("close", "close", [] { Event("plugin close"); })
           .ok() ||
      !plugin->AddTerminateHook("stop", [] { Event("plugin hook"); }).ok()) {
    return nullptr;
  }
  auto worker = orderly::ManagedThread::Start(
      "plugin-worker", [](orderly::StopToken stop) {
        while (!stop.stop_requested()) std::this_thread::yield();
      });
  if (!worker.ok()) return nullptr;
  g_worker.emplace(*std::move(worker));
  return &rt;
}

// Retires what orderly_plugin_start() declared; with `remove` false it
// leaves the component in place (the bug docs/shared_objects.md warns of).
// example: shared_objects.md
extern "C" int orderly_plugin_stop(int remove) {
  g_worker.reset();  // Terminate callback, then join.
  if (!remove) return 0;
  return orderly::Runtime::Default().RemoveComponent("plugin").ok() ? 0 : 1;
}
// end of example
