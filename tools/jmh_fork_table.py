#!/usr/bin/env python3
"""Lane layout against the row-folded kernel from one HtPlanBenchmark JMH JSON (format= and
layout=lanes|rows parameters): a Markdown table per format and batch with the best fork's median
iteration for each path (the other fork in brackets) and their ratio. The best fork, not the mean:
on a shared machine, and with the JIT hazard of docs/PERFORMANCE.md ("The slow forks"), one fork of
two can run 10-100x slower, which the mean would report as the path's speed.

Usage: python3 tools/jmh_fork_table.py run.json
"""
import json
import statistics
import sys


def main(path):
    runs = {}
    for b in json.load(open(path)):
        p = b["params"]
        forks = [statistics.median(f) for f in b["primaryMetric"]["rawData"]]
        runs[(p["format"], int(p["batch"]), p["layout"])] = forks
    print("| HT format (rows/cols/rank) | batch | lanes, us: best fork (other) "
          "| row-folded, us: best fork (other) | row-folded / lanes |")
    print("|---|---|---|---|---|")
    for f, batch in sorted({(f, b) for f, b, _ in runs}, key=lambda k: (k[1], k[0])):
        lanes, rows = runs.get((f, batch, "lanes")), runs.get((f, batch, "rows"))
        if not lanes or not rows:
            continue
        cell = lambda v: f"{min(v):.3g} ({max(v):.3g})"
        print(f"| {f} | {batch} | {cell(lanes)} | {cell(rows)} | {min(rows) / min(lanes):.2f}x |")


if __name__ == "__main__":
    main(sys.argv[1])
