// Copyright 2026 The orderly Authors.
//
// ZeroMQ over inproc:// with a context owned by ZmqContextOwner: four
// producer threads PUSH until the stop request (up to kMaxMessages each),
// then send an end marker; a consumer thread PULLs until it has every
// marker; a "pipeline" component's drain cleanup waits for it. A second
// consumer waits in recv() on a socket nobody sends to: only the
// context's shutdown (the terminate step) ends it. Ends as end_modes.h
// says; zmq_context_owner_test.cc checks that none was lost.
//
//   zmq_context_owner_main <sigterm|exit|return|leak>
//
// `leak` leaves a socket open and returns from main: the context cannot
// close; the report names it and the process still ends.

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/synchronization/notification.h"
#include "adapters/zmq/zmq_context_owner.h"
#include "blocks/managed_thread.h"
#include "hooks/main_guard.h"
#include "tests/adapters/end_modes.h"

namespace orderly {
namespace {

constexpr int kProducers = 4;
constexpr int64_t kMaxMessages = 200000;  // Per producer: a bounded burst.
constexpr int64_t kReadyMessages = 2000;  // Received in all: "ready".
constexpr char kEnd[] = "END";

std::atomic<int64_t> g_sent{0};
std::atomic<int64_t> g_received{0};
absl::Notification g_ready;
absl::Notification g_drained;  // The consumer has every end marker.

// Stops at the stop request (not at its thread's terminate callback, in
// `threads`: the drain waits for its end marker before that).
void Produce(zmq::context_t& ctx) {
  const Runtime& rt = Runtime::Default();
  zmq::socket_t push(ctx, zmq::socket_type::push);
  push.connect("inproc://work");
  for (int64_t i = 0; i < kMaxMessages && !rt.stop_requested(); ++i) {
    if (!push.send(zmq::str_buffer("item"), zmq::send_flags::none)) break;
    g_sent.fetch_add(1);
  }
  push.send(zmq::buffer(kEnd, 3), zmq::send_flags::none);
}

void Consume(zmq::socket_t& pull) {
  int ends = 0;
  zmq::message_t msg;
  while (ends < kProducers && pull.recv(msg, zmq::recv_flags::none)) {
    if (msg.to_string_view() == kEnd) {
      ++ends;
    } else if (g_received.fetch_add(1) + 1 == kReadyMessages) {
      g_ready.Notify();
    }
  }
  g_drained.Notify();
}

// Blocks in recv() until the context shuts down (ETERM).
void WaitForever(zmq::context_t& ctx) {
  zmq::socket_t idle(ctx, zmq::socket_type::pull);
  idle.bind("inproc://idle");
  zmq::message_t msg;
  try {
    (void)idle.recv(msg, zmq::recv_flags::none);
  } catch (const zmq::error_t& e) {
    if (e.num() != ETERM) throw;
  }
  idle.set(zmq::sockopt::linger, 0);
}

absl::Status StartThreads(zmq::context_t& ctx, zmq::socket_t& pull,
                          std::vector<ManagedThread>& threads) {
  auto add = [&threads](absl::StatusOr<ManagedThread> t) {
    if (t.ok()) threads.push_back(*std::move(t));
    return t.status();
  };
  absl::Status s = add(ManagedThread::Start("consumer", [&pull] {
    Consume(pull);
    pull.close();
  }));
  if (s.ok()) s = add(ManagedThread::Start("idle", [&ctx] { WaitForever(ctx); }));
  for (int p = 0; s.ok() && p < kProducers; ++p) {
    s = add(ManagedThread::Start("producer-" + std::to_string(p),
                                 [&ctx] { Produce(ctx); }));
  }
  return s;
}

absl::Status DeclarePipeline(Runtime& rt) {
  auto pipeline = rt.AddComponent("pipeline", {"zmq"});
  if (!pipeline.ok()) return pipeline.status();
  return pipeline->AddCleanup("drain", "wait for the consumer", [] {
    if (!g_drained.WaitForNotificationWithTimeout(absl::Seconds(5))) {
      return absl::DeadlineExceededError("the consumer did not drain");
    }
    return absl::OkStatus();
  });
}

int Run(const std::string& mode_name, MainGuard& guard) {
  const bool leak = mode_name == "leak";
  const auto mode = leak ? EndMode::kReturn : ParseEndMode(mode_name);
  if (!mode) return 2;
  Runtime& rt = Runtime::Default();
  if (!PrintCountsAtRelease(rt, [] {
         return Counts{g_sent.load(), g_received.load()};
       }).ok()) {
    return 10;
  }
  // example: zmq_context_owner.h
  auto zmq = orderly::ZmqContextOwner::Create();
  if (!zmq.ok()) return 1;
  zmq::socket_t pull((*zmq)->context(), zmq::socket_type::pull);
  // end of example
  pull.bind("inproc://work");
  if (!DeclarePipeline(rt).ok()) return 11;
  std::optional<zmq::socket_t> left_open;
  if (leak) left_open.emplace((*zmq)->context(), zmq::socket_type::push);
  std::vector<ManagedThread> threads;
  if (!StartThreads((*zmq)->context(), pull, threads).ok()) return 12;
  return EndMain(*mode, guard, [] { g_ready.WaitForNotification(); });
}

}  // namespace
}  // namespace orderly

int main(int argc, char** argv) {
  orderly::MainGuard guard;
  if (argc != 2) return 2;
  return orderly::Run(argv[1], guard);
}
