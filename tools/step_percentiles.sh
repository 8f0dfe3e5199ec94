#!/usr/bin/env bash
# Percentiles of the LSTM-UCF rank-4 batch-1 step in one JVM (not part of CI); see StepPercentiles.java.
# Needs the project built (./fdht test or mvn install) and a JDK >= 25 (found as ./fdht finds it: tools/jdk.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -d kernels/target/classes && -d layout/target/classes ]] || { echo "$0: build the project first (./fdht test)" >&2; exit 2; }
source tools/jdk.sh && require_jdk
exec "$JAVA_HOME/bin/java" --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
  -cp kernels/target/classes:layout/target/classes tools/StepPercentiles.java 2>&1 | grep -v '^WARNING: Using incubator modules'
