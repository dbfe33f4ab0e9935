// Copyright 2026 The orderly Authors.
//
// A TCP server on loopback whose io_context runs on 4 threads through
// IoContextRunner, with 4 client threads sending requests one at a time.
// Each request waits on a 1 ms timer before its reply (a handler in
// flight). Once the drain begins, the server replies "close" and closes
// the connection; a client stops at "close". Ends as end_modes.h says;
// io_context_runner_test.cc checks that every request sent got its reply.
//
//   io_context_runner_main <sigterm|exit|return>

#include <sys/socket.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include "absl/synchronization/notification.h"
#include "adapters/asio/io_context_runner.h"
#include "blocks/managed_thread.h"
#include "hooks/main_guard.h"
#include "tests/adapters/end_modes.h"

namespace orderly {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

constexpr int kClients = 4;
constexpr int kReadyReplies = 400;  // Load is running: "ready".

std::atomic<int64_t> g_sent{0};     // Requests the clients wrote.
std::atomic<int64_t> g_replied{0};  // Replies the clients read.
absl::Notification g_ready;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const IoContextRunner& runner)
      : socket_(std::move(socket)), timer_(socket_.get_executor()),
        runner_(runner) {}

  void Read() {
    asio::async_read_until(
        socket_, buffer_, '\n',
        [self = shared_from_this()](boost::system::error_code ec, size_t n) {
          if (ec) return;  // The client went away.
          self->buffer_.consume(n);
          self->Work();
        });
  }

 private:
  void Work() {  // The request in flight: a 1 ms wait, then the reply.
    timer_.expires_after(std::chrono::milliseconds(1));
    timer_.async_wait([self = shared_from_this()](boost::system::error_code) {
      self->closing_ = self->runner_.draining();
      self->reply_ = self->closing_ ? "close\n" : "ok\n";
      asio::async_write(self->socket_, asio::buffer(self->reply_),
                        [self](boost::system::error_code ec, size_t) {
                          if (ec || self->closing_) return;  // Closes.
                          self->Read();
                        });
    });
  }

  tcp::socket socket_;
  asio::steady_timer timer_;
  asio::streambuf buffer_;
  std::string reply_;
  bool closing_ = false;
  const IoContextRunner& runner_;
};

void Accept(tcp::acceptor& acceptor, const IoContextRunner& runner) {
  acceptor.async_accept(
      asio::make_strand(acceptor.get_executor()),
      [&acceptor, &runner](boost::system::error_code ec, tcp::socket s) {
        if (ec) return;  // Closed by the drain: accept no more.
        std::make_shared<Session>(std::move(s), runner)->Read();
        Accept(acceptor, runner);
      });
}

// One client: requests one at a time until the server says "close".
void Client(uint16_t port, std::atomic<int>& fd) {
  asio::io_context io;
  tcp::socket socket(io);
  boost::system::error_code ec;
  socket.connect({asio::ip::address_v4::loopback(), port}, ec);
  if (ec) return;
  fd.store(socket.native_handle());
  asio::streambuf in;
  for (;;) {
    asio::write(socket, asio::buffer("req\n", 4), ec);
    if (ec) break;
    g_sent.fetch_add(1);
    const size_t n = asio::read_until(socket, in, '\n', ec);
    if (ec) break;
    const bool close = std::string(asio::buffers_begin(in.data()),
                                   asio::buffers_begin(in.data()) + n) ==
                       "close\n";
    in.consume(n);
    if (g_replied.fetch_add(1) + 1 == kReadyReplies) g_ready.Notify();
    if (close) break;
  }
  fd.store(-1);
}

int Run(EndMode mode, MainGuard& guard) {
  Runtime& rt = Runtime::Default();
  if (!PrintCountsAtRelease(rt, [] {
         return Counts{g_sent.load(), g_replied.load()};
       }).ok()) {
    return 10;
  }
  asio::io_context io;
  tcp::acceptor acceptor(asio::make_strand(io),
                         {asio::ip::address_v4::loopback(), 0});
  // example: io_context_runner.h + recipes.md
  auto runner = orderly::IoContextRunner::Start(io, /*threads=*/4);
  if (!runner.ok() || !(*runner)->AddAcceptor(acceptor).ok()) return 1;
  // end of example
  asio::post(acceptor.get_executor(), [&] { Accept(acceptor, **runner); });
  const uint16_t port = acceptor.local_endpoint().port();
  std::vector<std::atomic<int>> fds(kClients);
  for (auto& fd : fds) fd.store(-1);
  std::vector<ManagedThread> clients;
  for (int c = 0; c < kClients; ++c) {
    ManagedThreadOptions options;
    // Past a failed drain the server stops answering: unblock the read.
    options.on_terminate = [&fds, c] {
      if (int fd = fds[c].load(); fd >= 0) ::shutdown(fd, SHUT_RDWR);
    };
    auto t = ManagedThread::Start(
        "client-" + std::to_string(c), [port, &fds, c] { Client(port, fds[c]); },
        std::move(options));
    if (!t.ok()) return 11;
    clients.push_back(*std::move(t));
  }
  return EndMain(mode, guard, [] { g_ready.WaitForNotification(); });
}

}  // namespace
}  // namespace orderly

int main(int argc, char** argv) {
  orderly::MainGuard guard;
  const auto mode = argc == 2 ? orderly::ParseEndMode(argv[1]) : std::nullopt;
  if (!mode) return 2;
  return orderly::Run(*mode, guard);
}
