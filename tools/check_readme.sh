#!/usr/bin/env bash
# Builds the README's snippets exactly as written (CI runs it):
#   bazel  the "Use it from your Bazel workspace" files (WORKSPACE, .bazelrc,
#          BUILD) in a fresh workspace, with orderly at third_party/orderly
#          and the README's quick start as quickstart.cc; runs it.
#   cmake  the "CMake quick start" commands, from orderly's folder, into a
#          temporary build folder and prefix (the only edits: build -> the
#          temporary folder, /usr/local -> the temporary prefix).
# Usage: tools/check_readme.sh bazel|cmake
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
readonly ROOT=$PWD

# The fenced block after the line "<!-- readme-check: NAME -->".
block() {
  awk -v want="<!-- readme-check: $1 -->" '
    $0 == want { found = 1; next }
    found && /^```/ { if (inside) exit; inside = 1; next }
    inside { print }' README.md
}
# The README's quick start program: the first ```cpp block.
quickstart() { awk '/^```cpp/ { inside = 1; next } inside && /^```/ { exit } inside' README.md; }

case "${1:-}" in
  bazel)
    ws=$(mktemp -d)
    for f in WORKSPACE .bazelrc BUILD; do
      block "${f}" >"${ws}/${f}"
      [[ -s "${ws}/${f}" ]] || { echo "check_readme: no ${f} block"; exit 1; }
    done
    quickstart >"${ws}/quickstart.cc"
    mkdir -p "${ws}/third_party"
    ln -s "${ROOT}" "${ws}/third_party/orderly"
    cd "${ws}"
    status=0
    out=$(bazel run //:quickstart 2>/dev/null) || status=$?
    bazel shutdown 2>/dev/null || true
    printf '%s\n' "${out}"
    ((status == 0)) && grep -q 'worker: done' <<<"${out}" ||
      { echo "check_readme: the README's Bazel workspace failed (${status})"; exit 1; }
    ;;
  cmake)
    tmp=$(mktemp -d)
    block cmake | sed -e "s# build# ${tmp}/build#g" -e "s#/usr/local#${tmp}/prefix#g" \
      >"${tmp}/commands.sh"
    cat "${tmp}/commands.sh"
    bash -euxo pipefail "${tmp}/commands.sh"
    test -f "${tmp}/prefix/lib/cmake/orderly/orderlyConfig.cmake"
    echo "${tmp}/prefix" >"${ROOT}/.cmake-prefix"  # for the consumer steps
    ;;
  *) echo "usage: $0 bazel|cmake" >&2; exit 2 ;;
esac
