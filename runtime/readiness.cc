// Copyright 2026 The orderly Authors.

#include "runtime/readiness.h"

#include <utility>

#include "runtime/runtime.h"
#include "runtime/stop_token.h"

namespace orderly {

Readiness::~Readiness() {
  std::unique_ptr<StopCallback<absl::AnyInvocable<void()>>> on_stop;
  {
    absl::MutexLock lock(&mu_);
    on_stop = std::move(on_stop_);
  }
  // Deregisters (or waits for a running callback) outside mu_, which the
  // callback takes.
  on_stop.reset();
}

absl::Status Readiness::SetReady(bool ready) {
  const int want = ready ? kReady : kNotReady;
  int current = state_.load(std::memory_order_acquire);
  do {
    if (current == kStopping) {
      if (!ready) return absl::OkStatus();  // Already not ready, for good.
      return absl::FailedPreconditionError(
          "Readiness::SetReady(true): the stop was requested; an instance "
          "that is shutting down stays not ready");
    }
  } while (!state_.compare_exchange_weak(current, want,
                                         std::memory_order_acq_rel,
                                         std::memory_order_acquire));
  Notify(ready);
  return absl::OkStatus();
}

absl::Status Readiness::AddListener(
    absl::AnyInvocable<void(bool ready)> listener) {
  if (!listener) {
    return absl::InvalidArgumentError(
        "Readiness::AddListener: empty listener");
  }
  bool first;
  {
    absl::MutexLock lock(&mu_);
    listeners_.push_back(
        std::make_shared<absl::AnyInvocable<void(bool)>>(std::move(listener)));
    first = !stop_callback_added_;
    stop_callback_added_ = true;
  }
  if (first) {
    // Constructed outside mu_: after the stop request it runs at once, here.
    auto on_stop =
        std::make_unique<StopCallback<absl::AnyInvocable<void()>>>(
            runtime_->stop_token(),
            absl::AnyInvocable<void()>([this] { Notify(false); }),
            "readiness: not ready");
    absl::MutexLock lock(&mu_);
    on_stop_ = std::move(on_stop);
  }
  return absl::OkStatus();
}

void Readiness::Notify(bool ready) {
  absl::MutexLock order(&set_mu_);
  // The state may have moved on since the caller changed it; tell the
  // listeners what it is now, once.
  const bool now = this->ready();
  if (now != ready || notified_ready_ == now) return;
  notified_ready_ = now;
  std::vector<std::shared_ptr<absl::AnyInvocable<void(bool)>>> listeners;
  {
    absl::MutexLock lock(&mu_);
    listeners = listeners_;
  }
  for (const auto& listener : listeners) (*listener)(now);
}

}  // namespace orderly
