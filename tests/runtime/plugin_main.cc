// Copyright 2026 The orderly Authors.
//
// The host of plugin.cc: dlopen(), start, stop, dlclose(), then the shutdown
// sequence.
//
//   plugin_main <plugin.so> <events file> remove|keep

#include <dlfcn.h>

#include <cstdio>
#include <cstring>

#include "hooks/main_guard.h"
#include "runtime/runtime.h"

// The plugin carries its own copy of orderly (Bazel links it in); symbol
// interposition binds both to the executable's (the "one runtime" check),
// but ASan's ODR check reports the copy's globals (docs/shared_objects.md).
extern "C" const char* __asan_default_options() {
  return "detect_odr_violation=0";
}

int main(int argc, char** argv) {
  if (argc != 4) return 2;
  orderly::MainGuard guard;
  void* plugin = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (plugin == nullptr) {
    std::fprintf(stderr, "dlopen: %s\n", dlerror());
    return 3;
  }
  using Start = orderly::Runtime* (*)(const char*);
  using Stop = int (*)(int);
  auto start = reinterpret_cast<Start>(dlsym(plugin, "orderly_plugin_start"));
  auto stop = reinterpret_cast<Stop>(dlsym(plugin, "orderly_plugin_stop"));
  if (start == nullptr || stop == nullptr) return 4;
  orderly::Runtime* seen = start(argv[2]);
  if (seen == nullptr) return 5;
  std::printf("%s\n", seen == &orderly::Runtime::Default() ? "one runtime"
                                                           : "two runtimes");
  if (stop(std::strcmp(argv[3], "remove") == 0) != 0) return 6;
  if (dlclose(plugin) != 0) return 7;
  std::printf("unloaded\n");
  std::fflush(stdout);
  return guard.Shutdown();
}
