#!/usr/bin/env bash
# Steady speed across JVMs (not part of CI): starts N fresh JVMs one after another (default 20), each
# stepping the LSTM-UCF rank-4 batch-1 FDHT-LSTM for S seconds (default 10; see SteadySpeed.java), and
# prints per JVM the median and p99 step time after a 3 s warm-up, the bytes allocated in the last
# second, the time it took to reach steady speed, and p99/median of a control loop run after every step
# (no memory traffic: the machine's own tail for a loop that long; SteadySpeed.java says how) and of a
# memory control (a 512 KiB working set in L2: what the machine's interrupts do to cached data), then
# checks the goals: every median within 15% of the best JVM's, p99/median <= 1.5, 0 bytes.
# Usage: tools/steady_speed.sh [N] [S] [extra JVM flags...]; exit 1 when a goal is missed.
# Needs the project built (./fdht test or mvn install) and a JDK >= 25 (found as ./fdht finds it: tools/jdk.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -d kernels/target/classes && -d layout/target/classes ]] || { echo "$0: build the project first (./fdht test)" >&2; exit 2; }
source tools/jdk.sh && require_jdk
java="$JAVA_HOME/bin/java"
jvms="${1:-20}"; seconds="${2:-10}"; shift $(( $# > 2 ? 2 : $# ))
# compile once, so every JVM starts the same way (the source launcher would compile in each), against a
# copy of the classes, so a rebuild during the run cannot change or break the JVMs still to come
classes="$(mktemp -d)"; trap 'rm -rf "$classes"' EXIT
mkdir -p "$classes/kernels" "$classes/layout"
cp -r kernels/target/classes/. "$classes/kernels"; cp -r layout/target/classes/. "$classes/layout"
cp="$classes/kernels:$classes/layout"
echo "# $("$java" -version 2>&1 | head -1); $(lscpu | grep "Model name" | sed "s/  */ /g"); load average: $(cut -d" " -f1-3 /proc/loadavg)"
"${java%/java}/javac" -d "$classes" -cp "$cp" --add-modules=jdk.incubator.vector tools/SteadySpeed.java tools/UcfStep.java 2>&1 | grep -v "incubator\|^1 warning" >&2 || true
results=()
printf '%-4s %-11s %8s %10s %10s %9s %12s %10s %12s %12s\n' jvm kernels steps median_us p99_us p99/med bytes_last_s steady_ms control_p99/med memory_p99/med
for ((i = 1; i <= jvms; i++)); do
  line="$("$java" --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED "$@" -cp "$classes:$cp" SteadySpeed "$seconds" 3 2>&1 \
    | grep -v '^WARNING: Using incubator modules' | tail -1)" || true
  read -r kernels steps median p99 bytes steady control memory <<< "$line" || { echo "jvm $i failed: $line" >&2; exit 2; }
  [[ "$bytes" =~ ^[0-9]+$ ]] || { echo "jvm $i failed: $line" >&2; exit 2; }
  results+=("$median $p99 $bytes $steady $control $memory")
  printf '%-4s %-11s %8s %10s %10s %9.2f %12s %10s %12s %12s\n' "$i" "$kernels" "$steps" "$median" "$p99" "$(echo "$p99 / $median" | bc -l)" "$bytes" "$steady" "$control" "$memory"
done
printf '%s\n' "${results[@]}" | awk '
  { med[NR] = $1; p99[NR] = $2; bytes[NR] = $3; if ($4 > steady) steady = $4; if ($5 > control) control = $5; if (NR == 1 || $6 < memlo) memlo = $6; if ($6 > memhi) memhi = $6; if (NR == 1 || $1 < best) best = $1 }
  END {
    slow = 0; tail = 0; alloc = 0; worst = 0
    for (i = 1; i <= NR; i++) {
      if (med[i] > 1.15 * best) slow++
      if (p99[i] > 1.5 * med[i]) tail++
      if (bytes[i] > 0) alloc++
      if (med[i] / best > worst) worst = med[i] / best
    }
    printf "best median %.1f us; slowest JVM %.2fx the best; JVMs over 1.15x: %d of %d; p99/median over 1.5: %d; allocating in the last second: %d; slowest to steady speed: %d ms; control p99/median up to %.2f; memory control p99/median %.2f-%.2f\n", best, worst, slow, NR, tail, alloc, steady, control, memlo, memhi
    exit (slow + tail + alloc > 0) ? 1 : 0
  }'
