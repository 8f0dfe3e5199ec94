#!/usr/bin/env bash
# The launcher runs each command in the caller's directory (issue 23: it ran them in the
# repository's root, so relative --model/--input/--out paths given from elsewhere failed or landed
# in the repository). From a temporary directory, with relative paths only: data, infer, report
# and score write where the caller is, a failing infer leaves nothing, and nothing lands in the
# repository. Needs the project built (./fdht test) and Fashion-MNIST (the launcher installs it
# when root). Prints one line per check; exits 1 at the first that fails.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
before="$(cd "$root" && git status --porcelain --untracked-files=all 2>/dev/null || true)"
fail() { echo "launcher paths: FAILED: $*" >&2; exit 1; }
ok() { echo "launcher paths: ok: $*"; }

cp "$root/cli/src/main/resources/fdht/mfm40-fdht-r4.safetensors" m.safetensors
"$root/fdht" data mfm --split test --count 3 --seed 1 --out clips >/dev/null
[[ -f clips/clips.npy && -f clips/labels.npy ]] || fail "data mfm --out clips did not write ./clips/"
ok "data mfm --out clips wrote ./clips/clips.npy and ./clips/labels.npy"

"$root/fdht" infer --model m.safetensors --input clips/clips.npy --hidden-out h.npy --logits-out y.npy >/dev/null
[[ -f h.npy && -f y.npy ]] || fail "infer --hidden-out h.npy --logits-out y.npy did not write them here"
ok "infer with relative --model, --input, --hidden-out and --logits-out"

if "$root/fdht" infer --model m.safetensors --input clips/clips.npy --hidden-out h2.npy --logits-out no-dir/y.npy 2>err.txt; then
  fail "infer into a missing directory exited 0"
fi
[[ ! -e h2.npy ]] || fail "a failed infer left h2.npy"
[[ $(wc -l < err.txt) -eq 1 ]] || fail "a failed infer printed more than one line: $(cat err.txt)"
ok "infer into a missing directory: exit 2, one line ($(cat err.txt)), no output left"

cp "$root/docs/results/bench-2026-12-01-quick/jmh-1.json" jmh.json
"$root/fdht" report jmh.json --charts charts > report.md
[[ -s report.md && -f charts/latency.png && -f charts/roofline.png ]] || fail "report jmh.json --charts charts did not write ./charts/"
ok "report with a relative result file and --charts"

"$root/fdht" score --model m.safetensors --input clips --out s.parquet --master 'local[1]' >/dev/null 2>score.txt \
  || fail "score failed: $(tail -1 score.txt)"
[[ -d s.parquet ]] || fail "score --out s.parquet did not write ./s.parquet"
ok "score with relative --model, --input and --out"

after="$(cd "$root" && git status --porcelain --untracked-files=all 2>/dev/null || true)"
[[ "$before" == "$after" ]] || fail "files appeared in the repository: $(diff <(echo "$before") <(echo "$after") | grep '^>' | head -3)"
ok "nothing written into the repository"
