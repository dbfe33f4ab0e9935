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
//   server.h   an acceptor thread and a pool of workers on 127.0.0.1;
//   store.h    the "store" the request handlers read;
//   access_log.h  one line per answered request, written by a
//                 BackgroundConsumer to <out>/orderly-demo.access.log;
//   metrics.h  a flusher thread printing a snapshot every second;
//   load.h     client threads driving the server, through the shutdown.
//
// At the end it prints the shutdown report, a verdict it checks itself
// (every accepted request answered and on disk: lost = 0), and the timeline
// files <out>/orderly-demo.trace.json (open in ui.perfetto.dev) and
// <out>/orderly-demo.html. Exit code 0 only when the verdict holds and the
// report is OK.

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
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
#include "runtime/report_files.h"
#include "runtime/runtime.h"

namespace orderly_demo {
namespace {

constexpr char kBasename[] = "orderly-demo";
constexpr int kWorkers = 8;  // At least kClients: one per open connection.
constexpr int kClients = 4;

struct Flags {
  double seconds = 3;
  bool until_signal = false;
  std::string out;  // Empty: where `bazel run` was typed, or the cwd.
};

bool ParseFlags(int argc, char** argv, Flags* flags) {
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (absl::ConsumePrefix(&arg, "--seconds=")) {
      if (!absl::SimpleAtod(arg, &flags->seconds) || flags->seconds <= 0) {
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
    const char* where = std::getenv("BUILD_WORKING_DIRECTORY");
    if (where != nullptr) flags->out = where;
  }
  return true;
}

// Fits a supervisor's grace period (Kubernetes: 30 s) with a margin.
orderly::RuntimeOptions DemoRuntimeOptions() {
  orderly::RuntimeOptions options;
  options.deadline = absl::Seconds(10);
  options.callback_budget = absl::Seconds(1);
  options.cleanup_budget = absl::Seconds(2);
  options.join_budget = absl::Seconds(5);
  return options;
}

int64_t CountLines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  int64_t lines = 0;
  for (std::string line; std::getline(in, line);) ++lines;
  return lines;
}

// The demo's own check: every request the server accepted was answered and
// is in the access log on disk, and the clients saw the same answers.
bool Verdict(const Server::Stats& server, const Load::Stats& clients,
             int64_t log_lines, int64_t reads_after_close) {
  const int64_t lost = server.requests_accepted - log_lines;
  const bool ok = server.requests_accepted > 0 &&
                  server.requests_answered == server.requests_accepted &&
                  log_lines == server.requests_answered &&
                  clients.answered == server.requests_answered &&
                  reads_after_close == 0;
  absl::PrintF(
      "verdict: %s accepted=%d answered=%d received=%d log_lines=%d "
      "lost=%d\n"
      "  (requests the server accepted, answered, the clients received, "
      "lines in the access log file; clients also saw %d requests "
      "unanswered on connections the server closed unread while draining, "
      "%d connections refused, %d closed unread at the stop request; store "
      "reads after close: %d)\n",
      ok ? "OK" : "FAILED", server.requests_accepted, server.requests_answered,
      clients.answered, log_lines, lost, clients.unanswered, clients.refused,
      server.connections_refused, reads_after_close);
  return ok;
}

int Run(const Flags& flags) {
  orderly::Runtime& rt = orderly::Runtime::Default();
  const std::string out_dir = flags.out.empty() ? "." : flags.out;
  auto store = Store::Create(rt);
  if (!store.ok())
    return std::fprintf(stderr, "%s\n", store.status().ToString().c_str()), 1;
  auto log =
      AccessLog::Open(rt, absl::StrCat(out_dir, "/", kBasename, ".access.log"));
  if (!log.ok())
    return std::fprintf(stderr, "%s\n", log.status().ToString().c_str()), 1;
  std::shared_ptr<AccessLog> shared_log = std::move(*log);
  auto server = Server::Start(rt, *store, shared_log, kWorkers);
  if (!server.ok())
    return std::fprintf(stderr, "%s\n", server.status().ToString().c_str()), 1;
  std::printf(
      "demo: serving on 127.0.0.1:%d (try: echo 'GET a' | nc 127.0.0.1 %d)\n",
      (*server)->port(), (*server)->port());

  MetricsFlusher metrics;
  Load load;
  absl::Status s = metrics.Start(rt, absl::Seconds(1), [&server = *server] {
    const Server::Stats st = server->stats();
    return absl::StrFormat("connections=%d accepted=%d answered=%d",
                           st.connections, st.requests_accepted,
                           st.requests_answered);
  });
  s.Update(load.Start(rt, (*server)->port(), kClients));
  if (!s.ok()) return std::fprintf(stderr, "%s\n", s.ToString().c_str()), 1;

  {
    // Wakes main when the stop is requested (a signal, or below).
    absl::Notification stopped;
    orderly::StopCallback wake(
        rt.stop_token(), [&stopped] { stopped.Notify(); }, "main: wake up");
    if (flags.until_signal) {
      std::printf(
          "demo: running until Ctrl-C (a second one forces the exit)\n");
      std::fflush(stdout);
      stopped.WaitForNotification();
    } else if (!stopped.WaitForNotificationWithTimeout(
                   absl::Seconds(flags.seconds))) {
      std::printf("demo: %gs of load done; sending myself SIGTERM\n",
                  flags.seconds);
      std::fflush(stdout);
      kill(getpid(), SIGTERM);  // As a supervisor would; the hook handles it.
      stopped.WaitForNotification();
    }
  }

  auto report = rt.Shutdown();
  if (!report.ok())
    return std::fprintf(stderr, "%s\n", report.status().ToString().c_str()), 1;
  std::printf("\n%s\n", (*report)->ToText().c_str());
  const bool verdict =
      Verdict((*server)->stats(), load.stats(), CountLines(shared_log->path()),
              (*store)->reads_after_close());
  std::vector<std::string> written;
  s = orderly::WriteReportFiles(**report, flags.out, kBasename, &written);
  for (const std::string& path : written)
    std::printf("timeline: %s\n", path.c_str());
  std::printf("access log: %s\n", shared_log->path().c_str());
  if (!s.ok()) std::fprintf(stderr, "demo: %s\n", s.ToString().c_str());
  return verdict && s.ok() && (*report)->ok() ? 0 : 1;
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
  return orderly_demo::Run(flags);
}
