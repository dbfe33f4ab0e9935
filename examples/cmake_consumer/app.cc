// A service built with CMake against orderly: the main guard first, one
// component with a cleanup, a registered worker thread. main ends with
// `return guard.Shutdown();`: the sequence (worker stopped and joined, then
// the cleanup) runs while main's locals exist, and the report makes the exit
// code. CI checks the output.

#include <atomic>
#include <cstdio>
#include <thread>
#include <utility>

#include "absl/synchronization/notification.h"
#include "hooks/main_guard.h"
#include "runtime/runtime.h"
#include "runtime/version.h"

// Globals: the worker is detached, so what it touches must outlive main.
std::atomic<bool> g_stop{false};
bool g_registered = false;  // Written before g_started is notified.
absl::Notification g_started;

int main() {
  orderly::MainGuard guard;  // Signals, exit(), fork, process end: installed.
  orderly::Runtime& rt = orderly::Runtime::Default();
  std::printf("app: orderly %s\n", ORDERLY_VERSION);

  orderly::Component cache = rt.AddComponent("cache").value();
  absl::Status s = cache.AddCleanup("flush", "write-back", [] {
    std::puts("app: cache written back");
  });
  if (!s.ok()) return std::fprintf(stderr, "%s\n", s.ToString().c_str()), 1;

  // A thread of the service's own, registered from itself: asked to stop
  // (its terminate callback), then joined (its registration ends), first.
  std::thread([] {
    orderly::ThreadOptions options;
    options.on_terminate = [] { g_stop.store(true); };
    auto reg = orderly::Runtime::Default().RegisterThread("worker",
                                                          std::move(options));
    g_registered = reg.ok();
    g_started.Notify();
    if (!reg.ok()) return;
    while (!g_stop.load()) std::this_thread::yield();
    std::puts("app: worker stopped");
  }).detach();  // No join: the runtime waits for its registration to end.
  g_started.WaitForNotification();
  if (!g_registered) return 1;
  std::puts("app: main returns");
  // The sequence runs now, while main's locals still exist: the worker is
  // stopped and joined, then the cache is written back.
  return guard.Shutdown();
}
