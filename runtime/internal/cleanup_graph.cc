// Copyright 2026 The orderly Authors.

#include "runtime/internal/cleanup_graph.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace orderly {
namespace runtime_internal {
namespace {

absl::Status Finished(absl::string_view what) {
  return absl::FailedPreconditionError(
      absl::StrCat(what, ": the shutdown sequence has finished"));
}

absl::Status CheckName(absl::string_view what, absl::string_view name) {
  if (name.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": the name is empty; reports need a name"));
  }
  return absl::OkStatus();
}

}  // namespace

CleanupGraph::CleanupGraph(absl::Duration default_phase_budget)
    : default_phase_budget_(default_phase_budget) {
  for (absl::string_view name : {kDrainPhase, kThreadsPhase, kFlushPhase,
                                 kClosePhase, kReleasePhase}) {
    phases_.push_back(PhaseDecl{std::string(name), default_phase_budget});
  }
}

int CleanupGraph::FindPhaseLocked(absl::string_view name) const {
  for (size_t i = 0; i < phases_.size(); ++i) {
    if (phases_[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

int CleanupGraph::FindComponentLocked(absl::string_view name) const {
  for (size_t i = 0; i < components_.size(); ++i) {
    if (!components_[i].removed && components_[i].name == name) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

std::string CleanupGraph::PhaseListLocked() const {
  return absl::StrJoin(phases_, ", ", [](std::string* out, const PhaseDecl& p) {
    absl::StrAppend(out, p.name);
  });
}

absl::Status CleanupGraph::AddPhase(absl::string_view name,
                                    absl::string_view before,
                                    absl::string_view after,
                                    absl::Duration budget) {
  const std::string what = absl::StrCat("AddPhase(\"", name, "\")");
  if (absl::Status s = CheckName(what, name); !s.ok()) return s;
  if (before.empty() == after.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, ": say where the phase goes: before or after one phase"));
  }
  absl::MutexLock lock(&mu_);
  if (finished_) return Finished(what);
  if (FindPhaseLocked(name) >= 0) {
    return absl::AlreadyExistsError(
        absl::StrCat(what, ": a phase named \"", name, "\" exists already"));
  }
  const absl::string_view anchor = before.empty() ? after : before;
  const int at = FindPhaseLocked(anchor);
  if (at < 0) {
    return absl::NotFoundError(absl::StrCat(what, ": unknown phase \"", anchor,
                                            "\"; phases are: ",
                                            PhaseListLocked()));
  }
  const int pos = before.empty() ? at + 1 : at;
  if (pos < static_cast<int>(phases_.size()) && phases_[pos].taken) {
    return absl::FailedPreconditionError(absl::StrCat(
        what, ": the sequence has already run past that point"));
  }
  phases_.insert(phases_.begin() + pos, PhaseDecl{std::string(name), budget});
  return absl::OkStatus();
}

absl::Status CleanupGraph::SetPhaseBudget(absl::string_view phase,
                                          absl::Duration budget) {
  absl::MutexLock lock(&mu_);
  const int at = FindPhaseLocked(phase);
  if (at < 0) {
    return absl::NotFoundError(absl::StrCat("SetPhaseBudget: unknown phase \"",
                                            phase, "\"; phases are: ",
                                            PhaseListLocked()));
  }
  if (phases_[at].taken) {
    return absl::FailedPreconditionError(absl::StrCat(
        "SetPhaseBudget: phase \"", phase, "\" has already begun"));
  }
  phases_[at].budget = budget;
  return absl::OkStatus();
}

absl::Status CleanupGraph::AddComponent(
    absl::string_view name, const std::vector<std::string>& depends_on) {
  const std::string what = absl::StrCat("AddComponent(\"", name, "\")");
  if (absl::Status s = CheckName(what, name); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  if (finished_) return Finished(what);
  if (FindComponentLocked(name) >= 0) {
    return absl::AlreadyExistsError(absl::StrCat(
        what, ": a component named \"", name, "\" exists already"));
  }
  ComponentDecl decl;
  decl.name = std::string(name);
  for (const std::string& dep : depends_on) {
    if (dep == name) {
      return absl::InvalidArgumentError(absl::StrCat(
          what, ": dependency cycle: ", name, " -> ", name));
    }
    const int d = FindComponentLocked(dep);
    if (d < 0) {
      return absl::NotFoundError(absl::StrCat(
          what, ": depends on unknown component \"", dep, "\"; declare \"",
          dep, "\" first, or add the edge later with AddDependency()"));
    }
    if (std::find(decl.depends_on.begin(), decl.depends_on.end(), d) ==
        decl.depends_on.end()) {
      decl.depends_on.push_back(d);
    }
  }
  components_.push_back(std::move(decl));
  return absl::OkStatus();
}

std::vector<int> CleanupGraph::PathLocked(int from, int to) const {
  // Depth-first search with an explicit stack of (node, next edge index).
  std::vector<int> parent(components_.size(), -2);
  std::vector<int> stack = {from};
  parent[from] = -1;
  while (!stack.empty()) {
    const int node = stack.back();
    stack.pop_back();
    if (node == to) {
      std::vector<int> path;
      for (int n = to; n != -1; n = parent[n]) path.push_back(n);
      std::reverse(path.begin(), path.end());
      return path;
    }
    for (int next : components_[node].depends_on) {
      if (parent[next] == -2) {
        parent[next] = node;
        stack.push_back(next);
      }
    }
  }
  return {};
}

absl::Status CleanupGraph::AddDependency(absl::string_view component,
                                         absl::string_view depends_on) {
  const std::string what =
      absl::StrCat("AddDependency(\"", component, "\", \"", depends_on, "\")");
  absl::MutexLock lock(&mu_);
  if (finished_) return Finished(what);
  const int from = FindComponentLocked(component);
  const int to = FindComponentLocked(depends_on);
  for (auto [index, name] : {std::pair(from, component),
                             std::pair(to, depends_on)}) {
    if (index < 0) {
      return absl::NotFoundError(
          absl::StrCat(what, ": unknown component \"", name, "\""));
    }
  }
  // The new edge from -> to closes a cycle iff `to` already reaches `from`.
  std::vector<int> back = from == to ? std::vector<int>{from}
                                     : PathLocked(to, from);
  if (!back.empty()) {
    std::string cycle = components_[from].name;
    for (int n : back) absl::StrAppend(&cycle, " -> ", components_[n].name);
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": dependency cycle: ", cycle));
  }
  std::vector<int>& deps = components_[from].depends_on;
  if (std::find(deps.begin(), deps.end(), to) == deps.end()) {
    deps.push_back(to);
  }
  return absl::OkStatus();
}

absl::Status CleanupGraph::AddCleanup(absl::string_view component,
                                      absl::string_view phase,
                                      absl::string_view name, CleanupFn fn,
                                      absl::Duration budget) {
  const std::string what = absl::StrCat("AddCleanup(\"", component, "\", \"",
                                        phase, "\", \"", name, "\")");
  if (absl::Status s = CheckName(what, name); !s.ok()) return s;
  if (!fn) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": the cleanup is empty"));
  }
  absl::MutexLock lock(&mu_);
  if (finished_) return Finished(what);
  const int c = FindComponentLocked(component);
  if (c < 0) {
    return absl::NotFoundError(
        absl::StrCat(what, ": unknown component \"", component, "\""));
  }
  const int p = FindPhaseLocked(phase);
  if (p < 0) {
    return absl::NotFoundError(absl::StrCat(what, ": unknown phase \"", phase,
                                            "\"; phases are: ",
                                            PhaseListLocked()));
  }
  if (phase == kThreadsPhase) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, ": `threads` runs terminate callbacks and joins, not cleanups; "
              "use a phase before it (drain) or after it (flush, close, "
              "release)"));
  }
  if (phases_[p].taken) {
    return absl::FailedPreconditionError(absl::StrCat(
        what, ": phase \"", phase, "\" has already run"));
  }
  ComponentDecl& decl = components_[c];
  for (const CleanupDecl& existing : decl.cleanups) {
    if (existing.name == name) {
      return absl::AlreadyExistsError(absl::StrCat(
          what, ": component \"", component, "\" has a cleanup named \"",
          name, "\" already (in phase \"", existing.phase, "\")"));
    }
  }
  CleanupDecl cleanup;
  cleanup.name = std::string(name);
  cleanup.phase = std::string(phase);
  cleanup.budget = budget;
  cleanup.fn = std::make_unique<CleanupFn>(std::move(fn));
  cleanup.id = ++next_cleanup_id_;
  decl.cleanups.push_back(std::move(cleanup));
  return absl::OkStatus();
}

std::vector<int> CleanupGraph::TeardownOrderLocked() const {
  // Kahn's algorithm on "is depended on by": a component is ready once every
  // component depending on it has been placed. Among ready ones, the latest
  // declared goes first.
  const int n = static_cast<int>(components_.size());
  std::vector<int> dependents(n, 0);
  for (const ComponentDecl& c : components_) {
    if (c.removed) continue;
    for (int d : c.depends_on) ++dependents[d];
  }
  std::vector<int> order;
  std::vector<bool> placed(n, false);
  int live = 0;
  for (int i = 0; i < n; ++i) {
    if (components_[i].removed) {
      placed[i] = true;  // A tombstone: never in the order.
    } else {
      ++live;
    }
  }
  order.reserve(live);
  while (static_cast<int>(order.size()) < live) {
    int pick = -1;
    for (int i = n - 1; i >= 0; --i) {
      if (!placed[i] && dependents[i] == 0) {
        pick = i;
        break;
      }
    }
    if (pick < 0) break;  // Unreachable: cycles are refused when declared.
    placed[pick] = true;
    order.push_back(pick);
    for (int d : components_[pick].depends_on) --dependents[d];
  }
  return order;
}

bool CleanupGraph::TakeNextPhase(Phase* phase) {
  absl::MutexLock lock(&mu_);
  auto it = std::find_if(phases_.begin(), phases_.end(),
                         [](const PhaseDecl& p) { return !p.taken; });
  if (it == phases_.end()) {
    finished_ = true;
    return false;
  }
  it->taken = true;
  phase->name = it->name;
  phase->budget = it->budget;
  phase->cleanups.clear();
  for (int c : TeardownOrderLocked()) {
    ComponentDecl& decl = components_[c];
    for (auto cl = decl.cleanups.rbegin(); cl != decl.cleanups.rend(); ++cl) {
      if (cl->phase != phase->name) continue;
      phase->cleanups.push_back(
          Cleanup{decl.name, cl->name, cl->budget, cl->id});
    }
  }
  return true;
}

std::vector<PlannedPhase> CleanupGraph::Plan() const {
  absl::MutexLock lock(&mu_);
  const std::vector<int> order = TeardownOrderLocked();
  std::vector<PlannedPhase> plan;
  for (const PhaseDecl& p : phases_) {
    if (p.taken) continue;
    PlannedPhase planned;
    planned.name = p.name;
    planned.budget = p.budget;
    planned.is_threads = p.name == kThreadsPhase;
    for (int c : order) {
      const ComponentDecl& decl = components_[c];
      for (auto cl = decl.cleanups.rbegin(); cl != decl.cleanups.rend();
           ++cl) {
        if (cl->phase == p.name) {
          planned.cleanups.push_back(
              PlannedCleanup{decl.name, cl->name, cl->budget});
        }
      }
    }
    plan.push_back(std::move(planned));
  }
  return plan;
}

}  // namespace runtime_internal
}  // namespace orderly
