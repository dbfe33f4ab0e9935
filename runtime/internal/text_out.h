// Copyright 2026 The orderly Authors.
//
// text_out.h (internal): two small text helpers shared by the runtime, the
// renderers and the hooks.
//
// HumanDuration(): short, fixed-precision durations for people reading a
// report ("850us", "12.30ms", "1.203s", "unbounded").
// WriteAll(): write(2) until done. Takes no lock and allocates nothing, so
// it works where stdio may be locked by a thread that will never release it
// (the watchdog's last words) and is async-signal-safe.

#ifndef ORDERLY_RUNTIME_INTERNAL_TEXT_OUT_H_
#define ORDERLY_RUNTIME_INTERNAL_TEXT_OUT_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace orderly {
namespace runtime_internal {

std::string HumanDuration(absl::Duration d);

void WriteAll(int fd, absl::string_view text);

}  // namespace runtime_internal
}  // namespace orderly

#endif  // ORDERLY_RUNTIME_INTERNAL_TEXT_OUT_H_
