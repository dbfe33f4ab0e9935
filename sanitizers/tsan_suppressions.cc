// Copyright 2026 The orderly Authors.
//
// The ThreadSanitizer suppressions a program that links orderly needs,
// compiled in: TSan's runtime calls __tsan_default_suppressions() at start-up,
// so no TSAN_OPTIONS or file path has to reach the program. The same lines,
// with why each is there, are in tsan.supp (for TSAN_OPTIONS=suppressions=);
// //tests/sanitizers:tsan_suppressions_test checks that the two agree.
//
// Link it once per program, and only if the program does not define
// __tsan_default_suppressions itself (then add tsan.supp's lines to yours).
// Without -fsanitize=thread the function is never called.

extern "C" const char* __tsan_default_suppressions() {
  return "race:synchronization_internal::Waiter::Post\n"
         "thread:orderly::Runtime::StartFresh\n"
         "thread:orderly::runtime_internal::StepRunner::RunAll\n"
         "thread:orderly::runtime_internal::StepRunner::Prestart\n";
}
