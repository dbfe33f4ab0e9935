// Copyright 2026 The orderly Authors.
//
// LONG-FILE: one checker per DESIGN.md guarantee, all reading the same
// Observed record; they are kept together so that the list of invariants
// reads as one table.

#include "tests/torture/invariants.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"

namespace orderly {
namespace torture {
namespace {

// How long a round's sequence may take at most, beyond the budgets its
// blocking faults spend: generous for TSan on a loaded machine, far below
// the deadline, so that a hang is caught by this, not by the watchdog.
constexpr absl::Duration kSequenceSlack = absl::Seconds(5);
constexpr absl::Duration kPerBlockingFault = absl::Milliseconds(300);
// How late after its deadline a sequence may report it finished.
constexpr absl::Duration kDeadlineMargin = absl::Milliseconds(500);

std::string Label(const StepRecord& step) {
  if (!step.component.empty()) return absl::StrCat(step.component, "/", step.name);
  absl::string_view name = step.name;
  absl::ConsumeSuffix(&name, " (daemon)");
  absl::ConsumeSuffix(&name, " (registered during shutdown)");
  return std::string(name);
}

// "terminate t1 (daemon)" -> "terminate t1": stragglers are named as
// their steps are.
std::string StragglerName(const Straggler& s) {
  absl::string_view name = s.name;
  absl::ConsumeSuffix(&name, " (daemon)");
  return std::string(name);
}

std::string List(const std::vector<std::string>& v) {
  return absl::StrCat("[", absl::StrJoin(v, " "), "]");
}

std::vector<std::string> Only(const std::vector<std::string>& v,
                              const std::set<std::string>& keep) {
  std::vector<std::string> out;
  for (const std::string& s : v) {
    if (keep.count(s) > 0) out.push_back(s);
  }
  return out;
}

class Checker {
 public:
  Checker(const Scenario& s, const Observed& o)
      : s_(s), o_(o), r_(*o.report), phases_(s.PhaseOrder()) {
    for (const DeclaredCleanup& c : o.recorded.cleanups) {
      declared_[absl::StrCat(c.component, "/", c.name)] = &c;
    }
  }

  std::vector<std::string> Run() {
    for (const std::string& v : o_.recorded.violations) {
      Fail("spot check", v);
    }
    CheckPhases();
    CheckCleanups();
    CheckTerminate();
    CheckJoins();
    CheckFaults();
    CheckDeadline();
    CheckConsumers();
    CheckTasks();
    return std::move(out_);
  }

 private:
  void Fail(absl::string_view invariant, absl::string_view what) {
    out_.push_back(absl::StrCat(invariant, ": ", what));
  }

  int PhaseIndex(const std::string& phase) const {
    return static_cast<int>(std::find(phases_.begin(), phases_.end(), phase) -
                            phases_.begin());
  }

  // True if `from` depends on `to`, directly or not.
  bool DependsOn(const std::string& from, const std::string& to) const {
    std::vector<std::string> stack = {from};
    std::set<std::string> seen;
    while (!stack.empty()) {
      const std::string n = stack.back();
      stack.pop_back();
      if (!seen.insert(n).second) continue;
      auto it = o_.recorded.depends_on.find(n);
      if (it == o_.recorded.depends_on.end()) continue;
      for (const std::string& d : it->second) {
        if (d == to) return true;
        stack.push_back(d);
      }
    }
    return false;
  }

  void CheckPhases() {
    std::vector<std::string> ran, planned;
    for (const PhaseRecord& p : r_.phases) ran.push_back(p.name);
    for (const PlannedPhase& p : o_.plan.phases) planned.push_back(p.name);
    if (ran != phases_) {
      Fail("phase order", absl::StrCat("the report ran ", List(ran),
                                       ", want ", List(phases_)));
    }
    if (planned != phases_) {
      Fail("phase order", absl::StrCat("Plan() said ", List(planned),
                                       ", want ", List(phases_)));
    }
  }

  void CheckCleanups() {
    std::vector<std::string> ran;
    for (const Event& e : o_.recorded.events) {
      if (e.kind == EventKind::kCleanup) ran.push_back(e.label);
    }
    std::map<std::string, int> runs;
    for (const std::string& c : ran) ++runs[c];
    for (const auto& [label, n] : runs) {
      if (declared_.count(label) == 0) {
        Fail("cleanups", label + " ran but was never accepted");
      } else if (n > 1) {
        Fail("cleanups run at most once", absl::StrCat(label, " ran ", n, " times"));
      }
    }
    for (const auto& [label, decl] : declared_) {
      if (runs.count(label) == 0) {
        Fail("cleanups", absl::StrCat(label, " was accepted for phase ",
                                      decl->phase, " but never ran"));
      }
    }
    // An abandoned cleanup's place in the run order is the runner's, not
    // its body's: the body records itself on its first line, which a
    // descheduled executor may reach only after the sequence gave up on it
    // and later steps began (seen under ASan on a loaded machine). Its
    // order is checked through the report alone.
    std::set<std::string> abandoned;
    for (const StepRecord& step : r_.steps) {
      if (step.kind == StepKind::kCleanup &&
          step.outcome == Outcome::kTimedOut) {
        abandoned.insert(Label(step));
      }
    }
    std::vector<std::string> ordered;
    for (const std::string& c : ran) {
      if (abandoned.count(c) == 0) ordered.push_back(c);
    }
    CheckCleanupOrder(ordered);
    CheckCleanupsAgainstPlan(ordered, abandoned);
    std::vector<std::string> reported;
    for (const StepRecord& step : r_.steps) {
      if (step.kind != StepKind::kCleanup) continue;
      const std::string label = Label(step);
      if (declared_.count(label) == 0) continue;  // A building block's.
      if (abandoned.count(label) != 0) continue;  // See `ordered`.
      reported.push_back(label);
      if (step.phase != declared_.at(label)->phase) {
        Fail("report", absl::StrCat(label, " reported in phase ", step.phase,
                                    ", declared for ",
                                    declared_.at(label)->phase));
      }
    }
    if (reported != ordered) {
      Fail("report", absl::StrCat("cleanups reported ", List(reported),
                                  ", but ran ", List(ordered)));
    }
  }

  void CheckCleanupOrder(const std::vector<std::string>& ran) {
    for (size_t j = 0; j < ran.size(); ++j) {
      auto bj = declared_.find(ran[j]);
      if (bj == declared_.end()) continue;
      const DeclaredCleanup& b = *bj->second;
      for (size_t i = 0; i < j; ++i) {
        auto ai = declared_.find(ran[i]);
        if (ai == declared_.end()) continue;
        const DeclaredCleanup& a = *ai->second;  // Ran before b.
        if (PhaseIndex(a.phase) > PhaseIndex(b.phase)) {
          Fail("phase order", absl::StrCat(ran[i], " (", a.phase, ") ran before ",
                                           ran[j], " (", b.phase, ")"));
        } else if (a.phase != b.phase) {
          continue;
        } else if (a.component == b.component && a.seq < b.seq) {
          Fail("LIFO within a component",
               absl::StrCat(ran[i], " ran before ", ran[j],
                            ", which was registered after it"));
        } else if (a.component != b.component &&
                   DependsOn(b.component, a.component)) {
          Fail("dependents first",
               absl::StrCat(ran[i], " ran before ", ran[j], ", but ",
                            b.component, " depends on ", a.component));
        }
      }
    }
  }

  // `ran` without the `abandoned` cleanups (CheckCleanups()).
  void CheckCleanupsAgainstPlan(const std::vector<std::string>& ran,
                                const std::set<std::string>& abandoned) {
    for (const PlannedPhase& phase : o_.plan.phases) {
      if (phase.is_threads) continue;
      std::vector<std::string> planned, got;
      for (const PlannedCleanup& c : phase.cleanups) {
        planned.push_back(absl::StrCat(c.component, "/", c.name));
      }
      std::set<std::string> in_plan(planned.begin(), planned.end());
      for (const std::string& label : ran) {
        auto it = declared_.find(label);
        if (it != declared_.end() && it->second->phase == phase.name &&
            it->second->before_stop) {
          got.push_back(label);
        }
      }
      // Building blocks' cleanups are planned but not recorded here.
      std::vector<std::string> ours;
      for (const std::string& p : planned) {
        if (declared_.count(p) > 0 && abandoned.count(p) == 0) {
          ours.push_back(p);
        }
      }
      if (got != ours) {
        Fail("matches Plan()", absl::StrCat("phase ", phase.name, " ran ",
                                            List(got), ", Plan() said ",
                                            List(ours)));
      }
    }
  }

  void CheckTerminate() {
    const std::vector<std::string>& created = o_.recorded.created;
    const std::set<std::string> ours(created.begin(), created.end());
    std::vector<std::string> want(created.rbegin(), created.rend());
    std::map<std::string, int> calls;
    std::vector<std::string> pass;  // At the terminate pass, in order.
    for (const Event& e : o_.recorded.events) {
      if (e.kind == EventKind::kCleanup) continue;
      ++calls[e.label];
      if (e.kind == EventKind::kTerminate) pass.push_back(e.label);
      if (e.kind == EventKind::kLateTerminate && ours.count(e.label) > 0) {
        Fail("terminate", e.label + " registered before the stop, but its "
                                    "callback ran as a late one");
      }
    }
    for (const ThreadRecord& t : o_.recorded.threads) {
      const int n = calls[t.name];
      if (ours.count(t.name) > 0 && n != 1) {
        Fail("terminate exactly once",
             absl::StrCat(t.name, "'s callback ran ", n, " times"));
      } else if (n > 1) {
        Fail("terminate at most once",
             absl::StrCat(t.name, "'s callback ran ", n, " times"));
      }
    }
    for (const ThreadSpec& t : s_.threads) {
      if (t.behavior == ThreadBehavior::kEndEarly && calls[t.name] != 0) {
        Fail("terminate", t.name + " ended before the stop, yet its "
                                   "callback ran");
      }
    }
    if (Only(pass, ours) != want) {
      Fail("terminate in reverse creation order",
           absl::StrCat("callbacks ran ", List(Only(pass, ours)), ", want ",
                        List(want)));
    }
    std::vector<std::string> reported, planned;
    for (const StepRecord& step : r_.steps) {
      if (step.kind == StepKind::kTerminateCallback) {
        reported.push_back(Label(step));
      }
    }
    if (Only(reported, ours) != want) {
      Fail("terminate in reverse creation order",
           absl::StrCat("the report lists ", List(Only(reported, ours)),
                        ", want ", List(want)));
    }
    for (const PlannedPhase& phase : o_.plan.phases) {
      for (const PlannedThread& t : phase.threads) planned.push_back(t.name);
    }
    if (Only(planned, ours) != want) {
      Fail("matches Plan()",
           absl::StrCat("Plan() terminates ", List(Only(planned, ours)),
                        ", want ", List(want)));
    }
  }

  bool IsStraggler(const std::string& what) const {
    for (const Straggler& s : r_.stragglers) {
      if (StragglerName(s) == what) return true;
    }
    return false;
  }

  void CheckJoins() {
    for (const ThreadRecord& t : o_.threads_at_report) {
      // Helpers registered after the report are not the sequence's.
      if (t.daemon || !t.registered) continue;
      const bool straggler = IsStraggler("thread " + t.name);
      if (t.expect_straggler && !straggler) {
        Fail("stragglers reported by name",
             t.name + " was blocked past its join budget, but the report "
                      "does not name it as a straggler");
      } else if (!t.expect_straggler && straggler) {
        Fail("joins", t.name + " is reported as a straggler, but it only "
                               "waited for its terminate callback");
      } else if (!straggler && !t.ended) {
        Fail("every non-daemon joined",
             t.name + " was still registered when Shutdown() returned, and "
                      "is not reported as a straggler");
      }
    }
    const std::set<std::string> fenced(r_.daemons_running.begin(),
                                       r_.daemons_running.end());
    for (const ThreadSpec& t : s_.threads) {
      const bool blocked = t.behavior == ThreadBehavior::kIgnoreStop ||
                           t.terminate_fault == Fault::kBlock;
      if (blocked && fenced.count(t.name) == 0) {
        Fail("daemons fenced",
             absl::StrCat(t.name, t.daemon ? " (daemon)" : " (demoted)",
                          " still ran as the cleanup phases began, but the "
                          "report's daemons_running is ",
                          List(r_.daemons_running)));
      }
    }
  }

  void CheckFaults() {
    std::set<std::pair<StepKind, std::string>> expected;
    std::set<std::string> expected_stragglers;
    for (const ExpectedStep& e : o_.recorded.expected) {
      expected.insert({e.kind, e.label});
      if (e.kind == StepKind::kJoin) {
        expected_stragglers.insert("thread " + e.label);
        continue;  // CheckJoins().
      }
      const StepRecord* found = nullptr;
      for (const StepRecord& step : r_.steps) {
        if (step.kind == e.kind && Label(step) == e.label) found = &step;
      }
      const std::string what = absl::StrCat(StepKindName(e.kind), " ", e.label);
      if (found == nullptr) {
        Fail("faults reported", what + " is not in the report");
        continue;
      }
      if (found->outcome != e.outcome ||
          !absl::StrContains(found->error, e.error_contains)) {
        Fail("faults reported",
             absl::StrCat(what, ": reported ", OutcomeName(found->outcome),
                          " \"", found->error, "\", want ",
                          OutcomeName(e.outcome), " with \"", e.error_contains,
                          "\""));
      }
      if (e.outcome == Outcome::kTimedOut) {
        expected_stragglers.insert(what);
        if (!IsStraggler(what)) {
          Fail("faults reported", what + " timed out but is not a straggler");
        }
      }
    }
    for (const StepRecord& step : r_.steps) {
      if (step.outcome == Outcome::kOk) continue;
      if (expected.count({step.kind, Label(step)}) == 0) {
        Fail("nothing else failed",
             absl::StrCat("unexpected ", OutcomeName(step.outcome), " step ",
                          StepKindName(step.kind), " ", Label(step), ": ",
                          step.error));
      }
    }
    for (const Straggler& s : r_.stragglers) {
      if (expected_stragglers.count(StragglerName(s)) == 0) {
        Fail("nothing else failed",
             absl::StrCat("unexpected straggler ", s.name, ": ", s.why));
      }
    }
  }

  void CheckDeadline() {
    int blocking = 0;
    for (const ExpectedStep& e : o_.recorded.expected) {
      blocking += e.outcome == Outcome::kTimedOut ||
                  e.outcome == Outcome::kStraggler;
    }
    const absl::Duration took = r_.finished - r_.stop_requested;
    const absl::Duration bound = kSequenceSlack + blocking * kPerBlockingFault;
    if (r_.deadline_exceeded || r_.finished > r_.deadline + kDeadlineMargin) {
      Fail("deadline", absl::StrCat("the sequence took ",
                                    absl::FormatDuration(took),
                                    ", past its deadline"));
    } else if (took > bound) {
      Fail("deadline", absl::StrCat("the sequence took ",
                                    absl::FormatDuration(took), ", over ",
                                    absl::FormatDuration(bound), " for ",
                                    blocking, " blocking faults"));
    }
  }

  int64_t Counter(const std::string& name) const {
    for (const ShutdownReport::Counter& c : r_.counters) {
      if (c.name == name) return c.value;
    }
    return -1;
  }

  void CheckConsumers() {
    for (const ConsumerObserved& c : o_.consumers) {
      std::vector<std::set<int>> accepted(c.accepted.size());
      std::vector<int> last(c.accepted.size(), -1);
      std::set<std::pair<int, int>> handled;
      size_t accepted_total = 0;
      for (size_t p = 0; p < c.accepted.size(); ++p) {
        accepted[p].insert(c.accepted[p].begin(), c.accepted[p].end());
        accepted_total += c.accepted[p].size();
      }
      for (const auto& [p, seq] : c.handled) {
        const std::string item = absl::StrCat(c.name, " item ", p, ".", seq);
        if (!handled.insert({p, seq}).second) {
          Fail("consumer items exactly once", item + " handled twice");
        }
        if (accepted[p].count(seq) == 0) {
          Fail("consumer items", item + " handled but never accepted");
        }
        if (seq <= last[p]) {
          Fail("consumer order per producer",
               absl::StrCat(item, " handled after item ", p, ".", last[p]));
        }
        last[p] = std::max(last[p], seq);
      }
      const int64_t missing =
          static_cast<int64_t>(accepted_total) -
          static_cast<int64_t>(handled.size());
      const int64_t dropped = Counter(c.name + ".dropped");
      if (missing != dropped) {
        Fail("consumer items exactly once",
             absl::StrCat(c.name, ": ", accepted_total, " pushes returned OK, ",
                          handled.size(), " items handled, but the report "
                          "counts ", dropped, " dropped (overflow ",
                          OverflowPolicyName(c.overflow), ")"));
      }
    }
  }

  void CheckTasks() {
    for (const TaskObserved& t : o_.tasks) {
      const std::string what = absl::StrCat(
          "task ", t.label, " (", ShutdownBehaviorName(t.behavior), ")");
      if (t.runs > 1) {
        Fail("pool tasks", absl::StrCat(what, " ran ", t.runs, " times"));
      }
      if (!o_.torn_down) continue;
      if (!t.completed) {
        Fail("every handle completed", what + ": not after the pool is gone");
        continue;
      }
      const absl::StatusCode code = t.status.code();
      const bool ran = code == absl::StatusCode::kOk ||
                       code == absl::StatusCode::kUnknown;
      const bool not_run = code == absl::StatusCode::kCancelled ||
                           code == absl::StatusCode::kFailedPrecondition;
      if (!ran && !not_run) {
        Fail("pool tasks", what + ": unexpected status " + t.status.ToString());
      } else if (ran != (t.runs == 1)) {
        Fail("pool tasks", absl::StrCat(what, ": handle says ",
                                        t.status.ToString(), ", ran ", t.runs,
                                        " times"));
      } else if (ran && (code == absl::StatusCode::kUnknown) != t.throws) {
        Fail("pool tasks", what + ": handle says " + t.status.ToString() +
                               (t.throws ? ", but it threw" : ", but it returned"));
      }
      if (t.behavior == ShutdownBehavior::kBlockShutdown) {
        if (code == absl::StatusCode::kCancelled) {
          Fail("block-shutdown work runs", what + " was cancelled");
        }
        // Also when every worker runs a continue-on-shutdown task: the
        // pool's reserve worker runs it (W2 in blocks/internal/pool_core.h).
        if (ran && !t.done_at_report) {
          Fail("block-shutdown work runs",
               what + " was not done when Shutdown() returned");
        }
        if (t.posted_by_blocking_task &&
            code == absl::StatusCode::kFailedPrecondition) {
          Fail("block-shutdown work runs",
               what + ", posted by block-shutdown work, was refused");
        }
      }
    }
  }

  const Scenario& s_;
  const Observed& o_;
  const ShutdownReport& r_;
  const std::vector<std::string> phases_;
  std::map<std::string, const DeclaredCleanup*> declared_;
  std::vector<std::string> out_;
};

}  // namespace

std::vector<std::string> CheckInvariants(const Scenario& scenario,
                                         const Observed& observed) {
  if (observed.report == nullptr) return {"no report: Shutdown() failed"};
  return Checker(scenario, observed).Run();
}

}  // namespace torture
}  // namespace orderly
