#!/usr/bin/env bash
# Issue 24's memory soak of fdht serve (not CI): the server on a free loopback port under a bounded
# load for MINUTES minutes (default 10): SEQUENCES concurrent sequences of 200 frames, JSON and
# binary rounds alternating (tools/ServeLoad.java, every sequence's last logits checked against the
# model stepped alone), the server's resident memory (VmRSS) sampled every 10 s into OUT (default
# /tmp/fdht-serve-soak.tsv). Prints the samples and whether the last 70% of the run stays within
# 10% (the JIT and the heap's growth to its working size take the first minutes).
#   tools/serve_soak.sh [MINUTES] [SEQUENCES] [OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -d cli/target/lib ]] || { echo "$0: build the project first (./fdht test)" >&2; exit 2; }
source tools/jdk.sh && require_jdk
minutes=${1:-10}; sequences=${2:-16}; out=$(realpath -m "${3:-/tmp/fdht-serve-soak.tsv}")
MODEL=cli/src/main/resources/fdht/mfm40-fdht-r4.safetensors
JAVA=("$JAVA_HOME/bin/java" --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp "cli/target/lib/*:cli/target/classes")
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"${JAVA[@]}" fdht.cli.Main serve --model "$MODEL" --port "$PORT" > /tmp/fdht-serve-soak.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; kill $sampler 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/v2/health/ready" >/dev/null && break; sleep 0.2; done
lscpu | grep 'Model name'; echo "server pid $server on port $PORT, $minutes min, $sequences sequences"
printf 'seconds\trss_mb\n' > "$out"
( start=$(date +%s); while kill -0 $server 2>/dev/null; do
    printf '%d\t%d\n' $(( $(date +%s) - start )) $(( $(awk '/VmRSS/ {print $2}' /proc/$server/status) / 1024 )) >> "$out"; sleep 10; done ) &
sampler=$!
end=$(( $(date +%s) + minutes * 60 ))
while (( $(date +%s) < end )); do
  for mode in json binary; do
    left=$(( end - $(date +%s) )); (( left > 0 )) || break
    "${JAVA[@]}" tools/ServeLoad.java http "http://127.0.0.1:$PORT" mfm40-fdht-r4 4096 "$sequences" 200 "$mode" "$(( left < 60 ? left : 60 ))" "$MODEL" 2>&1 | grep -v '^WARNING' | tail -1
  done
done
kill $sampler 2>/dev/null || true
cat "$out"
# flat: the last 70% of the run within 10% (the heap grows to its working size in the first minutes)
awk -F'\t' -v total=$((minutes * 60)) 'NR > 1 { s[NR] = $1; r[NR] = $2 } END {
  for (i = 2; i <= NR; i++) if (s[i] >= 0.3 * total) { from = i; break }
  lo = hi = r[from]; for (i = from; i <= NR; i++) { if (r[i] < lo) lo = r[i]; if (r[i] > hi) hi = r[i] }
  printf "resident memory: %d MB at %d s, %d MB at the end; from %d s on between %d and %d MB (%.1f%%): %s\n", r[from], s[from], r[NR], s[from], lo, hi, 100 * (hi - lo) / lo, (hi - lo) <= 0.1 * lo ? "flat" : "NOT flat"
}' "$out"
