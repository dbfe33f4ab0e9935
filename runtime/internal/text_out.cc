// Copyright 2026 The orderly Authors.

#include "runtime/internal/text_out.h"

#include <errno.h>
#include <unistd.h>

#include "absl/strings/str_format.h"

namespace orderly {
namespace runtime_internal {

std::string HumanDuration(absl::Duration d) {
  if (d == absl::InfiniteDuration()) return "unbounded";
  if (d == -absl::InfiniteDuration()) return "-unbounded";
  const double us = absl::ToDoubleMicroseconds(d);
  const double magnitude = us < 0 ? -us : us;
  if (magnitude < 1000) return absl::StrFormat("%.0fus", us);
  if (magnitude < 1e6) return absl::StrFormat("%.2fms", us / 1e3);
  return absl::StrFormat("%.3fs", us / 1e6);
}

void WriteAll(int fd, absl::string_view text) {
  while (!text.empty()) {
    const ssize_t n = write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    text.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace runtime_internal
}  // namespace orderly
