#!/usr/bin/env bash
# Cold fdht infer (fresh JVMs) of the bundled model: BEFORE checkout against this one, alternating, wall
# time of the whole command: 16 clips on 2 threads, 20,000 clips on 1 and on 2 threads (inputs from
# tools/infer_figures.sh's directory).   infer-cold-ab.sh BEFORE_CHECKOUT DATA_DIR [ROUNDS]
set -euo pipefail
here="$(cd "$(dirname "$0")/../../.." && pwd)"
before=$1; data=$2; rounds=${3:-3}
model="$here/cli/src/main/resources/fdht/mfm40-fdht-r4.safetensors"
out="$(mktemp -d)"; trap 'rm -rf "$out"' EXIT
for r in $(seq "$rounds"); do
  for tree in "$before" "$here"; do
    for job in "c16 2" "c20000 1" "c20000 2"; do
      set -- $job
      s=$(date +%s%N)
      "$tree/fdht" infer --model "$model" --input "$data/$1.npy" --logits-out "$out/y.npy" --threads "$2" >/dev/null 2>&1
      e=$(date +%s%N)
      printf '%s %-28s %-7s threads %s  %.2f s\n' "$r" "$(basename "$tree")" "$1" "$2" "$(echo "($e - $s) / 1000000000" | bc -l)"
    done
  done
done
