// Copyright 2026 The orderly Authors.
//
// The fleet instance (examples/fleet), run as a child process: /readyz turns
// 503 at SIGTERM while every other request still succeeds during the lame
// duck; a second SIGTERM ends it at once; after the lame duck it drains,
// exits 0 and writes its JSON report. Waits on the child's output and on
// its answers (bounded), never on sleeps.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <regex>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/hooks/child_process.h"
#include "tests/mini_json.h"
#include "tests/test_util.h"

namespace orderly {
namespace {

using ::testing::HasSubstr;

const char* g_instance = nullptr;

// Generous: sanitizer builds run slower; no passing test waits it out.
const absl::Duration kTimeout = absl::Seconds(60);
// Longer than any test runs: the lame duck lasts while the test looks.
constexpr char kLongLameDuck[] = "--lame-duck-ms=600000";

// One HTTP/1.1 GET; the status code, or -1 when the connection failed.
int Get(int port, const std::string& path, std::string* body = nullptr) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return -1;
  }
  const std::string req = absl::StrCat("GET ", path, " HTTP/1.1\r\n\r\n");
  (void)!send(fd, req.data(), req.size(), MSG_NOSIGNAL);
  std::string reply;
  char chunk[1024];
  for (ssize_t n; (n = recv(fd, chunk, sizeof(chunk), 0)) > 0;) {
    reply.append(chunk, static_cast<size_t>(n));
  }
  close(fd);
  int code = -1;
  if (reply.size() < 12 || !absl::SimpleAtoi(reply.substr(9, 3), &code)) {
    return -1;
  }
  if (body != nullptr) body->assign(reply.substr(reply.find("\r\n\r\n") + 4));
  return code;
}

// Starts the instance on an ephemeral port; returns the port, 0 on failure.
int StartAndGetPort(ChildProcess& child) {
  // The line ends "(pid N, lame duck 300 ms)" or "(..., no lame duck)".
  if (!child.WaitForOutput(")\n", kTimeout)) return 0;
  std::smatch m;
  const std::regex serving("serving on 127\\.0\\.0\\.1:(\\d+)");
  int port = 0;
  if (!std::regex_search(child.out(), m, serving) ||
      !absl::SimpleAtoi(m[1].str(), &port)) {
    return 0;
  }
  return port;
}

// Asks until /readyz answers `code`, within kTimeout.
bool AwaitReadyz(int port, int code) {
  const absl::Time give_up = absl::Now() + kTimeout;
  while (absl::Now() < give_up) {
    if (Get(port, "/readyz") == code) return true;
  }
  return false;
}

TEST(FleetInstanceTest, ReadyzTurns503AtSigtermAndServingGoesOn) {
  ChildProcess child({g_instance, "--port=0", kLongLameDuck});
  const int port = StartAndGetPort(child);
  ASSERT_GT(port, 0) << child.out() << child.err();
  std::string body;
  EXPECT_EQ(Get(port, "/readyz", &body), 200);
  EXPECT_EQ(body, "ready\n");
  EXPECT_EQ(Get(port, "/livez"), 200);
  EXPECT_EQ(Get(port, "/kv/a"), 200);

  kill(child.pid(), SIGTERM);
  ASSERT_TRUE(AwaitReadyz(port, 503)) << child.err();
  EXPECT_EQ(Get(port, "/readyz", &body), 503);
  EXPECT_EQ(body, "stopping\n");
  // The lame duck: still listening, still answering everything else.
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(Get(port, "/kv/a", &body), 200) << i;
  }
  EXPECT_EQ(body, "21\n");
  EXPECT_EQ(Get(port, "/livez"), 200);

  // The second signal ends it at once, long before the lame duck would.
  kill(child.pid(), SIGTERM);
  const ChildProcess::Result r = child.Wait(kTimeout);
  EXPECT_FALSE(r.timed_out) << r;
  EXPECT_EQ(r.exit_code, 128 + SIGTERM) << r;
  EXPECT_THAT(r.err, HasSubstr("second")) << r;
}

TEST(FleetInstanceTest, AfterTheLameDuckItDrainsAndReportsJson) {
  const std::string dir = NewTestDir("fleet");
  const std::string report = dir + "/report.json";
  ChildProcess child({g_instance, "--port=0", "--lame-duck-ms=300",
                      "--name=kv-test", "--report=" + report});
  const int port = StartAndGetPort(child);
  ASSERT_GT(port, 0) << child.out() << child.err();
  kill(child.pid(), SIGTERM);
  const ChildProcess::Result r = child.Wait(kTimeout);
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(Get(port, "/readyz"), -1) << "drained: nothing listens";

  std::string error;
  std::optional<Json> doc = Json::Parse(ReadFile(report), &error);
  ASSERT_TRUE(doc.has_value()) << error;
  EXPECT_EQ((*doc)["schema"].string(), "orderly.shutdown_report/v1");
  EXPECT_EQ((*doc)["instance"].string(), "kv-test");
  EXPECT_TRUE((*doc)["ok"].boolean());
  const auto& phases = (*doc)["phases"].array();
  ASSERT_GE(phases.size(), 2u);
  EXPECT_EQ(phases[0]["name"].string(), "lame-duck");
  EXPECT_EQ(phases[1]["name"].string(), "drain");
  // Drain begins after the lame duck, counted from the stop request.
  EXPECT_GE(phases[1]["start_us"].number(), 300000);
  EXPECT_EQ(phases[1]["steps"].array()[0]["name"].string(), "stop-accepting");
}

TEST(FleetInstanceTest, BaselineStopsAcceptingAtSigterm) {
  const std::string dir = NewTestDir("fleet");
  const std::string report = dir + "/report.json";
  ChildProcess child(
      {g_instance, "--port=0", "--baseline", "--report=" + report});
  const int port = StartAndGetPort(child);
  ASSERT_GT(port, 0) << child.out() << child.err();
  kill(child.pid(), SIGTERM);
  const ChildProcess::Result r = child.Wait(kTimeout);
  EXPECT_EQ(r.exit_code, 0) << r;
  std::string error;
  std::optional<Json> doc = Json::Parse(ReadFile(report), &error);
  ASSERT_TRUE(doc.has_value()) << error;
  EXPECT_EQ((*doc)["phases"].array()[0]["name"].string(), "drain");
}

// docs/fleet.md, "Handing the listener over": under systemd socket
// activation the instance serves on the socket it was passed as fd 3, not
// on one of its own. systemd-socket-activate (Debian's `systemd` package)
// plays the .socket unit: it listens, and on the first connection execs the
// instance with LISTEN_FDS=1 and LISTEN_PID set.
constexpr char kSocketActivate[] = "/usr/bin/systemd-socket-activate";

TEST(FleetInstanceTest, ServesTheSocketSystemdPasses) {
  if (access(kSocketActivate, X_OK) != 0) {
    GTEST_SKIP() << kSocketActivate << " is missing (Debian package systemd)";
  }
  // A free port for the "unit" to listen on.
  const int probe = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(bind(probe, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(getsockname(probe, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const int port = ntohs(addr.sin_port);
  close(probe);

  ChildProcess child({kSocketActivate, "-l", absl::StrCat("127.0.0.1:", port),
                      g_instance, "--port=0", "--lame-duck-ms=100"});
  // Refused until the tool listens; the first connection starts the
  // instance, which answers it on fd 3.
  ASSERT_TRUE(AwaitReadyz(port, 200)) << child.out() << child.err();
  ASSERT_TRUE(child.WaitForOutput(")\n", kTimeout)) << child.err();
  // --port=0 would have bound an ephemeral port: it serves the passed one.
  EXPECT_THAT(child.out(),
              HasSubstr(absl::StrCat("serving on 127.0.0.1:", port, " ")));
  kill(child.pid(), SIGTERM);  // Same pid: the tool execs the instance.
  const ChildProcess::Result r = child.Wait(kTimeout);
  EXPECT_EQ(r.exit_code, 0) << r;
}

}  // namespace
}  // namespace orderly

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <path of //examples/fleet:instance>\n",
                 argv[0]);
    return 2;
  }
  orderly::g_instance = argv[1];
  return RUN_ALL_TESTS();
}
