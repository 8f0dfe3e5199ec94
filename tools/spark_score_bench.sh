#!/usr/bin/env bash
# Clips/s of `fdht score` on local[2] for .npy, array<float> Parquet and binary Parquet input, against
# `fdht infer --threads 2` on the same clips, and Spark's fixed cost (not part of CI; docs/PERFORMANCE.md,
# section "Spark", says how to read it).
#   tools/spark_score_bench.sh [DIR] [CLIPS] [ROUNDS]
# DIR (default /tmp/fdht-spark-bench) receives the bundled MFM-40 model and CLIPS (default 10000) clips of
# its shape (8 frames of 4,096 floats, 128 KB each: 1.3 GB per copy, four copies: one .npy for infer, 40
# .npy files, an array<float> and a binary Parquet data set for score). Runs alternate, ROUNDS (default 5)
# times; each is a fresh JVM.
# CLIPS >= 2 (one clip is the fixed-cost reference the rates are measured beyond).
set -euo pipefail
dir=$(realpath -m "${1:-/tmp/fdht-spark-bench}"); clips=${2:-10000}; rounds=${3:-5} # DIR: the caller's
[[ "$clips" =~ ^[0-9]+$ && "$clips" -ge 2 ]] || { echo "$0: CLIPS must be a number >= 2, not '$clips'" >&2; exit 2; }
cd "$(dirname "$0")/.."
source tools/jdk.sh && require_jdk
./fdht score --help >/dev/null # builds what is missing
java="$JAVA_HOME/bin/java"
cp="spark/target/fdht-spark.jar:spark/target/lib/*"
tool() { "$java" --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
  -Dlog4j2.configurationFile=fdht/spark/log4j2-cli.properties -cp "$cp" tools/SparkScoreBench.java "$@" 2>&1 | { grep -v '^WARNING: Using incubator' || true; }; }
# the data of an earlier run is reused when it holds as many clips; 40 .npy files, or one per clip when fewer
if [[ ! -f "$dir/all.npy" || ! -d "$dir/clips.parquet" || ! -d "$dir/clips-binary.parquet" || "$(cat "$dir/clips.count" 2>/dev/null)" != "$clips" ]]; then
  echo "writing $clips clips to $dir ..." >&2
  rm -rf "$dir"; tool data "$dir" "$clips" 8 4096 $(( clips < 40 ? clips : 40 ))
  echo "$clips" > "$dir/clips.count"
fi
if [[ ! -f "$dir/one/one.npy" ]]; then # one clip: what a job costs beyond Spark's start-up when there is nothing to score
  rm -rf "$dir/one" "$dir/one-data"; mkdir -p "$dir/one"; tool data "$dir/one-data" 1 8 4096 1 >/dev/null; mv "$dir/one-data/all.npy" "$dir/one/one.npy"; rm -rf "$dir/one-data"
fi
m="$dir/model.safetensors"
lscpu | grep 'Model name'; echo "nproc $(nproc), load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
infer() { ./fdht infer --model "$m" --input "$dir/all.npy" --logits-out "$dir/infer-logits.npy" --threads 2 | sed -n 's/.* in \([0-9.]*\) ms.*/\1/p'; }
# prints "start-up-seconds scoring-seconds"
score() { ./fdht score --model "$m" --master 'local[2]' --force "$@" 2>/dev/null | sed -n 's/.*start-up \([0-9.]*\) s, scoring and writing \([0-9.]*\) s.*/\1 \2/p'; }
rows=()
printf '| round | infer --threads 2: kernel time s | score .npy: start-up s | score .npy: job s | score array Parquet: start-up s | score array Parquet: job s | score binary Parquet: start-up s | score binary Parquet: job s | score 1 clip: start-up s | score 1 clip: job s |\n|---|---|---|---|---|---|---|---|---|---|\n'
for r in $(seq 1 "$rounds"); do
  i=$(infer); read -r nu ns <<<"$(score --input "$dir/npy" --out "$dir/s-npy.parquet")"
  read -r pu ps <<<"$(score --input "$dir/clips.parquet" --out "$dir/s-pq.parquet")"
  read -r bu bs <<<"$(score --input "$dir/clips-binary.parquet" --out "$dir/s-bin.parquet")"
  read -r ou os <<<"$(score --input "$dir/one" --out "$dir/s-one.parquet")"
  row=$(printf '%.2f %s %s %s %s %s %s %s %s' "$(echo "$i / 1000" | bc -l)" "$nu" "$ns" "$pu" "$ps" "$bu" "$bs" "$ou" "$os"); rows+=("$row")
  echo "| $r | ${row// / | } |"
done
# the machine is shared: the least of each column is the figure least disturbed by others
best=$(printf '%s\n' "${rows[@]}" | awk '{for (c = 1; c <= NF; c++) if (NR == 1 || $c < m[c]) m[c] = $c} END {for (c = 1; c <= NF; c++) printf "%s%s", m[c], (c < NF ? " " : "")}')
echo "| best | ${best// / | } |"
read -r bi bnu bns bpu bps bbu bbs bou bos <<<"$best"
echo
awk -v n="$clips" -v i="$bi" -v ns="$bns" -v ps="$bps" -v bs="$bbs" -v os="$bos" -v ou="$bou" 'BEGIN {
  printf "infer --threads 2: %.0f clips/s; Spark fixed cost: start-up %.2f s + a job of one clip %.2f s\n", n / i, ou, os;
  npy = (ns - os) / (n - 1); arr = (ps - os) / (n - 1); bin = (bs - os) / (n - 1);
  printf "score .npy: %.0f clips/s beyond the fixed cost (%.1f us a clip), %.2fx infer per clip\n", 1 / npy, 1e6 * npy, npy / (i / n);
  printf "score array<float> Parquet: %.0f clips/s beyond the fixed cost (%.1f us a clip), %.2fx .npy per clip\n", 1 / arr, 1e6 * arr, arr / npy;
  printf "score binary Parquet: %.0f clips/s beyond the fixed cost (%.1f us a clip), %.2fx .npy per clip\n", 1 / bin, 1e6 * bin, bin / npy }'
echo
tool compare "$dir" "$dir/s-pq.parquet"
tool compare "$dir" "$dir/s-bin.parquet"
tool compare "$dir" "$dir/s-npy.parquet"
echo "where the time goes, in one warm session (jobs to Spark's noop sink):"
tool parts "$dir" 3
echo "batch sizes, what a partition does without Spark (one thread, in one JVM):"
tool batch "$dir" $(( clips < 2000 ? clips : 2000 )) 4
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at end"
