// Copyright 2026 The orderly Authors.
//
// declarations_fuzzer: random sequences of declarations (phases, components,
// dependencies, cleanups; names empty, duplicate, huge, built-in; cycles;
// unknown references), then a shutdown. libFuzzer entry point; see
// README.md for the command. fuzz_replay_main.cc replays the corpus in the
// normal build, so `bazel test` runs it as a regression test.
//
// Checked on every input (a failed check aborts, which libFuzzer reports):
//   - every call returns what an independent model of the rules predicts:
//     OK, or the error code the API documents, with a message that names
//     the offending name;
//   - Plan() lists exactly the accepted phases, in the model's order, and
//     exactly the accepted cleanups, in a valid order (phase, dependents
//     first, LIFO within a component);
//   - the sequence runs each accepted cleanup once, in the planned order;
//   - no crash, hang or sanitizer report (the sanitizers check that).

#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "runtime/runtime.h"

namespace orderly {
namespace {

constexpr int kMaxOps = 64;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "declarations_fuzzer: %s\n", what.c_str());
  std::abort();
}

// What the runtime should have accepted so far.
struct Model {
  std::vector<std::string> phases = {"drain", "threads", "flush", "close",
                                     "release"};
  std::vector<std::string> components;  // Declaration order.
  std::map<std::string, std::set<std::string>> depends_on;
  // Per component: (name, phase), in registration order.
  std::map<std::string, std::vector<std::pair<std::string, std::string>>>
      cleanups;

  bool HasPhase(const std::string& p) const {
    return std::find(phases.begin(), phases.end(), p) != phases.end();
  }
  bool HasComponent(const std::string& c) const {
    return depends_on.count(c) > 0;
  }
  bool Reaches(const std::string& from, const std::string& to) const {
    std::vector<std::string> stack = {from};
    std::set<std::string> seen;
    while (!stack.empty()) {
      std::string n = stack.back();
      stack.pop_back();
      if (n == to) return true;
      if (!seen.insert(n).second) continue;
      for (const std::string& d : depends_on.at(n)) stack.push_back(d);
    }
    return false;
  }
};

// Names from a small pool, so that duplicates and references to known
// names are common; sometimes empty, built-in, or huge.
std::string Name(FuzzedDataProvider& in) {
  switch (in.ConsumeIntegralInRange<int>(0, 9)) {
    case 0:
      return "";
    case 1:
      return in.PickValueInArray({"drain", "threads", "flush", "close",
                                  "release"});
    case 2:
      return std::string(in.ConsumeIntegralInRange<size_t>(16, 1 << 16),
                         in.ConsumeIntegral<char>());
    case 3:
      return in.ConsumeRandomLengthString(64);
    default:
      return std::string(1, static_cast<char>(
                                'a' + in.ConsumeIntegralInRange<int>(0, 5)));
  }
}

// Checks one call's status against the model's verdict.
void Expect(const absl::Status& got, absl::StatusCode want,
            const std::string& call, const std::string& named) {
  if (got.code() != want) {
    Die(absl::StrCat(call.substr(0, 200), ": got ", got.ToString().substr(0, 300),
                     ", the model wants ", absl::StatusCodeToString(want)));
  }
  if (!got.ok() && (got.message().empty() ||
                    !absl::StrContains(got.message(), named))) {
    Die(absl::StrCat(call.substr(0, 200), ": refused without naming \"",
                     named.substr(0, 100), "\": ",
                     got.ToString().substr(0, 300)));
  }
}

class Run {
 public:
  explicit Run(FuzzedDataProvider& in) : in_(in) {
    RuntimeOptions options;
    options.on_deadline = DeadlineAction::kReportOnly;
    rt_ = std::make_unique<Runtime>(options);
  }

  void Declare() {
    for (int op = 0; op < kMaxOps && in_.remaining_bytes() > 0; ++op) {
      switch (in_.ConsumeIntegralInRange<int>(0, 3)) {
        case 0: AddPhase(); break;
        case 1: AddComponent(); break;
        case 2: AddDependency(); break;
        case 3: AddCleanup(); break;
      }
    }
  }

  void ShutDownAndCheck() {
    const ShutdownPlan plan = rt_->Plan();
    std::vector<std::string> planned_phases, planned_cleanups;
    for (const PlannedPhase& p : plan.phases) {
      planned_phases.push_back(p.name);
      for (const PlannedCleanup& c : p.cleanups) {
        planned_cleanups.push_back(absl::StrCat(c.component, "/", c.name));
        CheckOrder(p.name, c.component, c.name);
      }
    }
    if (planned_phases != model_.phases) Die("Plan()'s phases differ");
    size_t accepted = 0;
    for (const auto& [c, list] : model_.cleanups) accepted += list.size();
    if (planned_cleanups.size() != accepted) {
      Die(absl::StrCat("Plan() lists ", planned_cleanups.size(),
                       " cleanups, ", accepted, " were accepted"));
    }
    auto report = rt_->Shutdown();
    if (!report.ok()) Die("Shutdown(): " + report.status().ToString());
    std::vector<std::string> reported;
    for (const StepRecord& s : (*report)->steps) {
      if (s.kind != StepKind::kCleanup) continue;
      reported.push_back(absl::StrCat(s.component, "/", s.name));
      if (s.outcome != Outcome::kOk) Die("a trivial cleanup failed");
    }
    absl::MutexLock lock(&ran_mu_);
    if (reported != planned_cleanups || ran_ != planned_cleanups) {
      Die("the sequence did not run the planned cleanups in order");
    }
    // After the sequence, everything is refused.
    Expect(rt_->AddComponent("late").status(),
           absl::StatusCode::kFailedPrecondition, "AddComponent after", "late");
  }

 private:
  std::string AnyPhase() {
    return in_.ConsumeBool() || model_.phases.empty()
               ? Name(in_)
               : model_.phases[in_.ConsumeIntegralInRange<size_t>(
                     0, model_.phases.size() - 1)];
  }
  std::string AnyComponent() {
    return in_.ConsumeBool() || model_.components.empty()
               ? Name(in_)
               : model_.components[in_.ConsumeIntegralInRange<size_t>(
                     0, model_.components.size() - 1)];
  }

  void AddPhase() {
    const std::string name = Name(in_);
    const bool before = in_.ConsumeBool();
    const std::string anchor = AnyPhase();
    absl::StatusCode want = absl::StatusCode::kOk;
    std::string named = name;
    if (name.empty() || anchor.empty()) {
      want = absl::StatusCode::kInvalidArgument;
    } else if (model_.HasPhase(name)) {
      want = absl::StatusCode::kAlreadyExists;
    } else if (!model_.HasPhase(anchor)) {
      want = absl::StatusCode::kNotFound;
      named = anchor;
    }
    Expect(rt_->AddPhase(name, before ? PhasePlacement::Before(anchor)
                                      : PhasePlacement::After(anchor)),
           want, "AddPhase(" + name + ")", named);
    if (want != absl::StatusCode::kOk) return;
    auto at = std::find(model_.phases.begin(), model_.phases.end(), anchor);
    model_.phases.insert(before ? at : at + 1, name);
  }

  void AddComponent() {
    const std::string name = Name(in_);
    std::vector<std::string> deps;
    const int n = in_.ConsumeIntegralInRange<int>(0, 3);
    for (int i = 0; i < n; ++i) deps.push_back(AnyComponent());
    absl::StatusCode want = absl::StatusCode::kOk;
    std::string named = name;
    if (name.empty()) {
      want = absl::StatusCode::kInvalidArgument;
    } else if (model_.HasComponent(name)) {
      want = absl::StatusCode::kAlreadyExists;
    } else {
      for (const std::string& d : deps) {
        if (d == name) {
          want = absl::StatusCode::kInvalidArgument;  // A self-cycle.
          break;
        }
        if (!model_.HasComponent(d)) {
          want = absl::StatusCode::kNotFound;
          named = d;
          break;
        }
      }
    }
    Expect(rt_->AddComponent(name, deps).status(), want,
           "AddComponent(" + name + ")", named);
    if (want != absl::StatusCode::kOk) return;
    model_.components.push_back(name);
    model_.depends_on[name].insert(deps.begin(), deps.end());
  }

  void AddDependency() {
    const std::string from = AnyComponent();
    const std::string to = AnyComponent();
    absl::StatusCode want = absl::StatusCode::kOk;
    std::string named = from;
    if (!model_.HasComponent(from)) {
      want = absl::StatusCode::kNotFound;
    } else if (!model_.HasComponent(to)) {
      want = absl::StatusCode::kNotFound;
      named = to;
    } else if (model_.Reaches(to, from)) {
      want = absl::StatusCode::kInvalidArgument;
      named = "dependency cycle: " + from;
    }
    Expect(rt_->AddDependency(from, to), want,
           "AddDependency(" + from + ", " + to + ")", named);
    if (want == absl::StatusCode::kOk) model_.depends_on[from].insert(to);
  }

  void AddCleanup() {
    const std::string component = AnyComponent();
    const std::string phase = AnyPhase();
    const std::string name = Name(in_);
    absl::StatusCode want = absl::StatusCode::kOk;
    std::string named = name;
    auto& existing = model_.cleanups[component];
    const bool duplicate =
        std::any_of(existing.begin(), existing.end(),
                    [&](const auto& c) { return c.first == name; });
    if (name.empty()) {
      want = absl::StatusCode::kInvalidArgument;
    } else if (!model_.HasComponent(component)) {
      want = absl::StatusCode::kNotFound;
      named = component;
    } else if (!model_.HasPhase(phase)) {
      want = absl::StatusCode::kNotFound;
      named = phase;
    } else if (phase == "threads") {
      want = absl::StatusCode::kInvalidArgument;
    } else if (duplicate) {
      want = absl::StatusCode::kAlreadyExists;
    }
    const std::string label = absl::StrCat(component, "/", name);
    Expect(rt_->AddCleanup(component, phase, name,
                           [this, label] {
                             absl::MutexLock lock(&ran_mu_);
                             ran_.push_back(label);
                           }),
           want, "AddCleanup(" + label + ")", named);
    if (want == absl::StatusCode::kOk) {
      existing.emplace_back(name, phase);
    } else if (existing.empty()) {
      model_.cleanups.erase(component);
    }
  }

  // Plan() order: phases in order; within a phase, no cleanup of a
  // component after one of a component that depends on it; LIFO within one.
  void CheckOrder(const std::string& phase, const std::string& component,
                  const std::string& name) {
    if (phase != last_phase_) {
      const auto at = [&](const std::string& p) {
        return std::find(model_.phases.begin(), model_.phases.end(), p);
      };
      if (!last_phase_.empty() && at(phase) < at(last_phase_)) {
        Die("Plan() phases out of order");
      }
      last_phase_ = phase;
      seen_.clear();
    }
    for (const auto& [c, n] : seen_) {
      if (c != component && model_.Reaches(component, c)) {
        Die(absl::StrCat("Plan(): ", component, "/", name,
                         " after its dependency's cleanup ", c, "/", n));
      }
    }
    const auto& list = model_.cleanups.at(component);
    for (const auto& [c, n] : seen_) {
      if (c != component) continue;
      // `n` came first: it must have been registered after `name`.
      const auto pos = [&](const std::string& x) {
        return std::find_if(list.begin(), list.end(),
                            [&](const auto& e) { return e.first == x; });
      };
      if (pos(n) < pos(name)) Die("Plan(): not LIFO within " + component);
    }
    seen_.emplace_back(component, name);
  }

  FuzzedDataProvider& in_;
  std::unique_ptr<Runtime> rt_;
  Model model_;
  std::string last_phase_;
  std::vector<std::pair<std::string, std::string>> seen_;
  absl::Mutex ran_mu_;
  std::vector<std::string> ran_ ABSL_GUARDED_BY(ran_mu_);
};

}  // namespace
}  // namespace orderly

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  orderly::Run run(in);
  run.Declare();
  run.ShutDownAndCheck();
  return 0;
}
