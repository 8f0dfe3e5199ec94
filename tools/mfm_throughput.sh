#!/usr/bin/env bash
# Time to generate one MFM-40 train epoch on one thread (not part of CI); see MfmThroughput.java.
# Needs the project built (./fdht test or mvn install), Fashion-MNIST installed, and a JDK >= 25 (found as ./fdht finds it: tools/jdk.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -d train/target/classes && -d layout/target/classes ]] || { echo "$0: build the project first (./fdht test)" >&2; exit 2; }
source tools/jdk.sh && require_jdk
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED \
  -cp train/target/classes:kernels/target/classes:layout/target/classes tools/MfmThroughput.java
