#!/usr/bin/env bash
# The measurement behind C1Directive (not part of CI): N fresh JVMs (default 10) each step the
# test model on two threads for S seconds (default 10), once with the directive and once without;
# prints how many JVMs still allocated in their last second (kernels left on C1 or interpreted).
# Needs the project built (./fdht test or mvn install) and a JDK >= 25 (found as ./fdht finds it: tools/jdk.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -d kernels/target/classes && -d layout/target/classes ]] || { echo "$0: build the project first (./fdht test)" >&2; exit 2; }
runs="${1:-10}" seconds="${2:-10}"
source tools/jdk.sh && require_jdk
java="$JAVA_HOME/bin/java"
cp="kernels/target/classes:layout/target/classes"
for directive in true false; do
  boxed=0
  for ((i = 1; i <= runs; i++)); do
    line=$("$java" --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Dfdht.c1Directive="$directive" \
      -cp "$cp" tools/C1Probe.java "$seconds" 2> >(grep -v '^WARNING: Using incubator modules' >&2))
    echo "directive=$directive run $i: $line"
    [[ "${line%% *}" != "0" ]] && boxed=$((boxed + 1))
  done
  echo "directive=$directive: $boxed of $runs JVMs still allocating after $seconds s"
done
