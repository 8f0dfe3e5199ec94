#!/usr/bin/env bash
# Scores protocol C's finished runs (tools/accuracy_runs.sh) through the accelerator's fixed-point
# arithmetic (fdht eval --fixed-point, docs/ACCELERATOR.md section 8) and tabulates the accuracy
# lost per row and word width. Not CI.
#
#   tools/fixed_point_runs.sh [--out DIR] [--regime full|small|ucf]... [--bits "8 12 16"]
#                             [--threads T] [--dry-run]
#
# For each regime directory under DIR (default docs/results/protocol-c; --regime picks some) and
# each row in it, the runs of record are those at the row's chosen rate (the best validation
# accuracy among its seed-1 grid runs, ties to the lower loss: accuracy_runs.sh's rule), seeds 1 to
# 3, each once finished (its .result.json exists). Each run's best-validation model is scored on
# the test clips its run scored (the options --task, --data-seed and --test-limit in its result)
# at every width of --bits, the fraction bits eval's default (half the word: Q8.8, Q6.6, Q4.4).
# A score is kept as <model>.fixed<BITS>.txt (eval's output) and not redone: run the script again
# after more runs finish, or after a kill. Then DIR/<regime>/fixed-point.md gets the table: per row,
# the float test accuracy (mean of its seeds, from the results) and each width's mean, with the
# mean change from float in points (over the same seeds); a cell lists how many seeds it has when
# not all of the row's finished ones are scored.
#
# FDHT_CMD runs fdht (default: ./fdht of this checkout; the frozen builds of runs started before
# eval --fixed-point existed do not have it). Scoring is scalar integer arithmetic, about a
# nanosecond per multiply-add: a rank-4 FDHT run's 10,000 test clips take tens of seconds, a dense
# MFM-40 one minutes, a dense MFM-40-UCF one hours (--threads splits the clips).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/docs/results/protocol-c"; regimes=(); bits="8 12 16"; threads=1; dry=0
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --regime) regimes+=("$2"); shift 2 ;;
    --bits) bits="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --dry-run) dry=1; shift ;;
    -h|--help) usage ;;
    *) echo "fixed_point_runs.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$threads" =~ ^[1-9][0-9]*$ ]] || { echo "fixed_point_runs.sh: --threads $threads is not a positive number" >&2; exit 2; }
for b in $bits; do
  [[ "$b" == 8 || "$b" == 12 || "$b" == 16 ]] || { echo "fixed_point_runs.sh: --bits: $b is not 8, 12 or 16" >&2; exit 2; }
done
[[ -d "$out" ]] || { echo "fixed_point_runs.sh: --out $out is not a directory" >&2; exit 2; }
if [[ ${#regimes[@]} -eq 0 ]]; then
  for d in "$out"/*/; do [[ -d "$d" ]] && regimes+=("$(basename "$d")"); done
fi
read -ra fdht <<< "${FDHT_CMD:-$root/fdht}"

json_number() { sed -n "s/^ *\"$2\": \([^,]*\),\{0,1\}\$/\1/p" "$1"; }   # file key
json_option() { sed -n "s/.*\"$2\": \"\([^\"]*\)\".*/\1/p" "$1" | head -1; } # file --option

# The row's chosen rate: the best validation accuracy of its finished seed-1 runs (ties: lower loss).
chosen_rate() {
  local m lines=""
  for m in "$1"/lr*-s1.safetensors.result.json; do
    [[ -f "$m" ]] || continue
    local r="${m##*/lr}"; r="${r%-s1.safetensors.result.json}"
    lines+="$(json_number "$m" val_accuracy) $(json_number "$m" val_loss) $r"$'\n'
  done
  [[ -n "$lines" ]] || return 1
  printf '%s' "$lines" | sort -k1,1gr -k2,2g | head -1 | awk '{print $3}'
}

# The accuracy (a fraction) an eval output file reports.
eval_accuracy() { sed -n 's/.*: accuracy \([0-9.]*\)% .*/\1/p' "$1" | head -1 | awk '{print $1 / 100}'; }

score() { # model bits: eval --fixed-point into <model>.fixed<bits>.txt, atomically
  local m="$1" b="$2" res="$1.result.json" t="$1.fixed$2.txt"
  [[ -f "$t" ]] && return 0
  local args=(eval --model "$m" --task "$(json_option "$res" --task)" --split test
              --seed "$(json_option "$res" --data-seed)" --count "$(json_option "$res" --test-limit)"
              --fixed-point "$b" --threads "$threads")
  if [[ $dry == 1 ]]; then echo "fdht ${args[*]}"; return 0; fi
  echo "score ${m#"$out"/} at $b bits"
  "${fdht[@]}" "${args[@]}" > "$t.tmp" 2> "$t.err" || { echo "failed: ${m#"$out"/} at $b bits (see $t.err)" >&2; rm -f "$t.tmp"; return 1; }
  rm -f "$t.err"; mv "$t.tmp" "$t"
}

for regime in "${regimes[@]}"; do
  dir="$out/$regime"
  [[ -d "$dir" ]] || { echo "fixed_point_runs.sh: no regime directory $dir" >&2; exit 2; }
  table="| row | seeds | float |$(for b in $bits; do printf ' %s-bit |' "$b"; done)"$'\n'
  table+="|---|---|---|$(for b in $bits; do printf -- '---|'; done)"$'\n'
  for rowdir in "$dir"/*/; do
    [[ -d "$rowdir" ]] || continue
    row="$(basename "$rowdir")"
    rate="$(chosen_rate "${rowdir%/}")" || continue
    models=()
    for s in 1 2 3; do
      m="${rowdir}lr$rate-s$s.safetensors"
      [[ -f "$m.result.json" ]] && models+=("$m")
    done
    for m in "${models[@]}"; do for b in $bits; do score "$m" "$b" || true; done; done
    [[ $dry == 1 ]] && continue
    float="$(for m in "${models[@]}"; do json_number "$m.result.json" test_accuracy; done | awk '{s += $1; n++} END {if (n) printf "%.2f", 100 * s / n}')"
    line="| $row | ${#models[@]} | $float% |"
    for b in $bits; do
      # per seed: fixed and float accuracy, so a partial cell compares the same seeds
      cell="$(for m in "${models[@]}"; do
                [[ -f "$m.fixed$b.txt" ]] && echo "$(eval_accuracy "$m.fixed$b.txt") $(json_number "$m.result.json" test_accuracy)"
              done | awk -v all="${#models[@]}" '{s += $1; d += $1 - $2; n++} END {
                  if (!n) { printf "-"; exit }
                  printf "%.2f%% (%+.2f)", 100 * s / n, 100 * d / n
                  if (n < all) printf " [%d of %d seeds]", n, all }')"
      line+=" $cell |"
    done
    table+="$line"$'\n'
  done
  [[ $dry == 1 ]] && continue
  {
    echo "# Protocol C, regime $regime: test accuracy in the accelerator's fixed-point arithmetic"
    echo
    echo "Means over the seeds of each row's chosen rate, on the test clips each run scored; in"
    echo "parentheses the change from float, in points. Words: fdht eval --fixed-point BITS with the"
    echo "default fraction (half the word), docs/ACCELERATOR.md section 8. Written by"
    echo "tools/fixed_point_runs.sh --out ${out#"$root"/} --regime $regime --bits \"$bits\"."
    echo
    printf '%s' "$table"
  } > "$dir/fixed-point.md.tmp"
  mv "$dir/fixed-point.md.tmp" "$dir/fixed-point.md"
  echo "wrote $dir/fixed-point.md"
done
