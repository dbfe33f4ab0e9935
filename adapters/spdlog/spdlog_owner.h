// Copyright 2026 The orderly Authors.
//
// spdlog_owner.h: spdlog's async thread pool and loggers, owned by a
// component and stopped in order (//adapters/spdlog, header-only, spdlog
// from Debian's libspdlog-dev over the header-only fmt, //system:spdlog).
//
// One line owns the pool, one more per logger:
//
//   auto logs = orderly::SpdlogOwner::Start();
//   auto logger = logs.ok() ? (*logs)->AddLogger("app", sink) : logs.status();
//
// (tests/adapters/spdlog_owner_main.cc runs this example as written; `sink`
// is any spdlog::sink_ptr, e.g. a basic_file_sink_mt.)
//
// What happens, in the runtime's sequence (runtime.h):
//   Start()     declares the component SpdlogOwnerOptions::name and starts
//               the pool's threads, each registered (ForeignThreads, named
//               "<name>-pool/<n>") as ended by that component: not joined
//               in `threads`, where your producers are, and never a running
//               daemon in the report.
//   AddLogger() makes an async logger on the pool (overflow: block, so
//               nothing is dropped) and owns it. It is not registered with
//               spdlog (spdlog::get() does not find it; pass it around):
//               spdlog's registry is a function-local static, destroyed by
//               exit() before orderly's exit hook runs the sequence when
//               it was first used after MainGuard, so the owner never
//               touches it (found by TSan: use-after-free in
//               registry::drop(), SpdlogOwnerEndTest.EveryLineLoggedIsWritten/exit).
//   flush       after `threads` has joined the producers: each owned logger
//               posts a flush, the pool is released; its threads write out
//               the whole queue, then end and are joined. Then every sink
//               is flushed once more. Nothing queued is lost, whether the
//               process ends by SIGTERM, exit() or a return from main.
// A component whose cleanups log in `flush` depends on this one (declare
// it with depends_on {"spdlog"}): dependents' cleanups run first. After
// `flush` the owned loggers are dead: a line logged then is not written;
// spdlog's error handler counts it, and the report shows the count
// ("<name>: lines after stop"), with the pool's overruns ("<name>:
// overruns", zero under the block policy). (spdlog 1.10 routes only
// formatted lines through the error handler: logger->info("text") with no
// arguments throws spdlog_ex "thread pool doesn't exist anymore" instead.)
//
// Errors: Start() returns the runtime's (AlreadyExists: the name is taken)
// or InvalidArgument (queue_size or threads 0). AddLogger() returns
// AlreadyExists (this owner has a logger of that name), InvalidArgument
// (no sink) or FailedPrecondition (the pool was stopped).
//
// Thread-safety: AddLogger() may be called from any thread; the loggers
// are spdlog's, thread-safe as spdlog documents. A producer that is not
// joined in `threads` (a daemon, an unregistered thread) may still be
// logging at `flush`: its lines may be lost, and counted.
// Lifetime: destroying the owner before the sequence removes its
// component and stops the pool at once (as `flush` would).

#ifndef ORDERLY_ADAPTERS_SPDLOG_SPDLOG_OWNER_H_
#define ORDERLY_ADAPTERS_SPDLOG_SPDLOG_OWNER_H_

#include "runtime/version.h"  // First: checks for C++17.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "blocks/foreign_threads.h"
#include "runtime/runtime.h"
#include "spdlog/async.h"
#include "spdlog/async_logger.h"
#include "spdlog/details/thread_pool.h"

namespace orderly {

struct SpdlogOwnerOptions {
  // The pool's queue (messages) and threads (1 keeps each logger's order).
  size_t queue_size = 8192;
  size_t threads = 1;
  // The component's name.
  std::string name = "spdlog";
  // The runtime; null means Runtime::Default().
  Runtime* runtime = nullptr;
};

class SpdlogOwner {
 public:
  static absl::StatusOr<std::unique_ptr<SpdlogOwner>> Start(
      SpdlogOwnerOptions options = {});
  ~SpdlogOwner();
  SpdlogOwner(const SpdlogOwner&) = delete;
  SpdlogOwner& operator=(const SpdlogOwner&) = delete;

  absl::StatusOr<std::shared_ptr<spdlog::logger>> AddLogger(
      const std::string& logger_name, spdlog::sink_ptr sink) {
    return AddLogger(logger_name, std::vector<spdlog::sink_ptr>{sink});
  }
  absl::StatusOr<std::shared_ptr<spdlog::logger>> AddLogger(
      const std::string& logger_name, std::vector<spdlog::sink_ptr> sinks);

  const std::string& name() const { return state_->name; }
  // The pool's threads, as ForeignThreads counts them.
  const ForeignThreads& pool_threads() const { return state_->threads; }

 private:
  struct State {
    State(Runtime& rt, std::string component, ForeignThreadOptions options)
        : name(std::move(component)),
          threads(rt, name + "-pool", std::move(options)) {}
    // Stops the pool (see the header comment, `flush`). Idempotent.
    void Stop();

    const std::string name;
    ForeignThreads threads;
    std::atomic<int64_t> overruns{0};
    std::shared_ptr<std::atomic<int64_t>> after_stop =
        std::make_shared<std::atomic<int64_t>>(0);
    absl::Mutex mu;
    std::shared_ptr<spdlog::details::thread_pool> pool ABSL_GUARDED_BY(mu);
    std::vector<std::shared_ptr<spdlog::async_logger>> loggers
        ABSL_GUARDED_BY(mu);
  };

  SpdlogOwner(Runtime& runtime, std::shared_ptr<State> state)
      : runtime_(runtime), state_(std::move(state)) {}

  Runtime& runtime_;
  const std::shared_ptr<State> state_;
};

// --- Implementation -------------------------------------------------------

inline absl::StatusOr<std::unique_ptr<SpdlogOwner>> SpdlogOwner::Start(
    SpdlogOwnerOptions options) {
  if (options.queue_size == 0 || options.threads == 0) {
    return absl::InvalidArgumentError(
        "SpdlogOwnerOptions: queue_size and threads must be positive");
  }
  Runtime& rt = options.runtime ? *options.runtime : Runtime::Default();
  auto component = rt.AddComponent(options.name);
  if (!component.ok()) return component.status();
  ForeignThreadOptions thread_options;
  thread_options.ended_by = options.name;  // `flush` joins the pool.
  auto state = std::make_shared<State>(rt, options.name, thread_options);
  std::unique_ptr<SpdlogOwner> owner(new SpdlogOwner(rt, state));
  absl::Status s = component->AddCleanup(
      "flush", "flush loggers, stop the pool", [state] { state->Stop(); });
  if (s.ok()) {
    s = rt.AddReportCounter(absl::StrCat(options.name, ": overruns"),
                            [state] { return state->overruns.load(); });
  }
  if (s.ok()) {
    s = rt.AddReportCounter(absl::StrCat(options.name, ": lines after stop"),
                            [state] { return state->after_stop->load(); });
  }
  if (!s.ok()) return s;
  auto pool = std::make_shared<spdlog::details::thread_pool>(
      options.queue_size, options.threads, state->threads.StartHook(),
      state->threads.StopHook());
  absl::MutexLock lock(&state->mu);
  state->pool = std::move(pool);
  return owner;
}

inline SpdlogOwner::~SpdlogOwner() {
  runtime_.RemoveComponent(state_->name).IgnoreError();  // NotFound: gone.
  state_->Stop();
}

inline absl::StatusOr<std::shared_ptr<spdlog::logger>> SpdlogOwner::AddLogger(
    const std::string& logger_name, std::vector<spdlog::sink_ptr> sinks) {
  if (sinks.empty() || sinks.front() == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(name(), ": logger '", logger_name, "' has no sink"));
  }
  absl::MutexLock lock(&state_->mu);
  for (const auto& owned : state_->loggers) {
    if (owned->name() == logger_name) {
      return absl::AlreadyExistsError(absl::StrCat(
          name(), ": a logger '", logger_name, "' exists already"));
    }
  }
  if (state_->pool == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        name(), ": the pool was stopped; no logger '", logger_name, "'"));
  }
  auto logger = std::make_shared<spdlog::async_logger>(
      logger_name, sinks.begin(), sinks.end(), state_->pool,
      spdlog::async_overflow_policy::block);
  logger->set_error_handler(
      [count = state_->after_stop](const std::string&) { ++*count; });
  state_->loggers.push_back(logger);
  return logger;
}

inline void SpdlogOwner::State::Stop() {
  std::shared_ptr<spdlog::details::thread_pool> stopping;
  std::vector<std::shared_ptr<spdlog::async_logger>> owned;
  {
    absl::MutexLock lock(&mu);
    stopping.swap(pool);
    owned.swap(loggers);
  }
  if (stopping == nullptr) return;
  for (auto& logger : owned) {
    logger->flush();  // Queued behind every line logged before.
  }
  overruns.store(static_cast<int64_t>(stopping->overrun_counter()));
  // The last reference (producers are joined): ~thread_pool writes out the
  // queue, then ends its threads and joins them.
  stopping.reset();
  for (auto& logger : owned) {
    for (auto& sink : logger->sinks()) sink->flush();
  }
}

}  // namespace orderly

#endif  // ORDERLY_ADAPTERS_SPDLOG_SPDLOG_OWNER_H_
