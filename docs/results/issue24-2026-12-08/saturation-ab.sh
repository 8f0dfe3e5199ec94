#!/usr/bin/env bash
# A/B of the sequence batcher at saturation, frames lent, 256 streams x 3,000 frames, 2 steppers,
# maxDelay 200 us, 20 s of warm-up load in the same JVM: BEFORE (a checkout of the commit before the
# head's kernel, built with mvn package) against this checkout, alternating, ROUNDS rounds.
#   docs/results/issue24-2026-12-08/saturation-ab.sh BEFORE_CHECKOUT [ROUNDS]
set -euo pipefail
here="$(cd "$(dirname "$0")/../../.." && pwd)"
before=$1; rounds=${2:-3}
for r in $(seq "$rounds"); do
  for tree in "$before" "$here"; do
    echo "== round $r: $tree"
    PUSH=in-place JAVA_TOOL_OPTIONS=-Dserveload.warm=20 "$tree/tools/serve_load.sh" inproc 256 3000 2 200 2>&1 \
      | grep -v -E 'Picked up|WARNING' | tail -4
  done
done
