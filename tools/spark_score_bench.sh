#!/usr/bin/env bash
# Clips/s of `fdht score` on local[2] for .npy, array<float> Parquet, binary Parquet (Snappy, Spark's default)
# and binary Parquet uncompressed (both read from the mapped files, and again by Spark's reader), against `fdht infer --threads 2` on the same clips (not part of CI;
# docs/PERFORMANCE.md, section "Spark", says how to read it).
#   tools/spark_score_bench.sh [DIR] [CLIPS] [ROUNDS]
# DIR (default /tmp/fdht-spark-bench) receives the bundled MFM-40 model and CLIPS (default 10000) clips of
# its shape (8 frames of 4,096 floats, 128 KB each: 1.3 GB per copy, five copies: one .npy for infer, 40
# .npy files and three Parquet data sets for score), and one clip in each layout: each input's per-clip
# cost is taken beyond a job of one clip of the same input (its fixed cost). Runs alternate, ROUNDS
# (default 5) times; each is a fresh JVM.
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
if [[ ! -f "$dir/all.npy" || ! -d "$dir/clips.parquet" || ! -d "$dir/clips-binary-none.parquet" || "$(cat "$dir/clips.count" 2>/dev/null)" != "$clips" ]]; then
  echo "writing $clips clips to $dir ..." >&2
  rm -rf "$dir"; tool data "$dir" "$clips" 8 4096 $(( clips < 40 ? clips : 40 ))
  echo "$clips" > "$dir/clips.count"
fi
# one clip of each input: what a job costs beyond Spark's start-up when there is (almost) nothing to score,
# each input's own fixed cost (a Parquet job reads footers and runs the fit check first)
if [[ ! -f "$dir/one/npy/one.npy" || ! -d "$dir/one/clips-binary-none.parquet" ]]; then
  rm -rf "$dir/one"; tool data "$dir/one" 1 8 4096 1 >/dev/null; mv "$dir/one/npy/part-0000.npy" "$dir/one/npy/one.npy"
fi
m="$dir/model.safetensors"
lscpu | grep 'Model name'; echo "nproc $(nproc), load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
infer() { ./fdht infer --model "$m" --input "$dir/all.npy" --logits-out "$dir/infer-logits.npy" --threads 2 | sed -n 's/.* in \([0-9.]*\) ms.*/\1/p'; }
# prints "start-up-seconds scoring-seconds"
score() { ./fdht score --model "$m" --master 'local[2]' --force "$@" 2>/dev/null | sed -n 's/.*start-up \([0-9.]*\) s, scoring and writing \([0-9.]*\) s.*/\1 \2/p'; }
# binary Parquet is read from the mapped files (fdht's reader) and, with --spark-reader, by Spark's
inputs=(npy clips.parquet clips-binary.parquet clips-binary-none.parquet clips-binary.parquet clips-binary-none.parquet)
names=(".npy" "array<float> Parquet" "binary Parquet" "binary Parquet, uncompressed" "binary Parquet, Spark's reader" "binary Parquet, uncompressed, Spark's reader")
outs=(s-npy s-pq s-bin s-none s-bin-spark s-none-spark)
extra=("" "" "" "" --spark-reader --spark-reader)
rows=()
printf '| round | infer --threads 2: kernel time s |'
for n in "${names[@]}"; do printf ' score %s: job s | the same, one clip: job s |' "$n"; done
printf '\n|---|---|%s\n' "$(printf -- '---|---|%.0s' "${names[@]}")"
for r in $(seq 1 "$rounds"); do
  row=$(printf '%.2f' "$(echo "$(infer) / 1000" | bc -l)")
  for k in "${!inputs[@]}"; do
    read -r _ big <<<"$(score --input "$dir/${inputs[k]}" --out "$dir/${outs[k]}.parquet" ${extra[k]})"
    read -r _ one <<<"$(score --input "$dir/one/${inputs[k]}" --out "$dir/${outs[k]}-one.parquet" ${extra[k]})"
    row+=" $big $one"
  done
  rows+=("$row")
  echo "| $r | ${row// / | } |"
done
# the least of each column is the figure least disturbed by anything else on the machine
best=$(printf '%s\n' "${rows[@]}" | awk '{for (c = 1; c <= NF; c++) if (NR == 1 || $c < m[c]) m[c] = $c} END {for (c = 1; c <= NF; c++) printf "%s%s", m[c], (c < NF ? " " : "")}')
echo "| best | ${best// / | } |"
echo
echo "$best" | awk -v n="$clips" -v names="$(IFS='|'; echo "${names[*]}")" '{
  split(names, name, "|"); i = $1;
  printf "infer --threads 2: %.0f clips/s\n", n / i;
  for (k = 1; k <= length(name); k++) {
    c[k] = ($(2 * k) - $(2 * k + 1)) / (n - 1); # per clip beyond the same input'"'"'s one-clip job
    printf "score %s: %.0f clips/s beyond its one-clip job (%.1f us a clip, one-clip job %.2f s)", name[k], 1 / c[k], 1e6 * c[k], $(2 * k + 1);
    if (k == 1) printf ", %.2fx infer per clip\n", c[1] / (i / n); else printf ", %.2fx .npy per clip\n", c[k] / c[1];
  } }'
echo
tool compare "$dir" "$dir/s-pq.parquet"
tool compare "$dir" "$dir/s-bin.parquet"
tool compare "$dir" "$dir/s-none.parquet"
tool compare "$dir" "$dir/s-bin-spark.parquet"
tool compare "$dir" "$dir/s-none-spark.parquet"
tool compare "$dir" "$dir/s-npy.parquet"
echo "where the time goes, in one warm session (jobs to Spark's noop sink):"
tool parts "$dir" 3
echo "batch sizes, what a partition does without Spark (one thread, in one JVM):"
tool batch "$dir" $(( clips < 2000 ? clips : 2000 )) 4
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at end"
