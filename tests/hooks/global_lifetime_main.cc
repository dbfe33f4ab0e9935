// Copyright 2026 The orderly Authors.
//
// global_lifetime_main: uses the default runtime from global constructors
// and destructors, where a test framework's own teardown has begun, with no
// MainGuard. It writes what it saw to $ORDERLY_EVENTS, one line per event;
// main_guard_test.cc checks them and the exit code (0).
//
// Order of construction (one translation unit: in order of definition):
//   g_early  touches nothing in its constructor; its destructor runs last,
//            after the exit hook ran the sequence.
//   g_user   is the first user of Runtime::Default(): that installs the exit
//            hook (linked with //hooks:exit_hook). It declares a component
//            with a cleanup and starts a registered thread. Its destructor
//            was registered after the hook, so it runs before it: it calls
//            Shutdown() itself, then tries to use the runtime late.

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "runtime/runtime.h"

namespace orderly {
namespace {

void Event(absl::string_view line) {
  const char* path = getenv("ORDERLY_EVENTS");
  if (path == nullptr) return;
  const int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return;
  const std::string text = absl::StrCat(line, "\n");
  (void)!write(fd, text.data(), text.size());
  close(fd);
}

class EarlyGlobal {
 public:
  ~EarlyGlobal() {
    // After the exit hook: the runtime is still usable, the report final.
    Runtime& rt = Runtime::Default();
    auto report = rt.Shutdown();
    Event(absl::StrCat("early global destructor: complete=",
                       rt.shutdown_complete(), " report ",
                       report.ok() && (*report)->ok() ? "ok" : "NOT OK",
                       " reason ",
                       report.ok() ? (*report)->reason.ToString() : "-"));
  }
};

class RuntimeUser {
 public:
  RuntimeUser() {
    Runtime& rt = Runtime::Default();
    auto component = rt.AddComponent("global");
    if (!component.ok() ||
        !component->AddCleanup("close", "write", [] {
                     Event("cleanup global/write");
                   }).ok()) {
      Event("constructor: declaring failed");
    }
    auto registered = std::make_shared<absl::Notification>();
    thread_ = std::thread([registered] {
      absl::Notification stop;
      ThreadOptions options;
      options.on_terminate = [&stop] { stop.Notify(); };
      auto reg = Runtime::Default().RegisterThread("global-worker",
                                                   std::move(options));
      registered->Notify();
      if (!reg.ok()) return;
      stop.WaitForNotification();
      Event("global-worker stopped");
    });
    registered->WaitForNotification();
    Event("constructor: ready");
  }

  ~RuntimeUser() {
    Runtime& rt = Runtime::Default();
    auto report = rt.Shutdown();
    Event(absl::StrCat("global destructor: shutdown ",
                       report.ok() && (*report)->ok() ? "ok" : "NOT OK"));
    thread_.join();
    auto late = rt.RegisterThread("late");
    Event(absl::StrCat("global destructor: late registration: ",
                       absl::StatusCodeToString(late.status().code())));
    auto component = rt.AddComponent("late");
    Event(absl::StrCat("global destructor: late component: ",
                       absl::StatusCodeToString(component.status().code())));
  }

 private:
  std::thread thread_;
};

EarlyGlobal g_early;
RuntimeUser g_user;

}  // namespace
}  // namespace orderly

int main() {
  orderly::Event("main");
  return 0;
}
