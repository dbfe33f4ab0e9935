// Copyright 2026 The orderly Authors.
//
// cleanup_graph_removal.cc: the CleanupGraph's cleanups run one at a time by
// id, and components (with what they own: cleanups, terminate hooks, an
// access gate) removed while the sequence may be running. The declarations
// and the run order are in cleanup_graph.cc.

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "runtime/internal/cleanup_graph.h"

namespace orderly {
namespace runtime_internal {

bool CleanupGraph::Idle::Check(Idle* idle) {
  // Evaluated by absl::Mutex with mu_ held.
  const ComponentDecl& decl = idle->graph->components_[idle->component];
  for (const CleanupDecl& cl : decl.cleanups) {
    if (cl.running && (idle->id == 0 || cl.id == idle->id)) return false;
  }
  return true;
}

CleanupGraph::CleanupDecl* CleanupGraph::FindCleanupLocked(uint64_t id,
                                                           int* component) {
  for (size_t c = 0; c < components_.size(); ++c) {
    if (components_[c].removed) continue;
    for (CleanupDecl& cl : components_[c].cleanups) {
      if (cl.id == id) {
        *component = static_cast<int>(c);
        return &cl;
      }
    }
  }
  return nullptr;
}

CleanupFn* CleanupGraph::StartCleanup(uint64_t id) {
  absl::MutexLock lock(&mu_);
  int c;
  CleanupDecl* cl = FindCleanupLocked(id, &c);
  if (cl == nullptr || cl->running || cl->fn == nullptr) return nullptr;
  cl->running = true;
  return cl->fn.get();  // Stable: the decl owns it through a unique_ptr.
}

void CleanupGraph::FinishCleanup(uint64_t id) {
  std::unique_ptr<CleanupFn> done;  // Destroyed outside the lock.
  absl::MutexLock lock(&mu_);
  int c;
  CleanupDecl* cl = FindCleanupLocked(id, &c);
  // Never null: RemoveComponent/RemoveCleanup wait while it runs.
  if (cl == nullptr) return;
  cl->running = false;
  done = std::move(cl->fn);
}

absl::Status CleanupGraph::RemoveComponent(absl::string_view name) {
  const std::string what = absl::StrCat("RemoveComponent(\"", name, "\")");
  std::vector<ThreadRegistration> hooks;  // Ended outside the lock.
  std::vector<std::unique_ptr<CleanupFn>> fns;
  std::shared_ptr<AccessGate> gate;
  {
    absl::MutexLock lock(&mu_);
    const int c = FindComponentLocked(name);
    if (c < 0) {
      return absl::NotFoundError(
          absl::StrCat(what, ": unknown component \"", name, "\""));
    }
    std::vector<std::string> dependents;
    for (const ComponentDecl& other : components_) {
      if (other.removed) continue;
      if (std::find(other.depends_on.begin(), other.depends_on.end(), c) !=
          other.depends_on.end()) {
        dependents.push_back(other.name);
      }
    }
    if (!dependents.empty()) {
      return absl::FailedPreconditionError(absl::StrCat(
          what, ": components still depend on it: ",
          absl::StrJoin(dependents, ", "), "; remove them first"));
    }
    // A cleanup running now is waited for: its code must stay loaded.
    // (By index: components_ may grow while we wait.)
    Idle idle{this, c, 0};
    mu_.Await(absl::Condition(&Idle::Check, &idle));
    ComponentDecl& decl = components_[c];
    decl.removed = true;
    for (CleanupDecl& cl : decl.cleanups) fns.push_back(std::move(cl.fn));
    decl.cleanups.clear();
    hooks = std::move(decl.hooks);
    gate = std::move(decl.gate);
  }
  if (gate != nullptr) gate->CloseAndAwait(absl::InfiniteFuture());
  return absl::OkStatus();
}

absl::Status CleanupGraph::RemoveCleanup(absl::string_view component,
                                         absl::string_view name) {
  std::unique_ptr<CleanupFn> fn;  // Destroyed outside the lock.
  absl::MutexLock lock(&mu_);
  const int c = FindComponentLocked(component);
  CleanupDecl* cl = nullptr;
  if (c >= 0) {
    for (CleanupDecl& candidate : components_[c].cleanups) {
      if (candidate.name == name) cl = &candidate;
    }
  }
  if (cl == nullptr) {
    return absl::NotFoundError(absl::StrCat(
        "RemoveCleanup(\"", component, "\", \"", name,
        "\"): no such cleanup (unknown component, or removed already)"));
  }
  const uint64_t id = cl->id;
  Idle idle{this, c, id};
  mu_.Await(absl::Condition(&Idle::Check, &idle));
  std::vector<CleanupDecl>& all = components_[c].cleanups;
  for (auto it = all.begin(); it != all.end(); ++it) {
    if (it->id == id) {
      fn = std::move(it->fn);
      all.erase(it);
      break;
    }
  }
  return absl::OkStatus();
}

bool CleanupGraph::HasComponent(absl::string_view name) const {
  absl::MutexLock lock(&mu_);
  return FindComponentLocked(name) >= 0;
}

absl::Status CleanupGraph::AddHook(absl::string_view component,
                                   ThreadRegistration hook) {
  absl::MutexLock lock(&mu_);
  const int c = FindComponentLocked(component);
  if (c < 0) {
    return absl::NotFoundError(absl::StrCat(
        "AddTerminateHook: unknown component \"", component, "\""));
  }
  components_[c].hooks.push_back(std::move(hook));
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<AccessGate>> CleanupGraph::Gate(
    absl::string_view name) {
  absl::MutexLock lock(&mu_);
  const int c = FindComponentLocked(name);
  if (c < 0) {
    return absl::NotFoundError(
        absl::StrCat("Access: unknown component \"", name, "\""));
  }
  ComponentDecl& decl = components_[c];
  if (decl.gate == nullptr) {
    decl.gate = std::make_shared<AccessGate>(decl.name);
  }
  return decl.gate;
}

std::vector<std::string> CleanupGraph::ClosureLocked(int from,
                                                     bool dependents) const {
  std::vector<bool> seen(components_.size(), false);
  std::vector<int> stack = {from};
  seen[from] = true;
  std::vector<std::string> out;
  while (!stack.empty()) {
    const int node = stack.back();
    stack.pop_back();
    out.push_back(components_[node].name);
    for (size_t i = 0; i < components_.size(); ++i) {
      if (seen[i] || components_[i].removed) continue;
      const std::vector<int>& edges =
          dependents ? components_[i].depends_on : components_[node].depends_on;
      const int target = dependents ? node : static_cast<int>(i);
      if (std::find(edges.begin(), edges.end(), target) != edges.end()) {
        seen[i] = true;
        stack.push_back(static_cast<int>(i));
      }
    }
  }
  return out;
}

std::vector<std::string> CleanupGraph::WithDependents(
    absl::string_view name) const {
  absl::MutexLock lock(&mu_);
  const int c = FindComponentLocked(name);
  return c < 0 ? std::vector<std::string>{} : ClosureLocked(c, true);
}

std::vector<std::string> CleanupGraph::WithDependencies(
    absl::string_view name) const {
  absl::MutexLock lock(&mu_);
  const int c = FindComponentLocked(name);
  return c < 0 ? std::vector<std::string>{} : ClosureLocked(c, false);
}

}  // namespace runtime_internal
}  // namespace orderly
