#!/usr/bin/env bash
# Recognizers freed: ROUNDS rounds of SESSIONS concurrent sessions of real speech (2 s each) against a fresh
# `hark serve` (Vosk, -Xmx512m) on port 8096; after each round prints the server's peak RSS, the most live
# recognizers seen, and RSS, live and spare recognizers once the round is over; at the end, RSS once the spares
# have waited past their 60 s and been closed.   scripts/churn.sh [ROUNDS=10] [SESSIONS=100]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-10}"; sessions="${2:-100}"; port=8096
cd "$root"
HARK_JAVA_OPTS="-Xmx512m" ./hark serve --port "$port" --max-sessions-per-ip $((sessions * 2)) >/dev/null 2>&1 &
launcher=$!
trap 'kill $launcher 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
pid=$(curl -s "http://127.0.0.1:$port/metrics" | awk '/^process_pid/{print int($2)}')
rss() { awk '/VmRSS/{print int($2 / 1024)}' "/proc/$pid/status"; }
metric() { curl -s "http://127.0.0.1:$port/metrics" | awk -v m="^$1" '$0 ~ m {print int($2)}'; }
live() { metric asr_recognizers_live; }
echo "idle after start: RSS $(rss) MB"
for round in $(seq 1 "$rounds"); do
  ./hark bench --url "ws://127.0.0.1:$port/ws/live" --sessions "$sessions" --sources 1 --duration 2s --ramp 1s \
    --file src/test/resources/speech/sense_and_sensibility_01_austen_64kb-0880.wav >/dev/null 2>&1 &
  bench=$!; peak=0; most=0
  while kill -0 "$bench" 2>/dev/null; do
    r=$(rss); l=$(live); [ "$r" -gt "$peak" ] && peak=$r; [ "${l:-0}" -gt "$most" ] && most=$l; sleep 0.2
  done
  sleep 6 # the native heap is trimmed every 5 s after recognizers close
  echo "round $round: peak RSS $peak MB with up to $most live recognizers; after: RSS $(rss) MB, $(live) live," \
    "$(metric asr_recognizers_spare) spare"
done
sleep 70 # spares unused for 60 s are closed, then the heap is trimmed
echo "70 s later: RSS $(rss) MB, $(live) live, $(metric asr_recognizers_spare) spare"
