// Copyright 2026 The orderly Authors.
//
// stop_reason.h: why a runtime's stop was requested.
//
// A `StopReason` is a small, trivially copyable value, so that
// `Runtime::RequestStop()` can record it from a signal handler: it holds a
// kind, an integer (the signal number or exit code) and a pointer to text
// with static storage duration (a string literal). It never owns memory.
//
//   runtime.RequestStop(orderly::StopReason::Signal(SIGTERM));
//   runtime.RequestStop(orderly::StopReason::Message("admin /quitquitquit"));

#ifndef ORDERLY_RUNTIME_STOP_REASON_H_
#define ORDERLY_RUNTIME_STOP_REASON_H_

#include "runtime/version.h"  // First: checks for C++17.

#include <cstdint>
#include <string>

namespace orderly {

class StopReason {
 public:
  enum class Kind : int {
    kRequested = 0,  // RequestStop() with a message, or Shutdown().
    kSignal = 1,     // A signal; code() is its number.
    kExit = 2,       // exit() or a return from main; code() is the status.
    kDestroyed = 3,  // A test Runtime was destroyed without Shutdown().
  };

  // `text` must have static storage duration (a string literal): the reason
  // is recorded from signal handlers, where copying is not allowed.
  static constexpr StopReason Message(const char* text) {
    return StopReason(Kind::kRequested, 0, text);
  }
  static constexpr StopReason Signal(int signal_number) {
    return StopReason(Kind::kSignal, signal_number, "signal");
  }
  static constexpr StopReason Exit(int status) {
    return StopReason(Kind::kExit, status, "exit()");
  }
  static constexpr StopReason Destroyed() {
    return StopReason(Kind::kDestroyed, 0, "runtime destroyed");
  }

  constexpr StopReason() : StopReason(Kind::kRequested, 0, "requested") {}

  constexpr Kind kind() const { return kind_; }
  constexpr int code() const { return code_; }
  constexpr const char* text() const { return text_; }

  // "SIGTERM (signal 15)", "exit(3)", "requested: admin /quitquitquit".
  std::string ToString() const;

  // One word, never 0, for lock-free storage from a signal handler: kind,
  // the low 12 bits of code, and the 48-bit text address of user space.
  uint64_t Pack() const {
    return (static_cast<uint64_t>(kind_) + 1) |
           (static_cast<uint64_t>(code_) & 0xfff) << 4 |
           reinterpret_cast<uintptr_t>(text_) << 16;
  }
  static StopReason Unpack(uint64_t word) {
    if (word == 0) return StopReason();
    return StopReason(static_cast<Kind>((word & 0xf) - 1),
                      static_cast<int>((word >> 4) & 0xfff),
                      reinterpret_cast<const char*>(word >> 16));
  }

 private:
  constexpr StopReason(Kind kind, int code, const char* text)
      : kind_(kind), code_(code), text_(text == nullptr ? "" : text) {}

  Kind kind_;
  int code_;
  const char* text_;
};

}  // namespace orderly

#endif  // ORDERLY_RUNTIME_STOP_REASON_H_
