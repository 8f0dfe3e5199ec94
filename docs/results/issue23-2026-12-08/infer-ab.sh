#!/usr/bin/env bash
# A/B: default vs flags, wall ms of fdht infer on 16 and 20000 clips, threads 1 and 2
#   infer-ab.sh 'JVM FLAGS' [ROUNDS]   (inputs: tools/infer_figures.sh's c16.npy and c20000.npy in D)
cd "$(dirname "$0")/../../.."
m=cli/src/main/resources/fdht/mfm40-fdht-r4.safetensors
D=${D:-/tmp/fdht-infer-figures}; out=$(mktemp -d)
FLAGS="$1"; rounds=${2:-3}
t() { local s=$(date +%s%N); JDK_JAVA_OPTIONS="$1" ./fdht infer --model $m --input $D/$2.npy --logits-out $out/y.npy --threads $3 >/dev/null 2>&1; echo $(( ($(date +%s%N) - s) / 1000000 )); }
for r in $(seq 1 $rounds); do
  for mode in A B; do
    f=""; [[ $mode == B ]] && f="$FLAGS"
    echo "$mode r$r: c16 t1 $(t "$f" c16 1) t2 $(t "$f" c16 2) | c20000 t1 $(t "$f" c20000 1) t2 $(t "$f" c20000 2)"
  done
done
