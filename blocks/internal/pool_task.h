// Copyright 2026 The orderly Authors.
//
// pool_task.h (internal): one task accepted by a ThreadPool
// (blocks/thread_pool.h), as the pool's templates build it and its workers
// run it.

#ifndef ORDERLY_BLOCKS_INTERNAL_POOL_TASK_H_
#define ORDERLY_BLOCKS_INTERNAL_POOL_TASK_H_

#include <memory>
#include <new>
#include <string>
#include <utility>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "blocks/shutdown_behavior.h"
#include "runtime/stop_token.h"

namespace orderly {

// Where a task was posted: the file and line of the Post()/Submit() call,
// captured by default arguments (no allocation, two words). A report names
// an unnamed task by it.
class TaskSite {
 public:
  // Called in a default argument, it is evaluated at the caller's call site.
  static constexpr TaskSite Here(const char* file = __builtin_FILE(),
                                 int line = __builtin_LINE()) noexcept {
    return TaskSite(file, line);
  }
  constexpr TaskSite(const char* file, int line) noexcept
      : file_(file), line_(line) {}
  constexpr const char* file() const noexcept { return file_; }
  constexpr int line() const noexcept { return line_; }

 private:
  const char* file_;
  int line_;
};

namespace blocks_internal {

// One accepted task. It runs (Execute()) or is dropped (Cancel()) in exactly
// one place each. The callable is either a plain one or one that takes the
// worker's StopToken, in one slot (a union: a task is moved twice and
// destroyed once on its way through the queue, and an empty second
// callable would cost an indirect call each time; BM_Pool_Orderly_*). The
// rarely used parts (a completion callback, a name) live in one optional
// allocation, so that a plain Post() moves 64 bytes, not 96, and the queue
// touches a third less memory (static_assert below).
class Task {
 public:
  Task(ShutdownBehavior behavior, TaskSite site,
       absl::AnyInvocable<void()>&& fn,
       absl::AnyInvocable<void(absl::Status)>&& on_done)
      : fn_(std::move(fn)),
        site(site),
        behavior(behavior),
        takes_token_(false) {
    set_on_done(std::move(on_done));
  }
  Task(ShutdownBehavior behavior, TaskSite site,
       absl::AnyInvocable<void(StopToken)>&& fn,
       absl::AnyInvocable<void(absl::Status)>&& on_done)
      : fn_with_token_(std::move(fn)),
        site(site),
        behavior(behavior),
        takes_token_(true) {
    set_on_done(std::move(on_done));
  }
  Task(Task&& other) noexcept
      : extras_(std::move(other.extras_)),
        site(other.site),
        behavior(other.behavior),
        takes_token_(other.takes_token_) {
    if (takes_token_) {
      new (&fn_with_token_) TokenFn(std::move(other.fn_with_token_));
    } else {
      new (&fn_) PlainFn(std::move(other.fn_));
    }
  }
  Task& operator=(Task&& other) noexcept {
    if (this != &other) {
      this->~Task();
      new (this) Task(std::move(other));
    }
    return *this;
  }
  ~Task() {
    if (takes_token_) {
      fn_with_token_.~TokenFn();
    } else {
      fn_.~PlainFn();
    }
  }

  bool empty() const { return takes_token_ ? !fn_with_token_ : !fn_; }
  // Runs the callable; `stop` is the worker's (read only if it takes one).
  void Invoke(const StopSource& stop) {
    if (takes_token_) {
      fn_with_token_(stop.token());
    } else {
      fn_();
    }
  }
  // Destroys the callable's captures (before the completion is published).
  void DropFn() {
    if (takes_token_) {
      fn_with_token_ = nullptr;
    } else {
      fn_ = nullptr;
    }
  }

  // The completion callback (null: none). May throw std::bad_alloc.
  void set_on_done(absl::AnyInvocable<void(absl::Status)>&& on_done) {
    if (on_done == nullptr && extras_ == nullptr) return;
    MutableExtras().on_done = std::move(on_done);
  }
  // Takes the completion callback out (null if none): called once.
  absl::AnyInvocable<void(absl::Status)> TakeOnDone() {
    if (extras_ == nullptr) return nullptr;
    return std::move(extras_->on_done);
  }
  // Null for an unnamed task: the report shows `site`.
  const std::string* name() const {
    return extras_ != nullptr && !extras_->name.empty() ? &extras_->name
                                                        : nullptr;
  }
  // May throw std::bad_alloc.
  void set_name(std::string&& name) {
    if (!name.empty()) MutableExtras().name = std::move(name);
  }

 private:
  using PlainFn = absl::AnyInvocable<void()>;
  using TokenFn = absl::AnyInvocable<void(StopToken)>;
  struct Extras {
    absl::AnyInvocable<void(absl::Status)> on_done;
    std::string name;
  };
  Extras& MutableExtras() {
    if (extras_ == nullptr) extras_ = std::make_unique<Extras>();
    return *extras_;
  }

  union {
    PlainFn fn_;
    TokenFn fn_with_token_;
  };
  std::unique_ptr<Extras> extras_;  // Null unless named or completed.

 public:
  TaskSite site;
  ShutdownBehavior behavior;

 private:
  bool takes_token_;
};
static_assert(sizeof(Task) <= 64, "a queued task fits in a cache line");

}  // namespace blocks_internal
}  // namespace orderly

#endif  // ORDERLY_BLOCKS_INTERNAL_POOL_TASK_H_
