#!/usr/bin/env bash
# A/B of the sequence batcher at half load, frames lent, 256 streams x 4,500 frames offered at RATE
# frames/s (default 152,950: half of the saturation of 2026-12-08), 2 steppers, maxDelay 200 us,
# 20 s of warm-up load, p99 per half second: BEFORE (a checkout of the commit before, built with
# mvn package) against this checkout, alternating, ROUNDS rounds.
#   docs/results/issue24-2026-12-08-s2/half-load-ab.sh BEFORE_CHECKOUT [ROUNDS] [RATE]
set -euo pipefail
here="$(cd "$(dirname "$0")/../../.." && pwd)"
before=$1; rounds=${2:-2}; rate=${3:-152950}
for r in $(seq "$rounds"); do
  for tree in "$before" "$here"; do
    echo "== round $r: $tree"
    PUSH=in-place JAVA_TOOL_OPTIONS="-Dserveload.warm=20 -Dserveload.windows=true" \
      "$tree/tools/serve_load.sh" inproc 256 4500 2 200 0 "$rate" 2>&1 \
      | grep -v -E 'Picked up|WARNING|warm-up'
  done
done
