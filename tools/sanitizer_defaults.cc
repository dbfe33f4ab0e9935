// Copyright 2026 The orderly Authors.
//
// Sanitizer defaults compiled into every orderly test and binary, so that
// no environment variable or path has to reach them.
//
// One ThreadSanitizer suppression, narrow on purpose: abseil 20220623 builds
// a thread's identity (its futex word) in memory from LowLevelAlloc's raw
// mmap and memset, and TSan then reports the first atomic Post() to it from
// another thread as a race with that allocation (google/sanitizers#953,
// abseil-cpp#217). gRPC silences it with report_atomic_races=0, which would
// also hide atomic-vs-plain races in orderly's own lock-free registry; this
// suppresses only reports that have abseil's Waiter::Post in a stack.

//
// Two thread-leak suppressions, for orderly's own threads only: the default
// runtime is never destroyed (DESIGN.md: it stays usable during static
// destruction), nor is a child's fresh runtime after fork(), so their
// sequencer and executor threads end without being joined, by design. A
// test's Runtime joins them in its destructor, so these hide nothing there.

extern "C" const char* __tsan_default_suppressions() {
  return "race:synchronization_internal::Waiter::Post\n"
         "thread:orderly::Runtime::StartFresh\n"
         "thread:orderly::runtime_internal::StepRunner::RunAll\n";
}
