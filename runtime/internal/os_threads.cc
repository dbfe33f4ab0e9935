// Copyright 2026 The orderly Authors.

#include "runtime/internal/os_threads.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "runtime/internal/fork_epoch.h"

namespace orderly {
namespace runtime_internal {

int32_t KernelTid() {
  // Per thread, function-local: a fact about the thread, not state of any
  // runtime. Refreshed in a fork() child, whose thread has a new tid.
  struct Cache {
    uint32_t epoch = 0;
    int32_t tid = 0;
  };
  thread_local Cache cache;
  const uint32_t epoch = ForkEpoch();
  if (cache.tid == 0 || cache.epoch != epoch) {
    cache.tid = static_cast<int32_t>(syscall(SYS_gettid));
    cache.epoch = epoch;
  }
  return cache.tid;
}

bool ReadThreadName(int32_t tid, std::string* name) {
  const std::string path = absl::StrCat("/proc/self/task/", tid, "/comm");
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[64];
  ssize_t n;
  do {
    n = read(fd, buf, sizeof(buf));
  } while (n < 0 && errno == EINTR);
  close(fd);
  if (n < 0) return false;
  name->assign(buf, static_cast<size_t>(n));
  while (!name->empty() && name->back() == '\n') name->pop_back();
  return true;
}

namespace {

// Written by the signal thread (NoteSignalThread()).
std::atomic<int32_t> g_signal_thread_tid{0};

// The process's thread count, field 20 of /proc/self/stat; -1 if unread.
int CountProcessThreads() {
  const int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  char buf[1024];
  ssize_t n;
  do {
    n = read(fd, buf, sizeof(buf) - 1);
  } while (n < 0 && errno == EINTR);
  close(fd);
  if (n <= 0) return -1;
  const absl::string_view stat(buf, static_cast<size_t>(n));
  // The name (field 2) may hold spaces and parentheses: count from after
  // its last ')'. Field 3 is the first after it, so field 20 is the 18th.
  const size_t name_end = stat.rfind(')');
  if (name_end == absl::string_view::npos) return -1;
  int field = 2;
  for (absl::string_view token :
       absl::StrSplit(stat.substr(name_end + 1), ' ', absl::SkipEmpty())) {
    if (++field == 20) {
      int threads;
      return absl::SimpleAtoi(token, &threads) ? threads : -1;
    }
  }
  return -1;
}

}  // namespace

bool AllThreadsKnown(absl::Span<const int32_t> known) {
  const int threads = CountProcessThreads();
  if (threads <= 0) return false;
  if (known.size() > 2 * static_cast<size_t>(threads) + 64) return false;
  const pid_t pid = getpid();
  int alive = 0;
  for (int32_t tid : known) {
    if (tid > 0 && syscall(SYS_tgkill, pid, tid, 0) == 0) ++alive;
  }
  // Every known tid is written by its own thread, so one alive now and not
  // in the first count is a tid reused by a thread started meanwhile; the
  // second count sees it, and the two differ.
  return alive == threads && CountProcessThreads() == threads;
}

void NoteSignalThread() {
  g_signal_thread_tid.store(static_cast<int32_t>(syscall(SYS_gettid)),
                            std::memory_order_relaxed);
}

int32_t SignalThreadTid() {
  return g_signal_thread_tid.load(std::memory_order_relaxed);
}

std::vector<UnknownThread> ListProcessThreads(absl::Span<const int32_t> skip) {
  std::vector<UnknownThread> threads;
  DIR* dir = opendir("/proc/self/task");
  if (dir == nullptr) return threads;
  while (const dirent* entry = readdir(dir)) {
    int32_t tid;
    if (!absl::SimpleAtoi(entry->d_name, &tid)) continue;  // "." and "..".
    if (std::binary_search(skip.begin(), skip.end(), tid)) continue;
    UnknownThread t;
    t.tid = tid;
    if (ReadThreadName(tid, &t.name)) threads.push_back(std::move(t));
  }
  closedir(dir);
  std::sort(threads.begin(), threads.end(),
            [](const UnknownThread& a, const UnknownThread& b) {
              return a.tid < b.tid;
            });
  return threads;
}

bool IsOrderlyThreadName(absl::string_view name) {
  return name == "orderly-seq" || name == "orderly-exec" ||
         name == "orderly-signals";
}

}  // namespace runtime_internal
}  // namespace orderly
