// Copyright 2026 The orderly Authors.
//
// test_util.h: small synchronization helpers for tests. Tests synchronize
// with events, never with sleeps.

#ifndef ORDERLY_TESTS_TEST_UTIL_H_
#define ORDERLY_TESTS_TEST_UTIL_H_

#include <stdlib.h>

#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"

namespace orderly {

// A thread-safe, ordered log of events.
class EventLog {
 public:
  void Add(std::string event) {
    absl::MutexLock lock(&mu_);
    events_.push_back(std::move(event));
  }
  std::vector<std::string> Take() {
    absl::MutexLock lock(&mu_);
    return std::move(events_);
  }
  size_t size() const {
    absl::MutexLock lock(&mu_);
    return events_.size();
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<std::string> events_ ABSL_GUARDED_BY(mu_);
};

// C++20's std::latch, for C++17: N threads arrive, all proceed together.
class Latch {
 public:
  explicit Latch(int count) : count_(count) {}
  void ArriveAndWait() {
    absl::MutexLock lock(&mu_);
    --count_;
    mu_.Await(absl::Condition(
        +[](int* c) { return *c <= 0; }, &count_));
  }

 private:
  absl::Mutex mu_;
  int count_ ABSL_GUARDED_BY(mu_);
};

// A fresh, empty directory under the test's $TEST_TMPDIR.
inline std::string NewTestDir(absl::string_view prefix) {
  std::string dir = absl::StrCat(getenv("TEST_TMPDIR"), "/", prefix, "-XXXXXX");
  if (mkdtemp(dir.data()) == nullptr) ADD_FAILURE() << "mkdtemp " << dir;
  return dir;
}

// The whole content of a file; empty if it cannot be read.
inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A reusable barrier: `count` threads meet, then all go on; again and again.
class Barrier {
 public:
  explicit Barrier(int count) : count_(count) {}
  void ArriveAndWait() {
    absl::MutexLock lock(&mu_);
    const int generation = generation_;
    if (++arrived_ == count_) {
      arrived_ = 0;
      ++generation_;
      return;
    }
    auto passed = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return generation_ != generation;
    };
    mu_.Await(absl::Condition(&passed));
  }

 private:
  absl::Mutex mu_;
  const int count_;
  int arrived_ ABSL_GUARDED_BY(mu_) = 0;
  int generation_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace orderly

#endif  // ORDERLY_TESTS_TEST_UTIL_H_
