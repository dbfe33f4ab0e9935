// Copyright 2026 The orderly Authors.
//
// raw_io.h (internal): output that works where stdio may not.
//
// Hooks write their last words from places where a stdio lock may be held by
// a thread that will never release it (a straggler, a thread parked in
// exit()), or from a signal handler's neighbourhood. write(2) takes no lock.

#ifndef ORDERLY_HOOKS_INTERNAL_RAW_IO_H_
#define ORDERLY_HOOKS_INTERNAL_RAW_IO_H_

#include "absl/strings/string_view.h"

namespace orderly {
namespace hooks_internal {

// write(2) until all of `text` is written or the fd fails. Async-signal-safe.
void WriteAll(int fd, absl::string_view text);

// Never returns: the calling thread sleeps until the process ends. Touches
// no object, so static destructors may run meanwhile.
[[noreturn]] void ParkForever();

}  // namespace hooks_internal
}  // namespace orderly

#endif  // ORDERLY_HOOKS_INTERNAL_RAW_IO_H_
