// Copyright 2026 The orderly Authors.
//
// The torture suite's child-process rounds (issue 11): each seed is one
// process (exit_round_main.cc) that builds a random round on
// Runtime::Default() and ends by a drawn trigger: exit() from a random
// thread (registered or not, maybe holding a lock a terminate callback
// needs), two exit() calls at once, SIGTERM/SIGINT, fork() with a child
// that uses inherited handles, quick_exit(), or a return from main. This
// test draws the same round from the seed (exit_round.h) and checks what
// the child left behind: the exit code the documented precedence gives,
// every accepted item handled exactly once (or counted as not delivered),
// each cleanup at most once (every one when the sequence ran to its end),
// the fork child's calls refused, no hang, no sanitizer report.
//
//   ORDERLY_EXIT_ROUND_SEED=123    replay one seed (with --test_env=...)
//   ORDERLY_EXIT_ROUND_SEEDS=2000  run that many seeds, from seed 1
// README.md says how many seeds CI runs under each configuration.

#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/hooks/child_process.h"
#include "tests/torture/exit_round.h"

namespace orderly {
namespace torture {
namespace {

const char* g_round_main = nullptr;
std::string g_tsan_options;  // The children's TSAN_OPTIONS.

// exit() or quick_exit() on another thread ends the process while handles
// in main's frame (or on the heap) are never destroyed: their ended threads
// are never joined, and TSan would report them as leaked threads. That is
// exit()'s nature, not a bug of the library; every other round keeps TSan's
// thread-leak check.
bool EndsFromAThread(const ExitRound& r) {
  switch (r.trigger) {
    case Trigger::kExit:
    case Trigger::kExitHoldingLock:
    case Trigger::kConcurrentExits:
    case Trigger::kQuickExit:
      return true;
    default:
      return false;
  }
}

// CI's seeds (README.md has the measured times): about a minute on two
// loaded cores in each configuration.
#if defined(__SANITIZE_THREAD__)
#define ORDERLY_EXIT_ROUNDS_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define ORDERLY_EXIT_ROUNDS_TSAN 1
#endif
#endif
#if defined(ORDERLY_EXIT_ROUNDS_TSAN)
constexpr uint64_t kDefaultSeeds = 40;
const absl::Duration kPrompt = absl::Seconds(8);
#elif defined(ORDERLY_SANITIZER_BUILD)
constexpr uint64_t kDefaultSeeds = 100;
const absl::Duration kPrompt = absl::Seconds(8);
#else
constexpr uint64_t kDefaultSeeds = 500;
const absl::Duration kPrompt = absl::Seconds(4);
#endif
// A child still running then is killed: a hang past the deadline.
const absl::Duration kHang = absl::Seconds(kDeadlineSeconds + 10);

using Lines = std::vector<std::string>;

uint64_t EnvOr(const char* name, uint64_t otherwise) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::strtoull(value, nullptr, 10)
                                            : otherwise;
}

Lines Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return absl::StrSplit(text.str(), '\n', absl::SkipEmpty());
}

int Count(const Lines& lines, const std::string& line) {
  return static_cast<int>(std::count(lines.begin(), lines.end(), line));
}

int IndexOf(const Lines& lines, const std::string& line) {
  auto it = std::find(lines.begin(), lines.end(), line);
  return it == lines.end() ? -1 : static_cast<int>(it - lines.begin());
}

struct Seen {
  ChildProcess::Result result;
  Lines events, items, accepted, fork_child;
  std::string fork_stderr;
  bool complete = true;  // The sequence ran to its end.
  int undelivered = 0;   // What quick_exit()'s hook counted, if it gave up.
};

// "... Not delivered: sink.undelivered 12" or "... none counted".
void ParseQuickExitLine(Seen& seen) {
  const std::string& err = seen.result.err;
  const size_t at = err.find("orderly: quick_exit: the shutdown sequence "
                             "did not finish within");
  if (at == std::string::npos) return;
  seen.complete = false;
  const size_t counted = err.find("sink.undelivered ", at);
  const size_t eol = err.find('\n', at);
  if (counted == std::string::npos || counted > eol) return;
  const size_t from = counted + sizeof("sink.undelivered ") - 1;
  const size_t to = err.find_first_not_of("0123456789", from);
  (void)absl::SimpleAtoi(err.substr(from, to - from), &seen.undelivered);
}

// A handle may give up on a thread only when the sequence did (destroyed
// after it): an exit() caller it abandoned, or the thread whose terminate
// callback waits for the exit() caller's lock. Never past a join budget.
void CheckGaveUp(const ExitRound& r, const std::string& err, Lines& broken) {
  const std::string prefix = "orderly: ManagedThread \"";
  for (absl::string_view line : absl::StrSplit(err, '\n')) {
    if (!absl::StartsWith(line, prefix)) continue;
    absl::string_view name = line.substr(prefix.size());
    name = name.substr(0, name.find('"'));
    const bool exits = r.trigger == Trigger::kExit ||
                       r.trigger == Trigger::kExitHoldingLock ||
                       r.trigger == Trigger::kConcurrentExits ||
                       r.trigger == Trigger::kQuickExit;
    const bool allowed =
        absl::StrContains(line, "(the shutdown sequence gave up on it)") &&
        ((exits && absl::StartsWith(name, "t")) ||
         (r.trigger == Trigger::kExitHoldingLock &&
          name == absl::StrCat("m", r.lock_index)));
    if (!allowed) broken.push_back(absl::StrCat("stderr: ", line));
  }
}

void CheckEnd(const ExitRound& r, const Seen& s, Lines& broken) {
  const ChildProcess::Result& res = s.result;
  if (res.timed_out) {
    broken.push_back(absl::StrCat("hung: killed after ",
                                  absl::FormatDuration(kHang)));
    return;
  }
  const std::vector<int> codes = r.ExpectedCodes();
  if (res.signal != 0 ||
      std::find(codes.begin(), codes.end(), res.exit_code) == codes.end()) {
    broken.push_back(absl::StrCat("ended with code ", res.exit_code,
                                  " signal ", res.signal, ", expected code ",
                                  absl::StrJoin(codes, " or ")));
  }
  if (res.elapsed > kPrompt) {
    broken.push_back(absl::StrCat("took ", absl::FormatDuration(res.elapsed),
                                  ", more than ",
                                  absl::FormatDuration(kPrompt)));
  }
  for (const std::string& err : {res.err, s.fork_stderr}) {
    for (const char* report :
         {"WARNING: ThreadSanitizer", "ERROR: AddressSanitizer",
          "runtime error:", "LeakSanitizer"}) {
      if (absl::StrContains(err, report)) {
        broken.push_back(absl::StrCat("sanitizer report: ", report));
      }
    }
  }
  CheckGaveUp(r, res.err, broken);
}

// Each cleanup at most once; every one when the sequence ran to its end.
void CheckCleanups(const ExitRound& r, const Seen& s, Lines& broken) {
  for (size_t i = 0; i < r.cleanup_phase.size(); ++i) {
    const int n = Count(s.events, absl::StrCat("cleanup c", i));
    if (n > 1 || (s.complete && n != 1)) {
      broken.push_back(absl::StrCat("cleanup c", i, " ran ", n, " times"));
    }
  }
}

// Every thread a stop can end ended once, when the sequence ran to its end;
// a handle destroyed as main's local stopped its thread before main's
// later locals were gone.
void CheckThreads(const ExitRound& r, const Seen& s, Lines& broken) {
  const int sentinel = IndexOf(s.events, "locals destroyed");
  for (size_t i = 0; i < r.managed.size(); ++i) {
    const std::string line = absl::StrCat("released m", i);
    const int n = Count(s.events, line);
    const int want = r.Releasable(static_cast<int>(i)) ? 1 : 0;
    if (n > want || (s.complete && n != want)) {
      broken.push_back(absl::StrCat(line, ": ", n, " times, expected ", want));
    }
    const bool local = r.managed[i].where != Where::kNamespace;
    if (r.trigger == Trigger::kReturnPlain && local && n == 1 &&
        IndexOf(s.events, line) > sentinel) {
      broken.push_back(absl::StrCat(
          "m", i, " (main's local) released only after main's locals went "
                  "(its handle did not run its terminate callback)"));
    }
  }
  for (size_t i = 0; i < r.foreign_registered.size(); ++i) {
    const std::string line = absl::StrCat("released f", i);
    const int n = Count(s.events, line);
    const int want = r.foreign_registered[i] ? 1 : 0;
    if (n > want || (s.complete && n != want)) {
      broken.push_back(absl::StrCat(line, ": ", n, " times, expected ", want));
    }
  }
  if (r.trigger == Trigger::kReturnPlain && sentinel < 0) {
    broken.push_back("main returned but its locals were never destroyed");
  }
}

using Item = std::pair<int, int>;

std::vector<Item> ParseItems(const Lines& lines, Lines& broken) {
  std::vector<Item> items;
  for (const std::string& line : lines) {
    std::pair<std::string, std::string> parts = absl::StrSplit(line, ' ');
    Item item;
    if (!absl::SimpleAtoi(parts.first, &item.first) ||
        !absl::SimpleAtoi(parts.second, &item.second)) {
      broken.push_back(absl::StrCat("unreadable item line \"", line, "\""));
      continue;
    }
    items.push_back(item);
  }
  return items;
}

// Every accepted item handled exactly once, in order per producer; when the
// sequence did not finish (quick_exit past its budget), what is missing is
// at most what the hook counted as not delivered.
void CheckItems(const Seen& s, Lines& broken) {
  const std::vector<Item> handled = ParseItems(s.items, broken);
  const std::vector<Item> accepted_list = ParseItems(s.accepted, broken);
  const std::set<Item> accepted(accepted_list.begin(), accepted_list.end());
  std::set<Item> seen;
  std::map<int, int> last;
  for (const Item& item : handled) {
    if (!seen.insert(item).second) {
      broken.push_back(absl::StrCat("item ", item.first, "/", item.second,
                                    " handled twice"));
    }
    auto it = last.find(item.first);
    if (it != last.end() && it->second >= item.second) {
      broken.push_back(absl::StrCat("item ", item.first, "/", item.second,
                                    " handled after ", it->second));
    }
    last[item.first] = item.second;
    if (s.complete && accepted.count(item) == 0) {
      broken.push_back(absl::StrCat("item ", item.first, "/", item.second,
                                    " handled but never accepted"));
    }
  }
  int missing = 0;
  for (const Item& item : accepted) missing += seen.count(item) == 0 ? 1 : 0;
  const int allowed = s.complete ? 0 : s.undelivered;
  if (missing > allowed) {
    broken.push_back(absl::StrCat(missing, " accepted item(s) never handled, ",
                                  allowed, " counted as not delivered"));
  }
}

// Pool tasks: each at most once; block-shutdown ones exactly once.
void CheckTasks(const ExitRound& r, const Seen& s, Lines& broken) {
  for (size_t k = 0; k < r.task_behaviour.size(); ++k) {
    const int ran = Count(s.events, absl::StrCat("task ", k));
    const bool posted =
        Count(s.events, absl::StrCat("posted ", k, " ", r.task_behaviour[k])) ==
        1;
    const bool blocking = r.task_behaviour[k] == 2;  // kBlockShutdown
    if (ran > (posted ? 1 : 0) || (s.complete && posted && blocking && ran != 1)) {
      broken.push_back(absl::StrCat("task ", k, " ran ", ran, " times (",
                                    posted ? "posted" : "not posted", ")"));
    }
  }
}

// The fork() child refused every call on an inherited handle, at once.
void CheckFork(const ExitRound& r, const Seen& s, Lines& broken) {
  if (r.trigger != Trigger::kFork) {
    if (!s.fork_child.empty()) broken.push_back("a fork child wrote lines");
    return;
  }
  const std::string ended = absl::StrCat("fork child exit ", r.fork_child_code);
  if (Count(s.events, ended) != 1) {
    broken.push_back(absl::StrCat("expected \"", ended, "\" once in events"));
  }
  size_t threads = r.managed.size() + r.producer_items.size() +
                   (r.actor == Actor::kManaged ? 1 : 0);
  const size_t want = 1 + threads + 1 + (r.pool ? 1 : 0) + 1;
  if (s.fork_child.size() != want || s.fork_child.back() != "exiting") {
    broken.push_back(absl::StrCat("fork child wrote ", s.fork_child.size(),
                                  " lines, expected ", want, " ending with "
                                  "\"exiting\": ",
                                  absl::StrJoin(s.fork_child, " | ")));
  }
  for (const std::string& line : s.fork_child) {
    if (line == "exiting") continue;
    const bool refused =
        absl::StartsWith(line, "request_stop ")
            ? line == "request_stop false"
            : absl::StrContains(line, "FAILED_PRECONDITION") &&
                  absl::StrContains(line, "inherited across fork()");
    if (!refused) broken.push_back(absl::StrCat("fork child: \"", line, "\""));
  }
}

Seen RunChild(const ExitRound& r) {
  std::string dir = absl::StrCat(getenv("TEST_TMPDIR"), "/round-", r.seed,
                                 "-XXXXXX");
  if (mkdtemp(dir.data()) == nullptr) ADD_FAILURE() << "mkdtemp " << dir;
  Seen s;
  setenv("TSAN_OPTIONS",
         absl::StrCat(g_tsan_options,
                      EndsFromAThread(r) ? ":report_thread_leaks=0" : "")
             .c_str(),
         1);
  {
    ChildProcess child({g_round_main, absl::StrCat(r.seed), dir});
    if (r.trigger == Trigger::kSignal && r.signal_from == SignalFrom::kParent &&
        child.WaitForOutput("ready", kHang)) {
      kill(child.pid(), r.signo);
    }
    s.result = child.Wait(kHang);
  }
  s.events = Read(dir + "/events");
  s.items = Read(dir + "/items");
  s.accepted = Read(dir + "/accepted");
  s.fork_child = Read(dir + "/fork-child");
  s.fork_stderr = absl::StrJoin(Read(dir + "/fork-stderr"), "\n");
  if (r.trigger == Trigger::kQuickExit) ParseQuickExitLine(s);
  return s;
}

// Runs one seed; false (after saying why) if it broke anything.
bool RunSeed(uint64_t seed) {
  const ExitRound r = ExitRound::Draw(seed);
  const Seen s = RunChild(r);
  Lines broken;
  CheckEnd(r, s, broken);
  CheckCleanups(r, s, broken);
  CheckThreads(r, s, broken);
  CheckItems(s, broken);
  CheckTasks(r, s, broken);
  CheckFork(r, s, broken);
  if (broken.empty()) return true;
  ADD_FAILURE() << "exit round seed " << seed << " (" << r.TriggerName()
                << ") broke " << broken.size() << " invariant(s):\n  "
                << absl::StrJoin(broken, "\n  ") << "\n"
                << r.Describe() << "events: " << absl::StrJoin(s.events, " | ")
                << "\nchild:" << s.result
                << "\nfork child's stderr: " << s.fork_stderr
                << "\nreplay: bazel test //tests/torture:exit_rounds_test "
                   "--test_env=ORDERLY_EXIT_ROUND_SEED="
                << seed;
  return false;
}

// One seed range per Bazel shard (BUILD's shard_count equals kShards).
constexpr int kShards = 2;

class ExitRoundsTest : public ::testing::TestWithParam<int> {};

TEST_P(ExitRoundsTest, EveryWayOutKeepsTheInvariants) {
  if (const uint64_t seed = EnvOr("ORDERLY_EXIT_ROUND_SEED", 0); seed != 0) {
    if (GetParam() == 0) RunSeed(seed);
    return;
  }
  const uint64_t seeds = EnvOr("ORDERLY_EXIT_ROUND_SEEDS", kDefaultSeeds);
  const uint64_t shard = static_cast<uint64_t>(GetParam());
  const uint64_t first = shard * seeds / kShards + 1;
  const uint64_t last = (shard + 1) * seeds / kShards;
  const absl::Time start = absl::Now();
  for (uint64_t seed = first; seed <= last; ++seed) {
    if (!RunSeed(seed)) return;  // The first failing seed is enough.
  }
  std::cout << "exit round seeds " << first << ".." << last << " in "
            << absl::FormatDuration(absl::Now() - start) << "\n";
}

INSTANTIATE_TEST_SUITE_P(SeedRanges, ExitRoundsTest,
                         ::testing::Range(0, kShards));

}  // namespace
}  // namespace torture
}  // namespace orderly

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  if (argc != 2) {
    fprintf(stderr, "usage: exit_rounds_test <exit_round_main>\n");
    return 2;
  }
  // TSan sleeps 1 s at each exit by default: 0 keeps rounds short.
  const char* tsan = getenv("TSAN_OPTIONS");
  orderly::torture::g_tsan_options =
      absl::StrCat(tsan != nullptr ? tsan : "", ":atexit_sleep_ms=0");
  orderly::torture::g_round_main = argv[1];
  return RUN_ALL_TESTS();
}
