#!/usr/bin/env bash
# The extra measurements of docs/ACCURACY.md (not CI), after tools/accuracy_runs.sh:
#  1. convert the trained dense model (seed 1) to FDHT rank 4 by HT-SVD, score it, fine-tune it with train --init;
#  2. FDHT rank 4 on all 60,000 training clips, one thread: the epoch time, and the model shipped in models/;
#  3. the same model's training speed in PyTorch autograd (tools/pytorch_train_speed.py), one thread.
# FDHT_CMD overrides the command that runs fdht (default ./fdht). Logs go to OUT (default docs/results/accuracy).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/docs/results/accuracy}"
fdht="${FDHT_CMD:-$root/fdht}"
log() { echo "\$ $*" | sed "s|$root/||g"; "$@" 2>&1 | sed "s|$root/||g"; }
{
  log "$fdht" convert --from-pytorch "$out/dense-s1.safetensors" --out "$out/converted-fdht-r4.safetensors" --ranks 4 --format fdht
  log "$fdht" eval --model "$out/converted-fdht-r4.safetensors" --task mfm --split test --count 2000
  log "$fdht" train --task mfm --format fdht --init "$out/converted-fdht-r4.safetensors" --epochs 2 --batch 32 --seed 1 --limit 6000 --test-limit 2000 --lr 0.003 --threads 1 --out "$out/finetuned-fdht-r4.safetensors"
} > "$out/finetune.txt"
{
  log "$fdht" train --task mfm --format fdht --ranks 4 --hidden 128 --epochs 3 --batch 32 --seed 1 --limit 60000 --test-limit 10000 --lr 0.01 --threads 1 --out "$out/full-fdht-r4.safetensors"
} > "$out/full-fdht-r4.txt"
{
  lscpu | grep 'Model name'
  log /usr/bin/python3 "$root/tools/pytorch_train_speed.py" --threads 1 --batches 20
} > "$out/pytorch-speed.txt"
