// Copyright 2026 The orderly Authors.
//
// version.h: which orderly this is, and the language it needs.
//
// Every public orderly header includes this one first, so that a translation
// unit compiled below C++17 stops with one clear message instead of errors
// deep in the headers ("no template named 'optional'").
//
//   #include "runtime/version.h"
//   #if ORDERLY_VERSION_NUMBER >= 200  // 0.2.0 or later
//   ...
//   #endif
//   std::puts(ORDERLY_VERSION);        // "0.3.0"
//
// The version follows semantic versioning (CHANGELOG.md, docs/stability.md).
// This file is the one place it is written: CMake reads the three numbers
// below (CMakeLists.txt), and from them writes orderly.pc and
// orderlyConfigVersion.cmake; tools/check_cmake_sync.sh checks that
// CHANGELOG.md's newest release is this version.

#ifndef ORDERLY_RUNTIME_VERSION_H_
#define ORDERLY_RUNTIME_VERSION_H_

#if !defined(__cplusplus) || __cplusplus < 201703L
#error "orderly needs C++17 or later (-std=c++17)"
#endif

#define ORDERLY_VERSION_MAJOR 0
#define ORDERLY_VERSION_MINOR 3
#define ORDERLY_VERSION_PATCH 0

// "MAJOR.MINOR.PATCH", and MAJOR * 10000 + MINOR * 100 + PATCH for #if.
#define ORDERLY_VERSION_STRINGIZE_(x) #x
#define ORDERLY_VERSION_STR_(a, b, c) \
  ORDERLY_VERSION_STRINGIZE_(a) "." ORDERLY_VERSION_STRINGIZE_(b) "." ORDERLY_VERSION_STRINGIZE_(c)
#define ORDERLY_VERSION \
  ORDERLY_VERSION_STR_(ORDERLY_VERSION_MAJOR, ORDERLY_VERSION_MINOR, ORDERLY_VERSION_PATCH)
#define ORDERLY_VERSION_NUMBER \
  (ORDERLY_VERSION_MAJOR * 10000 + ORDERLY_VERSION_MINOR * 100 + ORDERLY_VERSION_PATCH)

#endif  // ORDERLY_RUNTIME_VERSION_H_
