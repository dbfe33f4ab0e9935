// Copyright 2026 The orderly Authors.
//
// recorder.h: what a torture round saw happen, from the inside.
//
// The callbacks, cleanups, handlers and tasks a round installs (see
// scenario_runner.h) write here as they run: which step started, in which
// order; which declarations were accepted; which faults were injected and
// what the report must then say about them; and any check made on the spot
// that failed ("Shutdown() from a cleanup returned OK"). invariants.h
// compares this with the report and the plan.
//
// Thread-safety: every method is thread-safe; Snapshot() copies what was
// recorded so far, at any time.

#ifndef ORDERLY_TESTS_TORTURE_RECORDER_H_
#define ORDERLY_TESTS_TORTURE_RECORDER_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "runtime/report.h"

namespace orderly {
namespace torture {

enum class EventKind {
  kCleanup,        // label "component/name"
  kTerminate,      // label: thread name; during the terminate pass
  kLateTerminate,  // label: thread name; inside its own RegisterThread()
};

struct Event {
  EventKind kind;
  std::string label;
};

// A cleanup the runtime accepted.
struct DeclaredCleanup {
  std::string component;
  std::string name;
  std::string phase;
  int64_t seq = 0;            // Registration order, over the whole round.
  bool before_stop = true;    // Declared before the plan was taken.
};

// A fault the report must list: the step (by kind and label) with its
// outcome, and text its error must contain.
struct ExpectedStep {
  StepKind kind;
  std::string label;  // "c1/k3" for cleanups, the thread name otherwise.
  Outcome outcome;
  std::string error_contains;
};

// A registered thread of the round, and how it ended.
struct ThreadRecord {
  std::string name;
  bool daemon = false;
  bool helper = false;           // Registered after the stop request.
  bool expect_straggler = false;  // Blocked past its join budget on purpose.
  bool ended = false;             // Set right before its registration ends.
  bool registered = false;        // RegisterThread() succeeded.
};

struct Recorded {
  std::vector<Event> events;
  std::vector<DeclaredCleanup> cleanups;
  std::map<std::string, std::vector<std::string>> depends_on;  // Accepted.
  std::vector<ExpectedStep> expected;
  std::vector<std::string> created;  // Registered before the stop, in order.
  std::vector<ThreadRecord> threads;
  std::vector<std::string> violations;
};

class Recorder {
 public:
  void Start(EventKind kind, std::string label) {
    absl::MutexLock lock(&mu_);
    r_.events.push_back(Event{kind, std::move(label)});
  }
  void Violation(std::string what) {
    absl::MutexLock lock(&mu_);
    r_.violations.push_back(std::move(what));
  }
  void Expect(ExpectedStep step) {
    absl::MutexLock lock(&mu_);
    r_.expected.push_back(std::move(step));
  }
  void Declared(std::string component, std::string name, std::string phase,
                bool before_stop) {
    absl::MutexLock lock(&mu_);
    r_.cleanups.push_back(DeclaredCleanup{std::move(component),
                                          std::move(name), std::move(phase),
                                          next_seq_++, before_stop});
  }
  void DependsOn(const std::string& component, const std::string& on) {
    absl::MutexLock lock(&mu_);
    r_.depends_on[component].push_back(on);
  }
  void Created(std::string thread) {
    absl::MutexLock lock(&mu_);
    r_.created.push_back(std::move(thread));
  }
  // Returns the thread's slot, for Ended().
  int AddThread(ThreadRecord t) {
    absl::MutexLock lock(&mu_);
    r_.threads.push_back(std::move(t));
    return static_cast<int>(r_.threads.size()) - 1;
  }
  void Ended(int thread) {
    absl::MutexLock lock(&mu_);
    r_.threads[thread].ended = true;
  }
  void Registered(int thread) {
    absl::MutexLock lock(&mu_);
    r_.threads[thread].registered = true;
  }

  // A copy of everything recorded so far.
  Recorded Snapshot() const {
    absl::MutexLock lock(&mu_);
    return r_;
  }

 private:
  mutable absl::Mutex mu_;
  Recorded r_ ABSL_GUARDED_BY(mu_);
  int64_t next_seq_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace torture
}  // namespace orderly

#endif  // ORDERLY_TESTS_TORTURE_RECORDER_H_
