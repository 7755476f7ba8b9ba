#!/usr/bin/env bash
# Overload that arrives all at once, against a server started seconds before: each row starts a fresh
# `./hark serve` (no flags unless given after --), waits for /readyz, then runs `hark bench` on the committed
# LibriVox clips. Prints one JSON line per row. Usage: scripts/burst_bench.sh SESSIONS RAMP [DURATION] [-- FLAGS]
# e.g. scripts/burst_bench.sh 24 0s 30s;  scripts/burst_bench.sh 24 0s 30s -- --no-asr-shed
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
sessions=$1 ramp=$2 duration=${3:-30s}
shift $(( $# >= 3 ? 3 : $# ))
[ "${1:-}" = "--" ] && shift
port=${HARK_BENCH_PORT:-18180}
S=src/test/resources/speech
./hark serve --port "$port" "$@" >/tmp/hark-burst-bench.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
t0=$(date +%s%N)
until curl -sf "http://127.0.0.1:$port/readyz" >/dev/null; do
  kill -0 $pid 2>/dev/null || { cat /tmp/hark-burst-bench.log >&2; exit 1; }
  sleep 0.05
done
echo "ready after $(( ($(date +%s%N) - t0) / 1000000 )) ms" >&2
# HARK_BENCH_WAIT=S: the burst comes S seconds after ready (the warm-up goes on while the decoders are idle).
sleep "${HARK_BENCH_WAIT:-0}"
./hark bench --url "ws://127.0.0.1:$port/ws/live" --server-pid "$pid" --sessions "$sessions" --sources 1 \
  $(for f in $S/*.wav; do echo --file "$f"; done) --pause 1s --reference "$S/transcripts.tsv" \
  --duration "$duration" --ramp "$ramp" --json
