#!/usr/bin/env bash
# Issue 23's figures of `fdht infer` on the bundled MFM-40 model (not CI; docs/PERFORMANCE.md,
# section "fdht infer on the model API", has a run): per-clip wall time beyond a 16-clip run's (the
# JVM's fixed cost) on 1 and 2 threads, PyTorch's dense nn.LSTM(4096,128)+Linear at batch 64 on one
# thread (tools/torch_mfm_lstm.py; skipped without torch), and the resident memory (max RSS) of
# infer on the CLIPS-clip input and on a BIG-clip one (default 64,000 clips: 8.4 GB), and the
# marginal cost per clip between the CLIPS- and BIG-clip runs on 1 and 2 threads: the JIT's warm-up
# (about 0.8 s of slow first chunks and C2 compiles on two cores) is paid by both of those runs but
# not by the 16-clip one, so the figure "beyond a 16-clip run" holds it on 20,000 clips.
#   tools/infer_figures.sh [DIR] [CLIPS] [ROUNDS] [BIG]
# DIR (default /tmp/fdht-infer-figures) receives random clips of 8 x 4,096 float32 (128 KB each:
# 20,000 by default, 2.6 GB) written with numpy; runs alternate, ROUNDS (default 3) times, each a
# fresh JVM; medians printed. Run it on an idle machine: it times whole commands.
set -euo pipefail
dir=$(realpath -m "${1:-/tmp/fdht-infer-figures}"); clips=${2:-20000}; rounds=${3:-3}; big=${4:-64000}
cd "$(dirname "$0")/.."
./fdht infer --help >/dev/null # builds what is missing
py=/usr/bin/python3; [[ -x $py ]] || py=python3
m=cli/src/main/resources/fdht/mfm40-fdht-r4.safetensors
mkdir -p "$dir"
write() { # N FILE: N random clips, written 1,000 at a time
  [[ -f "$2" && "$(cat "$2.count" 2>/dev/null)" == "$1" ]] && return
  "$py" - "$1" "$2" <<'PY'
import sys, numpy as np
n, path = int(sys.argv[1]), sys.argv[2]
a = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(n, 8, 4096))
rng = np.random.default_rng(1)
for i in range(0, n, 1000):
    a[i:i + 1000] = rng.standard_normal((min(1000, n - i), 8, 4096), dtype=np.float32)
a.flush()
PY
  echo "$1" > "$2.count"
}
write 16 "$dir/c16.npy"; write "$clips" "$dir/c$clips.npy"
lscpu | grep 'Model name'; echo "nproc $(nproc), load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
run() { # THREADS FILE -> "wall-seconds max-rss-kB"
  /usr/bin/time -f '%e %M' -o "$dir/time.txt" ./fdht infer --model "$m" --input "$2" --logits-out "$dir/y.npy" --threads "$1" >/dev/null
  cat "$dir/time.txt"
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}'; }
declare -A per rss slope bigrss
[[ "$big" -gt 0 ]] && write "$big" "$dir/c$big.npy"
# read once, so that every timed run reads from the page cache, not the disk
cat "$dir/c16.npy" "$dir/c$clips.npy" > /dev/null; [[ "$big" -gt 0 ]] && cat "$dir/c$big.npy" > /dev/null
for r in $(seq 1 "$rounds"); do
  for t in 1 2; do
    read -r small _ <<<"$(run "$t" "$dir/c16.npy")"; read -r whole kb <<<"$(run "$t" "$dir/c$clips.npy")"
    us=$(echo "($whole - $small) * 1000000 / ($clips - 16)" | bc -l)
    per[$t]+="$us "; rss[$t]+="$kb "
    printf 'round %d, %d thread(s): 16 clips %.2f s, %d clips %.2f s, %.1f us per clip beyond, max RSS %d MB\n' "$r" "$t" "$small" "$clips" "$whole" "$us" $((kb / 1024))
    if [[ "$big" -gt 0 ]]; then # the marginal cost: the JIT's warm-up is paid in both runs
      read -r large bkb <<<"$(run "$t" "$dir/c$big.npy")"
      us=$(echo "($large - $whole) * 1000000 / ($big - $clips)" | bc -l)
      slope[$t]+="$us "; bigrss[$t]+="$bkb "
      printf '         %d clips %.2f s, %.1f us per clip between the %d- and %d-clip runs, max RSS %d MB\n' "$big" "$large" "$us" "$clips" "$big" $((bkb / 1024))
    fi
  done
done
p1=$(tr ' ' '\n' <<<"${per[1]}" | grep . | median); p2=$(tr ' ' '\n' <<<"${per[2]}" | grep . | median)
printf 'median per clip beyond the 16-clip run: %.1f us on 1 thread, %.1f us on 2 (2 threads %.2fx 1)\n' "$p1" "$p2" "$(echo "$p1 / $p2" | bc -l)"
# Debian's torch does its matrix products in libblas.so.3: reference BLAS is ~100x slower than
# OpenBLAS (apt-get install libopenblas0-pthread), which would make the peer a straw man
if ! "$py" -c 'import torch' 2>/dev/null; then echo "PyTorch peer skipped: no torch for $py"
elif ! "$py" -c 'import ctypes; ctypes.CDLL("libblas.so.3").openblas_get_config' 2>/dev/null; then
  echo "PyTorch peer skipped: libblas.so.3 is not OpenBLAS (apt-get install libopenblas0-pthread)"
else
  peer=$(OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 "$py" tools/torch_mfm_lstm.py "$dir/torch.json" --seconds 5 2>&1 | grep 'batch 64,'); echo "$peer"
  pu=$(sed -n 's/.*: \([0-9.]*\) us per batch.*/\1/p' <<<"$peer"); pu=$(echo "$pu / 64" | bc -l)
  printf 'fdht infer --threads 1 per clip: %.2fx faster than PyTorch dense at batch 64 on one thread\n' "$(echo "$pu / $p1" | bc -l)"
fi
if [[ "$big" -gt 0 ]]; then
  s1=$(tr ' ' '\n' <<<"${slope[1]}" | grep . | median); s2=$(tr ' ' '\n' <<<"${slope[2]}" | grep . | median)
  printf 'median per clip between the %d- and %d-clip runs (the JIT warm-up, ~0.8 s here, paid in both): %.1f us on 1 thread, %.1f us on 2 (2 threads %.2fx 1)\n' "$clips" "$big" "$s1" "$s2" "$(echo "$s1 / $s2" | bc -l)"
  printf '%d clips (%.1f GB): max RSS median %d MB on 1 thread, %d MB on 2 (the %d-clip input: %d and %d MB)\n' "$big" "$(echo "$big * 131072 / 1000000000" | bc -l)" \
    $(( $(tr ' ' '\n' <<<"${bigrss[1]}" | grep . | median | cut -d. -f1) / 1024 )) $(( $(tr ' ' '\n' <<<"${bigrss[2]}" | grep . | median | cut -d. -f1) / 1024 )) \
    "$clips" $(( $(tr ' ' '\n' <<<"${rss[1]}" | grep . | median | cut -d. -f1) / 1024 )) $(( $(tr ' ' '\n' <<<"${rss[2]}" | grep . | median | cut -d. -f1) / 1024 ))
fi
