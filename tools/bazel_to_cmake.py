#!/usr/bin/env python3
# Copyright 2026 The orderly Authors.
"""Writes cmake/bazel_targets.cmake from the Bazel BUILD files.

The BUILD files are the one list of orderly's sources and dependencies. This
script turns `bazel query --output=xml` of every C++ rule into calls of the
CMake functions in cmake/OrderlyBazelRules.cmake (orderly_cc_library,
orderly_cc_binary, orderly_cc_test), so that CMake builds exactly what Bazel
builds, from the same lists.

  tools/bazel_to_cmake.py            # rewrites cmake/bazel_targets.cmake
  tools/bazel_to_cmake.py --check    # exits 1 (and shows the diff) when stale

CI runs --check (tools/check_cmake_sync.sh): a file added to a BUILD file but
not to CMake fails CI with the command that fixes it. The script refuses what
it cannot translate faithfully (an unknown attribute, an external repository
it has no mapping for, two installable libraries with one name), naming the
rule, rather than writing a CMake build that differs from Bazel's.

Reads from stdin instead of running bazel with --xml=-, for tests.
"""

import argparse
import difflib
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "cmake", "bazel_targets.cmake")

# Packages whose libraries are installed and exported as orderly::<name>.
LIBRARY_PACKAGES = ("runtime", "blocks", "render", "hooks", "sanitizers")

QUERY = ('kind("cc_(library|binary|test) rule", //...) + '
         'kind("filegroup rule", //...)')

# Attributes that carry no build meaning for CMake. Everything else a rule
# sets must be handled below, or the script stops.
IGNORED = {"name", "visibility", "copts", "testonly", "size", "tags",
           "generator_name", "generator_function", "generator_location",
           "timeout", "flaky",
           # A gtest binary run unsharded runs every shard's tests.
           "shard_count"}
HANDLED = {"srcs", "hdrs", "deps", "data", "args", "alwayslink", "linkopts",
           "env", "defines", "linkshared"}

TIMEOUTS = {"small": 60, "medium": 300, "large": 900, "enormous": 3600}


class Error(Exception):
  pass


def external(label, rule):
  """The CMake target for a dependency in another repository."""
  repo, _, rest = label[1:].partition("//")
  pkg, _, name = rest.partition(":")
  if repo == "com_google_absl":
    return "absl::" + name
  if repo == "com_google_googletest" and name in ("gtest", "gtest_main"):
    # Bazel's gtest targets include gMock; so do CMake's gmock ones.
    return "GTest::" + name.replace("gtest", "gmock")
  if repo == "com_github_google_benchmark" and name in ("benchmark",
                                                         "benchmark_main"):
    return "benchmark::" + name
  raise Error(f"{rule}: no CMake target known for {label}; add one to "
              f"external() in tools/bazel_to_cmake.py")


def parse(xml_text):
  rules = {}
  for node in ET.fromstring(xml_text).iter("rule"):
    rule = {"class": node.get("class"), "label": node.get("name")}
    for attr in node:
      name = attr.get("name")
      if attr.tag == "list":
        rule[name] = [item.get("value") for item in attr]
      elif attr.tag == "dict":
        rule[name] = {
            p.find("string[1]").get("value") if p.find("string[1]") is not None
            else p[0].get("value"): p[1].get("value")
            for p in attr}
      elif attr.tag in ("string", "boolean", "label", "int"):
        rule[name] = attr.get("value")
    rules[rule["label"]] = rule
  return rules


def package_of(label):
  return label[2:].partition(":")[0]


def cmake_name(label, rules):
  """The CMake target name of an orderly rule."""
  pkg, _, name = label[2:].partition(":")
  rule = rules.get(label)
  if (rule is not None and rule["class"] == "cc_library" and
      pkg in LIBRARY_PACKAGES and "testonly" not in rule.get("_flags", ())):
    return "orderly_" + name
  return "orderly_" + pkg.replace("/", "_") + "_" + name


def file_path(label):
  pkg, _, name = label[2:].partition(":")
  return f"{pkg}/{name}" if pkg else name


def translate(rules):
  out = []
  installed = {}
  link_deps = {}  # installed library -> the installed libraries it uses
  for label in sorted(rules):
    rule = rules[label]
    if rule["class"] == "filegroup":
      continue
    for attr in rule:
      if attr in ("class", "label", "_flags") or attr in IGNORED or attr in HANDLED:
        continue
      raise Error(f"{label}: attribute '{attr}' has no CMake translation in "
                  f"tools/bazel_to_cmake.py")
    tags = rule.get("tags", [])
    if "manual" in tags:
      continue  # Not built by `bazel build //...` either.
    pkg = package_of(label)
    name = cmake_name(label, rules)
    kind = rule["class"][3:]  # library, binary, test
    if kind == "library" and name == "orderly_" + label.partition(":")[2]:
      if name in installed:
        raise Error(f"{label} and {installed[name]} would both be "
                    f"orderly::{name[8:]}: rename one")
      installed[name] = label
      link_deps[name] = [d for d in rule.get("deps", [])]
    args = [f"orderly_cc_{kind}({name}", f"  PACKAGE {pkg or '.'}",
            f"  BAZEL_LABEL {label}"]
    flags = []
    if rule.get("alwayslink") == "true":
      flags.append("ALWAYSLINK")
    if rule.get("testonly") == "true":
      flags.append("TESTONLY")
    if "clang-only" in tags:
      flags.append("CLANG_ONLY")
    if rule.get("linkshared") == "true":
      flags.append("SHARED")
    if flags:
      args.append("  " + " ".join(flags))
    if kind == "test":
      args.append(f"  TIMEOUT {TIMEOUTS[rule.get('size', 'medium')]}")

    def section(key, values):
      if values:
        args.append(f"  {key}")
        args.extend(f"    {v}" for v in values)

    section("SRCS", [file_path(s) for s in rule.get("srcs", [])])
    section("HDRS", [file_path(h) for h in rule.get("hdrs", [])])
    deps = []
    for dep in rule.get("deps", []):
      if dep.startswith("@"):
        deps.append(external(dep, label))
      elif dep not in rules:
        raise Error(f"{label}: dependency {dep} is not a C++ rule")
      elif "manual" in rules[dep].get("tags", []):
        raise Error(f"{label}: depends on manual target {dep}")
      elif rules[dep].get("alwayslink") == "true":
        # Bazel links every object of an alwayslink library; so must CMake.
        # By its orderly:: name when installed: install(EXPORT) does not
        # rename targets inside this generator expression.
        whole = cmake_name(dep, rules)
        if package_of(dep) in LIBRARY_PACKAGES and whole.startswith("orderly_"):
          whole = "orderly::" + whole[len("orderly_"):]
        deps.append(f"$<LINK_LIBRARY:WHOLE_ARCHIVE,{whole}>")
      else:
        deps.append(cmake_name(dep, rules))
    section("DEPS", deps)
    section("DEFINES", rule.get("defines", []))
    linkopts = []
    for opt in rule.get("linkopts", []):
      if opt in ("-pthread", "-lpthread"):
        linkopts.append("Threads::Threads")
      elif opt.startswith("-l") and len(opt) > 2:
        linkopts.append(opt[2:])  # A system library, e.g. -lzmq -> zmq.
      elif opt == "-rdynamic":
        linkopts.append(opt)
      else:
        raise Error(f"{label}: linkopt {opt} has no CMake translation")
    section("LINK", linkopts)
    section("ARGS", [piece for a in rule.get("args", [])
                     for piece in cmake_arg(a, label, rules)])
    section("DATA_TARGETS", [cmake_name(d, rules) for d in rule.get("data", [])
                             if rules.get(d, {}).get("class", "").startswith(
                                 "cc_")])
    env = rule.get("env") or {}
    section("ENV", [f"{k}={v}" for k, v in sorted(env.items())])
    out.append("\n".join(args) + ")\n")
  out.append(summary(rules, installed, link_deps))
  return out


def summary(rules, installed, link_deps):
  """What pkg-config's orderly.pc lists: libraries, dependents first."""
  order, seen = [], set()

  def visit(name):
    if name in seen:
      return
    seen.add(name)
    for dep in link_deps[name]:
      if not dep.startswith("@") and cmake_name(dep, rules) in installed:
        visit(cmake_name(dep, rules))
    order.append(name)

  for name in sorted(installed):
    visit(name)
  archives = [n for n in reversed(order)
              if any(s.endswith(".cc") for s in rules[installed[n]].get(
                  "srcs", []))]
  absl = sorted({external(d, "") for n in installed for d in link_deps[n]
                 if d.startswith("@com_google_absl//")})
  lines = ["# Installed libraries with objects, each before the ones it uses "
           "(orderly.pc),", "# and the Abseil libraries they use.",
           "set(ORDERLY_LINK_ORDER"]
  lines += [f"  {n}" for n in archives]
  lines[-1] += ")"
  lines.append("set(ORDERLY_ABSL_DEPS")
  lines += [f"  {n}" for n in absl]
  lines[-1] += ")"
  return "\n".join(lines) + "\n"


def cmake_arg(arg, label, rules):
  """A test argument: $(rootpath X) / $(location(s) X) made CMake paths."""
  for fn in ("rootpath", "location", "locations", "rootpaths"):
    prefix = f"$({fn} "
    if arg.startswith(prefix) and arg.endswith(")"):
      target = arg[len(prefix):-1]
      if not target.startswith(("//", "@")):
        # ":x" and a bare "x" both name something in the label's package.
        target = f"//{package_of(label)}:{target.lstrip(':')}"
      elif target.startswith("//") and ":" not in target:
        target = f"{target}:{target.rsplit('/', 1)[-1]}"
      rule = rules.get(target)
      if rule is None:
        return ["${PROJECT_SOURCE_DIR}/" + file_path(target)]
      if rule["class"] == "filegroup":
        return ["${PROJECT_SOURCE_DIR}/" + file_path(s)
                for s in rule.get("srcs", [])]
      return [f"$<TARGET_FILE:{cmake_name(target, rules)}>"]
  if "$(" in arg:
    raise Error(f"{label}: argument {arg} has no CMake translation")
  return [arg]


def generate(xml_text):
  rules = parse(xml_text)
  for rule in rules.values():
    if rule.get("testonly") == "true":
      rule["_flags"] = ("testonly",)
  body = translate(rules)
  for rule in rules.values():
    rule.pop("_flags", None)
  head = ("# Generated by tools/bazel_to_cmake.py from the BUILD files: do not "
          "edit.\n"
          "# After changing a BUILD file, run tools/bazel_to_cmake.py; CI\n"
          "# (tools/check_cmake_sync.sh) fails while this file is stale.\n\n")
  return head + "\n".join(body)


def main():
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--check", action="store_true",
                      help="fail, with a diff, if the file is stale")
  parser.add_argument("--xml", help="read query XML from this file (- = stdin)")
  opts = parser.parse_args()
  if opts.xml:
    xml_text = (sys.stdin if opts.xml == "-" else open(opts.xml)).read()
  else:
    xml_text = subprocess.run(
        ["bazel", "query", "--output=xml", QUERY], cwd=ROOT, check=True,
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        universal_newlines=True).stdout
  try:
    text = generate(xml_text)
  except Error as e:
    sys.exit(f"bazel_to_cmake: error: {e}")
  old = open(OUT).read() if os.path.exists(OUT) else ""
  if opts.check:
    if old != text:
      sys.stdout.writelines(difflib.unified_diff(
          old.splitlines(True), text.splitlines(True),
          "cmake/bazel_targets.cmake (committed)",
          "cmake/bazel_targets.cmake (from the BUILD files)"))
      sys.exit("bazel_to_cmake: cmake/bazel_targets.cmake does not match the "
               "BUILD files.\n  Fix: tools/bazel_to_cmake.py && git add "
               "cmake/bazel_targets.cmake")
    return
  os.makedirs(os.path.dirname(OUT), exist_ok=True)
  with open(OUT, "w") as f:
    f.write(text)


if __name__ == "__main__":
  main()
