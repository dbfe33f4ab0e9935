#!/usr/bin/env bash
# Compiles every public orderly header alone (g++, C++17), and all of them
# together in one consumer translation unit under clang++ and g++, as C++17
# and as C++20: -Wall -Wextra -Wpedantic -Werror, against the installed
# headers (so that a header the install forgot fails too). Then checks that C++14 stops with
# orderly's own #error first.
#
#   tools/check_headers.sh <install prefix>     (after cmake --install)
#
# Abseil comes from the system (Debian's libabsl-dev), as for a CMake user.
set -euo pipefail
readonly PREFIX=$1
readonly INC="${PREFIX}/include/orderly"
[[ -f "${INC}/runtime/runtime.h" ]] || { echo "no ${INC}/runtime/runtime.h"; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "${work}"' EXIT
mapfile -t headers < <(cd "${INC}" && find . -name '*.h' -not -path '*/internal/*' |
  sed 's#^\./##' | sort)
: >"${work}/all.cc"
for h in "${headers[@]}"; do
  printf '#include "%s"\n' "${h}" >"${work}/$(echo "${h}" | tr / _).cc"
  printf '#include "%s"\n' "${h}" >>"${work}/all.cc"
done
echo 'int main() { return 0; }' >>"${work}/all.cc"

failed=0
# Each header alone once (it includes what it uses: g++, C++17), and all of
# them together under both compilers and both standards (every header's
# warnings, in one translation unit each): 4 + N compiles, not 4 * N.
{
  for tu in "${work}"/*.cc; do
    [[ "${tu}" == "${work}/all.cc" ]] && continue
    echo "g++ -std=c++17 -Wall -Wextra -Wpedantic -Werror -fsyntax-only -I${INC} ${tu}"
  done
  for cxx in clang++ g++; do
    for std in c++17 c++20; do
      echo "${cxx} -std=${std} -Wall -Wextra -Wpedantic -Werror -fsyntax-only -I${INC} ${work}/all.cc"
    done
  done
} >"${work}/commands"
# Two at a time (the machine has two cores); each line prints on failure.
if ! xargs -P2 -I{} sh -c '{} 2>&1 || { echo "FAILED: {}"; exit 255; }' \
  <"${work}/commands" >"${work}/log" 2>&1; then
  failed=1
fi
grep -B30 '^FAILED' "${work}/log" | head -80 || true

# Below C++17: orderly's message, first.
first=$(clang++ -std=c++14 -fsyntax-only -I"${INC}" "${work}/all.cc" 2>&1 |
  grep -m1 'error' || true)
if [[ "${first}" != *"orderly needs C++17 or later (-std=c++17)"* ]]; then
  echo "check_headers: below C++17 the first error is not orderly's: ${first}"
  failed=1
fi
n=$(wc -l <"${work}/commands")
((failed == 0)) && echo "check_headers: ${#headers[@]} public headers, alone and together: ${n} compiles clean; C++14 stops with orderly's #error"
exit "${failed}"
