// Copyright 2026 The orderly Authors.
//
// main() of the process-hook tests (hooks_test_util.h).

#include <stdio.h>
#include <stdlib.h>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/hooks/hooks_test_util.h"

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  if (argc != 2 && argc != 3) {
    fprintf(stderr,
            "usage: %s <scenario_main> [<global_lifetime_main>]\n", argv[0]);
    return 2;
  }
  // Children inherit the sanitizer options (halt_on_error: a report fails
  // the child). TSan also sleeps 1 s in every exit, _exit included, by
  // default (atexit_sleep_ms); children skip it, so that timings mean
  // something. This process read its own options at start-up already.
  if (const char* tsan = getenv("TSAN_OPTIONS"); tsan != nullptr) {
    setenv("TSAN_OPTIONS", absl::StrCat(tsan, ":atexit_sleep_ms=0").c_str(),
           1);
  }
  orderly::g_scenario_main = argv[1];
  if (argc == 3) orderly::g_global_lifetime_main = argv[2];
  return RUN_ALL_TESTS();
}
