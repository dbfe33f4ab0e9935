// Copyright 2026 The orderly Authors.
//
// os_threads.h (internal): the process's threads as the kernel sees them.
//
// KernelTid() is the calling thread's kernel thread id (gettid()), cached
// per thread: one thread_local load and one ForkEpoch() compare after the
// first call (the child of fork() runs under a new tid, so the cache is
// refreshed when the epoch changes). The registry stores it in each
// registration, so that the report can tell the threads it knows from the
// others.
//
// ListProcessThreads() reads /proc/self/task: every thread's tid and name
// (/proc/self/task/<tid>/comm, at most 15 characters), leaving out the tids
// it is told to skip before it opens anything: a shutdown of 1,000 threads
// that the registry knows reads one directory, not 1,000 files. It
// allocates and opens files: call it from orderly's own threads (the
// sequencer), never from a signal handler. Linux only; elsewhere it returns
// nothing. AllThreadsKnown() answers the usual question, "is every thread
// known?", more cheaply, before a list is needed.

#ifndef ORDERLY_RUNTIME_INTERNAL_OS_THREADS_H_
#define ORDERLY_RUNTIME_INTERNAL_OS_THREADS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "runtime/report.h"

namespace orderly {
namespace runtime_internal {

int32_t KernelTid();

// Every thread of the process now but those in `skip` (sorted ascending),
// sorted by tid. A thread that ends while it is read is left out.
std::vector<UnknownThread> ListProcessThreads(
    absl::Span<const int32_t> skip = {});

// True if every thread of the process now is one of `known`, and it can
// tell: it counts the process's threads (/proc/self/stat, before and after)
// and probes each known tid (tgkill(2) with signal 0), and opens no
// directory. `known` must hold no tid twice (a repeat would count one
// thread twice and could hide another). Listing /proc/self/task makes the
// kernel build an entry for every thread it has not listed before, about
// 1.5 us each here: the first list after N new threads costs that N times,
// where counting costs two reads and N probes of well under a microsecond.
// A tid reused by a new thread counts as known, as it does for
// ListProcessThreads()'s skip. False, so that the caller lists, when
// `known` is much longer than the thread count (probes would cost more
// than a list).
bool AllThreadsKnown(absl::Span<const int32_t> known);

// The process's signal thread ("orderly-signals", hooks/signals.h) records
// its tid here when it starts, so that AllThreadsKnown() can know it; 0 if
// there is none. Async-signal-safe (one atomic).
void NoteSignalThread();
int32_t SignalThreadTid();

// The name of thread `tid` of this process now; false if it has ended.
bool ReadThreadName(int32_t tid, std::string* name);

// Whether `name` is one of orderly's own threads' names ("orderly-seq",
// "orderly-exec", "orderly-signals": every runtime's, not only one's).
bool IsOrderlyThreadName(absl::string_view name);

}  // namespace runtime_internal
}  // namespace orderly

#endif  // ORDERLY_RUNTIME_INTERNAL_OS_THREADS_H_
