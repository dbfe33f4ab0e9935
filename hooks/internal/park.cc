// Copyright 2026 The orderly Authors.

#include "hooks/internal/park.h"

#include <unistd.h>

namespace orderly {
namespace hooks_internal {

void ParkForever() {
  for (;;) pause();
}

}  // namespace hooks_internal
}  // namespace orderly
