#!/usr/bin/env bash
# Soak: overload Hark for a while (more real-time sources than the decoding threads can take) and sample its heap every 10 s.
#   scripts/soak.sh [SECONDS=600] [SESSIONS=60] [HEAP=1g]
# Starts its own server (Vosk, 2 decoding threads, -Xmx$HEAP) on port 8095, drives SESSIONS stereo sessions of real
# speech with `hark bench`, writes target/soak/heap.csv (seconds, heap used, live data after GC, buffered audio
# bytes, frames dropped, sessions) and prints the maxima. The bound to hold: live data after GC well under HEAP,
# buffered audio under --max-buffered-mb, no growth from the first minute to the last.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
secs="${1:-600}"; sessions="${2:-60}"; heap="${3:-1g}"; port=8095
out="$root/target/soak"; mkdir -p "$out"
cd "$root"
HARK_JAVA_OPTS="-Xmx$heap" ./hark serve --port "$port" --asr vosk --asr-workers 2 >"$out/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break
  sleep 1
done
metric() { # sum of the samples of series $2 (with $3 in their labels) in the scrape $1; label values may hold spaces
  awk -v name="$2" -v filter="${3:-}" 'index($0, name) == 1 && substr($0, length(name) + 1, 1) ~ /[{ ]/ \
    && index($0, filter) { s += $NF } END { printf "%.0f", s }' <<<"$1"
}
./hark bench --url "ws://127.0.0.1:$port/ws/live" --sessions "$sessions" --sources 2 --duration "${secs}s" \
  --ramp 10s --file src/test/resources/speech/sense_and_sensibility_01_austen_64kb-0870.wav --json \
  >"$out/bench.json" 2>"$out/bench.err" &
bench=$!
echo "seconds,heap_used_bytes,live_after_gc_bytes,buffered_audio_bytes,frames_dropped,sessions" >"$out/heap.csv"
start=$(date +%s)
while kill -0 $bench 2>/dev/null; do
  m="$(curl -sf "http://127.0.0.1:$port/metrics" || true)"
  if [ -n "$m" ]; then
    echo "$(( $(date +%s) - start )),$(metric "$m" jvm_memory_used_bytes 'area="heap"'),$(metric "$m" jvm_gc_live_data_size_bytes),$(metric "$m" audio_buffered_bytes),$(metric "$m" audio_frames_dropped_total),$(metric "$m" sessions_active)" >>"$out/heap.csv"
  fi
  sleep 10
done
wait $bench || true
awk -F, 'NR > 1 { if ($2 > h) h = $2; if ($3 > l) l = $3; if ($4 > b) b = $4; d = $5; n++ }
  END { printf "samples %d, max heap used %.1f MB, max live after GC %.1f MB, max buffered audio %.1f MB, frames dropped %d\n",
        n, h / 1048576, l / 1048576, b / 1048576, d }' "$out/heap.csv"
cat "$out/bench.json"
