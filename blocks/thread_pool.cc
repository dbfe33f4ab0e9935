// Copyright 2026 The orderly Authors.

#include "blocks/thread_pool.h"

#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "blocks/internal/pool_core.h"
#include "runtime/internal/fork_epoch.h"
#include "runtime/plan.h"

namespace orderly {

absl::StatusOr<std::unique_ptr<ThreadPool>> ThreadPool::Create(
    absl::string_view name, ThreadPoolOptions options) {
  if (name.empty()) {
    return absl::InvalidArgumentError(
        "ThreadPool::Create: the name is empty; name the pool, so that a "
        "shutdown report can say whose workers hang");
  }
  if (options.num_threads < 1 ||
      options.num_threads > blocks_internal::PoolCore::kMaxThreads) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ThreadPool::Create(\"", name, "\"): num_threads is ",
        options.num_threads, "; it must be between 1 and ",
        blocks_internal::PoolCore::kMaxThreads));
  }
  Runtime& rt =
      options.runtime != nullptr ? *options.runtime : Runtime::Default();
  absl::StatusOr<Component> component = rt.AddComponent(name);
  if (!component.ok()) return component.status();
  auto core =
      std::make_shared<blocks_internal::PoolCore>(std::string(name), &rt);
  absl::Status s = core->StartWorkers(options.num_threads);
  if (s.ok()) {
    s = component->AddCleanup(kDrainPhase, "cancel-pending", [core] {
      core->StartShutdown();
      core->CancelPending();
    });
  }
  const std::pair<const char*, int64_t Stats::*> counters[] = {
      {"accepted", &Stats::accepted},
      {"completed", &Stats::completed},
      {"cancelled", &Stats::cancelled},
      {"refused", &Stats::refused}};
  for (const auto& [counter, field] : counters) {
    if (!s.ok()) break;
    s = rt.AddReportCounter(absl::StrCat(name, ".", counter),
                            [core, field = field] {
                              return core->stats().*field;
                            });
  }
  if (!s.ok()) {
    if (!core->ShutdownAndJoin()) runtime_internal::LeakForever(core);
    return s;
  }
  std::unique_ptr<ThreadPool> pool(new ThreadPool(core));
  // Without a lame duck, accepting ends at the stop request; with one, at
  // the `drain` cleanup above (thread_pool.h, "Lame duck").
  if (core->refuses_at_stop()) {
    pool->on_stop_ =
        std::make_unique<StopCallback<absl::AnyInvocable<void()>>>(
            rt.stop_token(), [c = core.get()] { c->StartShutdown(); },
            absl::StrCat(name, ": stop accepting"));
  }
  return pool;
}

ThreadPool::ThreadPool(std::shared_ptr<blocks_internal::PoolCore> core)
    : core_(std::move(core)), epoch_(runtime_internal::ForkEpoch()) {}

bool ThreadPool::inherited() const {
  return epoch_ != runtime_internal::ForkEpoch();
}

ThreadPool::~ThreadPool() {
  if (inherited()) {
    // A fork() child: the workers, and the stop state the callback is
    // registered with, are the parent's. Leak; touch nothing.
    (void)on_stop_.release();
    runtime_internal::LeakForever(std::move(core_));
    return;
  }
  on_stop_.reset();
  // A worker given up on still runs on the core: keep it alive for good.
  if (!core_->ShutdownAndJoin()) runtime_internal::LeakForever(core_);
}

absl::Status ThreadPool::PostTask(blocks_internal::Task&& task) {
  if (inherited()) {
    return runtime_internal::InheritedAcrossFork(
        absl::StrCat("ThreadPool \"", core_->name(), "\": Post"));
  }
  return core_->Post(std::move(task));
}

TaskHandle ThreadPool::SubmitTask(blocks_internal::Task&& task) {
  TaskHandle handle = TaskHandle::Make();
  if (inherited()) {
    handle.Complete(runtime_internal::InheritedAcrossFork(
        absl::StrCat("ThreadPool \"", core_->name(), "\": Submit")));
    return handle;
  }
  task.set_on_done(
      [handle](absl::Status s) { handle.Complete(std::move(s)); });
  absl::Status posted = core_->Post(std::move(task));
  if (!posted.ok()) handle.Complete(std::move(posted));
  return handle;
}

ThreadPool::Stats ThreadPool::stats() const {
  return inherited() ? Stats() : core_->stats();
}

}  // namespace orderly
