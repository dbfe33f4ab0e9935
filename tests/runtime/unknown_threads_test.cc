// Copyright 2026 The orderly Authors.
//
// ShutdownReport::unknown_threads_when_cleanups_began and
// unknown_threads_at_end (report.h): the process's threads that orderly
// does not know, by kernel tid and name, as /proc/self/task shows them.
// A real foreign thread (a std::thread never registered, named with
// pthread_setname_np) is listed; registered threads (live, or ended and on
// their way out), orderly's own and the main thread are not.

#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/internal/os_threads.h"
#include "runtime/runtime.h"

namespace orderly {
namespace {

using ::testing::HasSubstr;

int32_t Gettid() { return static_cast<int32_t>(syscall(SYS_gettid)); }

bool Lists(const std::vector<UnknownThread>& threads, int32_t tid,
           const std::string& name) {
  for (const UnknownThread& t : threads) {
    if (t.tid == tid && t.name == name) return true;
  }
  return false;
}

bool ListsTid(const std::vector<UnknownThread>& threads, int32_t tid) {
  for (const UnknownThread& t : threads) {
    if (t.tid == tid) return true;
  }
  return false;
}

// A thread that names itself, optionally registers (as `register_as`),
// and then runs until released (or, registered non-daemon, until its
// terminate callback).
class NamedThread {
 public:
  NamedThread(const char* comm, Runtime* rt = nullptr, bool daemon = true) {
    thread_ = std::thread([this, comm, rt, daemon] {
      pthread_setname_np(pthread_self(), comm);
      tid_ = Gettid();
      ThreadRegistration reg;
      if (rt != nullptr) {
        ThreadOptions options;
        options.daemon = daemon;
        options.on_terminate = [this, daemon] {
          if (!daemon) release_.Notify();
        };
        auto r = rt->RegisterThread(comm, std::move(options));
        if (r.ok()) reg = std::move(*r);
      }
      ready_.Notify();
      release_.WaitForNotification();
    });
    ready_.WaitForNotification();
  }
  ~NamedThread() {
    if (!release_.HasBeenNotified()) release_.Notify();
    thread_.join();
  }
  int32_t tid() const { return tid_; }  // After the constructor.

 private:
  std::thread thread_;
  int32_t tid_ = 0;
  absl::Notification ready_, release_;
};

TEST(UnknownThreadsTest, ForeignThreadIsListedByTidAndName) {
  Runtime rt;
  NamedThread foreign("lib-io");
  NamedThread daemon("known-daemon", &rt, /*daemon=*/true);
  NamedThread worker("known-worker", &rt, /*daemon=*/false);
  auto report = rt.Shutdown();
  ASSERT_TRUE(report.ok()) << report.status();
  const ShutdownReport& r = **report;
  EXPECT_TRUE(Lists(r.unknown_threads_when_cleanups_began, foreign.tid(),
                    "lib-io"))
      << r.ToText();
  EXPECT_TRUE(Lists(r.unknown_threads_at_end, foreign.tid(), "lib-io"))
      << r.ToText();
  for (const auto* list :
       {&r.unknown_threads_when_cleanups_began, &r.unknown_threads_at_end}) {
    // Registered: the live daemon, and the worker that the `threads` phase
    // joined (its thread may still be on its way out).
    EXPECT_FALSE(ListsTid(*list, daemon.tid())) << r.ToText();
    EXPECT_FALSE(ListsTid(*list, worker.tid())) << r.ToText();
    EXPECT_FALSE(ListsTid(*list, static_cast<int32_t>(getpid())))
        << "the main thread runs the sequence's caller\n" << r.ToText();
    for (const UnknownThread& t : *list) {
      EXPECT_NE(t.name.rfind("orderly-", 0), 0u) << "orderly's own: " << t.name;
    }
  }
  // Not a problem by itself: reported, not failed.
  EXPECT_TRUE(r.ok()) << r.ToText();
  EXPECT_THAT(r.ToText(),
              HasSubstr(absl::StrCat(
                  "threads orderly does not know (not registered), still "
                  "running at the end: ")));
  EXPECT_THAT(r.ToText(),
              HasSubstr(absl::StrCat("tid ", foreign.tid(), " \"lib-io\"")));
}

// A thread that ended before the sequence is not listed; one started after
// the cleanups began is listed at the end only.
TEST(UnknownThreadsTest, TheTwoListsAreTakenWhenCleanupsBeginAndAtTheEnd) {
  Runtime rt;
  int32_t gone_tid = 0;
  std::thread([&] { gone_tid = Gettid(); }).join();
  std::unique_ptr<NamedThread> late;
  auto c = rt.AddComponent("starter");
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c->AddCleanup(kClosePhase, "start",
                            [&] { late = std::make_unique<NamedThread>("late-lib"); })
                  .ok());
  auto report = rt.Shutdown();
  ASSERT_TRUE(report.ok()) << report.status();
  const ShutdownReport& r = **report;
  ASSERT_NE(late, nullptr);
  EXPECT_FALSE(ListsTid(r.unknown_threads_when_cleanups_began, late->tid()))
      << r.ToText();
  EXPECT_TRUE(Lists(r.unknown_threads_at_end, late->tid(), "late-lib"))
      << r.ToText();
  EXPECT_FALSE(ListsTid(r.unknown_threads_at_end, gone_tid)) << r.ToText();
}

// The reader under the report: the tids it is told to skip are left out
// (before their names are read: the report of a shutdown of many
// registered threads reads one directory, not a file per thread); the
// others are listed with their names.
TEST(ListProcessThreadsTest, LeavesOutTheSkippedTidsAndNamesTheOthers) {
  NamedThread a("skip-a");
  NamedThread b("keep-b");
  std::vector<int32_t> skip = {a.tid(), Gettid()};
  std::sort(skip.begin(), skip.end());
  const std::vector<UnknownThread> all = runtime_internal::ListProcessThreads();
  EXPECT_TRUE(Lists(all, a.tid(), "skip-a"));
  EXPECT_TRUE(Lists(all, b.tid(), "keep-b"));
  EXPECT_TRUE(ListsTid(all, Gettid()));
  const std::vector<UnknownThread> some =
      runtime_internal::ListProcessThreads(skip);
  EXPECT_FALSE(ListsTid(some, a.tid()));
  EXPECT_FALSE(ListsTid(some, Gettid()));
  EXPECT_TRUE(Lists(some, b.tid(), "keep-b"));
  EXPECT_EQ(some.size() + 2, all.size());
}

// AllThreadsKnown() counts instead of listing: true for every tid listed
// (a thread that has ended among them changes nothing), false as soon as
// one live thread is left out.
TEST(AllThreadsKnownTest, TrueOnlyWhenEveryLiveThreadIsKnown) {
  int32_t ended_tid = 0;
  std::thread([&ended_tid] { ended_tid = Gettid(); }).join();
  // join() returns when the thread has cleared its tid, a moment before the
  // kernel lets it go: wait for that, so that it is neither listed nor
  // counted below.
  while (syscall(SYS_tgkill, getpid(), ended_tid, 0) == 0) {
    std::this_thread::yield();
  }
  NamedThread a("known-a");
  NamedThread b("known-b");
  std::vector<int32_t> all;
  for (const UnknownThread& t : runtime_internal::ListProcessThreads()) {
    all.push_back(t.tid);
  }
  ASSERT_TRUE(std::is_sorted(all.begin(), all.end()));
  EXPECT_TRUE(runtime_internal::AllThreadsKnown(all));

  std::vector<int32_t> with_ended = all;
  with_ended.push_back(ended_tid);
  std::sort(with_ended.begin(), with_ended.end());
  ASSERT_EQ(std::adjacent_find(with_ended.begin(), with_ended.end()),
            with_ended.end());
  EXPECT_TRUE(runtime_internal::AllThreadsKnown(with_ended));

  std::vector<int32_t> without_b;
  for (int32_t tid : all) {
    if (tid != b.tid()) without_b.push_back(tid);
  }
  EXPECT_FALSE(runtime_internal::AllThreadsKnown(without_b));
  EXPECT_FALSE(runtime_internal::AllThreadsKnown({}));
}

// The signal thread records its tid, so that a process with signal handling
// installed still takes the count (UnknownThreads() adds it to the known).
TEST(AllThreadsKnownTest, TheSignalThreadIsKnownByItsRecordedTid) {
  absl::Notification noted, release;
  int32_t tid = 0;
  std::thread t([&] {
    runtime_internal::NoteSignalThread();
    tid = Gettid();
    noted.Notify();
    release.WaitForNotification();
  });
  noted.WaitForNotification();
  EXPECT_EQ(runtime_internal::SignalThreadTid(), tid);
  release.Notify();
  t.join();
}

}  // namespace
}  // namespace orderly
