// Copyright 2026 The orderly Authors.
//
// exception_text.h (internal): what an escaped exception says, for a report.
//
// Shared by the core (CallGuarded) and the building blocks, which record an
// exception thrown by user code and hand it on (ManagedThread, the consumer's
// handler, a pool task). Target //runtime:exception_text_internal.

#ifndef ORDERLY_RUNTIME_INTERNAL_EXCEPTION_TEXT_H_
#define ORDERLY_RUNTIME_INTERNAL_EXCEPTION_TEXT_H_

#include <string>

namespace orderly {
namespace runtime_internal {

// Describes the exception being handled: "threw std::runtime_error: disk
// full", or "threw Foo (not a std::exception)". Call only inside a catch
// block.
std::string DescribeCurrentException();

}  // namespace runtime_internal
}  // namespace orderly

#endif  // ORDERLY_RUNTIME_INTERNAL_EXCEPTION_TEXT_H_
