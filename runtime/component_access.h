// Copyright 2026 The orderly Authors.
//
// component_access.h: use a component from a thread you do not control,
// and never see it torn down under you.
//
// A thread the runtime knows can declare the components it uses
// (ThreadOptions::uses) and be fenced. Code on a thread it does not know (a
// library's callback thread, a signal-driven helper) takes a scoped use:
//
//   absl::StatusOr<orderly::ComponentAccess> access = log->Access();
//
//   // On any thread, for as long as the use lives:
//   if (orderly::ComponentAccess::Use use = access->TryUse()) {
//     sink.Write(line);   // `log` is not torn down while `use` lives.
//   } else {
//     ++dropped;          // use.status(): FailedPrecondition, naming `log`.
//   }
//
// A use either gets a live component or a clear refusal, never a torn-down
// one. The teardown of the component (its first cleanup in a phase after
// `threads`) closes the access (new uses are refused from then on) and
// waits for uses in progress, within RuntimeOptions::fence_budget; past it,
// the component and every component it depends on are left standing
// (leaked on purpose) and the report names the uses that held them.
// Removing the component (Runtime::RemoveComponent) closes it too.
//
// Cost: TryUse() and the end of a use are one atomic read-modify-write each
// on a word shared by every user of the component (as an atomic reference
// count), no lock and no allocation; benchmarks/runtime_benchmark.cc has it
// beside an atomic count and a std::shared_mutex read lock. Keep uses short:
// they hold the teardown back.
//
// Thread-safety: a ComponentAccess is cheap to copy and may be used from any
// number of threads at once. A Use belongs to one thread at a time.
//
// Lifetime: a ComponentAccess keeps what it needs alive (it may outlive the
// component and the runtime: its uses are then refused). A Use must end
// before the ComponentAccess it came from is destroyed.

#ifndef ORDERLY_RUNTIME_COMPONENT_ACCESS_H_
#define ORDERLY_RUNTIME_COMPONENT_ACCESS_H_

#include "runtime/version.h"  // First: checks for C++17.

#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "runtime/internal/access_gate.h"

namespace orderly {

class ComponentAccess {
 public:
  // An access to nothing: every TryUse() is refused.
  ComponentAccess() = default;

  class Use {
   public:
    Use(Use&& other) noexcept
        : gate_(std::exchange(other.gate_, nullptr)),
          access_(other.access_) {}
    Use& operator=(Use&& other) noexcept {
      if (this != &other) {
        End();
        gate_ = std::exchange(other.gate_, nullptr);
        access_ = other.access_;
      }
      return *this;
    }
    Use(const Use&) = delete;
    Use& operator=(const Use&) = delete;
    ~Use() { End(); }

    // True while the use is in progress: the component is live.
    bool ok() const noexcept { return gate_ != nullptr; }
    explicit operator bool() const noexcept { return ok(); }
    // OK while in progress; otherwise FailedPrecondition naming the
    // component ("component \"log\" is being torn down or was removed").
    absl::Status status() const;

    // Ends the use now (the destructor does it otherwise). Idempotent.
    void End() noexcept {
      if (gate_ != nullptr) std::exchange(gate_, nullptr)->Leave();
    }

   private:
    friend class ComponentAccess;
    Use(runtime_internal::AccessGate* gate, const ComponentAccess* access)
        : gate_(gate), access_(access) {}
    runtime_internal::AccessGate* gate_;
    const ComponentAccess* access_;
  };

  // A use in progress, or a refusal once the component's teardown began.
  Use TryUse() const noexcept {
    if (gate_ != nullptr && gate_->TryEnter()) return Use(gate_.get(), this);
    return Use(nullptr, this);
  }

  // The component's name; empty for a default-constructed access.
  absl::string_view component() const {
    return gate_ != nullptr ? absl::string_view(gate_->component())
                            : absl::string_view();
  }

 private:
  friend class Runtime;
  explicit ComponentAccess(std::shared_ptr<runtime_internal::AccessGate> gate)
      : gate_(std::move(gate)) {}
  std::shared_ptr<runtime_internal::AccessGate> gate_;
};

}  // namespace orderly

#endif  // ORDERLY_RUNTIME_COMPONENT_ACCESS_H_
