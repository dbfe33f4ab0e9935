// Copyright 2026 The orderly Authors.

#include "hooks/internal/raw_io.h"

#include <errno.h>
#include <unistd.h>

#include "runtime/internal/text_out.h"

namespace orderly {
namespace hooks_internal {

void WriteAll(int fd, absl::string_view text) {
  runtime_internal::WriteAll(fd, text);
}

void ParkForever() {
  for (;;) pause();
}

}  // namespace hooks_internal
}  // namespace orderly
