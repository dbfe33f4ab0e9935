// Copyright 2026 The orderly Authors.

#include "runtime/internal/fence.h"

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "runtime/internal/text_out.h"

namespace orderly {
namespace runtime_internal {
namespace {

std::string ThreadNames(const std::vector<ThreadRegistry::Live>& threads) {
  return absl::StrJoin(threads, ", ",
                       [](std::string* out, const ThreadRegistry::Live& l) {
                         absl::StrAppend(out, "thread ", l.name);
                       });
}

}  // namespace

std::optional<Step> Fences::FenceStep(const std::string& component,
                                      const std::string& phase) {
  if (!fenced_.insert(component).second) return std::nullopt;
  Step step;
  step.record.phase = phase;
  step.record.kind = StepKind::kFence;
  step.record.component = component;
  step.record.name = "fence";
  // The wait inside is bounded by the fence budget; the margin keeps the
  // step from being abandoned for overrunning by a scheduling delay.
  step.budget = budget_ + absl::Seconds(1);
  step.run = [this, component](StepRecord& record) {
    return Fence(component, record);
  };
  return step;
}

bool Fences::Fence(const std::string& component, StepRecord& record) {
  // Held already, by the fence of a component that depends on it: it
  // stays standing, with that reason.
  if (!HeldReason(component).empty()) return false;
  // Held from the start: if this step is abandoned, the component's
  // cleanups that follow are skipped, never run under a user.
  Hold(component, "its fence did not finish");
  const absl::Time deadline = absl::Now() + budget_;
  std::vector<ThreadRegistry::Live> users =
      registry_->Users(graph_->WithDependents(component));
  // Made if nobody asked for one yet, so that an Access() taken from now on
  // is refused too. (Not OK only if the component was removed meanwhile.)
  absl::StatusOr<std::shared_ptr<AccessGate>> gate = graph_->Gate(component);
  const int64_t in_use_at_close = gate.ok() ? (*gate)->Close() : 0;
  const size_t declared = users.size();
  users = registry_->AwaitEnded(std::move(users), deadline);
  const int64_t in_use = gate.ok() ? (*gate)->AwaitIdle(deadline) : 0;
  if (users.empty() && in_use == 0) {
    absl::MutexLock lock(&mu_);
    held_.erase(component);
    // A record only if something was waited for.
    return declared > 0 || in_use_at_close > 0;
  }
  std::vector<std::string> holders;
  if (!users.empty()) holders.push_back(ThreadNames(users));
  if (in_use > 0) {
    holders.push_back(absl::StrCat(in_use, " ComponentAccess use(s)"));
  }
  const std::vector<std::string> leaked = graph_->WithDependencies(component);
  const std::string reason = absl::StrCat(
      "still used by ", absl::StrJoin(holders, " and "), " after its ",
      HumanDuration(budget_), " fence budget");
  record.outcome = Outcome::kTimedOut;
  record.budget = budget_;
  record.error = absl::StrCat(reason, "; not torn down (left as is): ",
                              absl::StrJoin(leaked, ", "));
  for (const std::string& c : leaked) {
    Hold(c, absl::StrCat("component ", component, " is ", reason));
  }
  return true;
}

void Fences::Hold(const std::string& component, const std::string& reason) {
  absl::MutexLock lock(&mu_);
  held_.insert_or_assign(component, reason);
}

std::string Fences::HeldReason(const std::string& component) const {
  absl::MutexLock lock(&mu_);
  auto it = held_.find(component);
  return it == held_.end() ? std::string() : it->second;
}

std::vector<Straggler> Fences::AwaitAccountable(absl::Time deadline) {
  std::vector<ThreadRegistry::Live> live = registry_->LiveAccountable();
  if (live.empty()) return {};
  const absl::Time until = std::min(deadline, absl::Now() + budget_);
  live = registry_->AwaitEnded(std::move(live), until);
  std::vector<Straggler> out;
  const absl::Time now = absl::Now();
  for (const ThreadRegistry::Live& l : live) {
    std::string why =
        l.ended_by.empty()
            ? absl::StrCat("uses ", absl::StrJoin(l.uses, ", "),
                           " and was still running when the sequence ended")
            : absl::StrCat("its component ", l.ended_by,
                           " should have ended it in its cleanups; still "
                           "running ", HumanDuration(budget_), " after them");
    out.push_back(Straggler{absl::StrCat("thread ", l.name), std::move(why),
                            now});
  }
  return out;
}

}  // namespace runtime_internal
}  // namespace orderly
