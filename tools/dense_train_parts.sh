#!/usr/bin/env bash
# Where a dense training batch's time goes, part by part, in thread CPU time (not part of CI); see
# DenseTrainParts.java. Arguments go to it (--task mfm-ucf|mfm, --hidden H, --batch B, --rounds N).
# Needs the project built (./fdht test or mvn install), Fashion-MNIST installed, and a JDK >= 25
# (found as ./fdht finds it: tools/jdk.sh). Heap: the tape and clips are native; 2 GB is ample.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -d train/target/classes && -d kernels/target/classes ]] || { echo "$0: build the project first (./fdht test)" >&2; exit 2; }
source tools/jdk.sh && require_jdk
exec "$JAVA_HOME/bin/java" --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
  -cp train/target/classes:kernels/target/classes:layout/target/classes tools/DenseTrainParts.java "$@" \
  2> >(grep -v '^WARNING: Using incubator modules: jdk.incubator.vector$' >&2)
