#!/usr/bin/env bash
# 16-bit fixed point of MFM-40-UCF FDHT rank 4, seeds 4-10 (what tools/fixed_point_runs.sh does for seeds 1-3)
# run from anywhere; FDHT_CMD names the fdht to run (the session ran a frozen build of the same code)
cd "$(dirname "$0")/../../.."
read -ra fdht <<< "${FDHT_CMD:-./fdht}"
for s in 4 5 6 7 8 9 10; do
  m=docs/results/protocol-c/ucf/fdht-r4/lr0.03-s$s.safetensors
  [[ -f $m.fixed16.txt ]] && continue
  "${fdht[@]}" eval --model $m --task mfm-ucf --split test --seed 0 --count 10000 --fixed-point 16 --threads 1 > $m.fixed16.txt.tmp 2>&1 && mv $m.fixed16.txt.tmp $m.fixed16.txt
  echo "done s$s $(date)"
done
