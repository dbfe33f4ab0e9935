// Copyright 2026 The orderly Authors.
//
// Linearization of thread registration with the sequence (DESIGN.md, The
// sequence, step 1): races RegisterThread() and the end of registrations
// against RequestStop() and Shutdown(), many times, each round with a
// fresh runtime (Rounds() below). Invariants checked after every round:
//   - every registration either failed, or got its terminate callback
//     exactly once (if it was still live at the terminate pass or after);
//   - no registration is live when Shutdown() returns (all were joined);
//   - the report is clean: no straggler, no error.
// Run it under TSan: `bazel test --config=tsan //tests/runtime:thread_registry_stress_test`.

#include <atomic>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "runtime/runtime.h"
#include "tests/test_util.h"

namespace orderly {
namespace {

// At least 10,000 rounds (issue #3); ORDERLY_STRESS_ROUNDS overrides, for a
// longer soak or a quick look.
int Rounds() {
  const char* env = std::getenv("ORDERLY_STRESS_ROUNDS");
  return env != nullptr ? std::atoi(env) : 10000;
}

struct Round {
  std::unique_ptr<Runtime> runtime;
  std::atomic<int> live{0};  // Non-daemon, registered and not yet ending.
  std::atomic<int> registered{0};     // Successful registrations.
  std::atomic<int> refused{0};        // FailedPrecondition after the joins.
  std::atomic<int> double_terminate{0};
  std::atomic<int> unexpected_error{0};
};

// Registers, waits for its terminate callback, ends the registration, and
// registers again, until refused: the thread pool worker that keeps going
// while shutdown starts.
void Waiter(Round& round, int id) {
  for (int n = 0;; ++n) {
    auto stopped = std::make_unique<absl::Notification>();
    auto calls = std::make_unique<std::atomic<int>>(0);
    ThreadOptions options;
    options.on_terminate = [&stopped = *stopped, &calls = *calls, &round] {
      if (calls.fetch_add(1) != 0) ++round.double_terminate;
      stopped.Notify();
    };
    auto reg = round.runtime->RegisterThread(absl::StrCat("waiter-", id, "-", n),
                                             std::move(options));
    if (!reg.ok()) {
      if (reg.status().code() == absl::StatusCode::kFailedPrecondition) {
        ++round.refused;
      } else {
        ++round.unexpected_error;
      }
      return;
    }
    ++round.registered;
    ++round.live;
    stopped->WaitForNotification();
    --round.live;
    reg->Reset();  // Waits for the callback to have returned (pinned slot).
  }
}

// Registers and ends at once, until refused: short-lived helper threads.
void Churner(Round& round, int id) {
  for (int n = 0;; ++n) {
    std::atomic<int> calls{0};
    ThreadOptions options;
    options.daemon = (n % 3 == 0);  // Some daemons among them.
    options.on_terminate = [&calls, &round] {
      if (calls.fetch_add(1) != 0) ++round.double_terminate;
    };
    auto reg = round.runtime->RegisterThread(absl::StrCat("churn-", id, "-", n),
                                             std::move(options));
    if (!reg.ok()) {
      if (reg.status().code() == absl::StatusCode::kFailedPrecondition) {
        ++round.refused;
      } else {
        ++round.unexpected_error;
      }
      return;
    }
    ++round.registered;
    // Daemons are never joined: only non-daemons count as live.
    if (!(n % 3 == 0)) ++round.live;
    if (!(n % 3 == 0)) --round.live;
    reg->Reset();
    std::this_thread::yield();  // Leave the other racers a core.
  }
}

void ExpectRoundKeptTheContract(
    int r, Round& round, int live_at_return, int racers,
    const absl::StatusOr<std::shared_ptr<const ShutdownReport>>& report) {
  EXPECT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(live_at_return, 0) << "round " << r;
  EXPECT_EQ(round.double_terminate.load(), 0) << "round " << r;
  EXPECT_EQ(round.unexpected_error.load(), 0) << "round " << r;
  EXPECT_EQ(round.refused.load(), racers) << "round " << r;
  if (report.ok()) {
    EXPECT_TRUE((*report)->stragglers.empty())
        << "round " << r << "\n" << (*report)->ToText();
    EXPECT_EQ((*report)->CountOutcome(Outcome::kError), 0)
        << (*report)->ToText();
  }
}

TEST(ThreadRegistryStressTest, RegistrationIsLinearizedWithTheStop) {
  constexpr int kWaiters = 2;
  constexpr int kChurners = 1;
  constexpr int kRacers = kWaiters + kChurners;
  std::mt19937 random(20261123);
  Round* current = nullptr;
  Barrier start(kRacers + 1);
  Barrier end(kRacers + 1);
  std::atomic<bool> quit{false};
  std::vector<std::thread> racers;
  for (int i = 0; i < kRacers; ++i) {
    racers.emplace_back([&, i] {
      for (;;) {
        start.ArriveAndWait();
        if (quit.load()) return;
        if (i < kWaiters) {
          Waiter(*current, i);
        } else {
          Churner(*current, i);
        }
        end.ArriveAndWait();
      }
    });
  }
  int refused_rounds = 0;
  bool failed = false;
  const int rounds = Rounds();
  for (int r = 0; r < rounds && !failed; ++r) {
    Round round;
    RuntimeOptions options;
    options.on_deadline = DeadlineAction::kReportOnly;
    round.runtime = std::make_unique<Runtime>(options);
    current = &round;
    start.ArriveAndWait();
    // Let the racers get going for a random while, then stop.
    const int spin = std::uniform_int_distribution<int>(0, 2000)(random);
    for (volatile int i = 0; i < spin; ++i) {
    }
    round.runtime->RequestStop(StopReason::Message("stress"));
    auto report = round.runtime->Shutdown();
    // Shutdown() returned: every registration must have ended.
    const int live_at_return = round.live.load();
    end.ArriveAndWait();
    // EXPECT, then stop the loop: the racers must still be joined below.
    ExpectRoundKeptTheContract(r, round, live_at_return, kRacers, report);
    failed = ::testing::Test::HasFailure();
    refused_rounds += round.refused.load() > 0;
  }
  quit = true;
  start.ArriveAndWait();
  for (auto& t : racers) t.join();
  if (!failed) {
    EXPECT_EQ(refused_rounds, rounds);
  }
}

// exit() on a registered thread (Shutdown() with abandon_calling_thread)
// scans the registry for that thread's registrations while other threads
// register and end theirs in the same slots. The scan may read a slot's
// thread only under a pin: without one, a registrant reusing the slot
// writes it at the same time (a data race TSan reported through
// ~MainGuard, with pool chains churning; regression for issue 11).
TEST(ThreadRegistryStressTest, AbandonRacesRegistrations) {
  constexpr int kRounds = 300;
  constexpr int kChurners = 2;
  for (int r = 0; r < kRounds; ++r) {
    RuntimeOptions options;
    options.on_deadline = DeadlineAction::kReportOnly;
    Runtime rt(options);
    std::atomic<bool> quit{false};
    std::atomic<int> churned{0};
    std::vector<std::thread> churners;
    for (int i = 0; i < kChurners; ++i) {
      churners.emplace_back([&, i] {
        while (!quit.load(std::memory_order_relaxed)) {
          auto reg = rt.RegisterThread(absl::StrCat("churn-", i));
          if (!reg.ok()) return;  // Past `threads`: the round is over.
          churned.fetch_add(1, std::memory_order_relaxed);
        }
      });
    }
    // Let both churn before the scan.
    while (churned.load(std::memory_order_relaxed) < 2 * kChurners) {
      std::this_thread::yield();
    }
    std::thread exiter([&] {
      auto reg = rt.RegisterThread("exiter");
      ASSERT_TRUE(reg.ok()) << reg.status();
      Runtime::ShutdownOptions shutdown;
      shutdown.abandon_calling_thread = true;
      auto report = rt.Shutdown(shutdown);
      EXPECT_TRUE(report.ok()) << report.status();
    });
    exiter.join();
    quit = true;
    for (auto& t : churners) t.join();
    if (::testing::Test::HasFailure()) break;
  }
}

// BeginJoin() marks the registrations to wait for one 64-slot chunk at a
// time, releasing the registry's lock in between, while the threads the
// terminate callbacks woke end their registrations and helpers register
// late. Registration must close only once every registration has ended: a
// helper refused while any non-daemon registration has not begun to end
// saw it close too soon (counted as ended before its chunk was listed).
TEST(ThreadRegistryStressTest, JoinsListedChunkByChunkCloseOnlyWhenAllEnded) {
  constexpr int kRounds = 60;
  constexpr int kSleepers = 300;  // About five of the registry's chunks.
  constexpr int kHelpers = 2;
  for (int r = 0; r < kRounds; ++r) {
    RuntimeOptions options;
    options.on_deadline = DeadlineAction::kReportOnly;
    Runtime rt(options);
    // Registered, non-daemon, and not yet ending.
    std::atomic<int> not_ending{0};
    std::atomic<int> refused_too_soon{0};
    std::atomic<int> unexpected_error{0};
    Barrier registered(kSleepers + 1);
    std::vector<std::thread> threads;
    for (int i = 0; i < kSleepers; ++i) {
      threads.emplace_back([&, i] {
        absl::Notification stopped;
        ThreadOptions thread_options;
        thread_options.on_terminate = [&stopped] { stopped.Notify(); };
        auto reg = rt.RegisterThread(absl::StrCat("sleeper-", i),
                                     std::move(thread_options));
        if (reg.ok()) ++not_ending;
        registered.ArriveAndWait();
        if (!reg.ok()) return;
        stopped.WaitForNotification();
        --not_ending;
      });
    }
    registered.ArriveAndWait();
    for (int h = 0; h < kHelpers; ++h) {
      threads.emplace_back([&, h] {
        while (!rt.stop_requested()) std::this_thread::yield();
        for (int n = 0;; ++n) {
          auto reg = rt.RegisterThread(absl::StrCat("late-", h, "-", n));
          if (!reg.ok()) {
            if (reg.status().code() != absl::StatusCode::kFailedPrecondition) {
              ++unexpected_error;
            } else if (not_ending.load() != 0) {
              ++refused_too_soon;
            }
            return;
          }
          ++not_ending;
          --not_ending;
        }
      });
    }
    auto report = rt.Shutdown();
    const int not_ending_at_return = not_ending.load();
    for (std::thread& t : threads) t.join();
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_EQ(not_ending_at_return, 0) << "round " << r;
    EXPECT_EQ(refused_too_soon.load(), 0) << "round " << r;
    EXPECT_EQ(unexpected_error.load(), 0) << "round " << r;
    EXPECT_TRUE((*report)->ok()) << (*report)->ToText();
    if (::testing::Test::HasFailure()) break;
  }
}

}  // namespace
}  // namespace orderly
