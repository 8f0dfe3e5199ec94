#!/usr/bin/env bash
# Soak run (not part of CI): one million frames through the bundled FDHT-LSTM, heap and resident
# memory printed every 100,000 frames; both must stay flat.
set -euo pipefail
cd "$(dirname "$0")/.."
exec ./fdht soak --frames "${1:-1000000}" --every "${2:-100000}"
