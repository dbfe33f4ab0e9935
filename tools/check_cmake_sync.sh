#!/usr/bin/env bash
# Fails when the CMake build and the Bazel build could disagree:
#   1. cmake/bazel_targets.cmake is not what tools/bazel_to_cmake.py writes
#      from the BUILD files today (a file or dependency added to a BUILD file
#      and not regenerated); the message says how to fix it;
#   2. a source or header under runtime/ blocks/ render/ hooks/ sanitizers/
#      tests/ examples/ benchmarks/ is in no BUILD rule at all (so neither
#      build would compile it: a file someone forgot to list);
#   3. CHANGELOG.md's newest release is not runtime/version.h's version, or
#      examples/cmake_consumer or cmake_adapters_consumer asks
#      find_package() for another minor one.
# Run from anywhere; needs bazel (CI runs it after the Bazel build).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

status=0
python3 tools/bazel_to_cmake.py --check || status=1

# 2. Every C++ file in a package is an input of some rule.
listed=$(bazel query 'labels(srcs, //...) + labels(hdrs, //...)' 2>/dev/null |
  sed -n 's#^//\([^:]*\):\(.*\)#\1/\2#p' | sed 's#^/##' | sort -u)
while IFS= read -r file; do
  if ! grep -qxF "${file}" <<<"${listed}"; then
    echo "check_cmake_sync: ${file} is in no BUILD rule (srcs or hdrs)"
    status=1
  fi
done < <(git ls-files -- 'runtime/*' 'blocks/*' 'render/*' 'hooks/*' \
  'sanitizers/*' 'tests/*' 'examples/*' 'benchmarks/*' |
  grep -E '\.(h|cc)$' | grep -v '^examples/\(consumer\|cmake_consumer\|cmake_adapters_consumer\)/' |
  grep -v '^tests/adapters/grpc/')  # CMake only: cmake/OrderlyGrpc.cmake

# 3. One version.
version=$(sed -n 's/^#define ORDERLY_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\)$/\2/p' \
  runtime/version.h | paste -sd.)
changelog=$(sed -n 's/^## \[\([0-9][0-9.]*\)\].*/\1/p' CHANGELOG.md | head -n1)
if [[ "${version}" != "${changelog}" ]]; then
  echo "check_cmake_sync: runtime/version.h says ${version}, CHANGELOG.md's newest release is ${changelog:-none}"
  status=1
fi
minor=${version%.*}
for consumer in cmake_consumer cmake_adapters_consumer; do
  if ! grep -qF "find_package(orderly ${minor} REQUIRED" "examples/${consumer}/CMakeLists.txt"; then
    echo "check_cmake_sync: examples/${consumer}/CMakeLists.txt does not ask for find_package(orderly ${minor} REQUIRED ...)"
    status=1
  fi
done
((status == 0)) && echo "check_cmake_sync: CMake targets match the BUILD files; version ${version}"
exit "${status}"
