#!/usr/bin/env bash
# Rolling restart of 3 instances behind HAProxy, under load, on loopback:
# the proof that orderly's lame duck fails no request (docs/fleet.md).
#
#   tools/rolling_restart.sh                 # builds, runs both modes
#   ROLLING_LOAD_SECONDS=12 ROLLING_RATE=400 tools/rolling_restart.sh
#   tools/rolling_restart.sh --bin-dir=DIR   # prebuilt instance, load_gen
#
# For each mode (orderly: RuntimeOptions::lame_duck = 500 ms; baseline: no
# lame duck, stops accepting at SIGTERM) it starts HAProxy (Debian's 2.6,
# from tools/setup.sh) in front of 3 instances of //examples/fleet:instance
# with HTTP health checks on /readyz (inter 100ms, fall 2, rise 2), drives a
# steady load through HAProxy with //examples/fleet:load_gen (which stops by
# itself), and restarts each instance in turn: SIGTERM, wait for it to end,
# start a new one on the same port, wait until HAProxy sees it UP. Then it
# prints, per mode, requests sent / succeeded / failed and p50 / p99 / max
# latency, and each instance's shutdown time per phase, read from the JSON
# reports (render/report_json.h) the instances wrote.
#
# Exit code: 0 when orderly failed no request; 1 otherwise (the baseline's
# failures are printed, never asserted). Everything is bounded: each wait
# has a timeout, and every process started here is ended on exit.
# Output: ${ROLLING_OUT:-/tmp/orderly-rolling}/ (reports, logs, HAProxy's
# configuration, and the timeline kv-1.html of one orderly instance).
set -euo pipefail

readonly ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly OUT="${ROLLING_OUT:-/tmp/orderly-rolling}"
readonly LOAD_SECONDS="${ROLLING_LOAD_SECONDS:-12}"
readonly RATE="${ROLLING_RATE:-400}"
readonly CONNECTIONS="${ROLLING_CONNECTIONS:-8}"
readonly LAME_DUCK_MS="${ROLLING_LAME_DUCK_MS:-500}"
readonly MODES="${ROLLING_MODES:-orderly baseline}"
readonly BASE_PORT="${ROLLING_BASE_PORT:-$((20000 + $$ % 20000))}"
readonly LB_PORT="${BASE_PORT}" STATS_PORT="$((BASE_PORT + 9))"
BIN=""
for arg in "$@"; do
  case "${arg}" in
    --bin-dir=*) BIN="${arg#--bin-dir=}" ;;
    *) echo "usage: $0 [--bin-dir=DIR]" >&2; exit 2 ;;
  esac
done

log() { printf 'rolling: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

command -v haproxy >/dev/null || die "haproxy is missing: run tools/setup.sh"
command -v curl >/dev/null || die "curl is missing: run tools/setup.sh"
if [[ -z "${BIN}" ]]; then
  (cd "${ROOT}" && bazel build ${BAZEL_FLAGS:-} //examples/fleet:instance \
    //examples/fleet:load_gen >&2)
  BIN="$(cd "${ROOT}" && bazel info ${BAZEL_FLAGS:-} bazel-bin)/examples/fleet"
fi
[[ -x "${BIN}/instance" && -x "${BIN}/load_gen" ]] || die "no binaries in ${BIN}"

rm -rf "${OUT}" && mkdir -p "${OUT}"
declare -A PIDS=()   # instance index -> pid
HAPROXY_PID="" LOAD_PID=""
cleanup() {
  for pid in "${PIDS[@]}" ${HAPROXY_PID} ${LOAD_PID}; do
    kill -KILL "${pid}" 2>/dev/null || true
  done
}
trap cleanup EXIT

# Waits (bounded) until `cmd` succeeds: wait_for SECONDS WHAT cmd...
wait_for() {
  local tries=$(($1 * 20)) what="$2"
  shift 2
  until "$@"; do
    ((tries-- > 0)) || die "timed out waiting for ${what}"
    sleep 0.05
  done
}

# HAProxy's view of server kv-i: "UP", "DOWN", "UP 1/2", ...
lb_status() {
  curl -sf "http://127.0.0.1:${STATS_PORT}/stats;csv" |
    awk -F, -v s="kv-$1" '$1 == "kv" && $2 == s { print $18 }'
}
lb_up() { [[ "$(lb_status "$1")" == "UP" ]]; }

write_haproxy_cfg() {
  cat >"${OUT}/haproxy.cfg" <<CFG
global
  maxconn 4096
defaults
  mode http
  timeout connect 1s
  timeout client 10s
  timeout server 5s
  option http-server-close
  retries 3
frontend fe
  bind 127.0.0.1:${LB_PORT}
  default_backend kv
backend kv
  balance roundrobin
  option httpchk GET /readyz
  http-check expect status 200
  default-server inter 100ms fall 2 rise 2
$(for i in 1 2 3; do echo "  server kv-$i 127.0.0.1:$((BASE_PORT + i)) check"; done)
listen stats
  bind 127.0.0.1:${STATS_PORT}
  stats enable
  stats uri /stats
CFG
}

# start_instance MODE I GENERATION
start_instance() {
  local mode="$1" i="$2" gen="$3" flags=()
  [[ "${mode}" == baseline ]] && flags+=(--baseline)
  # One timeline picture: the first orderly instance restarted.
  [[ "${mode}" == orderly && "${i}" == 1 && "${gen}" == 0 ]] &&
    flags+=(--timeline-dir="${OUT}")
  "${BIN}/instance" --port="$((BASE_PORT + i))" --name="kv-${i}" \
    --lame-duck-ms="${LAME_DUCK_MS}" \
    --report="${OUT}/report-${mode}-kv-${i}-gen${gen}.json" "${flags[@]}" \
    >>"${OUT}/${mode}-kv-${i}.log" 2>&1 &
  PIDS[${i}]=$!
}

run_mode() {
  local mode="$1"
  log "${mode}: starting HAProxy and 3 instances on 127.0.0.1:${LB_PORT}"
  for i in 1 2 3; do start_instance "${mode}" "${i}" 0; done
  haproxy -db -f "${OUT}/haproxy.cfg" >"${OUT}/haproxy-${mode}.log" 2>&1 &
  HAPROXY_PID=$!
  for i in 1 2 3; do wait_for 10 "kv-${i} UP in HAProxy" lb_up "${i}"; done
  "${BIN}/load_gen" --port="${LB_PORT}" --seconds="${LOAD_SECONDS}" \
    --rate="${RATE}" --connections="${CONNECTIONS}" >"${OUT}/load-${mode}.txt" &
  LOAD_PID=$!
  sleep 1  # Steady load before the first restart.
  for i in 1 2 3; do
    local pid="${PIDS[${i}]}" t0
    t0=$(date +%s%N)
    kill -TERM "${pid}"
    wait_for 15 "kv-${i} (pid ${pid}) to end" \
      bash -c "! kill -0 ${pid} 2>/dev/null"
    wait "${pid}" || log "${mode}: kv-${i} exited with $?"
    start_instance "${mode}" "${i}" 1
    wait_for 10 "new kv-${i} UP in HAProxy" lb_up "${i}"
    log "${mode}: kv-${i} restarted in $((($(date +%s%N) - t0) / 1000000)) ms"
  done
  wait "${LOAD_PID}" || die "load_gen failed"
  LOAD_PID=""
  kill -TERM "${HAPROXY_PID}"; wait "${HAPROXY_PID}" || true; HAPROXY_PID=""
  for i in 1 2 3; do
    kill -TERM "${PIDS[${i}]}"; wait "${PIDS[${i}]}" || true
  done
  PIDS=()
}

write_haproxy_cfg
for mode in ${MODES}; do run_mode "${mode}"; done

echo
echo "Rolling restart of 3 instances behind HAProxy, ${RATE} req/s over" \
  "${CONNECTIONS} connections for ${LOAD_SECONDS} s (lame duck ${LAME_DUCK_MS} ms):"
printf '%-9s %7s %7s %7s %9s %9s %9s\n' mode sent ok failed p50_ms p99_ms max_ms
for mode in ${MODES}; do
  line="$(cat "${OUT}/load-${mode}.txt")"
  get() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<" ${line}"; }
  printf '%-9s %7s %7s %7s %9s %9s %9s\n' "${mode}" "$(get sent)" \
    "$(get ok)" "$(get failed)" "$(get p50_ms)" "$(get p99_ms)" "$(get max_ms)"
done
echo
echo "Shutdown of each restarted instance, per phase (ms), from its JSON report:"
python3 - "${OUT}" <<'PY'
import glob, json, os, sys
rows = []
for path in sorted(glob.glob(os.path.join(sys.argv[1], "report-*-gen0.json"))):
    with open(path) as f:
        doc = json.load(f)
    assert doc["schema"] == "orderly.shutdown_report/v1", path
    mode = os.path.basename(path).split("-")[1]
    phases = {p["name"]: p["duration_us"] / 1000 for p in doc["phases"]}
    rows.append((mode, doc["instance"], phases, doc["duration_us"] / 1000,
                 doc["ok"]))
names = ["lame-duck", "drain", "threads", "flush", "close", "release"]
print("%-9s %-6s " % ("mode", "name") + " ".join("%9s" % n for n in names)
      + " %9s %s" % ("total", "ok"))
for mode, inst, phases, total, ok in rows:
    print("%-9s %-6s " % (mode, inst)
          + " ".join("%9s" % ("%.1f" % phases[n] if n in phases else "-")
                     for n in names)
          + " %9.1f %s" % (total, ok))
PY
timeline="${OUT}/kv-1.html"
if [[ -f "${timeline}" ]]; then
  if command -v chromium >/dev/null; then
    chromium --headless --no-sandbox --screenshot="${OUT}/kv-1.png" \
      --window-size=1400,700 "file://${timeline}" >/dev/null 2>&1 || true
  fi
  echo
  echo "Timeline of one orderly instance's shutdown: ${timeline}" \
    "$([[ -f "${OUT}/kv-1.png" ]] && echo "(screenshot ${OUT}/kv-1.png)")"
fi

failed="$(sed -n 's/.* failed=\([0-9]*\).*/\1/p' <<<" $(cat "${OUT}/load-orderly.txt" 2>/dev/null)")"
sent="$(sed -n 's/.* sent=\([0-9]*\).*/\1/p' <<<" $(cat "${OUT}/load-orderly.txt" 2>/dev/null)")"
if [[ "${MODES}" == *orderly* ]]; then
  [[ -n "${sent}" && "${sent}" -gt 0 ]] || die "orderly: no request sent"
  [[ "${failed}" == 0 ]] || die "orderly: ${failed} failed requests"
  echo "rolling: OK, orderly failed 0 of ${sent} requests"
fi
