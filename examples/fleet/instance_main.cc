// Copyright 2026 The orderly Authors.
//
// One instance of the fleet demo: the HTTP front (http_front.h) behind a
// load balancer, shutting down with a lame duck.
//
//   bazel run //examples/fleet:instance -- --port=8081 --name=kv-1
//   curl -s 127.0.0.1:8081/readyz       # 200 ready; 503 after SIGTERM
//   kill -TERM <pid>                    # lame duck, drain, end
//
// Flags:
//   --port=N           listen on 127.0.0.1:N with SO_REUSEPORT, unless
//                      systemd passed a socket (LISTEN_FDS, listen_fds.h);
//   --name=S           instance name in the report (default kv-<port>);
//   --lame-duck-ms=N   RuntimeOptions::lame_duck (default 500);
//   --baseline         no lame duck: stops accepting at SIGTERM;
//   --work-ms=N        service time of each /kv request (default 2);
//   --report=PATH|-    the JSON report (render/report_json.h): a file, or
//                      one line on stderr (default "-");
//   --timeline-dir=D   also write <D>/<name>.html and .trace.json.
// Exit code 0 when the report is OK. A second SIGTERM ends the process at
// once (hooks/signals.h).

#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "examples/fleet/http_front.h"
#include "hooks/listen_fds.h"
#include "hooks/main_guard.h"
#include "render/report_files.h"
#include "render/report_json.h"
#include "runtime/runtime.h"

namespace orderly_fleet {
namespace {

struct Flags {
  int port = 0;
  std::string name;
  int lame_duck_ms = 500;
  bool baseline = false;
  int work_ms = 2;
  std::string report = "-";
  std::string timeline_dir;
};

bool ParseFlags(int argc, char** argv, Flags* f) {
  for (int i = 1; i < argc; ++i) {
    absl::string_view a = argv[i];
    bool ok = true;
    if (absl::ConsumePrefix(&a, "--port=")) {
      ok = absl::SimpleAtoi(a, &f->port);
    } else if (absl::ConsumePrefix(&a, "--name=")) {
      f->name = std::string(a);
    } else if (absl::ConsumePrefix(&a, "--lame-duck-ms=")) {
      ok = absl::SimpleAtoi(a, &f->lame_duck_ms) && f->lame_duck_ms >= 0;
    } else if (a == "--baseline") {
      f->baseline = true;
    } else if (absl::ConsumePrefix(&a, "--work-ms=")) {
      ok = absl::SimpleAtoi(a, &f->work_ms) && f->work_ms >= 0;
    } else if (absl::ConsumePrefix(&a, "--report=")) {
      f->report = std::string(a);
    } else if (absl::ConsumePrefix(&a, "--timeline-dir=")) {
      f->timeline_dir = std::string(a);
    } else {
      ok = false;
    }
    if (!ok) return false;
  }
  if (f->name.empty()) f->name = absl::StrCat("kv-", f->port);
  return true;
}

// The deadline fits Kubernetes' default 30 s grace period; the lame duck
// comes out of it (runtime_options.h).
orderly::RuntimeOptions Options(const Flags& f) {
  orderly::RuntimeOptions options;
  options.deadline = absl::Seconds(10);
  options.join_budget = absl::Seconds(5);
  options.lame_duck =
      f.baseline ? absl::ZeroDuration() : absl::Milliseconds(f.lame_duck_ms);
  return options;
}

absl::StatusOr<int> Listener(const Flags& f) {
  const std::vector<int> passed = orderly::ListenFds();
  if (!passed.empty()) return passed[0];
  orderly::ListenOptions options;
  options.reuse_port = true;
  return orderly::ListenTcp(f.port, options);
}

int Run(orderly::MainGuard& guard, const Flags& f) {
  orderly::Runtime& rt = orderly::Runtime::Default();
  absl::StatusOr<int> fd = Listener(f);
  if (!fd.ok()) {
    std::fprintf(stderr, "fleet: %s\n", fd.status().ToString().c_str());
    return 1;
  }
  HttpFront::Options options;
  options.listen_fd = *fd;
  options.work = absl::Milliseconds(f.work_ms);
  auto front = HttpFront::Start(rt, options);
  if (!front.ok()) {
    std::fprintf(stderr, "fleet: %s\n", front.status().ToString().c_str());
    return 1;
  }
  std::printf("fleet: %s serving on 127.0.0.1:%d (pid %d, %s)\n",
              f.name.c_str(), orderly::LocalPort(*fd).value_or(-1), getpid(),
              f.baseline ? "baseline: no lame duck"
                         : absl::StrCat("lame duck ", f.lame_duck_ms, " ms")
                               .c_str());
  std::fflush(stdout);
  guard.WaitForStop();
  auto report = rt.Shutdown();
  if (!report.ok()) return 1;
  const HttpFront::Stats st = (*front)->stats();
  std::printf("fleet: %s stopped: requests=%lld answered=%lld readyz_503=%lld\n",
              f.name.c_str(), static_cast<long long>(st.requests),
              static_cast<long long>(st.answered),
              static_cast<long long>(st.ready_503));
  std::fflush(stdout);
  orderly::ReportJsonOptions json;
  json.instance = f.name;
  json.pid = getpid();
  absl::Status written = orderly::WriteReportJson(**report, f.report, json);
  if (!f.timeline_dir.empty()) {
    written.Update(orderly::WriteReportFiles(**report, f.timeline_dir, f.name,
                                             nullptr));
  }
  if (!written.ok()) {
    std::fprintf(stderr, "fleet: %s\n", written.ToString().c_str());
  }
  return written.ok() && (*report)->ok() ? 0 : 1;
}

}  // namespace
}  // namespace orderly_fleet

int main(int argc, char** argv) {
  orderly_fleet::Flags flags;
  if (!orderly_fleet::ParseFlags(argc, argv, &flags)) {
    std::fprintf(stderr,
                 "usage: %s --port=N [--name=S] [--lame-duck-ms=N] "
                 "[--baseline] [--work-ms=N] [--report=PATH|-] "
                 "[--timeline-dir=DIR]\n",
                 argv[0]);
    return 2;
  }
  orderly::MainGuardOptions options;
  options.runtime = orderly_fleet::Options(flags);
  orderly::MainGuard guard(std::move(options));  // First: before any thread.
  return orderly_fleet::Run(guard, flags);
}
