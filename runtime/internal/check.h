// Copyright 2026 The orderly Authors.
//
// check.h (internal): contract checks for debug builds.
//
// A header's "Requires ...", "call once" and "sequencer thread only" are
// contracts, not run-time errors: a caller that breaks one has a bug, and
// what it breaks cannot be reported through an absl::Status (errors a caller
// can make at run time are Statuses; see STYLE.md, "Errors have one
// policy"). In debug builds (NDEBUG not defined: Bazel's fastbuild and dbg,
// the tsan and asan configs) each such sentence is checked:
//
//   ORDERLY_DCHECK(registry_->closed(), "join records before the joins");
//
// On failure the check writes one line to stderr with write(2),
//   orderly: CHECK FAILED at runtime/internal/thread_registry.cc:412:
//   registry_->closed(): join records before the joins
// and calls abort(). It allocates nothing and takes no lock, so it is
// async-signal-safe and works where stdio may be locked by a stuck thread
// (the idea of ABSL_RAW_CHECK). In NDEBUG builds the condition is not
// evaluated (it is still compiled, so it cannot rot).
//
// ThreadChecker is Chromium's THREAD_CHECKER idea: state that one thread
// owns is declared ABSL_GUARDED_BY(checker), and each function that touches
// it begins with ORDERLY_DCHECK_CALLED_ON(checker). Clang's -Wthread-safety
// then proves at compile time that no function touches the state without
// the check, and in debug builds the check aborts when it runs on another
// thread than the one the checker is bound to. The checker binds to the
// first thread that checks it (or that calls Bind()); Detach() lets the
// next thread bind it again (state handed over, e.g. before a thread
// starts). In NDEBUG builds it is an empty object that checks nothing.
//
// Thread-safety: ORDERLY_DCHECK is safe anywhere, signal handlers included.
// A ThreadChecker may be checked from any thread (that is its purpose).

#ifndef ORDERLY_RUNTIME_INTERNAL_CHECK_H_
#define ORDERLY_RUNTIME_INTERNAL_CHECK_H_

#include <atomic>
#include <thread>

#include "absl/base/attributes.h"
#include "absl/base/optimization.h"
#include "absl/base/thread_annotations.h"

namespace orderly {
namespace runtime_internal {

// Writes "orderly: CHECK FAILED at <file>:<line>: <condition>: <message>"
// to stderr with write(2), then aborts. Async-signal-safe.
ABSL_ATTRIBUTE_NORETURN void CheckFailed(const char* file, int line,
                                         const char* condition,
                                         const char* message) noexcept;

#ifdef NDEBUG
inline constexpr bool kDebugChecks = false;
#else
inline constexpr bool kDebugChecks = true;
#endif

class ABSL_LOCKABLE ThreadChecker {
 public:
  ThreadChecker() = default;
  ThreadChecker(const ThreadChecker&) = delete;
  ThreadChecker& operator=(const ThreadChecker&) = delete;

  // Binds the checker to the calling thread (it must be unbound or bound to
  // the calling thread already).
  void Bind() noexcept;
  // Unbinds: the next thread that checks (or binds) owns the state.
  void Detach() noexcept;
  // True if the calling thread is the bound one, or binds it now; always
  // true in NDEBUG builds.
  bool CalledOnBoundThread() const noexcept;

  // Tells the thread-safety analysis that the calling thread owns the
  // state; use through ORDERLY_DCHECK_CALLED_ON.
  void AssertCalledOnBoundThread(const char* file, int line) const noexcept
      ABSL_ASSERT_EXCLUSIVE_LOCK() {
    if (kDebugChecks && !CalledOnBoundThread()) {
      CheckFailed(file, line, "CalledOnBoundThread()",
                  "called on another thread than the one that owns this "
                  "state");
    }
  }

 private:
#ifndef NDEBUG
  // Unbound while it holds the default id (which no thread has).
  mutable std::atomic<std::thread::id> owner_{};
#endif
};

}  // namespace runtime_internal
}  // namespace orderly

// Aborts with `message` (a string literal) when `condition` is false, in
// debug builds; compiles `condition` without evaluating it under NDEBUG.
#define ORDERLY_DCHECK(condition, message)                                \
  do {                                                                    \
    if (::orderly::runtime_internal::kDebugChecks &&                      \
        ABSL_PREDICT_FALSE(!(condition))) {                               \
      ::orderly::runtime_internal::CheckFailed(__FILE__, __LINE__,        \
                                               #condition, message);      \
    }                                                                     \
  } while (false)

// Checks (in debug builds) that the calling thread owns `checker`'s state.
#define ORDERLY_DCHECK_CALLED_ON(checker) \
  (checker).AssertCalledOnBoundThread(__FILE__, __LINE__)

#endif  // ORDERLY_RUNTIME_INTERNAL_CHECK_H_
