#!/usr/bin/env bash
# Load for the sequence batcher and fdht serve (issue 24); see ServeLoad.java. Not part of CI.
# Needs the project built (./fdht test or mvn install: cli/target/lib) and a JDK >= 25 (tools/jdk.sh).
#   [PUSH=in-place] [DEPTH=4] [OUTPUTS=hidden] tools/serve_load.sh inproc [STREAMS] [FRAMES] [STEPPERS] [MAXDELAY_US] [MAXBATCH] [RATE]
#                                   the batcher in process, bundled MFM-40 model (MAXBATCH 1: every frame
#                                   stepped alone; RATE: frames offered a second, 0 as fast as taken)
#   tools/serve_load.sh sweep OUT.csv [STEPPERS] [MAXDELAY_US] [FRAMES_IN_ALL] [STREAMS...]
#                                   saturation throughput and p99 against the number of streams (default
#                                   1 4 16 64 256 1024), OUT.csv and OUT.png
#   [SERVE_ARGS=...] [WARM=60] [SECONDS_A_MODE=20] tools/serve_load.sh http [SEQUENCES] [FRAMES]
#                                   starts fdht serve on a free loopback port (SERVE_ARGS: more of its options), JSON then binary,
#                                   with the JDK's HttpClient and then a light socket client (ServeLoad.java);
#                                   every sequence's last logits checked against the model stepped alone
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -d cli/target/lib ]] || { echo "$0: build the project first (./fdht test)" >&2; exit 2; }
source tools/jdk.sh && require_jdk
MODEL=cli/src/main/resources/fdht/mfm40-fdht-r4.safetensors
CP="cli/target/lib/*:cli/target/classes"
# PUSH=in-place lends the frames to the batcher (Stream.offerInPlace) instead of copying them;
# OUTPUTS=hidden gives each frame's hidden state and runs no head (the work JMH's MfmBenchmark.step times);
# DEPTH: frames a stream has unanswered at most at saturation (inproc, sweep); a fixed 1 GB heap, so
# that collecting the warm-up's garbage before the measured round (ServeLoad.quiet) does not shrink
# the heap and make it grow back, with pauses, during that round
JAVA=("$JAVA_HOME/bin/java" --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xms1g -Xmx1g
      -Dserveload.push="${PUSH:-copy}" -Dserveload.depth="${DEPTH:-4}" -Dserveload.outputs="${OUTPUTS:-logits}" -cp "$CP")
case "${1:-inproc}" in
  inproc) exec "${JAVA[@]}" tools/ServeLoad.java inproc "$MODEL" "${2:-256}" "${3:-200}" "${4:-1}" "${5:-200}" "${6:-0}" "${7:-0}" ;;
  sweep)
    [[ $# -ge 2 ]] || { echo "usage: $0 sweep OUT.csv [STEPPERS] [MAXDELAY_US] [FRAMES_IN_ALL] [STREAMS...]" >&2; exit 2; }
    out=$2; steppers=${3:-2}; delay=${4:-200}; total=${5:-256000}; shift $(( $# < 5 ? $# : 5 ))
    counts=("$@"); [[ ${#counts[@]} -gt 0 ]] || counts=(1 4 16 64 256 1024)
    exec "${JAVA[@]}" tools/ServeLoad.java sweep "$MODEL" "$out" "$steppers" "$delay" "$total" "${counts[@]}" ;;
  http)
    PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    # shellcheck disable=SC2086 # SERVE_ARGS: more options for fdht serve, e.g. "--steppers 2 --max-delay-us 50"
    "${JAVA[@]}" fdht.cli.Main serve --model "$MODEL" --port "$PORT" --idle-timeout-ms 60000 --max-sequences 4096 ${SERVE_ARGS:-} &
    SERVER=$!
    trap 'kill $SERVER 2>/dev/null || true' EXIT
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/v2/health/ready" >/dev/null && break; sleep 0.2; done
    # the server's JIT needs about half a minute of load before its rate settles (measured: binary
    # requests at 2,500 frames/s in the first second, 10,000 after 5 s, 16,000-17,000 after 20 s and
    # 20,000-23,000 after 40 s): WARM seconds of load first (default 60, printed as warm-up), then
    # SECONDS_A_MODE of rounds a mode, each round's outputs checked, and the median round
    warm=${WARM:-60}
    for mode in json json:socket binary binary:socket; do
      "${JAVA[@]}" tools/ServeLoad.java http "http://127.0.0.1:$PORT" mfm40-fdht-r4 4096 "${2:-64}" "${3:-200}" "$mode" $(( warm / 4 )) | sed 's/^/warm-up: /'
    done
    for mode in json binary json:socket binary:socket; do
      "${JAVA[@]}" tools/ServeLoad.java http "http://127.0.0.1:$PORT" mfm40-fdht-r4 4096 "${2:-64}" "${3:-200}" "$mode" "${SECONDS_A_MODE:-20}" "$MODEL"
    done ;;
  *) echo "usage: $0 inproc|sweep|http ..." >&2; exit 2 ;;
esac
