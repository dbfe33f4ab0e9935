// Copyright 2026 The orderly Authors.

#include "hooks/internal/raw_io.h"

#include <errno.h>
#include <unistd.h>

namespace orderly {
namespace hooks_internal {

void WriteAll(int fd, absl::string_view text) {
  while (!text.empty()) {
    const ssize_t n = write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    text.remove_prefix(static_cast<size_t>(n));
  }
}

void ParkForever() {
  for (;;) pause();
}

}  // namespace hooks_internal
}  // namespace orderly
