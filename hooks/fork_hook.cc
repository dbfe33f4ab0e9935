// Copyright 2026 The orderly Authors.

#include "hooks/fork_hook.h"

#include <pthread.h>
#include <string.h>

#include "absl/base/call_once.h"
#include "absl/strings/str_cat.h"
#include "hooks/internal/exit_hook_internal.h"
#include "hooks/internal/signals_internal.h"
#include "runtime/runtime.h"

namespace orderly {
namespace {

void InChild() {
  Runtime::Default().ResetAfterForkInChild();
  hooks_internal::ResetExitHookAfterForkInChild();
  hooks_internal::ResetSignalsAfterForkInChild();
}

}  // namespace

absl::Status InstallForkHook() {
  static absl::once_flag once;
  static int error = 0;
  absl::call_once(once, [] {
    Runtime::Default();  // Exists in the parent before any child resets it.
    error = pthread_atfork(nullptr, nullptr, &InChild);
    if (error == 0) hooks_internal::NoteForkHookInstalled();
  });
  if (error != 0) {
    return absl::InternalError(
        absl::StrCat("InstallForkHook: pthread_atfork failed: ",
                     strerror(error)));
  }
  return absl::OkStatus();
}

}  // namespace orderly
