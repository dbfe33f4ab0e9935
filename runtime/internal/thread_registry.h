// Copyright 2026 The orderly Authors.
//
// thread_registry.h (internal): the set of registered threads.
//
// Design. Registrations live in slots, allocated in chunks of kChunkSize that
// are never freed before the registry. Each slot has one atomic state word:
// generation (high 32 bits) and flags. A registrant claims a free slot in
// place with one CAS (free -> reserved), starting at a hint (the slot after
// the last one claimed, or the last one freed), fills it, and publishes it
// (reserved -> live) with a store. The owner ends it with one CAS from the
// exact value it published (live -> reserved), destroys the callback, and
// frees it with a store. Any flag the sequencer set (terminated, waited,
// pinned, demoted) makes that CAS fail and sends the owner through the slow
// path under `mu_`. So register + unregister cost two atomic
// read-modify-writes, no lock and no heap allocation in steady state.
//
// Creation order. `next_seq_` is advanced with a relaxed load and store, not
// an RMW: if one registration happens-before another, coherence makes the
// later one read the earlier one's number or a larger one, so it gets a
// larger number. Concurrent registrations may tie (they have no order);
// ties break by slot index.
//
// Linearization with the sequence. The sequencer sets kTerminating in
// `state_` and then scans the slots; a registration publishes its slot and
// then loads `state_`. A Dekker handshake: the registrant uses a
// compiler-only barrier between its store and load, and the sequencer pays
// for a process-wide membarrier() between its RMW and its scan
// (asymmetric_barrier.h); where that is unavailable, and under TSan, both
// sides use seq_cst instead. Either way, either the scan sees the slot live,
// or the registration sees kTerminating; possibly both. A slot the scan sees
// reserved belongs to a registrant that will see kTerminating.
// A registration that sees kTerminating finishes under `mu_` (the "late"
// path): refused if the joins are over (kClosed), otherwise it claims its own
// terminate callback (a CAS on the slot flag, so the sequencer and the late
// path never both run it) and, once joins have begun, adds itself to the set
// being joined. The sequencer closes the registry under `mu_` only when that
// set is empty. So every registration is either terminated and joined (or
// demoted, by name), or refused.
//
// Pins. The sequencer reads a slot's name and runs its callback only while it
// holds a pin (a count in the state word). An owner ending its registration
// while the slot is pinned waits for the pin to drop (C++20 ~stop_callback
// semantics for a running terminate callback).

#ifndef ORDERLY_RUNTIME_INTERNAL_THREAD_REGISTRY_H_
#define ORDERLY_RUNTIME_INTERNAL_THREAD_REGISTRY_H_

#include <pthread.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "runtime/internal/thread_activity.h"
#include "runtime/report.h"
#include "runtime/thread_registration.h"

namespace orderly {
namespace runtime_internal {

class ThreadRegistry {
 public:
  static constexpr uint32_t kChunkSize = 64;
  static constexpr uint32_t kMaxChunks = 4096;  // 262,144 at once.

  explicit ThreadRegistry(absl::Duration default_join_budget);
  ~ThreadRegistry();
  ThreadRegistry(const ThreadRegistry&) = delete;
  ThreadRegistry& operator=(const ThreadRegistry&) = delete;

  // --- Any thread -----------------------------------------------------------

  enum class Kind {
    kThread,         // A thread (ThreadOptions say daemon, uses, ended_by).
    kComponentHook,  // A component's terminate hook: no thread; never
                     // joined, fenced or reported as running.
  };
  // `component` names the hook's component (kComponentHook only).
  // `activity` (may be null) describes what the thread does, for the
  // report (thread_activity.h); it must outlive the registration.
  absl::StatusOr<ThreadRegistration> Register(
      absl::string_view name, ThreadOptions&& options,
      Kind kind = Kind::kThread, absl::string_view component = {},
      const ThreadActivity* activity = nullptr);
  void Unregister(uint32_t index, uint32_t generation);
  // Demoted or abandoned (ThreadRegistration::given_up()).
  bool GivenUp(uint32_t index, uint32_t generation) const;

  // A live registration, as seen by the sequencer or Plan().
  struct Live {
    uint32_t index = 0;
    uint32_t generation = 0;
    uint64_t seq = 0;
    std::string name;
    bool daemon = false;
    // From ThreadOptions (empty for most), or the hook's component.
    std::vector<std::string> uses;
    std::string ended_by;
    bool hook = false;
    std::string component;
  };
  // Live registrations, newest first (the terminate order).
  std::vector<Live> Snapshot() const;
  // How many slots are live now, without mu_: an estimate, to size by.
  size_t CountLive() const;

  // The name of a live non-daemon registration made on `thread`, if any.
  bool FindNonDaemon(pthread_t thread, std::string* name) const;

  // Terminate callbacks run on registering threads during the sequence
  // (late registrations), moved out of the registry.
  std::vector<StepRecord> TakeLateRecords();

  // --- The sequencer (one thread at a time) --------------------------------

  // Sets kTerminating and returns the registrations to terminate, newest
  // first. Registrations not in the list terminate themselves (late path).
  std::vector<Live> BeginTerminate();

  // Runs `live`'s terminate callback if it has not run and the registration
  // still exists; returns false otherwise. Call from any thread; the slot
  // stays pinned while the callback runs. Throws what the callback throws
  // (after unpinning).
  bool RunTerminateCallback(const Live& live);

  // Marks every live non-daemon registration as waited for, with its join
  // budget counted from `now`; later non-daemon registrations join the set.
  // Takes mu_ once per chunk of slots, so that owners ending meanwhile wait
  // for one chunk at most; registration cannot close until every slot is
  // listed.
  void BeginJoin(absl::Time now);
  // Waits until every waited registration has ended or `deadline`; true if
  // none is left.
  bool AwaitJoins(absl::Time deadline);
  // Names of the registrations still waited for, each with what it does
  // (its activity), e.g. `pool/0 (task "fetch" for 2s)`.
  std::vector<std::string> StillJoining();
  // The earliest join budget end among registrations still waited for.
  absl::Time NextJoinDeadline();
  // Stops waiting for every registration whose budget ended by `now` (all of
  // them if `all`): they are demoted to daemons and reported as stragglers.
  void DemoteOverdue(absl::Time now, bool all);
  // True once registration is closed. It closes by itself, under the lock,
  // at the moment the set being joined becomes empty (the last waited
  // registration ends or is demoted): there is no window in which a late
  // registration could slip in between "none left" and "closed" — a window
  // a thread spawning short-lived helpers in a loop would otherwise hit
  // again and again, holding the phase open forever.
  bool closed() const;
  // Appends one join record per waited registration to `records`.
  // Requires closed().
  void AppendJoinRecords(std::vector<StepRecord>* records);

  // Stops waiting for `thread`'s non-daemon registrations without ending
  // them (exit() called on a registered thread: it runs the sequence). They
  // are no longer joined, fenced or found by FindNonDaemon().
  void AbandonThread(pthread_t thread);

  // Demotes `live` before the joins begin: its terminate callback was
  // abandoned past its budget (or never ran), so its thread may never end,
  // and its owner's unregistration waits for the callback's pin. BeginJoin()
  // then does not wait for it; LiveDaemons() names it while it runs.
  void DemoteBeforeJoin(const Live& live);

  // Names of daemon (or demoted) registrations still live, leaving out
  // those a fence or a component accounts for (uses, ended_by) and hooks.
  std::vector<std::string> LiveDaemons() const;

  // Live registrations that declared uses or an ended_by component, not
  // demoted (already stragglers) or abandoned: what must have ended by the
  // end of the sequence.
  std::vector<Live> LiveAccountable() const;

  // --- Fences (any thread) --------------------------------------------------

  // Live registrations that declared a use of any of `components`.
  std::vector<Live> Users(const std::vector<std::string>& components) const;
  // Waits until every one of `users` has ended, or until `deadline`;
  // returns those still live.
  std::vector<Live> AwaitEnded(std::vector<Live> users, absl::Time deadline);
  bool IsLive(const Live& live) const;

  // The kernel tid of every registration made here, live or ended (a slot
  // keeps its last owner's tid until it is reused: a thread that has just
  // ended its registration and is on its way out is still known). Lock-free;
  // relaxed loads, so a registration racing the call may be missed.
  std::vector<int32_t> KnownTids() const;

  // Threads the joins wait for, or waited for until they were demoted, that
  // are still registered: for the watchdog, to show where they are blocked.
  std::vector<std::pair<std::string, pthread_t>> OverdueThreads();

 private:
  struct Slot;
  struct Extra {
    std::vector<std::string> uses;
    std::string ended_by;
    bool hook = false;
    std::string component;
  };
  struct Waited {
    uint32_t index;
    uint32_t generation;
    std::string name;
    pthread_t thread;
    absl::Time start;
    absl::Time budget_end;
    absl::Duration budget;
    absl::Time end;
    bool ended = false;
    bool demoted = false;
    bool abandoned = false;
    bool callback_abandoned = false;  // Demoted by DemoteBeforeJoin().
    std::string doing;  // Its activity when it was demoted, if any.
  };

  Slot& At(uint32_t index) const;
  // Debug builds: aborts, naming them, if registrations are still live.
  void CheckNoneLive() const;
  // Claims a free slot (free -> reserved); false if every slot is taken.
  bool Claim(uint32_t* index, uint32_t* generation);
  absl::Status Grow();
  // Destroys the callback of a reserved slot and frees it.
  void FreeSlot(Slot& slot, uint32_t index, uint32_t generation);

  // Adds a pin to a live slot of generation `generation`, setting `flags` too
  // (the CAS fails if any of `unless` is set). False if the slot is gone.
  bool Pin(Slot& slot, uint32_t generation, uint64_t flags, uint64_t unless)
      const;
  void Unpin(Slot& slot) const;
  // The slot's activity text, or "". Requires mu_ and that the slot is a
  // waited registration that has not ended (its owner then cannot free it).
  static std::string DescribeLocked(const Slot& slot);

  // Moves uses / ended_by into the slot's Extra; hooks and owned threads
  // become daemons (never joined).
  void FillExtra(Slot& slot, ThreadOptions& options, Kind kind,
                 absl::string_view component);
  // `owned`: ThreadOptions::ended_by is set; accepted even once closed.
  absl::StatusOr<ThreadRegistration> RegisterLate(uint32_t index,
                                                  uint32_t generation,
                                                  bool owned);
  void UnregisterSlow(Slot& slot, uint32_t index, uint32_t generation);
  // After its terminate callback, when nobody waits for it: no mu_. `s` is
  // the slot's state as last read.
  // Spins a moment (then yields a few times) while only pins hold `s`;
  // returns the last state read.
  uint64_t AwaitUnpinnedBriefly(const Slot& slot, uint64_t s) const;
  void UnregisterTerminated(Slot& slot, uint32_t index, uint32_t generation,
                            uint64_t s);
  void AddWaitedLocked(Slot& slot, uint32_t index, uint32_t generation,
                       absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Closes registration if joins are under way and none is left.
  void CloseIfJoinedLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const absl::Duration default_join_budget_;
  const bool asymmetric_;  // See asymmetric_barrier.h.

  // kTerminating | kClosed.
  std::atomic<uint64_t> state_{0};
  // Where Claim() looks first. A hint only: relaxed, may be stale.
  std::atomic<uint32_t> hint_{0};
  // The last creation number handed out (relaxed load + store; see above).
  std::atomic<uint64_t> next_seq_{0};
  std::atomic<uint32_t> chunk_count_{0};
  std::unique_ptr<std::atomic<Slot*>[]> chunks_;

  absl::Mutex grow_mu_;

  // Threads inside UnregisterSlow(). The sequencer may see such a thread as
  // joined (and a test may then destroy the runtime) before it has stopped
  // touching the registry: the destructor waits for this to drop to zero.
  std::atomic<int> unregistering_{0};

  mutable absl::Mutex mu_;
  bool joining_ ABSL_GUARDED_BY(mu_) = false;
  // BeginJoin() is still marking the slots to wait for.
  bool listing_ ABSL_GUARDED_BY(mu_) = false;
  int waited_count_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<Waited> waited_ ABSL_GUARDED_BY(mu_);
  std::vector<StepRecord> late_records_ ABSL_GUARDED_BY(mu_);
};

}  // namespace runtime_internal
}  // namespace orderly

#endif  // ORDERLY_RUNTIME_INTERNAL_THREAD_REGISTRY_H_
