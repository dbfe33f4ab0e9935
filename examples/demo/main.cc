// Copyright 2026 The orderly Authors.
//
// orderly's demo: a small TCP key-value service that shuts down in order,
// checks that it lost nothing, and draws its shutdown.
//
//   bazel run //examples/demo                   # ~3 s of load, then SIGTERM
//   bazel run //examples/demo -- --until-signal # until Ctrl-C (twice: force)
//   bazel run //examples/demo -- --seconds=10 --out=/tmp
//
// What runs (each part's header says how it shuts down):
//   server.h      an acceptor thread and a pool of workers on 127.0.0.1;
//   store.h       the "store" the request handlers read;
//   access_log.h  one line per answered request, written by a
//                 BackgroundConsumer to <out>/orderly-demo.access.log;
//   metrics.h     a flusher thread printing a snapshot every second;
//   load.h        client threads driving the server, through the shutdown.
//
// At the end it prints the shutdown report, a verdict it checks itself
// (every accepted request answered and on disk: lost = 0), and the timeline
// files <out>/orderly-demo.trace.json (open it in ui.perfetto.dev) and
// <out>/orderly-demo.html (any browser). <out> defaults to the directory
// `bazel run` was typed in. Exit code 0 only when the verdict holds and the
// report is OK.

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/notification.h"
#include "examples/demo/access_log.h"
#include "examples/demo/load.h"
#include "examples/demo/metrics.h"
#include "examples/demo/server.h"
#include "examples/demo/store.h"
#include "hooks/main_guard.h"
#include "render/report_files.h"
#include "runtime/runtime.h"

namespace orderly_demo {
namespace {

constexpr char kBasename[] = "orderly-demo";
constexpr int kWorkers = 8;  // At least kClients: one per open connection.
constexpr int kClients = 4;

struct Flags {
  double seconds = 3;
  bool until_signal = false;
  std::string out;  // Where the files go; see ParseFlags().
};

bool ParseFlags(int argc, char** argv, Flags* flags) {
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (absl::ConsumePrefix(&arg, "--seconds=")) {
      if (!absl::SimpleAtod(arg, &flags->seconds) || !(flags->seconds > 0)) {
        return false;
      }
    } else if (absl::ConsumePrefix(&arg, "--out=")) {
      flags->out = std::string(arg);
    } else if (arg == "--until-signal") {
      flags->until_signal = true;
    } else {
      return false;
    }
  }
  if (flags->out.empty()) {
    // `bazel run` runs the binary in its runfiles; this is where it was typed.
    const char* typed_in = std::getenv("BUILD_WORKING_DIRECTORY");
    char cwd[4096];
    flags->out = typed_in != nullptr                   ? typed_in
                 : getcwd(cwd, sizeof(cwd)) != nullptr ? cwd
                                                       : ".";
  }
  return true;
}

// Fits a supervisor's grace period (Kubernetes' default 30 s) with room to
// spare; each step gets a budget so that one stuck step is reported by name.
orderly::RuntimeOptions DemoRuntimeOptions() {
  orderly::RuntimeOptions options;
  options.deadline = absl::Seconds(10);
  options.callback_budget = absl::Seconds(1);
  options.cleanup_budget = absl::Seconds(2);
  options.join_budget = absl::Seconds(5);
  return options;
}

// Everything the service runs. Declared in dependency order: destroyed in
// reverse, after the sequence has stopped and joined every thread.
struct Service {
  std::shared_ptr<Store> store;
  std::shared_ptr<AccessLog> log;
  std::unique_ptr<Server> server;
  MetricsFlusher metrics;
  Load load;
};

absl::Status Start(orderly::Runtime& rt, const Flags& flags, Service* svc) {
  absl::StatusOr<std::shared_ptr<Store>> store = Store::Create(rt);
  if (!store.ok()) return store.status();
  svc->store = *std::move(store);
  auto log = AccessLog::Open(
      rt, absl::StrCat(flags.out, "/", kBasename, ".access.log"));
  if (!log.ok()) return log.status();
  svc->log = *std::move(log);
  auto server = Server::Start(rt, svc->store, svc->log, kWorkers);
  if (!server.ok()) return server.status();
  svc->server = *std::move(server);
  absl::PrintF(
      "demo: serving on 127.0.0.1:%d (try: echo 'GET a' | nc -q1 "
      "127.0.0.1 %d)\n",
      svc->server->port(), svc->server->port());
  Server* s = svc->server.get();
  absl::Status started = svc->metrics.Start(rt, absl::Seconds(1), [s] {
    const Server::Stats st = s->stats();
    return absl::StrFormat("connections=%d accepted=%d answered=%d",
                           st.connections, st.requests_accepted,
                           st.requests_answered);
  });
  started.Update(svc->load.Start(rt, s->port(), kClients));
  return started;
}

// Returns once the stop is requested: by a signal, or, in a timed run, by
// the SIGTERM this sends itself after `flags.seconds`, as a supervisor would.
void AwaitStop(orderly::Runtime& rt, const Flags& flags) {
  absl::Notification stopped;  // Outlives `wake`, which may notify it.
  orderly::StopCallback wake(
      rt.stop_token(), [&stopped] { stopped.Notify(); }, "main: wake up");
  if (flags.until_signal) {
    std::printf("demo: running until Ctrl-C (a second one forces the exit)\n");
  } else if (!stopped.WaitForNotificationWithTimeout(
                 absl::Seconds(flags.seconds))) {
    std::printf("demo: %gs of load done; sending myself SIGTERM\n",
                flags.seconds);
    kill(getpid(), SIGTERM);  // Handled by the signal hook (signals.h).
  }
  std::fflush(stdout);
  stopped.WaitForNotification();
}

// Complete lines only: a torn last line would not count.
int64_t CountLines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::count(std::istreambuf_iterator<char>(in),
                    std::istreambuf_iterator<char>(), '\n');
}

// The demo's own check, after the sequence: every request the server
// accepted was answered, is a line in the access-log file on disk, and its
// reply reached a client; nothing touched the store after it closed.
bool CheckVerdict(const Service& svc) {
  const Server::Stats server = svc.server->stats();
  const Load::Stats clients = svc.load.stats();
  const int64_t log_lines = CountLines(svc.log->path());
  const int64_t lost = server.requests_accepted - log_lines;
  const bool ok = server.requests_accepted > 0 &&
                  server.requests_answered == server.requests_accepted &&
                  log_lines == server.requests_answered &&
                  clients.answered == server.requests_answered &&
                  svc.store->reads_after_close() == 0;
  absl::PrintF(
      "verdict: %s accepted=%d answered=%d received=%d log_lines=%d lost=%d\n"
      "  accepted: whole requests the server read; answered: replies it "
      "sent;\n  received: replies the clients read; log_lines: lines in %s\n"
      "  refused, not lost: %d requests unanswered (sent on a connection the "
      "server closed unread while draining), %d connects refused after the "
      "drain, %d connections closed unread at the stop request; store reads "
      "after close: %d\n",
      ok ? "OK" : "FAILED", server.requests_accepted, server.requests_answered,
      clients.answered, log_lines, lost, svc.log->path(), clients.unanswered,
      clients.refused, server.connections_refused,
      svc.store->reads_after_close());
  return ok;
}

int Run(const Flags& flags) {
  orderly::Runtime& rt = orderly::Runtime::Default();
  Service svc;
  if (absl::Status s = Start(rt, flags, &svc); !s.ok()) {
    std::fprintf(stderr, "demo: %s\n", s.ToString().c_str());
    (void)rt.Shutdown();  // The sequence for what did start, while `svc` lives.
    return 1;
  }
  AwaitStop(rt, flags);
  auto report = rt.Shutdown();  // Same report the guard will get.
  if (!report.ok()) {
    std::fprintf(stderr, "demo: %s\n", report.status().ToString().c_str());
    return 1;
  }
  std::printf("\n%s\n", (*report)->ToText().c_str());
  const bool verdict = CheckVerdict(svc);
  std::vector<std::string> written;
  const absl::Status files =
      orderly::WriteReportFiles(**report, flags.out, kBasename, &written);
  for (const std::string& path : written) {
    std::printf("timeline: %s\n", path.c_str());
  }
  if (!files.ok()) std::fprintf(stderr, "demo: %s\n", files.ToString().c_str());
  return verdict && files.ok() && (*report)->ok() ? 0 : 1;
}

}  // namespace
}  // namespace orderly_demo

int main(int argc, char** argv) {
  orderly_demo::Flags flags;
  if (!orderly_demo::ParseFlags(argc, argv, &flags)) {
    std::fprintf(stderr,
                 "usage: %s [--seconds=N] [--until-signal] [--out=DIR]\n",
                 argv[0]);
    return 2;
  }
  orderly::MainGuardOptions options;
  options.runtime = orderly_demo::DemoRuntimeOptions();
  orderly::MainGuard guard(std::move(options));  // First: before any thread.
  const int code = orderly_demo::Run(flags);     // Ran the sequence itself.
  return guard.Shutdown(code);
}
