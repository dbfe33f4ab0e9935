// Copyright 2026 The orderly Authors.
//
// call_guarded.h (internal): runs user code at the library boundary.
//
// CallGuarded(fn, &record) calls `fn` (returning void or absl::Status),
// catches whatever it throws, and records in `record` the outcome (kOk or
// kError), the error text and the duration since record->start. Nothing a
// user callback does stops the sequence (DESIGN.md: errors never stop it).

#ifndef ORDERLY_RUNTIME_INTERNAL_CALL_GUARDED_H_
#define ORDERLY_RUNTIME_INTERNAL_CALL_GUARDED_H_

#include <exception>
#include <string>
#include <type_traits>
#include <typeinfo>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "runtime/internal/exception_text.h"
#include "runtime/report.h"

namespace orderly {
namespace runtime_internal {

template <typename F>
void CallGuarded(F&& fn, StepRecord* record) {
  try {
    if constexpr (std::is_same_v<std::invoke_result_t<F>, absl::Status>) {
      absl::Status status = fn();
      if (!status.ok()) {
        record->outcome = Outcome::kError;
        record->error = status.ToString();
      }
    } else {
      fn();
    }
  } catch (...) {
    record->outcome = Outcome::kError;
    record->error = DescribeCurrentException();
  }
  record->duration = absl::Now() - record->start;
}

}  // namespace runtime_internal
}  // namespace orderly

#endif  // ORDERLY_RUNTIME_INTERNAL_CALL_GUARDED_H_
