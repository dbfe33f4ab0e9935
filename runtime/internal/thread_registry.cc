// Copyright 2026 The orderly Authors.
//
// LONG-FILE: the registry's slot protocol (one state word per slot:
// claim, pin, terminate, wait, demote, abandon) is one invariant spread over
// the functions below; each step's ordering argument refers to the others,
// so they stay in one file.

#include "runtime/internal/thread_registry.h"

#include <unistd.h>

#include <algorithm>
#include <exception>
#include <new>
#include <thread>
#include <utility>

#include "absl/base/attributes.h"
#include "absl/base/optimization.h"
#include "absl/strings/str_cat.h"
#include "runtime/internal/asymmetric_barrier.h"
#include "runtime/internal/call_guarded.h"
#include "runtime/internal/check.h"
#include "runtime/internal/fork_epoch.h"
#include "runtime/internal/os_threads.h"
#include "runtime/internal/text_out.h"
#include "runtime/plan.h"

namespace orderly {
namespace runtime_internal {
namespace {

// Slot state: generation << 32 | pins << 8 | flags.
constexpr uint64_t kLive = 1;
constexpr uint64_t kDaemon = 2;
constexpr uint64_t kTerminated = 4;    // The terminate callback was claimed.
constexpr uint64_t kWaited = 8;        // Counted in the set being joined.
constexpr uint64_t kDemoted = 16;      // Past its join budget; not waited for.
constexpr uint64_t kOwnerWaiting = 32; // The owner waits for pins to drop.
constexpr uint64_t kAbandoned = 64;    // Its thread runs the sequence.
constexpr uint64_t kReserved = 128;    // Being filled in, or being freed.
// A fence waits for this registration to end: its owner takes the slow path
// (under mu_), which wakes the fence's Await.
constexpr uint64_t kFenced = uint64_t{1} << 16;
constexpr uint64_t kFlagMask = 0xffffffff;
constexpr uint64_t kPinOne = uint64_t{1} << 8;
constexpr uint64_t kPinMask = uint64_t{0xff} << 8;
// An owner whose slot has any of these ends under mu_ (UnregisterSlow):
// somebody reads the slot now, or waits to learn that it ended.
constexpr uint64_t kNeedsTelling =
    kPinMask | kWaited | kDemoted | kOwnerWaiting | kAbandoned | kFenced;

constexpr uint32_t Generation(uint64_t s) { return static_cast<uint32_t>(s >> 32); }
constexpr uint64_t Published(uint32_t generation, bool daemon) {
  return uint64_t{generation} << 32 | kLive | (daemon ? kDaemon : 0);
}
constexpr uint64_t Reserved(uint32_t generation) {
  return uint64_t{generation} << 32 | kReserved;
}
constexpr uint64_t Freed(uint32_t generation) {
  return uint64_t{generation + 1} << 32;
}

// One iteration of a spin-wait.
inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}

// Registry state.
constexpr uint64_t kTerminating = 1;
constexpr uint64_t kClosed = 2;

// The error paths are out of line, so that Register()'s fast path keeps a
// small frame (benchmarks/README.md, "Where the time goes").
ABSL_ATTRIBUTE_NOINLINE absl::Status Refused(absl::string_view name) {
  return absl::FailedPreconditionError(absl::StrCat(
      "RegisterThread(\"", name,
      "\") refused: shutdown in progress, and the `threads` phase has "
      "already joined every thread; start no thread now"));
}

ABSL_ATTRIBUTE_NOINLINE absl::Status EmptyName() {
  return absl::InvalidArgumentError(
      "RegisterThread: the name is empty; name the thread, so that a "
      "report can say which thread hangs");
}

// A freed slot keeps its name's string (FreeSlot() leaves it), and threads
// of one kind re-register under one name into the slot they just freed (the
// claim starts at the last slot freed): then the copy is a compare. Otherwise
// it is std::string::assign.
inline void AssignName(std::string& to, absl::string_view from) {
  if (absl::string_view(to) != from) to.assign(from.data(), from.size());
}

}  // namespace

struct alignas(64) ThreadRegistry::Slot {
  std::atomic<uint64_t> state{0};
  // Written by the owner before publishing, read by pin holders.
  uint64_t seq = 0;
  bool daemon = false;
  uint32_t waited_pos = 0;  // Guarded by the registry's mu_.
  absl::Duration join_budget;
  pthread_t thread{};
  std::string name;
  absl::AnyInvocable<void()> on_terminate;
  // Only for registrations that declared uses, an ended_by component, or
  // that are a component's terminate hook: the common one allocates none.
  std::unique_ptr<Extra> extra;
  const ThreadActivity* activity = nullptr;
  // The owner's kernel tid (KnownTids()): kept after the slot is freed.
  std::atomic<int32_t> tid{0};
};

ThreadRegistry::ThreadRegistry(absl::Duration default_join_budget)
    : default_join_budget_(default_join_budget),
      asymmetric_(AsymmetricBarrierAvailable()),
      chunks_(new std::atomic<Slot*>[kMaxChunks]) {
  for (uint32_t i = 0; i < kMaxChunks; ++i) chunks_[i].store(nullptr);
  // The first chunk up front: the first registrations allocate nothing.
  Grow().IgnoreError();
}

ThreadRegistry::~ThreadRegistry() {
  // A joined thread may still be on its way out of UnregisterSlow(); its
  // last touch of the registry is the decrement below.
  while (unregistering_.load(std::memory_order_acquire) != 0) {
    std::this_thread::yield();
  }
  if (kDebugChecks) CheckNoneLive();
  const uint32_t n = chunk_count_.load(std::memory_order_acquire);
  for (uint32_t c = 0; c < n; ++c) delete[] chunks_[c].load();
}

void ThreadRegistry::CheckNoneLive() const {
  // thread_registration.h, Lifetime: a registration ending after its
  // registry is gone would write to freed memory. Name them, then abort.
  const std::vector<Live> live = Snapshot();
  if (live.empty()) return;
  std::string names;
  for (const Live& l : live) {
    absl::StrAppend(&names, names.empty() ? "" : ", ", l.name);
  }
  WriteAll(STDERR_FILENO,
           absl::StrCat("orderly: a Runtime is being destroyed while ",
                        live.size(), " thread registration(s) are active: ",
                        names, "; end each one first (its thread returns, "
                        "or ThreadRegistration::Reset())\n"));
  CheckFailed(__FILE__, __LINE__, "no live registration",
              "~Runtime: registrations must end before their runtime");
}

ThreadRegistry::Slot& ThreadRegistry::At(uint32_t index) const {
  return chunks_[index / kChunkSize].load(
      std::memory_order_acquire)[index % kChunkSize];
}

bool ThreadRegistry::Claim(uint32_t* index, uint32_t* generation) {
  const uint32_t capacity =
      chunk_count_.load(std::memory_order_acquire) * kChunkSize;
  uint32_t start = hint_.load(std::memory_order_relaxed);
  if (start >= capacity) start = 0;
  for (uint32_t k = 0; k < capacity; ++k) {
    uint32_t i = start + k;
    if (i >= capacity) i -= capacity;
    Slot& slot = At(i);
    uint64_t s = slot.state.load(std::memory_order_relaxed);
    if ((s & kFlagMask) != 0) continue;  // Taken.
    // Acquire: the previous owner's writes (its callback destroyed) come
    // before ours.
    if (slot.state.compare_exchange_strong(s, s | kReserved,
                                           std::memory_order_acquire,
                                           std::memory_order_relaxed)) {
      hint_.store(i + 1 == capacity ? 0 : i + 1, std::memory_order_relaxed);
      *index = i;
      *generation = Generation(s);
      return true;
    }
  }
  return false;
}

absl::Status ThreadRegistry::Grow() {
  absl::MutexLock lock(&grow_mu_);
  const uint32_t n = chunk_count_.load(std::memory_order_relaxed);
  if (n == kMaxChunks) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "RegisterThread: ", kMaxChunks * kChunkSize,
        " threads are registered at once, the most one runtime holds"));
  }
  chunks_[n].store(new Slot[kChunkSize], std::memory_order_release);
  chunk_count_.store(n + 1, std::memory_order_release);
  hint_.store(n * kChunkSize, std::memory_order_relaxed);
  return absl::OkStatus();
}

absl::StatusOr<ThreadRegistration> ThreadRegistry::Register(
    absl::string_view name, ThreadOptions&& options, Kind kind,
    absl::string_view component, const ThreadActivity* activity) {
  if (ABSL_PREDICT_FALSE(name.empty())) return EmptyName();
  // A thread its component's cleanups end (ended_by) is never joined, so it
  // may register after the joins: a library's pool thread starts when it
  // likes, and must still be known (regression test: EndedByTest.
  // ThreadStartedAfterTheJoinsIsStillAccepted).
  const bool owned = !options.ended_by.empty();
  if ((state_.load(std::memory_order_acquire) & kClosed) && !owned) {
    return Refused(name);
  }
  uint32_t index;
  uint32_t generation;
  while (!Claim(&index, &generation)) {
    absl::Status grown = Grow();
    if (!grown.ok()) return grown;
  }
  Slot& slot = At(index);
  const uint64_t seq = next_seq_.load(std::memory_order_relaxed) + 1;
  next_seq_.store(seq, std::memory_order_relaxed);
  slot.seq = seq;
  if (ABSL_PREDICT_FALSE(kind != Kind::kThread || !options.uses.empty() ||
                         owned)) {
    FillExtra(slot, options, kind, component);
  }
  slot.daemon = options.daemon;
  slot.join_budget = options.join_budget.value_or(default_join_budget_);
  slot.thread = pthread_self();
  AssignName(slot.name, name);
  // A claimed slot's callback is empty (FreeSlot() emptied it, or it was
  // never set): construct the new one in place instead of assigning, which
  // would first call the empty one's manager to destroy nothing. Reusing
  // the storage without that destructor call is allowed: it has no effect.
  ORDERLY_DCHECK(slot.on_terminate == nullptr,
                 "Register: a claimed slot still holds a callback");
  new (&slot.on_terminate)
      absl::AnyInvocable<void()>(std::move(options.on_terminate));
  slot.activity = activity;
  // The kernel tid, for the report's unknown threads. A component's hook is
  // no thread: 0, so that the thread that added it is not taken as known.
  slot.tid.store(kind == Kind::kThread ? KernelTid() : 0,
                 std::memory_order_relaxed);
  // Publish, then look (the Dekker handshake of the class comment).
  uint64_t registry_state;
  if (asymmetric_) {
    slot.state.store(Published(generation, options.daemon),
                     std::memory_order_release);
    LightBarrier();
    registry_state = state_.load(std::memory_order_acquire);
  } else {
    slot.state.store(Published(generation, options.daemon),
                     std::memory_order_seq_cst);
    registry_state = state_.load(std::memory_order_seq_cst);
  }
  if (registry_state & kTerminating) {
    return RegisterLate(index, generation, owned);
  }
  return ThreadRegistration(this, index, generation, ForkEpoch());
}

void ThreadRegistry::FillExtra(Slot& slot, ThreadOptions& options, Kind kind,
                               absl::string_view component) {
  slot.extra = std::make_unique<Extra>();
  slot.extra->uses = std::move(options.uses);
  slot.extra->ended_by = std::move(options.ended_by);
  slot.extra->hook = kind == Kind::kComponentHook;
  slot.extra->component = std::string(component);
  // Not joined in `threads`: a hook is no thread, and a thread ended by a
  // component's cleanup ends after the joins.
  if (kind == Kind::kComponentHook || !slot.extra->ended_by.empty()) {
    options.daemon = true;
  }
}

absl::StatusOr<ThreadRegistration> ThreadRegistry::RegisterLate(
    uint32_t index, uint32_t generation, bool owned) {
  Slot& slot = At(index);
  bool refused = false;
  bool run_callback = false;
  {
    absl::MutexLock lock(&mu_);
    if ((state_.load(std::memory_order_relaxed) & kClosed) && !owned) {
      refused = true;
    } else {
      uint64_t s = slot.state.load(std::memory_order_acquire);
      for (;;) {
        uint64_t add = (s & kTerminated) ? 0 : kTerminated;
        const bool wait =
            joining_ && !(s & (kDaemon | kWaited | kDemoted));
        if (wait) add |= kWaited;
        if (add == 0) break;  // The sequencer took the callback already.
        if (slot.state.compare_exchange_weak(s, s | add,
                                             std::memory_order_acq_rel)) {
          run_callback = (add & kTerminated) != 0;
          if (wait) AddWaitedLocked(slot, index, generation, absl::Now());
          break;
        }
      }
    }
  }
  if (refused) {
    std::string name = slot.name;
    Unregister(index, generation);
    return Refused(name);
  }
  if (run_callback) {
    // At once, on this thread, as a C++20 stop_callback registered after
    // request_stop() (DESIGN.md, The sequence, step 1).
    StepRecord record;
    record.phase = std::string(kThreadsPhase);
    record.kind = StepKind::kTerminateCallback;
    record.name = absl::StrCat(slot.name, " (registered during shutdown)");
    record.start = absl::Now();
    CallGuarded([&] { if (slot.on_terminate) slot.on_terminate(); },
                &record);
    absl::MutexLock lock(&mu_);
    late_records_.push_back(std::move(record));
  }
  return ThreadRegistration(this, index, generation, ForkEpoch());
}

void ThreadRegistry::AddWaitedLocked(Slot& slot, uint32_t index,
                                     uint32_t generation, absl::Time now) {
  slot.waited_pos = static_cast<uint32_t>(waited_.size());
  Waited w;
  w.index = index;
  w.generation = generation;
  w.name = slot.name;
  w.thread = slot.thread;
  w.start = now;
  w.budget = slot.join_budget;
  w.budget_end = now + slot.join_budget;
  waited_.push_back(std::move(w));
  ++waited_count_;
}

void ThreadRegistry::Unregister(uint32_t index, uint32_t generation) {
  Slot& slot = At(index);
  uint64_t expected = Published(generation, slot.daemon);
  if (slot.state.compare_exchange_strong(expected, Reserved(generation),
                                         std::memory_order_acq_rel,
                                         std::memory_order_acquire)) {
    FreeSlot(slot, index, generation);  // Fast: nobody looked at this slot.
    return;
  }
  if ((expected & kNeedsTelling) == (expected & kPinMask)) {
    expected = AwaitUnpinnedBriefly(slot, expected);
  }
  if (!(expected & kNeedsTelling)) {
    UnregisterTerminated(slot, index, generation, expected);
    return;
  }
  UnregisterSlow(slot, index, generation);
}

uint64_t ThreadRegistry::AwaitUnpinnedBriefly(const Slot& slot,
                                              uint64_t s) const {
  // Pinned, and nothing else needs telling: typically the executor is
  // running this thread's terminate callback, which has just woken it and
  // is about to return. Sleeping on mu_ until Unpin() takes it would cost
  // both threads a futex round trip (1-10% of the threads of
  // BM_ShutdownThreads/4000 took it); a short spin, then a few yields (the
  // executor may wait for this CPU), usually sees the pin go.
  for (int i = 0; i < 256 && (s & kPinMask); ++i) {
    if (i < 192) {
      CpuRelax();
    } else {
      std::this_thread::yield();
    }
    s = slot.state.load(std::memory_order_acquire);
  }
  return s;
}

void ThreadRegistry::UnregisterTerminated(Slot& slot, uint32_t index,
                                          uint32_t generation, uint64_t s) {
  // Its terminate callback ran (kTerminated) and nobody waits for its end:
  // one compare-and-swap, no mu_. When the callbacks wake N threads at
  // once, each would otherwise queue on mu_ behind the others
  // (BM_ShutdownThreads). Counted in unregistering_ as the slow path is:
  // after the sequence, ~ThreadRegistry may race a daemon's last touch.
  unregistering_.fetch_add(1, std::memory_order_acq_rel);
  for (;;) {
    if (s & kNeedsTelling) {  // A pin or a join arrived meanwhile.
      unregistering_.fetch_sub(1, std::memory_order_release);
      UnregisterSlow(slot, index, generation);
      return;
    }
    if (slot.state.compare_exchange_weak(s, Reserved(generation),
                                         std::memory_order_acq_rel,
                                         std::memory_order_acquire)) {
      break;
    }
  }
  FreeSlot(slot, index, generation);
  unregistering_.fetch_sub(1, std::memory_order_release);
}

bool ThreadRegistry::GivenUp(uint32_t index, uint32_t generation) const {
  const uint64_t s = At(index).state.load(std::memory_order_acquire);
  return Generation(s) == generation && (s & kLive) &&
         (s & (kDemoted | kAbandoned)) != 0;
}

void ThreadRegistry::UnregisterSlow(Slot& slot, uint32_t index,
                                    uint32_t generation) {
  unregistering_.fetch_add(1, std::memory_order_relaxed);
  {
    absl::MutexLock lock(&mu_);
    uint64_t s = slot.state.load(std::memory_order_acquire);
    for (;;) {
      if (s & kPinMask) {
        // The sequencer is reading the slot or running its callback: wait,
        // as ~stop_callback waits for a running callback.
        if (!(s & kOwnerWaiting) &&
            !slot.state.compare_exchange_weak(s, s | kOwnerWaiting,
                                              std::memory_order_acq_rel)) {
          continue;
        }
        mu_.Await(absl::Condition(
            +[](Slot* p) {
              return (p->state.load(std::memory_order_acquire) & kPinMask) ==
                     0;
            },
            &slot));
        s = slot.state.load(std::memory_order_acquire);
        continue;
      }
      if (slot.state.compare_exchange_weak(s, Reserved(generation),
                                           std::memory_order_acq_rel,
                                           std::memory_order_acquire)) {
        break;
      }
    }
    if (s & kWaited) {
      Waited& w = waited_[slot.waited_pos];
      w.ended = true;
      if (!(s & (kDemoted | kAbandoned))) {
        w.end = absl::Now();
        --waited_count_;  // AwaitJoins() re-checks when mu_ is released.
        CloseIfJoinedLocked();
      }
    }
  }
  FreeSlot(slot, index, generation);
  // The last touch of the registry on this path (see ~ThreadRegistry).
  unregistering_.fetch_sub(1, std::memory_order_release);
}

void ThreadRegistry::FreeSlot(Slot& slot, uint32_t index,
                              uint32_t generation) {
  // Destroy the callback's captures now, not when the slot is reused. The
  // slot is reserved: neither the sequencer nor a registrant can touch it.
  slot.on_terminate = nullptr;
  if (ABSL_PREDICT_FALSE(slot.extra != nullptr)) slot.extra.reset();
  slot.state.store(Freed(generation), std::memory_order_release);
  hint_.store(index, std::memory_order_relaxed);
}

bool ThreadRegistry::Pin(Slot& slot, uint32_t generation, uint64_t flags,
                         uint64_t unless) const {
  uint64_t s = slot.state.load(std::memory_order_acquire);
  for (;;) {
    if (Generation(s) != generation || !(s & kLive) || (s & unless)) {
      return false;
    }
    if ((s & kPinMask) == kPinMask) {  // 255 pins at once: wait a moment.
      std::this_thread::yield();
      s = slot.state.load(std::memory_order_acquire);
      continue;
    }
    if (slot.state.compare_exchange_weak(s, (s + kPinOne) | flags,
                                         std::memory_order_acq_rel,
                                         std::memory_order_acquire)) {
      return true;
    }
  }
}

void ThreadRegistry::Unpin(Slot& slot) const {
  const uint64_t old = slot.state.fetch_sub(kPinOne, std::memory_order_acq_rel);
  if (old & kOwnerWaiting) {
    // The owner waits in UnregisterSlow() on mu_: releasing mu_ makes it
    // re-check its condition. It set the flag under mu_ before waiting, so
    // taking mu_ here cannot miss it.
    absl::MutexLock lock(&mu_);
  }
}

size_t ThreadRegistry::CountLive() const {
  const uint32_t chunks = chunk_count_.load(std::memory_order_acquire);
  size_t live = 0;
  for (uint32_t index = 0; index < chunks * kChunkSize; ++index) {
    live += (At(index).state.load(std::memory_order_relaxed) & kLive) != 0;
  }
  return live;
}

std::vector<ThreadRegistry::Live> ThreadRegistry::Snapshot() const {
  std::vector<Live> out;
  const uint32_t chunks = chunk_count_.load(std::memory_order_acquire);
  out.reserve(CountLive());  // Sized once (an estimate).
  for (uint32_t index = 0; index < chunks * kChunkSize; ++index) {
    Slot& slot = At(index);
    const uint64_t s = slot.state.load(std::memory_order_seq_cst);
    if (!(s & kLive) || !Pin(slot, Generation(s), 0, 0)) continue;
    Live live{index, Generation(s), slot.seq, slot.name, (s & kDaemon) != 0};
    if (slot.extra != nullptr) {
      live.uses = slot.extra->uses;
      live.ended_by = slot.extra->ended_by;
      live.hook = slot.extra->hook;
      live.component = slot.extra->component;
    }
    Unpin(slot);
    out.push_back(std::move(live));
  }
  std::sort(out.begin(), out.end(), [](const Live& a, const Live& b) {
    return a.seq != b.seq ? a.seq > b.seq : a.index > b.index;
  });
  return out;
}

bool ThreadRegistry::FindNonDaemon(pthread_t thread, std::string* name) const {
  const uint32_t chunks = chunk_count_.load(std::memory_order_acquire);
  for (uint32_t index = 0; index < chunks * kChunkSize; ++index) {
    Slot& slot = At(index);
    const uint64_t s = slot.state.load(std::memory_order_acquire);
    constexpr uint64_t kNotJoined = kDaemon | kDemoted | kAbandoned;
    if (!(s & kLive) || (s & kNotJoined)) continue;
    if (!Pin(slot, Generation(s), 0, kNotJoined)) continue;
    const bool found = pthread_equal(slot.thread, thread) != 0;
    if (found) *name = slot.name;
    Unpin(slot);
    if (found) return true;
  }
  return false;
}

std::vector<StepRecord> ThreadRegistry::TakeLateRecords() {
  absl::MutexLock lock(&mu_);
  return std::move(late_records_);
}

std::vector<ThreadRegistry::Live> ThreadRegistry::BeginTerminate() {
  {
    // Under mu_, so that a late registration's slow path sees either the
    // state before this or after it, never half of it.
    absl::MutexLock lock(&mu_);
    const uint64_t before =
        state_.fetch_or(kTerminating, std::memory_order_seq_cst);
    ORDERLY_DCHECK((before & kTerminating) == 0,
                   "ThreadRegistry::BeginTerminate: once per sequence");
  }
  if (asymmetric_) HeavyBarrier();
  return Snapshot();
}

bool ThreadRegistry::RunTerminateCallback(const Live& live) {
  Slot& slot = At(live.index);
  if (!Pin(slot, live.generation, kTerminated, kTerminated)) return false;
  struct Unpinner {
    const ThreadRegistry* registry;
    Slot& slot;
    ~Unpinner() { registry->Unpin(slot); }
  } unpin{this, slot};
  if (slot.on_terminate) slot.on_terminate();
  return true;
}

void ThreadRegistry::BeginJoin(absl::Time now) {
  // The waited list's storage, sized for every live slot and touched here,
  // before mu_: its page faults (several microseconds each on a virtual
  // machine) would otherwise happen under mu_, one per 27 entries.
  // Estimated without mu_, as owners come and go; a late registration past
  // the estimate grows it as before.
  std::vector<Waited> storage(CountLive() + 8);
  storage.clear();  // Keeps the capacity, and its pages.
  uint32_t slots;
  {
    absl::MutexLock lock(&mu_);
    ORDERLY_DCHECK(!joining_, "ThreadRegistry::BeginJoin: once per sequence");
    // From now on a late registration adds itself (RegisterLate(), under
    // mu_), so the slots to mark are those that exist now.
    joining_ = true;
    listing_ = true;
    slots = chunk_count_.load(std::memory_order_acquire) * kChunkSize;
    // DemoteBeforeJoin() may have added some (their slots are live, so
    // counted in `live` too): kept, at their positions.
    if (storage.capacity() >= waited_.size()) {
      for (Waited& w : waited_) storage.push_back(std::move(w));
      waited_.swap(storage);  // The old storage is freed below, unlocked.
    }
  }
  // One hold of mu_ per chunk of slots, not one for all of them. The threads
  // the terminate callbacks woke are ending their registrations meanwhile,
  // and one whose slot is already marked ends under mu_ (UnregisterSlow()).
  // Held across thousands of slots, mu_ stayed held whenever the sequencer
  // lost its CPU to those very threads, and they queued behind it: 31-92 ms
  // in 5 of 20 shutdowns of BM_ShutdownThreads/4000.
  for (uint32_t begin = 0; begin < slots; begin += kChunkSize) {
    absl::MutexLock lock(&mu_);
    for (uint32_t index = begin; index < begin + kChunkSize; ++index) {
      Slot& slot = At(index);
      uint64_t s = slot.state.load(std::memory_order_acquire);
      while ((s & kLive) &&
             !(s & (kDaemon | kWaited | kDemoted | kAbandoned))) {
        if (slot.state.compare_exchange_weak(s, s | kWaited,
                                             std::memory_order_acq_rel,
                                             std::memory_order_acquire)) {
          // Safe to read the name: the owner can only free a waited slot in
          // UnregisterSlow(), under mu_, which we hold.
          AddWaitedLocked(slot, index, Generation(s), now);
          break;
        }
      }
    }
  }
  absl::MutexLock lock(&mu_);
  listing_ = false;
  CloseIfJoinedLocked();  // Nothing to wait for, or all ended meanwhile.
}

bool ThreadRegistry::AwaitJoins(absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  return mu_.AwaitWithDeadline(
      absl::Condition(
          +[](int* count) { return *count == 0; }, &waited_count_),
      deadline);
}

std::vector<std::string> ThreadRegistry::StillJoining() {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> names;
  for (const Waited& w : waited_) {
    if (w.ended || w.demoted || w.abandoned) continue;
    const std::string doing = DescribeLocked(At(w.index));
    names.push_back(doing.empty() ? w.name
                                  : absl::StrCat(w.name, " (", doing, ")"));
  }
  return names;
}

absl::Time ThreadRegistry::NextJoinDeadline() {
  absl::MutexLock lock(&mu_);
  absl::Time next = absl::InfiniteFuture();
  for (const Waited& w : waited_) {
    if (!w.ended && !w.demoted && !w.abandoned) {
      next = std::min(next, w.budget_end);
    }
  }
  return next;
}

void ThreadRegistry::DemoteOverdue(absl::Time now, bool all) {
  absl::MutexLock lock(&mu_);
  for (Waited& w : waited_) {
    if (w.ended || w.demoted || w.abandoned || (!all && w.budget_end > now)) {
      continue;
    }
    Slot& slot = At(w.index);
    uint64_t s = slot.state.load(std::memory_order_acquire);
    // The slot is still this registration's: its owner frees a waited slot
    // only under mu_, and would have marked `w` ended.
    while (!slot.state.compare_exchange_weak(s, s | kDemoted,
                                             std::memory_order_acq_rel,
                                             std::memory_order_acquire)) {
    }
    w.demoted = true;
    w.end = now;
    w.doing = DescribeLocked(slot);
    --waited_count_;
  }
  CloseIfJoinedLocked();
}

std::string ThreadRegistry::DescribeLocked(const Slot& slot) {
  return slot.activity != nullptr ? slot.activity->Describe() : std::string();
}

std::vector<int32_t> ThreadRegistry::KnownTids() const {
  std::vector<int32_t> tids;
  const uint32_t chunks = chunk_count_.load(std::memory_order_acquire);
  for (uint32_t index = 0; index < chunks * kChunkSize; ++index) {
    const int32_t tid = At(index).tid.load(std::memory_order_relaxed);
    if (tid != 0) tids.push_back(tid);
  }
  return tids;
}

void ThreadRegistry::CloseIfJoinedLocked() {
  // Not while BeginJoin() still lists: a slot not yet marked is not
  // counted, and "none left" would close registration too soon.
  if (!joining_ || listing_ || waited_count_ != 0) return;
  state_.fetch_or(kClosed, std::memory_order_seq_cst);
  joining_ = false;
}

bool ThreadRegistry::closed() const {
  return (state_.load(std::memory_order_acquire) & kClosed) != 0;
}

void ThreadRegistry::AppendJoinRecords(std::vector<StepRecord>* records) {
  ORDERLY_DCHECK(closed(),
                 "ThreadRegistry::AppendJoinRecords: requires closed(), i.e. "
                 "the joins finished");
  absl::MutexLock lock(&mu_);
  records->reserve(records->size() + waited_.size());
  for (const Waited& w : waited_) {
    StepRecord& r = records->emplace_back();
    r.phase = std::string(kThreadsPhase);
    r.kind = StepKind::kJoin;
    r.name = w.name;
    r.start = w.start;
    r.duration = w.end - w.start;
    r.budget = w.budget;
    if (w.abandoned) {
      r.name = absl::StrCat(w.name, " (runs the sequence: not waited for)");
    } else if (w.callback_abandoned) {
      r.outcome = Outcome::kStraggler;
      r.error = absl::StrCat(
          "its terminate callback was abandoned past its budget (its "
          "registration's end waits for it)",
          w.doing.empty() ? "" : absl::StrCat(", running ", w.doing),
          ": not waited for, treated as a daemon");
    } else if (w.demoted) {
      r.outcome = Outcome::kStraggler;
      r.error = absl::StrCat(
          "still running after ", HumanDuration(w.end - w.start),
          " of joining (join budget ", HumanDuration(w.budget), ")",
          w.doing.empty() ? "" : absl::StrCat(", running ", w.doing),
          "; no longer waited for, treated as a daemon");
    }
  }
}

void ThreadRegistry::AbandonThread(pthread_t thread) {
  // Pass 1, without mu_: a slot's `thread` is read only while the slot is
  // pinned, so it cannot be freed and claimed (and `thread` rewritten) by
  // another registrant meanwhile (regression test: ThreadRegistryStressTest.
  // AbandonRacesRegistrations). Not under mu_: Unpin() takes mu_ when an
  // owner waits for the pin.
  std::vector<std::pair<uint32_t, uint32_t>> mine;
  const uint32_t chunks = chunk_count_.load(std::memory_order_acquire);
  constexpr uint64_t kSkip = kDaemon | kAbandoned;
  for (uint32_t index = 0; index < chunks * kChunkSize; ++index) {
    Slot& slot = At(index);
    uint64_t s = slot.state.load(std::memory_order_acquire);
    if (!(s & kLive) || (s & kSkip)) continue;
    const uint32_t generation = Generation(s);
    if (!Pin(slot, generation, 0, kSkip)) continue;
    // Only the calling thread's own registrations: it cannot end them
    // concurrently.
    if (pthread_equal(slot.thread, thread)) {
      s = slot.state.load(std::memory_order_acquire);
      while (!(s & kAbandoned) &&
             !slot.state.compare_exchange_weak(s, s | kAbandoned,
                                               std::memory_order_acq_rel,
                                               std::memory_order_acquire)) {
      }
      if (!(s & kAbandoned)) mine.emplace_back(index, generation);
    }
    Unpin(slot);
  }
  // Pass 2: stop waiting for those the joins already count.
  absl::MutexLock lock(&mu_);
  for (const auto& [index, generation] : mine) {
    Slot& slot = At(index);
    const uint64_t s = slot.state.load(std::memory_order_acquire);
    if (Generation(s) != generation || !(s & kWaited) || (s & kDemoted)) {
      continue;
    }
    Waited& w = waited_[slot.waited_pos];
    if (w.ended || w.abandoned || w.demoted) continue;
    w.abandoned = true;
    w.end = absl::Now();
    --waited_count_;
  }
  CloseIfJoinedLocked();
}

void ThreadRegistry::DemoteBeforeJoin(const Live& live) {
  absl::MutexLock lock(&mu_);
  Slot& slot = At(live.index);
  uint64_t s = slot.state.load(std::memory_order_acquire);
  // The full word is compared: a slot freed or reused meanwhile fails the
  // generation check and is left alone.
  while (Generation(s) == live.generation && (s & kLive) &&
         !(s & (kDaemon | kWaited | kDemoted | kAbandoned))) {
    if (slot.state.compare_exchange_weak(s, s | kWaited | kDemoted,
                                         std::memory_order_acq_rel,
                                         std::memory_order_acquire)) {
      // Reported as a straggler like one demoted in the joins, but never
      // counted as waited for. The owner frees a kWaited slot only under
      // mu_, which we hold: the name is safe to read.
      const absl::Time now = absl::Now();
      AddWaitedLocked(slot, live.index, live.generation, now);
      --waited_count_;
      Waited& w = waited_.back();
      w.demoted = true;
      w.callback_abandoned = true;
      w.end = now;
      w.doing = DescribeLocked(slot);
      break;
    }
  }
}

std::vector<std::pair<std::string, pthread_t>>
ThreadRegistry::OverdueThreads() {
  absl::MutexLock lock(&mu_);
  std::vector<std::pair<std::string, pthread_t>> threads;
  for (const Waited& w : waited_) {
    if (w.ended || w.abandoned) continue;
    const std::string doing = DescribeLocked(At(w.index));
    threads.emplace_back(
        doing.empty() ? w.name : absl::StrCat(w.name, " (", doing, ")"),
        w.thread);
  }
  return threads;
}

std::vector<std::string> ThreadRegistry::LiveDaemons() const {
  std::vector<std::string> names;
  for (const Live& live : Snapshot()) {
    // Fenced (uses), owned (ended_by) and hooks are accounted elsewhere.
    if (live.hook || !live.uses.empty() || !live.ended_by.empty()) continue;
    Slot& slot = At(live.index);
    const uint64_t s = slot.state.load(std::memory_order_acquire);
    if (Generation(s) == live.generation && (s & kLive) &&
        (s & (kDaemon | kDemoted)) && !(s & kAbandoned)) {
      names.push_back(live.name);
    }
  }
  return names;
}

std::vector<ThreadRegistry::Live> ThreadRegistry::LiveAccountable() const {
  std::vector<Live> out;
  for (Live& live : Snapshot()) {
    if (live.hook || (live.uses.empty() && live.ended_by.empty())) continue;
    const uint64_t s = At(live.index).state.load(std::memory_order_acquire);
    if (Generation(s) != live.generation || !(s & kLive)) continue;
    // A demoted straggler is reported already; an abandoned thread runs
    // the sequence.
    if (s & (kDemoted | kAbandoned)) continue;
    out.push_back(std::move(live));
  }
  return out;
}

std::vector<ThreadRegistry::Live> ThreadRegistry::Users(
    const std::vector<std::string>& components) const {
  std::vector<Live> out;
  for (Live& live : Snapshot()) {
    const uint64_t s = At(live.index).state.load(std::memory_order_acquire);
    if (s & kAbandoned) continue;  // It runs the sequence: never ends first.
    bool uses = false;
    for (const std::string& u : live.uses) {
      if (std::find(components.begin(), components.end(), u) !=
          components.end()) {
        uses = true;
        break;
      }
    }
    if (uses) out.push_back(std::move(live));
  }
  return out;
}

std::vector<ThreadRegistry::Live> ThreadRegistry::AwaitEnded(
    std::vector<Live> users, absl::Time deadline) {
  // Route each owner's unregistration through mu_, so that the Await below
  // is woken when it happens.
  for (const Live& live : users) {
    Slot& slot = At(live.index);
    uint64_t s = slot.state.load(std::memory_order_acquire);
    while (Generation(s) == live.generation && (s & kLive) &&
           !(s & kFenced) &&
           !slot.state.compare_exchange_weak(s, s | kFenced,
                                             std::memory_order_acq_rel,
                                             std::memory_order_acquire)) {
    }
  }
  struct Args {
    const ThreadRegistry* registry;
    const std::vector<Live>* users;
  } args{this, &users};
  {
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithDeadline(absl::Condition(
                              +[](Args* a) {
                                for (const Live& l : *a->users) {
                                  if (a->registry->IsLive(l)) return false;
                                }
                                return true;
                              },
                              &args),
                          deadline);
  }
  users.erase(std::remove_if(users.begin(), users.end(),
                             [this](const Live& l) { return !IsLive(l); }),
              users.end());
  return users;
}

bool ThreadRegistry::IsLive(const Live& live) const {
  const uint64_t s = At(live.index).state.load(std::memory_order_acquire);
  return Generation(s) == live.generation && (s & kLive) != 0;
}

}  // namespace runtime_internal

ThreadRegistration::ThreadRegistration(ThreadRegistration&& other) noexcept
    : registry_(std::exchange(other.registry_, nullptr)),
      index_(other.index_),
      generation_(other.generation_),
      epoch_(other.epoch_) {}

ThreadRegistration& ThreadRegistration::operator=(
    ThreadRegistration&& other) noexcept {
  if (this != &other) {
    Reset();
    registry_ = std::exchange(other.registry_, nullptr);
    index_ = other.index_;
    generation_ = other.generation_;
    epoch_ = other.epoch_;
  }
  return *this;
}

bool ThreadRegistration::given_up() const {
  return registry_ != nullptr && epoch_ == runtime_internal::ForkEpoch() &&
         registry_->GivenUp(index_, generation_);
}

void ThreadRegistration::Reset() {
  if (registry_ != nullptr && epoch_ != runtime_internal::ForkEpoch()) {
    // Inherited across fork(): the registry is the parent's, and a thread
    // that did not follow may hold its lock. Forget it; touch nothing.
    registry_ = nullptr;
    return;
  }
  if (registry_ != nullptr) {
    std::exchange(registry_, nullptr)->Unregister(index_, generation_);
  }
}

}  // namespace orderly
