// Copyright 2026 The orderly Authors.

#include "runtime/stop_reason.h"

#include <string.h>

#include "absl/strings/str_cat.h"

namespace orderly {

std::string StopReason::ToString() const {
  switch (kind_) {
    case Kind::kSignal: {
      const char* abbrev = sigabbrev_np(code_);
      return abbrev == nullptr
                 ? absl::StrCat("signal ", code_)
                 : absl::StrCat("SIG", abbrev, " (signal ", code_, ")");
    }
    case Kind::kExit:
      return absl::StrCat("exit(", code_, ")");
    case Kind::kDestroyed:
      return "runtime destroyed";
    case Kind::kRequested:
      break;
  }
  return absl::StrCat("requested: ", text_);
}

}  // namespace orderly
