#!/usr/bin/env bash
# Load for the sequence batcher and fdht serve (issue 24); see ServeLoad.java. Not part of CI.
# Needs the project built (./fdht test or mvn install: cli/target/lib) and a JDK >= 25 (tools/jdk.sh).
#   tools/serve_load.sh inproc [STREAMS] [FRAMES] [STEPPERS] [MAXDELAY_US]   the batcher in process, bundled MFM-40 model
#   tools/serve_load.sh http [SEQUENCES] [FRAMES]    starts fdht serve on a free loopback port, JSON then binary
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -d cli/target/lib ]] || { echo "$0: build the project first (./fdht test)" >&2; exit 2; }
source tools/jdk.sh && require_jdk
MODEL=cli/src/main/resources/fdht/mfm40-fdht-r4.safetensors
CP="cli/target/lib/*:cli/target/classes"
JAVA=("$JAVA_HOME/bin/java" --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp "$CP")
case "${1:-inproc}" in
  inproc) exec "${JAVA[@]}" tools/ServeLoad.java inproc "$MODEL" "${2:-256}" "${3:-200}" "${4:-1}" "${5:-200}" ;;
  http)
    PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    "${JAVA[@]}" fdht.cli.Main serve --model "$MODEL" --port "$PORT" --idle-timeout-ms 60000 --max-sequences 4096 &
    SERVER=$!
    trap 'kill $SERVER 2>/dev/null || true' EXIT
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/v2/health/ready" >/dev/null && break; sleep 0.2; done
    for mode in json binary; do # a short round of each first warms the server's JIT up (printed as warm-up)
      "${JAVA[@]}" tools/ServeLoad.java http "http://127.0.0.1:$PORT" mfm40-fdht-r4 4096 "${2:-64}" 20 "$mode" | sed 's/^/warm-up: /'
    done
    for mode in json binary; do
      "${JAVA[@]}" tools/ServeLoad.java http "http://127.0.0.1:$PORT" mfm40-fdht-r4 4096 "${2:-64}" "${3:-200}" "$mode"
    done ;;
  *) echo "usage: $0 inproc|http ..." >&2; exit 2 ;;
esac
