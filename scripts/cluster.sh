#!/usr/bin/env bash
# A local Hark cluster for trying it out: three nodes on loopback behind HAProxy running deploy/haproxy.cfg.
#   scripts/cluster.sh [LB_PORT] [-- extra "hark serve" flags for every node, e.g. --asr none --none-rtf 0.1]
# Clients connect to ws://127.0.0.1:LB_PORT/ws/live (default 8080); node K listens on LB_PORT+K, its agent check
# on LB_PORT+10+K, its logs in target/cluster/nodeK.log. HAProxy's log: target/cluster/haproxy.log. Ctrl-C stops all.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
lb_port=${1:-8080}
[ "${1:-}" = "--" ] && lb_port=8080
shift $(( $# > 0 ? 1 : 0 )) || true
[ "${1:-}" = "--" ] && shift
command -v haproxy >/dev/null || { echo "cluster.sh: haproxy is missing: apt-get install haproxy" >&2; exit 1; }
mkdir -p target/cluster
pids=()
stop() {
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop EXIT INT TERM
./hark serve --help >/dev/null # builds the jar once, before three nodes race to
for k in 1 2 3; do
  ./hark serve --port $((lb_port + k)) --agent-port $((lb_port + 10 + k)) --node-name "node$k" \
      --max-sessions-per-ip 5000 "$@" > "target/cluster/node$k.log" 2>&1 &
  pids+=($!)
  export "HARK_NODE$k=127.0.0.1:$((lb_port + k))" "HARK_AGENT$k=$((lb_port + 10 + k))"
done
for k in 1 2 3; do
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$((lb_port + k))/readyz" >/dev/null && break
    sleep 0.2
  done
done
export HARK_LB_BIND="127.0.0.1:$lb_port" HARK_ERRORS="$PWD/deploy/errors"
export HARK_LB_MAX_PER_TOKEN=${HARK_LB_MAX_PER_TOKEN:-100} HARK_LB_MAX_PER_ADDRESS=${HARK_LB_MAX_PER_ADDRESS:-5000}
haproxy -db -f deploy/haproxy.cfg > target/cluster/haproxy.log 2>&1 &
pids+=($!)
echo "Hark cluster: ws://127.0.0.1:$lb_port/ws/live (page: http://127.0.0.1:$lb_port/), nodes on ports" \
  "$((lb_port + 1))-$((lb_port + 3)), logs in target/cluster/. Ctrl-C stops it."
wait -n "${pids[@]}"
