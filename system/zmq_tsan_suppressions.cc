// Copyright 2026 The orderly Authors.
//
// ThreadSanitizer and Debian's libzmq: the library is not instrumented, so
// TSan sees a message buffer allocated on one thread (in zmq_send) and freed
// on another (zmq_recv's reader) without the synchronization libzmq does
// inside, and reports a race that is not one. `called_from_lib:` tells TSan
// to ignore the interceptors (malloc, free, ...) called from that library,
// the documented remedy for uninstrumented libraries
// (github.com/google/sanitizers/wiki/ThreadSanitizerSuppressions). Races in
// the program's own code are still reported.
//
// Also orderly's own suppressions (sanitizers/tsan.supp): a program links
// this instead of //sanitizers:tsan_suppressions, not both.

extern "C" const char* __tsan_default_suppressions() {
  return "called_from_lib:libzmq.so\n"
         "race:synchronization_internal::Waiter::Post\n"
         "thread:orderly::Runtime::StartFresh\n"
         "thread:orderly::runtime_internal::StepRunner::RunAll\n";
}
