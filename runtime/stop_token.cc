// Copyright 2026 The orderly Authors.

#include "runtime/stop_token.h"

namespace orderly {

StopSource::StopSource()
    : state_(new runtime_internal::StopState(
          runtime_internal::StopState::Kind::kStandalone)) {}

bool StopSource::RequestStop() noexcept {
  runtime_internal::StopState* const state = state_;
  if (state == nullptr || !state->SetRequested()) return false;
  // Held while the callbacks run: one of them may destroy this source.
  state->AddRef();
  state->RunCallbacks();
  state->Release();
  return true;
}

}  // namespace orderly
