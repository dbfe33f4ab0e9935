// Copyright 2026 The orderly Authors.

#include "examples/demo/store.h"

#include "absl/status/status.h"

namespace orderly_demo {

absl::StatusOr<std::shared_ptr<Store>> Store::Create(orderly::Runtime& rt) {
  std::shared_ptr<Store> store(new Store());
  absl::StatusOr<orderly::Component> component = rt.AddComponent("store");
  if (!component.ok()) return component.status();
  absl::Status s =
      component->AddCleanup("close", "close", [store] { store->Close(); });
  if (!s.ok()) return s;
  return store;
}

absl::StatusOr<int64_t> Store::Get(absl::string_view key) {
  absl::MutexLock lock(&mu_);
  if (closed_) {
    reads_after_close_.fetch_add(1);
    return absl::FailedPreconditionError("store: closed");
  }
  auto it = reads_.find(key);
  if (it == reads_.end()) it = reads_.emplace(std::string(key), 0).first;
  return ++it->second;
}

void Store::Close() {
  absl::MutexLock lock(&mu_);
  closed_ = true;
}

}  // namespace orderly_demo
