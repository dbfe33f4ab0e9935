// Copyright 2026 The orderly Authors.

#include "runtime/internal/exception_text.h"

#include <cxxabi.h>

#include <cstdlib>
#include <exception>
#include <memory>
#include <typeinfo>

#include "absl/strings/str_cat.h"

namespace orderly {
namespace runtime_internal {
namespace {

std::string Demangle(const char* name) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> demangled(
      abi::__cxa_demangle(name, nullptr, nullptr, &status), std::free);
  return status == 0 && demangled ? demangled.get() : name;
}

}  // namespace

std::string DescribeCurrentException() {
  try {
    throw;
  } catch (const std::exception& e) {
    return absl::StrCat("threw ", Demangle(typeid(e).name()), ": ", e.what());
  } catch (...) {
    const std::type_info* type = abi::__cxa_current_exception_type();
    return absl::StrCat("threw ",
                        type == nullptr ? "an unknown exception"
                                        : Demangle(type->name()),
                        " (not a std::exception)");
  }
}

}  // namespace runtime_internal
}  // namespace orderly
