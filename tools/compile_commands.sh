#!/usr/bin/env bash
# Writes compile_commands.json at the root, for clangd and clang-tidy.
#
#   tools/compile_commands.sh [BAZEL_TARGETS...]   (default: //...)
#
# Bazel 4.2.3 has no built-in exporter and the usual one is not reachable
# offline, so this asks Bazel itself: `bazel aquery` lists every C++ compile
# action with its exact arguments, and a few lines of Python turn them into
# the JSON Compilation Database format. Paths point into Bazel's execution
# root, where generated headers and external repositories live.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
targets=("${@:-//...}")
execroot=$(bazel info execution_root 2>/dev/null)
bazel build "${targets[@]}" >/dev/null 2>&1 || true  # Generated headers.
bazel aquery --output=jsonproto \
  "mnemonic('CppCompile', deps(set(${targets[*]})))" 2>/dev/null |
  python3 -c '
import json, sys
execroot = sys.argv[1]
actions = json.load(sys.stdin).get("actions", [])
out = []
for a in actions:
    args = a["arguments"]
    src = next((args[i + 1] for i, x in enumerate(args) if x == "-c"), None)
    if src is None:
        continue
    out.append({"directory": execroot, "arguments": args, "file": src})
json.dump(out, sys.stdout, indent=1)
print(f"{len(out)} entries", file=sys.stderr)
' "${execroot}" >compile_commands.json
echo "wrote compile_commands.json" >&2
