// Copyright 2026 The orderly Authors.

#include "blocks/foreign_threads.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace orderly {

ForeignThreads::ForeignThreads(Runtime& runtime, std::string name,
                               ForeignThreadOptions options)
    : runtime_(runtime), name_(std::move(name)), options_(std::move(options)) {}

ForeignThreads::~ForeignThreads() {
  absl::flat_hash_map<std::thread::id, ThreadRegistration> left;
  {
    absl::MutexLock lock(&mu_);
    left = std::move(threads_);
  }
  unmatched_.fetch_add(static_cast<int64_t>(left.size()));
  // `left` ends each registration here, outside the lock.
}

absl::Status ForeignThreads::OnThreadStart() {
  const std::thread::id self = std::this_thread::get_id();
  {
    absl::MutexLock lock(&mu_);
    if (threads_.contains(self)) return absl::OkStatus();
  }
  ThreadOptions options;
  options.daemon = options_.daemon;
  options.uses = options_.uses;
  options.ended_by = options_.ended_by;
  options.join_budget = options_.join_budget;
  // Outside the lock: a registration made during the sequence runs its
  // terminate callback at once, and a callback may call back in here.
  absl::StatusOr<ThreadRegistration> reg = runtime_.RegisterThread(
      absl::StrCat(name_, "/", next_.fetch_add(1) + 1), std::move(options));
  absl::MutexLock lock(&mu_);
  if (!reg.ok()) {
    refused_.fetch_add(1);
    last_error_ = reg.status();
    return reg.status();
  }
  registered_.fetch_add(1);
  threads_.insert_or_assign(self, *std::move(reg));
  return absl::OkStatus();
}

void ForeignThreads::OnThreadStop() {
  ThreadRegistration ending;  // Ended outside the lock.
  absl::MutexLock lock(&mu_);
  auto it = threads_.find(std::this_thread::get_id());
  if (it == threads_.end()) return;
  ending = std::move(it->second);
  threads_.erase(it);
}

int64_t ForeignThreads::active() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int64_t>(threads_.size());
}

absl::Status ForeignThreads::last_error() const {
  absl::MutexLock lock(&mu_);
  return last_error_;
}

}  // namespace orderly
