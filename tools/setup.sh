#!/usr/bin/env bash
# Prepares a Debian bookworm machine to build orderly offline.
#
#   tools/setup.sh          # installs what is missing; a no-op when all is there
#
# What it does, each step skipped when already done:
#   1. installs the Debian packages the build needs (Bazel 4.2.3, clang 14 and
#      its sanitizer runtimes, Debian's Bazel rule sets, Boost, oneTBB,
#      moodycamel's queue and spdlog (the benchmarks' anchors, //system),
#      HAProxy and curl for tools/rolling_restart.sh; for
#      the CMake build: CMake, Ninja, pkg-config and Debian's prebuilt Abseil,
#      GoogleTest/gMock and Google Benchmark; for the adapters and their
#      tests: Boost.Asio (libboost-dev), spdlog over fmt, ZeroMQ and cppzmq,
#      gRPC with protoc and its C++ plugin (cmake/OrderlyGrpc.cmake));
#   2. adds a deb-src entry for bookworm/main, so that apt can fetch sources;
#   3. fetches the Debian source packages of Abseil, GoogleTest and Google
#      Benchmark into third_party/ (ignored by git), checks every file against
#      the SHA-256 sums in its .dsc, unpacks them with Debian's patches applied
#      (abseil carries a CVE fix), and leaves one folder per repository.
#
# The build uses these sources, not Debian's prebuilt libraries, so that the
# TSan and ASan builds instrument them too (../shared/BUILDING.md).
#
# Network: Debian's archive only. Needs root (or sudo) for steps 1 and 2.
set -euo pipefail

readonly ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly TP="${ROOT}/third_party"
readonly PACKAGES=(bazel-bootstrap bazel-skylib bazel-platforms clang
  libclang-rt-14-dev dpkg-dev libboost-dev libtbb-dev libconcurrentqueue-dev
  libspdlog-dev haproxy curl
  cmake ninja-build pkg-config libabsl-dev libgtest-dev libgmock-dev
  libbenchmark-dev libfmt-dev libzmq3-dev cppzmq-dev
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc)
# source package -> upstream version the BUILD files were written against.
readonly SOURCES=("abseil:20220623.1" "googletest:1.12.1" "benchmark:1.7.1")
readonly SRC_LIST=/etc/apt/sources.list.d/orderly-deb-src.sources
readonly STAMP="${TP}/.setup-done"

log() { printf 'setup: %s\n' "$*" >&2; }
die() {
  printf 'setup: error: %s\n' "$1" >&2
  shift
  for line in "$@"; do printf '       %s\n' "${line}" >&2; done
  exit 1
}

# Runs a command as root: directly, or through sudo when that is available.
as_root() {
  if [[ "$(id -u)" == 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "'$*' needs root, and sudo is not installed." \
      "Run tools/setup.sh as root once, or install: ${PACKAGES[*]}"
  fi
}

stamp_text() {
  printf '%s\n' "${SOURCES[@]}"
  sha256sum "${BASH_SOURCE[0]}" | cut -d' ' -f1
}

if [[ -f "${STAMP}" ]] && [[ "$(cat "${STAMP}")" == "$(stamp_text)" ]] &&
  command -v bazel >/dev/null 2>&1 && command -v cmake >/dev/null 2>&1; then
  exit 0  # All done before: the common, quick path.
fi

[[ -r /etc/debian_version ]] ||
  die "this set-up needs Debian bookworm (apt, dpkg); /etc/debian_version is missing."

# 1. Debian packages.
missing=()
for pkg in "${PACKAGES[@]}"; do
  status="$(dpkg-query -W -f='${Status}' "${pkg}" 2>/dev/null || true)"
  [[ "${status}" == "install ok installed" ]] || missing+=("${pkg}")
done
if ((${#missing[@]})); then
  log "installing Debian packages: ${missing[*]}"
  as_root apt-get update -q >/dev/null ||
    die "apt-get update failed." "Check that Debian's archive is reachable."
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    --no-install-recommends "${missing[@]}" >/dev/null ||
    die "apt-get install failed for: ${missing[*]}" \
      "Run: apt-get install ${missing[*]}"
fi

# 2. A deb-src entry, so that `apt-get source` finds the packages.
if ! apt-cache showsrc abseil 2>/dev/null | grep -q '^Package: abseil'; then
  log "adding a deb-src entry for bookworm/main (${SRC_LIST})"
  as_root tee "${SRC_LIST}" >/dev/null <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  as_root apt-get update -q >/dev/null || die "apt-get update failed."
fi
apt-cache showsrc abseil 2>/dev/null | grep -q '^Package: abseil' ||
  die "apt cannot see Debian's source packages." \
    "Add a deb-src line for bookworm/main (see ${SRC_LIST}) and run apt-get update."

# 3. Source packages, verified and unpacked.
mkdir -p "${TP}/downloads"
for entry in "${SOURCES[@]}"; do
  name="${entry%%:*}"
  upstream="${entry#*:}"
  dest="${TP}/${name}"
  if [[ -f "${dest}/.orderly-version" ]] &&
    [[ "$(cat "${dest}/.orderly-version")" == "${upstream}" ]]; then
    continue
  fi
  log "fetching the Debian source package ${name} (${upstream})"
  (cd "${TP}/downloads" && apt-get source --download-only -q "${name}" \
    >/dev/null 2>&1) ||
    die "apt-get source ${name} failed." \
      "Run: cd third_party/downloads && apt-get source --download-only ${name}"
  dsc="$(ls -t "${TP}/downloads/${name}_${upstream}"-*.dsc 2>/dev/null | head -n1)"
  [[ -n "${dsc}" ]] ||
    die "Debian no longer offers ${name} ${upstream}; orderly was written against it." \
      "Found: $(ls "${TP}/downloads" | grep "^${name}_" | tr '\n' ' ')"
  # Every file the .dsc lists must match its SHA-256 sum.
  sums="$(sed -n '/^Checksums-Sha256:/,/^[^ ]/{/^ /p}' "${dsc}")"
  [[ -n "${sums}" ]] || die "${dsc} lists no Checksums-Sha256."
  while read -r sum _size file; do
    echo "${sum}  ${TP}/downloads/${file}" | sha256sum --check --quiet - ||
      die "${file} does not match the SHA-256 sum in $(basename "${dsc}")." \
        "Delete third_party/ and run tools/setup.sh again."
  done <<<"${sums}"
  rm -rf "${dest}" "${dest}.tmp"
  dpkg-source --no-check -x "${dsc}" "${dest}.tmp" >/dev/null 2>&1 ||
    die "dpkg-source could not unpack ${dsc}."
  [[ -f "${dest}.tmp/WORKSPACE" ]] ||
    die "${name} ${upstream} has no WORKSPACE file; cannot use it with Bazel."
  echo "${upstream}" >"${dest}.tmp/.orderly-version"
  mv "${dest}.tmp" "${dest}"
  rm -f "${TP}"/*.orig.tar.* # links dpkg-source leaves beside the tree
done

stamp_text >"${STAMP}"
log "done: $(bazel --version 2>/dev/null || echo bazel), sources in third_party/"
