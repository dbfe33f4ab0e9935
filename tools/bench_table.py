#!/usr/bin/env python3
# Copyright 2026 The orderly Authors.
"""Prints the whole benchmark table: every orderly figure over its anchors.

  tools/bench_table.py                  # builds --config=opt, 5 repetitions
  tools/bench_table.py --repetitions=9  # more repetitions
  tools/bench_table.py --no-build       # uses the binaries in bazel-bin/

Runs //benchmarks:runtime_benchmark and //benchmarks:blocks_benchmark.
Each comparison's benchmarks (an orderly figure and its baselines) form a
group, and each repetition of a group is one process that runs each of its
benchmarks once, in a random order (--benchmark_enable_random_interleaving).
The two sides of a ratio are so measured in the same process, moments
apart: this machine's speed moves by a third from one process to the next
(BM_StopRequested: 0.28 ns in one, 0.40 ns in the next, for both sides),
and a ratio taken within a process cancels that. For each comparison it
prints the ratio orderly time / baseline time: the median of the N
per-repetition ratios, and their min and max. Below 1 means orderly is
faster. The header names the date, the machine, the compiler and the load
average before and after (the machine is shared: quote the load with every
figure). benchmarks/README.md is written from this output. Exits 1 if a
target is not met.
"""

import argparse
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARIES = ("runtime_benchmark", "blocks_benchmark")

# (figure, orderly benchmark, baseline benchmark, target on the median ratio
# or None when the figure is only reported).
RUNTIME = [
    ("stop_requested() / raw acquire load", "BM_StopRequested",
     "BM_StopRequested_Baseline_AtomicLoad", 1.05),
    ("register + unregister, 1 thread / mutex + std::list",
     "BM_RegisterUnregister/threads:1",
     "BM_RegisterUnregister_Baseline_MutexList/threads:1", 0.6),
    ("register + unregister, 2 threads / mutex + std::list",
     "BM_RegisterUnregister/threads:2",
     "BM_RegisterUnregister_Baseline_MutexList/threads:2", None),
] + [
    (f"shutdown of {n} blocked threads / hand-written loop",
     f"BM_ShutdownThreads/{n}/iterations:10/manual_time",
     f"BM_ShutdownThreads_Baseline_HandWritten/{n}/iterations:10/manual_time",
     1.0) for n in (100, 1000, 4000)
]

POOL_ANCHORS = [("plain mutex + condvar pool", "BM_Pool_MutexCondvar", 1.0),
                ("boost::asio::thread_pool", "BM_Pool_BoostAsio", 0.4),
                ("oneTBB task_arena::enqueue", "BM_Pool_OneTbbArenaEnqueue",
                 None)]
QUEUE_ANCHORS = [("moodycamel BlockingConcurrentQueue",
                  "BM_Push_MoodycamelBlockingQueue", 1.0),
                 ("spdlog mpmc_blocking_queue",
                  "BM_Push_SpdlogMpmcBlockingQueue", None),
                 ("mutex + condvar + deque", "BM_Push_MutexCondvarDeque",
                  None)]


def blocks_figures():
  figures = []
  for side in ("BlockShutdown", "SkipOnShutdown"):
    for k in (1, 4):
      for name, bench, target in POOL_ANCHORS:
        figures.append((
            f"pool {side}, {k} submitter{'s' if k > 1 else ''} / {name}",
            f"BM_Pool_Orderly_{side}/{k}/manual_time",
            f"{bench}/{k}/manual_time", target if k == 1 else None))
  for k in (1, 4):
    for name, bench, target in QUEUE_ANCHORS:
      figures.append((
          f"push, {k} producer{'s' if k > 1 else ''} / {name}",
          f"BM_Push_BackgroundConsumer/{k}/manual_time",
          f"{bench}/{k}/manual_time", target if k == 1 else None))
  figures.append(("drain 1,000,000 at shutdown / pop one per lock",
                  "BM_Drain_BackgroundConsumerAtShutdown/manual_time",
                  "BM_Drain_MutexDequeOneByOne/manual_time", None))
  return figures


def load():
  with open("/proc/loadavg") as f:
    return " ".join(f.read().split()[:3])


def machine():
  model = "?"
  with open("/proc/cpuinfo") as f:
    for line in f:
      if line.startswith("model name"):
        model = line.split(":", 1)[1].strip()
        break
  return f"{os.cpu_count()} cores, {model}, {platform.release()}"


def groups(figures):
  """The comparisons' benchmarks, joined into groups that share one."""
  found = []  # Lists of benchmark names.
  for _, mine, base, _ in figures:
    merged = [mine, base]
    for g in [g for g in found if mine in g or base in g]:
      found.remove(g)
      merged += g
    found.append(list(dict.fromkeys(merged)))
  return found


def run_once(binary, names):
  """One process that runs each of `names` once: {name: [real_time]}."""
  path = os.path.join(ROOT, "bazel-bin", "benchmarks", binary)
  pattern = "^(" + "|".join(re.escape(n) for n in names) + ")$"
  out = subprocess.run(
      [path, f"--benchmark_filter={pattern}",
       "--benchmark_repetitions=1",
       "--benchmark_enable_random_interleaving=true",
       "--benchmark_format=json"],
      check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
      cwd=ROOT).stdout
  times = {}
  for b in json.loads(out)["benchmarks"]:
    if b.get("run_type") != "iteration" or b.get("error_occurred"):
      continue
    times.setdefault(b["run_name"], []).append(b["real_time"])
  return times


def run(binary, figures, repetitions, only):
  """One {name: real_time} per process: repetition i of a group's
  benchmarks comes from one process."""
  processes = []
  todo = [g for g in groups(figures)
          if not only or any(re.search(only, n) for n in g)]
  for _ in range(repetitions):
    for g in todo:
      processes.append({name: t[0] for name, t in run_once(binary, g).items()})
  return processes


def ratios(processes, mine, base):
  """Pairs the two sides process by process (a process in which either
  side failed gives no pair)."""
  pairs = [(p[mine], p[base]) for p in processes if mine in p and base in p]
  if not pairs:
    return None
  ratio = [a / b for a, b in pairs]
  return statistics.median(ratio), min(ratio), max(ratio), \
      [a for a, _ in pairs], [b for _, b in pairs]


def main():
  parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
  parser.add_argument("--repetitions", type=int, default=5)
  parser.add_argument("--no-build", action="store_true")
  parser.add_argument("--filter", default="",
                      help="runs only the groups with a benchmark whose name "
                      "matches this regular expression (testing)")
  args = parser.parse_args()
  if not args.no_build:
    subprocess.run(["bazel", "build", "--config=opt"] +
                   [f"//benchmarks:{b}" for b in BINARIES],
                   check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
  compiler = subprocess.run(["clang", "--version"], stdout=subprocess.PIPE,
                            text=True).stdout.splitlines()[0]
  start = datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M UTC")
  load_before = load()
  results = []
  for binary, figures in (("runtime_benchmark", RUNTIME),
                          ("blocks_benchmark", blocks_figures())):
    times = run(binary, figures, args.repetitions, args.filter)
    results += [(f, ratios(times, m, b), t) for f, m, b, t in figures]
  print(f"Run of {start}; {machine()}; {compiler}; --config=opt")
  print(f"load average (1, 5, 15 min) before: {load_before}; "
        f"after: {load()}; {args.repetitions} repetitions, each side of a ratio "
        f"from the same process")
  print()
  print("| figure | ratio orderly / baseline: median | min - max | "
        "orderly median | baseline median | target |")
  print("|---|---|---|---|---|---|")
  failed = 0
  for figure, r, target in results:
    if r is None:
      print(f"| {figure} | not run | | | | |")
      continue
    med, lo, hi, mine, base = r
    verdict = ""
    if target is not None:
      ok = med <= target
      failed += not ok
      verdict = f"<= {target}: {'met' if ok else 'NOT met'}"
    print(f"| {figure} | {med:.3f} | {lo:.3f} - {hi:.3f} | "
          f"{statistics.median(mine):.4g} | {statistics.median(base):.4g} | "
          f"{verdict} |")
  print()
  print("Times in the binaries' units (ns; ms for pools, pushes, drains, "
        "shutdowns), wall clock.")
  return 1 if failed else 0


if __name__ == "__main__":
  sys.exit(main())
