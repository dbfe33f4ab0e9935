// Copyright 2026 The orderly Authors.

#include "runtime/component_access.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace orderly {

absl::Status ComponentAccess::Use::status() const {
  if (ok()) return absl::OkStatus();
  const absl::string_view name = access_->component();
  if (name.empty()) {
    return absl::FailedPreconditionError(
        "ComponentAccess::TryUse: this access names no component (made by "
        "its default constructor)");
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "ComponentAccess::TryUse: component \"", name,
      "\" is being torn down or was removed; it refuses new uses"));
}

}  // namespace orderly
