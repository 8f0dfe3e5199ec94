#!/usr/bin/env bash
# Protocols A and B of docs/ACCURACY.md (superseded by protocol C, tools/accuracy_runs.sh): trains every row (MFM-40, hidden 128) for the given seeds and writes each
# model, its curve (<model>.csv) and its log into OUT (default docs/results/accuracy). Not CI.
#
#   tools/accuracy_runs_ab.sh [--limit N] [--epochs E] [--test-limit T] [--seeds "1 2 3"] [--rows "fdht:4 tt:4 ..."] [--out DIR]
#
# FDHT_CMD overrides the command that runs fdht (default: ./fdht, which builds when stale).
# Every run uses one thread; the exact command of each run is the first line of its log.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
limit=6000; epochs=4; test_limit=2000; seeds="1 2 3"; out="$root/docs/results/accuracy"
rows="fdht:4 tt:4 fdht:2 fdht:8 tt:2 tt:8 ht-input:4 dense:-"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --limit) limit="$2"; shift 2 ;;
    --epochs) epochs="$2"; shift 2 ;;
    --test-limit) test_limit="$2"; shift 2 ;;
    --seeds) seeds="$2"; shift 2 ;;
    --rows) rows="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "accuracy_runs.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done
fdht="${FDHT_CMD:-$root/fdht}"
mkdir -p "$out"
for seed in $seeds; do
  for row in $rows; do
    format="${row%%:*}"; rank="${row##*:}"
    name="$format"; [[ "$rank" != "-" ]] && name="$format-r$rank"
    model="$out/$name-s$seed.safetensors"
    if [[ -f "$model.csv" && $(($(wc -l < "$model.csv") - 1)) -ge $epochs ]]; then
      echo "skip $name seed $seed (done)"; continue
    fi
    # a smaller peak step for the 2.2 M dense weights (chosen, not tuned: no rate was searched for any row)
    lr=0.01; [[ "$format" == dense ]] && lr=0.002
    args=(train --task mfm --format "$format" --hidden 128 --epochs "$epochs" --batch 32 --seed "$seed" --limit "$limit" --test-limit "$test_limit" --lr "$lr" --threads 1 --out "$model")
    [[ "$rank" != "-" ]] && args+=(--ranks "$rank")
    echo "fdht ${args[*]}" | sed "s|$root/||g" > "$model.log"
    echo "run $name seed $seed"
    "$fdht" "${args[@]}" >> "$model.log" 2>&1 || { echo "failed: see $model.log" >&2; }
  done
done
