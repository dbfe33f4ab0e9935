// Copyright 2026 The orderly Authors.
//
// A bounded HTTP/1.1 load generator for the rolling-restart proof: steady
// rate, keep-alive connections to one address on loopback, stops by itself.
//
//   load_gen --port=8080 --seconds=10 --rate=400 --connections=8
//
// Each connection sends `GET /kv/<n>` at rate/connections per second, on a
// fixed schedule (a late reply delays only that connection's next request,
// and the latency is counted from when the request was due, so a stall is
// not hidden: no coordinated omission). A request fails when the reply is
// not a whole "200" response within --timeout-ms, or the connection breaks
// (it is then re-opened for the next request). At the end it prints one
// line:
//   load: sent=N ok=N failed=N failed_status=N failed_io=N p50_ms=X
//   p99_ms=X max_ms=X
// Exit code 0 always when it ran (the caller judges the numbers), 2 on bad
// flags.

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace {

struct Flags {
  int port = 0;
  double seconds = 10;
  int rate = 400;
  int connections = 8;
  int timeout_ms = 3000;
};

struct Tally {
  int64_t sent = 0, ok = 0, failed_status = 0, failed_io = 0;
  std::vector<absl::Duration> latencies;
};

int Connect(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return -1;
  }
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

// Reads one response; returns its status code, or -1 on I/O error or
// timeout. Handles Content-Length bodies only (what HAProxy and the front
// send); sets *close when the response says "Connection: close".
int ReadResponse(int fd, absl::Time deadline, bool* close_after) {
  std::string buf;
  char chunk[4096];
  size_t need = std::string::npos;
  while (need == std::string::npos || buf.size() < need) {
    const int ms = static_cast<int>(
        absl::ToInt64Milliseconds(deadline - absl::Now()));
    pollfd p = {fd, POLLIN, 0};
    if (ms <= 0 || poll(&p, 1, ms) <= 0) return -1;
    const ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
    if (n <= 0) return -1;
    buf.append(chunk, static_cast<size_t>(n));
    const size_t end = buf.find("\r\n\r\n");
    if (need == std::string::npos && end != std::string::npos) {
      std::string head = buf.substr(0, end);
      for (char& c : head) c = static_cast<char>(std::tolower(c));
      const size_t cl = head.find("content-length:");
      size_t length = 0;
      if (cl != std::string::npos) {
        length = std::strtoul(head.c_str() + cl + 15, nullptr, 10);
      }
      *close_after = head.find("connection: close") != std::string::npos;
      need = end + 4 + length;
    }
  }
  int code = -1;
  if (buf.size() < 12 || !absl::SimpleAtoi(buf.substr(9, 3), &code)) return -1;
  return code;
}

void Drive(const Flags& f, int id, absl::Time start, absl::Time end,
           Tally* t) {
  const absl::Duration interval =
      absl::Seconds(1) * f.connections / std::max(1, f.rate);
  int fd = -1;
  for (int64_t i = 0;; ++i) {
    // Staggered, fixed schedule.
    const absl::Time due = start + interval * i + interval * id / f.connections;
    if (due >= end) break;
    const absl::Time now = absl::Now();
    if (due > now) absl::SleepFor(due - now);  // Pacing, not synchronization.
    ++t->sent;
    if (fd < 0) fd = Connect(f.port);
    const std::string req = absl::StrCat("GET /kv/", id, "-", i % 64,
                                         " HTTP/1.1\r\nHost: load\r\n\r\n");
    bool close_after = false;
    int code = -1;
    if (fd >= 0 && send(fd, req.data(), req.size(), MSG_NOSIGNAL) ==
                       static_cast<ssize_t>(req.size())) {
      code = ReadResponse(fd, due + absl::Milliseconds(f.timeout_ms),
                          &close_after);
    }
    t->latencies.push_back(absl::Now() - due);
    if (code == 200) {
      ++t->ok;
    } else if (code > 0) {
      ++t->failed_status;
    } else {
      ++t->failed_io;
    }
    if (code < 0 || close_after) {
      if (fd >= 0) close(fd);
      fd = -1;
    }
  }
  if (fd >= 0) close(fd);
}

double Ms(absl::Duration d) { return absl::ToDoubleMilliseconds(d); }

}  // namespace

int main(int argc, char** argv) {
  Flags f;
  for (int i = 1; i < argc; ++i) {
    absl::string_view a = argv[i];
    bool ok = false;
    if (absl::ConsumePrefix(&a, "--port=")) ok = absl::SimpleAtoi(a, &f.port);
    if (absl::ConsumePrefix(&a, "--seconds=")) {
      ok = absl::SimpleAtod(a, &f.seconds) && f.seconds > 0 && f.seconds < 600;
    }
    if (absl::ConsumePrefix(&a, "--rate=")) {
      ok = absl::SimpleAtoi(a, &f.rate) && f.rate > 0 && f.rate <= 20000;
    }
    if (absl::ConsumePrefix(&a, "--connections=")) {
      ok = absl::SimpleAtoi(a, &f.connections) && f.connections > 0 &&
           f.connections <= 256;
    }
    if (absl::ConsumePrefix(&a, "--timeout-ms=")) {
      ok = absl::SimpleAtoi(a, &f.timeout_ms) && f.timeout_ms > 0;
    }
    if (!ok) {
      std::fprintf(stderr,
                   "usage: %s --port=N [--seconds=S] [--rate=N] "
                   "[--connections=N] [--timeout-ms=N]\n",
                   argv[0]);
      return 2;
    }
  }
  const absl::Time start = absl::Now();
  const absl::Time end = start + absl::Seconds(f.seconds);
  std::vector<Tally> tallies(static_cast<size_t>(f.connections));
  std::vector<std::thread> threads;
  for (int id = 0; id < f.connections; ++id) {
    threads.emplace_back(Drive, std::cref(f), id, start, end, &tallies[id]);
  }
  for (std::thread& t : threads) t.join();
  Tally all;
  for (const Tally& t : tallies) {
    all.sent += t.sent;
    all.ok += t.ok;
    all.failed_status += t.failed_status;
    all.failed_io += t.failed_io;
    all.latencies.insert(all.latencies.end(), t.latencies.begin(),
                         t.latencies.end());
  }
  std::sort(all.latencies.begin(), all.latencies.end());
  auto at = [&](double q) {
    if (all.latencies.empty()) return 0.0;
    const size_t i = std::min(all.latencies.size() - 1,
                              static_cast<size_t>(q * all.latencies.size()));
    return Ms(all.latencies[i]);
  };
  std::printf(
      "load: sent=%lld ok=%lld failed=%lld failed_status=%lld "
      "failed_io=%lld p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
      static_cast<long long>(all.sent), static_cast<long long>(all.ok),
      static_cast<long long>(all.failed_status + all.failed_io),
      static_cast<long long>(all.failed_status),
      static_cast<long long>(all.failed_io), at(0.5), at(0.99),
      all.latencies.empty() ? 0.0 : Ms(all.latencies.back()));
  return 0;
}
