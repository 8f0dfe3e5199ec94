#!/usr/bin/env python3
"""PyTorch's dense peer of the bundled MFM-40 model for tools/infer_figures.sh (not CI).

nn.LSTM(4096, 128) with a Linear(128, 40) head on its last hidden state, float32, inference mode,
run over CLIPS random clips of 8 frames at batch BATCH on THREADS threads (default 1); prints the
median over ROUNDS (default 3) of the seconds per clip, the clips generated before timing.

    python3 tools/pytorch_infer_peer.py [CLIPS] [BATCH] [THREADS] [ROUNDS]
"""
import statistics
import sys
import time

import torch

clips = int(sys.argv[1]) if len(sys.argv) > 1 else 2048
batch = int(sys.argv[2]) if len(sys.argv) > 2 else 64
threads = int(sys.argv[3]) if len(sys.argv) > 3 else 1
rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 3
torch.set_num_threads(threads)
torch.manual_seed(0)
lstm = torch.nn.LSTM(4096, 128, batch_first=True).eval()
head = torch.nn.Linear(128, 40).eval()
x = torch.randn(batch, 8, 4096)
times = []
with torch.inference_mode():
    for _ in range(2):  # warm-up
        head(lstm(x)[0][:, -1])
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(clips // batch):
            head(lstm(x)[0][:, -1])
        times.append((time.perf_counter() - t0) / (clips // batch * batch))
print(f"pytorch {torch.__version__} nn.LSTM(4096,128)+Linear(128,40) batch {batch} threads {threads}: "
      f"{statistics.median(times) * 1e6:.1f} us per clip (median of {rounds}: "
      + ", ".join(f"{t * 1e6:.1f}" for t in times) + ")")
