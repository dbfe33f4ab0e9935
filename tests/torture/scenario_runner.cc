// Copyright 2026 The orderly Authors.
//
// LONG-FILE: one Round drives every kind of actor of a scenario (threads,
// helpers, consumers, pools, cleanups, triggers) against one Recorder; the
// pieces share the Round's state and its expectations, so splitting them
// into files would only spread one state machine across several.

#include "tests/torture/scenario_runner.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace orderly {
namespace torture {

RuntimeOptions TortureRuntimeOptions() {
  RuntimeOptions options;
  options.deadline = kDeadline;
  // Report, never exit: the checks must see the report of a late sequence.
  options.on_deadline = DeadlineAction::kReportOnly;
  options.callback_budget = kCallbackBudget;
  return options;
}

// One registered thread of the scenario (Scenario::threads[i]).
struct Round::ThreadState {
  const ThreadSpec* spec = nullptr;
  int record = -1;                // Recorder::AddThread() slot.
  absl::Notification stop;        // Set by its terminate callback.
  absl::Notification registered;  // Its RegisterThread() returned.
  absl::Notification trigger;     // Main: run the trigger action now.
  absl::Notification triggered;   // The trigger action returned.
  absl::AnyInvocable<void()> trigger_action;
};

struct Round::ConsumerState {
  struct Item {
    int producer;
    int seq;
  };
  absl::Mutex mu;
  ConsumerObserved seen ABSL_GUARDED_BY(mu);
  std::unique_ptr<BackgroundConsumer<Item>> consumer;
};

struct Round::Task {
  TaskObserved seen;  // `runs` is kept in `runs`, below, until Observe().
  std::atomic<int> runs{0};
  TaskHandle handle;
};

Round::Round(const Scenario& scenario)
    : s_(scenario), phase_order_(scenario.PhaseOrder()) {}

Round::~Round() { Release(); }

Observed Round::Run() {
  auto runtime = std::make_unique<Runtime>(TortureRuntimeOptions());
  Build(*runtime);
  std::shared_ptr<const ShutdownReport> report = Trigger();
  Release();
  runtime.reset();  // Every registration of the round has ended.
  return Observe(std::move(report));
}

// --- Build ---------------------------------------------------------------

void Round::Build(Runtime& runtime) {
  rt_ = &runtime;
  DeclareGraph();
  for (const ConsumerSpec& c : s_.consumers) StartConsumer(c);
  for (const PoolSpec& p : s_.pools) StartPool(p);
  // All states first: the threads read threads_ while later ones start.
  for (const ThreadSpec& spec : s_.threads) {
    threads_.push_back(std::make_unique<ThreadState>());
    threads_.back()->spec = &spec;
  }
  for (size_t i = 0; i < s_.threads.size(); ++i) {
    StartThread(static_cast<int>(i));
  }
  plan_ = rt_->Plan();
  // Submitters start last, so that they race the stop request.
  for (size_t i = 0; i < s_.pools.size() && i < pools_.size(); ++i) {
    if (!s_.pools[i].racing_submitter) continue;
    AddJoinable(std::thread([this, p = pools_[i].get(), name = s_.pools[i].name] {
      RacingSubmitter(p, name);
    }));
  }
}

int Round::PhaseIndex(const std::string& phase) const {
  return static_cast<int>(
      std::find(phase_order_.begin(), phase_order_.end(), phase) -
      phase_order_.begin());
}

void Round::DeclareGraph() {
  for (const PhaseSpec& p : s_.phases) {
    absl::Status s = rt_->AddPhase(p.name, p.before
                                               ? PhasePlacement::Before(p.anchor)
                                               : PhasePlacement::After(p.anchor));
    if (!s.ok()) rec_.Violation(absl::StrCat("AddPhase ", p.name, ": ", s.ToString()));
  }
  for (const ComponentSpec& c : s_.components) {
    std::vector<std::string> deps;
    for (int d : c.depends_on) deps.push_back(s_.components[d].name);
    auto added = rt_->AddComponent(c.name, deps);
    if (!added.ok()) {
      rec_.Violation(absl::StrCat("AddComponent ", c.name, ": ",
                                  added.status().ToString()));
    }
    for (const std::string& d : deps) rec_.DependsOn(c.name, d);
  }
  for (const EdgeSpec& e : s_.edges) {
    const std::string& from = s_.components[e.from].name;
    const std::string& to = s_.components[e.to].name;
    absl::Status s = rt_->AddDependency(from, to);
    if (e.closes_cycle) {
      if (s.code() != absl::StatusCode::kInvalidArgument ||
          !absl::StrContains(s.message(), "dependency cycle: " + from)) {
        rec_.Violation(absl::StrCat("AddDependency(", from, ", ", to,
                                    ") closes a cycle: got ", s.ToString(),
                                    ", want InvalidArgument naming it"));
      }
    } else if (!s.ok()) {
      rec_.Violation(absl::StrCat("AddDependency(", from, ", ", to,
                                  "): ", s.ToString()));
    } else {
      rec_.DependsOn(from, to);
    }
  }
  for (const CleanupSpec& c : s_.cleanups) DeclareCleanup(c);
}

void Round::DeclareCleanup(const CleanupSpec& spec) {
  const std::string& component = s_.components[spec.component].name;
  const std::string label = absl::StrCat(component, "/", spec.name);
  std::optional<absl::Duration> budget;
  switch (spec.fault) {
    case Fault::kThrow:
      rec_.Expect({StepKind::kCleanup, label, Outcome::kError,
                   "torture: injected throw in " + label});
      break;
    case Fault::kReturnError:
      rec_.Expect({StepKind::kCleanup, label, Outcome::kError,
                   "torture: injected error in " + label});
      break;
    case Fault::kBlock:
      budget = kFaultBudget;
      rec_.Expect({StepKind::kCleanup, label, Outcome::kTimedOut, "abandoned"});
      break;
    default:
      break;
  }
  absl::Status s = rt_->AddCleanup(
      component, spec.phase, spec.name,
      [this, &spec] { return RunCleanup(spec); }, budget);
  if (!s.ok()) {
    rec_.Violation(absl::StrCat("AddCleanup ", label, ": ", s.ToString()));
    return;
  }
  rec_.Declared(component, spec.name, spec.phase, /*before_stop=*/true);
}

absl::Status Round::RunCleanup(const CleanupSpec& spec) {
  const std::string label =
      absl::StrCat(s_.components[spec.component].name, "/", spec.name);
  rec_.Start(EventKind::kCleanup, label);
  switch (spec.fault) {
    case Fault::kNone:
      break;
    case Fault::kThrow:
      throw std::runtime_error("torture: injected throw in " + label);
    case Fault::kReturnError:
      return absl::InternalError("torture: injected error in " + label);
    case Fault::kBlock:
      Block();
      break;
    case Fault::kCallShutdown:
      CheckShutdownRefused("cleanup " + label);
      break;
    case Fault::kCallRequestStop:
      rt_->RequestStop(StopReason::Message("torture: from a cleanup"));
      break;
    case Fault::kRegisterThread:
      // Registration stays open until the joins of `threads` are over.
      SpawnHelper(label, PhaseIndex(spec.phase) < PhaseIndex("threads")
                             ? HelperExpect::kAccepted
                             : HelperExpect::kRefused);
      break;
    case Fault::kAddCleanup:
    case Fault::kAddComponent:
      AddDuringSequence(spec);
      break;
  }
  return absl::OkStatus();
}

// A cleanup adds a cleanup (to its own component, or to a component it
// declares now) to a random phase: accepted iff that phase is still ahead.
void Round::AddDuringSequence(const CleanupSpec& spec) {
  std::string component = s_.components[spec.component].name;
  const std::string name = absl::StrCat("d", next_dynamic_++, "-", spec.name);
  if (spec.fault == Fault::kAddComponent) {
    const std::string on = s_.components[spec.target_component].name;
    component = name;
    auto added = rt_->AddComponent(component, {on});
    if (!added.ok()) {
      rec_.Violation(absl::StrCat("AddComponent(", component,
                                  ") during the sequence: ",
                                  added.status().ToString()));
      return;
    }
    rec_.DependsOn(component, on);
  }
  const std::string label = absl::StrCat(component, "/", name);
  // A phase ahead runs only after this cleanup returns: recording the
  // declaration after the call is in time.
  absl::Status s = rt_->AddCleanup(component, spec.target_phase, name,
                                   [this, label] {
                                     rec_.Start(EventKind::kCleanup, label);
                                   });
  const int target = PhaseIndex(spec.target_phase);
  const int current = PhaseIndex(spec.phase);
  absl::StatusCode want = absl::StatusCode::kOk;
  if (spec.target_phase == "threads") {
    want = absl::StatusCode::kInvalidArgument;
  } else if (target <= current) {
    want = absl::StatusCode::kFailedPrecondition;
  }
  if (s.code() != want || (!s.ok() && !absl::StrContains(s.message(), name))) {
    rec_.Violation(absl::StrCat("AddCleanup ", label, " in ", spec.target_phase,
                                " from a cleanup in ", spec.phase, ": got ",
                                s.ToString(), ", want ",
                                absl::StatusCodeToString(want),
                                " with a message naming it"));
  }
  if (s.ok()) {
    rec_.Declared(component, name, spec.target_phase, /*before_stop=*/false);
  }
}

// --- Threads ---------------------------------------------------------------

void Round::StartThread(int i) {
  const ThreadSpec& spec = s_.threads[i];
  ThreadState* st = threads_[i].get();
  const bool blocked = spec.behavior == ThreadBehavior::kIgnoreStop ||
                       spec.terminate_fault == Fault::kBlock;
  st->record = rec_.AddThread(ThreadRecord{
      spec.name, spec.daemon, /*helper=*/false,
      /*expect_straggler=*/blocked && !spec.daemon, /*ended=*/false,
      /*registered=*/true});
  std::optional<absl::Duration> join_budget;
  if (blocked) join_budget = kFaultBudget;
  ExpectThreadSteps(spec, blocked);
  std::thread foreign = LaunchThread(i, join_budget);
  // One at a time: each registration happens-before the next, so the
  // creation order is this order.
  if (!st->registered.WaitForNotificationWithTimeout(kWaitLimit)) {
    rec_.Violation(spec.name + " never registered");
  }
  if (spec.behavior == ThreadBehavior::kEndEarly) {
    // Ended before the stop (and before the plan): no callback, no join.
    if (foreign.joinable()) {
      foreign.join();
    } else if (!managed_.empty()) {
      (void)managed_.back().Join();
    }
    return;
  }
  rec_.Created(spec.name);
  if (foreign.joinable()) AddJoinable(std::move(foreign));
}

void Round::ExpectThreadSteps(const ThreadSpec& spec, bool blocked) {
  if (spec.terminate_fault == Fault::kThrow) {
    rec_.Expect({StepKind::kTerminateCallback, spec.name, Outcome::kError,
                 "torture: injected throw in terminate " + spec.name});
  } else if (spec.terminate_fault == Fault::kBlock) {
    rec_.Expect({StepKind::kTerminateCallback, spec.name, Outcome::kTimedOut,
                 "abandoned"});
  }
  if (blocked && !spec.daemon) {
    rec_.Expect({StepKind::kJoin, spec.name, Outcome::kStraggler, ""});
  }
}

std::thread Round::LaunchThread(int i,
                                std::optional<absl::Duration> join_budget) {
  const ThreadSpec& spec = s_.threads[i];
  ThreadState* st = threads_[i].get();
  auto on_terminate = [this, st] {
    OnTerminate(st->spec->name, st->spec->terminate_fault, st);
  };
  std::thread foreign;
  if (spec.foreign) {
    foreign = std::thread([this, st, i, on_terminate, join_budget]() mutable {
      ThreadOptions options;
      options.daemon = st->spec->daemon;
      options.on_terminate = std::move(on_terminate);
      options.join_budget = join_budget;
      auto reg = rt_->RegisterThread(st->spec->name, std::move(options));
      st->registered.Notify();
      if (!reg.ok()) {
        rec_.Violation(absl::StrCat("RegisterThread ", st->spec->name,
                                    " before the stop: ",
                                    reg.status().ToString()));
        return;
      }
      ThreadBody(i);
      rec_.Ended(st->record);
      reg->Reset();
    });
  } else {
    ManagedThreadOptions options;
    options.runtime = rt_;
    options.daemon = spec.daemon;
    options.on_terminate = std::move(on_terminate);
    options.join_budget = join_budget;
    auto thread = ManagedThread::Start(
        spec.name,
        [this, st, i] {
          st->registered.Notify();
          ThreadBody(i);
          rec_.Ended(st->record);
        },
        std::move(options));
    if (!thread.ok()) {
      rec_.Violation(absl::StrCat("ManagedThread::Start ", spec.name, ": ",
                                  thread.status().ToString()));
      st->registered.Notify();
    } else {
      managed_.push_back(std::move(*thread));
    }
  }
  return foreign;
}

void Round::ThreadBody(int i) {
  ThreadState& st = *threads_[i];
  const ThreadSpec& spec = *st.spec;
  if (i == s_.trigger_thread && spec.behavior != ThreadBehavior::kEndEarly) {
    if (st.trigger.WaitForNotificationWithTimeout(kWaitLimit) &&
        st.trigger_action) {
      st.trigger_action();
    }
    st.triggered.Notify();
  }
  switch (spec.behavior) {
    case ThreadBehavior::kEndEarly:
      return;
    case ThreadBehavior::kIgnoreStop:
      Block();
      return;
    case ThreadBehavior::kWaitForTerminate:
    case ThreadBehavior::kSpawnHelper:
      break;
  }
  if (!st.stop.WaitForNotificationWithTimeout(kWaitLimit)) {
    rec_.Violation(spec.name + ": its terminate callback never ran");
    return;
  }
  if (spec.behavior == ThreadBehavior::kSpawnHelper) {
    // Still registered: a non-daemon keeps registration open (DESIGN.md,
    // step 1); a demoted or daemon one may be too late.
    const bool open = !spec.daemon && spec.terminate_fault != Fault::kBlock;
    SpawnHelper(spec.name, open ? HelperExpect::kAcceptedInline
                                : HelperExpect::kEither);
  }
}

void Round::OnTerminate(const std::string& name, Fault fault,
                        ThreadState* state) {
  rec_.Start(EventKind::kTerminate, name);
  switch (fault) {
    case Fault::kBlock:
      Block();
      break;
    case Fault::kThrow:
      state->stop.Notify();
      throw std::runtime_error("torture: injected throw in terminate " + name);
    case Fault::kCallShutdown:
      CheckShutdownRefused("terminate callback " + name);
      break;
    case Fault::kCallRequestStop:
      rt_->RequestStop(StopReason::Message("torture: from a terminate"));
      break;
    case Fault::kRegisterThread:
      SpawnHelper(name, HelperExpect::kAcceptedInline);
      break;
    default:
      break;
  }
  state->stop.Notify();
}

// Starts a helper thread that registers (non-daemon) and waits for its
// terminate callback; returns once its RegisterThread() has returned.
void Round::SpawnHelper(const std::string& parent, HelperExpect expect) {
  struct Helper {
    std::string name;
    int record = -1;
    std::thread::id id;
    std::atomic<bool> in_register{false};
    std::atomic<int> calls{0};
    absl::Notification stop;
    absl::Notification registered;
  };
  auto h = std::make_shared<Helper>();
  h->name = absl::StrCat("h", next_helper_++, "-", parent);
  h->record = rec_.AddThread(ThreadRecord{h->name, false, /*helper=*/true,
                                          false, false});
  AddJoinable(std::thread([this, h, expect] {
    h->id = std::this_thread::get_id();
    ThreadOptions options;
    options.on_terminate = [this, h] {
      const bool inline_call =
          h->in_register.load() && std::this_thread::get_id() == h->id;
      rec_.Start(inline_call ? EventKind::kLateTerminate : EventKind::kTerminate,
                 h->name);
      if (h->calls.fetch_add(1) != 0) {
        rec_.Violation(h->name + ": terminate callback ran twice");
      }
      h->stop.Notify();
    };
    const bool finished_before = rt_->shutdown_complete();
    h->in_register = true;
    auto reg = rt_->RegisterThread(h->name, std::move(options));
    h->in_register = false;
    const bool called_inline = h->calls.load() > 0;
    h->registered.Notify();
    if (reg.ok()) rec_.Registered(h->record);
    CheckHelperRegistration(h->name, reg.status(), expect, finished_before,
                            called_inline);
    if (!reg.ok()) return;
    if (!h->stop.WaitForNotificationWithTimeout(kWaitLimit)) {
      rec_.Violation(h->name + ": its terminate callback never ran");
    }
    rec_.Ended(h->record);
    reg->Reset();
  }));
  if (!h->registered.WaitForNotificationWithTimeout(kWaitLimit)) {
    rec_.Violation(h->name + " never returned from RegisterThread()");
  }
}

void Round::CheckHelperRegistration(const std::string& name,
                                    const absl::Status& status,
                                    HelperExpect expect, bool finished_before,
                                    bool called_inline) {
  const bool refused = status.code() == absl::StatusCode::kFailedPrecondition;
  if (!status.ok() && !refused) {
    rec_.Violation(
        absl::StrCat(name, ": RegisterThread: ", status.ToString()));
  }
  if (status.ok() && finished_before) {
    rec_.Violation(name + " registered after the sequence had finished");
  }
  if (status.ok() && expect == HelperExpect::kRefused) {
    rec_.Violation(name + " registered after the joins of `threads` "
                          "(want FailedPrecondition)");
  }
  if (refused && (expect == HelperExpect::kAccepted ||
                  expect == HelperExpect::kAcceptedInline)) {
    rec_.Violation(absl::StrCat(
        name, " refused while its parent kept registration open: ",
        status.ToString()));
  }
  if (status.ok() && !called_inline &&
      (expect == HelperExpect::kAcceptedInline ||
       expect == HelperExpect::kEither)) {
    rec_.Violation(name + ": registered after the terminate pass, but "
                          "its callback did not run inside "
                          "RegisterThread()");
  }
}

void Round::CheckShutdownRefused(const std::string& where) {
  auto report = rt_->Shutdown();
  if (report.ok() ||
      report.status().code() != absl::StatusCode::kFailedPrecondition ||
      report.status().message().empty()) {
    rec_.Violation(absl::StrCat(
        "Shutdown() from ", where, ": got ",
        report.ok() ? "a report" : report.status().ToString(),
        ", want FailedPrecondition at once"));
  }
}

void Round::Block() {
  // The only unbounded wait of a round is this gate, and Release() opens it.
  if (!release_.WaitForNotificationWithTimeout(kWaitLimit)) {
    rec_.Violation("a blocking fault was never released");
  }
}

void Round::AddJoinable(std::thread t) {
  absl::MutexLock lock(&mu_);
  joinables_.push_back(std::move(t));
}

// --- Consumers and pools ---------------------------------------------------

void Round::StartConsumer(const ConsumerSpec& spec) {
  auto state = std::make_unique<ConsumerState>();
  ConsumerState* cs = state.get();
  {
    absl::MutexLock lock(&cs->mu);
    cs->seen.name = spec.name;
    cs->seen.overflow = spec.overflow;
    cs->seen.accepted.resize(spec.producers);
  }
  BackgroundConsumerOptions<ConsumerState::Item> options;
  options.runtime = rt_;
  options.capacity = static_cast<size_t>(spec.capacity);
  options.overflow = spec.overflow;
  const int throw_every = spec.throw_every;
  auto consumer = BackgroundConsumer<ConsumerState::Item>::Create(
      spec.name,
      [cs, throw_every](ConsumerState::Item&& item) {
        {
          absl::MutexLock lock(&cs->mu);
          cs->seen.handled.emplace_back(item.producer, item.seq);
        }
        if (throw_every > 0 && item.seq % throw_every == throw_every - 1) {
          throw std::runtime_error("torture: handler throws");
        }
      },
      std::move(options));
  if (!consumer.ok()) {
    rec_.Violation(absl::StrCat("BackgroundConsumer::Create ", spec.name, ": ",
                                consumer.status().ToString()));
    return;
  }
  cs->consumer = std::move(*consumer);
  consumers_.push_back(std::move(state));
  // Producers: registered threads, started one at a time, which push until
  // asked to stop and then a few more (still accepted: `flush` is ahead).
  for (int p = 0; p < spec.producers; ++p) StartProducer(cs, spec, p);
}

void Round::StartProducer(ConsumerState* cs, const ConsumerSpec& spec,
                          int p) {
  const std::string name = absl::StrCat(spec.name, "-p", p);
  auto stop = std::make_shared<absl::Notification>();
  const int record = rec_.AddThread(
      ThreadRecord{name, false, false, false, false, /*registered=*/true});
  ManagedThreadOptions options;
  options.runtime = rt_;
  options.on_terminate = [this, name, stop] {
    rec_.Start(EventKind::kTerminate, name);
    stop->Notify();
  };
  auto push = [cs, p](int seq) {
    if (cs->consumer->Push(ConsumerState::Item{p, seq}).ok()) {
      absl::MutexLock lock(&cs->mu);
      cs->seen.accepted[p].push_back(seq);
    }
  };
  auto thread = ManagedThread::Start(
      name,
      [this, &spec, stop, push, record] {
        int seq = 0;
        for (; seq < spec.items_per_producer; ++seq) push(seq);
        if (!stop->WaitForNotificationWithTimeout(kWaitLimit)) {
          rec_.Violation("producer never asked to stop");
        }
        for (int end = seq + spec.items_after_stop; seq < end; ++seq) {
          push(seq);
        }
        rec_.Ended(record);
      },
      std::move(options));
  if (!thread.ok()) {
    rec_.Violation(
        absl::StrCat("producer ", name, ": ", thread.status().ToString()));
    return;
  }
  managed_.push_back(std::move(*thread));
  rec_.Created(name);
}

void Round::StartPool(const PoolSpec& spec) {
  ThreadPoolOptions options;
  options.runtime = rt_;
  options.num_threads = spec.threads;
  auto pool = ThreadPool::Create(spec.name, options);
  if (!pool.ok()) {
    rec_.Violation(absl::StrCat("ThreadPool::Create ", spec.name, ": ",
                                pool.status().ToString()));
    return;
  }
  ThreadPool* p = pool->get();
  pools_.push_back(std::move(*pool));
  for (const TaskSpec& t : spec.tasks) SubmitTask(*p, spec.name, t, false);
}

Round::Task* Round::SubmitTask(ThreadPool& pool, const std::string& pool_name,
                               const TaskSpec& spec, bool from_blocking_task) {
  // Filled in, then published under mu_ (Trigger() reads the handles).
  auto owned = std::make_unique<Task>();
  Task* task = owned.get();
  task->seen.label = absl::StrCat(pool_name, "/", next_task_++);
  task->seen.behavior = spec.behavior;
  task->seen.throws = spec.fault == Fault::kThrow;
  task->seen.posted_by_blocking_task = from_blocking_task;
  task->handle = pool.Submit(spec.behavior, [this, task, &pool, pool_name,
                                             spec] {
    task->runs.fetch_add(1);
    if (spec.posts_blocking_child) {
      SubmitTask(pool, pool_name,
                 TaskSpec{ShutdownBehavior::kBlockShutdown, Fault::kNone,
                          false},
                 /*from_blocking_task=*/true);
    }
    if (spec.fault == Fault::kBlock) Block();
    if (spec.fault == Fault::kThrow) {
      throw std::runtime_error("torture: task throws");
    }
  });
  if (task->handle.done() &&
      task->handle.Wait().code() == absl::StatusCode::kFailedPrecondition &&
      !rt_->stop_requested()) {
    rec_.Violation(task->seen.label + " refused before any stop request");
  }
  absl::MutexLock lock(&mu_);
  tasks_.push_back(std::move(owned));
  return task;
}

// Submits tasks of every behaviour while the stop races in, until refused.
void Round::RacingSubmitter(ThreadPool* pool, const std::string& pool_name) {
  static constexpr ShutdownBehavior kAll[] = {
      ShutdownBehavior::kContinueOnShutdown, ShutdownBehavior::kSkipOnShutdown,
      ShutdownBehavior::kBlockShutdown};
  for (int n = 0; n < 300; ++n) {
    Task* last = SubmitTask(
        *pool, pool_name, TaskSpec{kAll[n % 3], Fault::kNone, false}, false);
    if (last->handle.done() &&
        last->handle.Wait().code() == absl::StatusCode::kFailedPrecondition) {
      return;
    }
  }
}

// --- Trigger, release, observe ----------------------------------------------

void Round::RunOnTriggerThread(absl::AnyInvocable<void()> action) {
  ThreadState& st = *threads_[s_.trigger_thread];
  st.trigger_action = std::move(action);
  st.trigger.Notify();
}

std::shared_ptr<const ShutdownReport> Round::ShutdownFrom(const char* who) {
  auto r = rt_->Shutdown();
  if (!r.ok()) {
    rec_.Violation(
        absl::StrCat("Shutdown() from ", who, ": ", r.status().ToString()));
    return nullptr;
  }
  return *r;
}

std::shared_ptr<const ShutdownReport> Round::Trigger() {
  std::shared_ptr<const ShutdownReport> report;
  auto shutdown = [this](const char* who) { return ShutdownFrom(who); };
  // Threads waiting for a trigger that is not theirs go on at once.
  for (size_t i = 0; i < threads_.size(); ++i) {
    if (static_cast<int>(i) != s_.trigger_thread ||
        (s_.trigger != Trigger::kRequestStopFromThread &&
         s_.trigger != Trigger::kShutdownFromThread)) {
      threads_[i]->trigger.Notify();
    }
  }
  switch (s_.trigger) {
    case Trigger::kShutdownFromMain:
      report = shutdown("main");
      break;
    case Trigger::kRequestStopFromThread: {
      ThreadState& st = *threads_[s_.trigger_thread];
      RunOnTriggerThread([this] {
        rt_->RequestStop(StopReason::Message("torture: from a thread"));
      });
      if (!st.triggered.WaitForNotificationWithTimeout(kWaitLimit)) {
        rec_.Violation("the trigger thread never requested the stop");
      }
      report = shutdown("main");
      if (report != nullptr &&
          std::string(report->reason.text()) != "torture: from a thread") {
        rec_.Violation("the report's reason is not the first request's: " +
                       report->reason.ToString());
      }
      break;
    }
    case Trigger::kShutdownFromThread:
      report = ShutdownFromTriggerThread();
      break;
    case Trigger::kConcurrentShutdowns: {
      std::shared_ptr<const ShutdownReport> other;
      std::thread t([&] { other = shutdown("a second thread"); });
      report = shutdown("main");
      t.join();
      if (other != nullptr) {
        absl::MutexLock lock(&mu_);
        other_reports_.push_back(other);
      }
      break;
    }
  }
  threads_at_report_ = rec_.Snapshot().threads;
  absl::MutexLock lock(&mu_);
  for (auto& t : tasks_) t->seen.done_at_report = t->handle.done();
  return report;
}

// Shutdown() on a registered thread returns FailedPrecondition naming it at
// once; on a daemon thread it waits for the sequence and returns the report.
std::shared_ptr<const ShutdownReport> Round::ShutdownFromTriggerThread() {
  ThreadState& st = *threads_[s_.trigger_thread];
  const bool daemon = st.spec->daemon;
  const std::string name = st.spec->name;
  RunOnTriggerThread([this, daemon, name] {
    auto r = rt_->Shutdown();
    if (daemon && r.ok()) {
      absl::MutexLock lock(&mu_);
      other_reports_.push_back(*r);
    } else if (daemon || r.ok() ||
               r.status().code() != absl::StatusCode::kFailedPrecondition ||
               !absl::StrContains(r.status().message(), name)) {
      rec_.Violation(absl::StrCat(
          "Shutdown() on registered ", daemon ? "daemon " : "", "thread ",
          name, ": got ", r.ok() ? "a report" : r.status().ToString(),
          daemon ? ", want the report" : ", want FailedPrecondition "
                                         "naming the thread"));
    }
  });
  // A non-daemon caller returns at once; a daemon one waits for the end.
  if (!daemon && !st.triggered.WaitForNotificationWithTimeout(kWaitLimit)) {
    rec_.Violation("Shutdown() on a non-daemon thread did not return");
  }
  return ShutdownFrom("main");
}

void Round::Release() {
  if (released_ || rt_ == nullptr) return;
  released_ = true;
  release_.Notify();
  // Join() explicitly: every body returns once released. (The destructor
  // alone would not wait for a thread the sequence gave up on.)
  for (ManagedThread& t : managed_) (void)t.Join();
  managed_.clear();
  for (;;) {
    std::vector<std::thread> joinables;
    {
      absl::MutexLock lock(&mu_);
      joinables.swap(joinables_);
    }
    if (joinables.empty()) break;
    for (std::thread& t : joinables) t.join();
  }
  // Destroy the consumers; their states (what they saw) stay for Observe().
  for (auto& c : consumers_) c->consumer.reset();
  pools_.clear();      // Completes every handle that was not yet.
}

Observed Round::Observe(std::shared_ptr<const ShutdownReport> report) {
  Observed o;
  o.recorded = rec_.Snapshot();
  o.threads_at_report = threads_at_report_;
  o.plan = plan_;
  o.report = report;
  o.torn_down = released_;
  for (auto& c : consumers_) {
    absl::MutexLock lock(&c->mu);
    o.consumers.push_back(c->seen);
  }
  absl::MutexLock lock(&mu_);
  for (const auto& other : other_reports_) {
    if (other != report) {
      o.recorded.violations.push_back(
          "two Shutdown() callers got different reports");
    }
  }
  for (auto& t : tasks_) {
    TaskObserved seen = t->seen;
    seen.runs = t->runs.load();
    seen.completed = t->handle.done();
    if (seen.completed) seen.status = t->handle.Wait();
    o.tasks.push_back(std::move(seen));
  }
  return o;
}

}  // namespace torture
}  // namespace orderly
