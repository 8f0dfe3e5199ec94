"""JMH JSON -> the same JSON as the report should read it on a shared machine: sample mode -> score = the
median call (p50), error = p90 - p50 (MemoryBandwidthBenchmark, a roof: the fastest call); avgt -> score =
the best iteration. The mean mixes in the time slices other processes took. Usage: jmh_medians.py IN.json... OUT.json"""
import json, sys
out = []
for path in sys.argv[1:-1]:
    for r in json.load(open(path)):
        pm = r['primaryMetric']
        if r.get('mode') == 'sample' and '50.0' in pm.get('scorePercentiles', {}) and pm['scorePercentiles']['50.0'] > 0:
            pc = pm['scorePercentiles']
            if r['benchmark'].endswith('MemoryBandwidthBenchmark.read'):  # a roof: the best call, as the FMA peak's best iteration
                pm['score'], pm['scoreError'] = pc['0.0'], pc['50.0'] - pc['0.0']
            else:
                pm['score'], pm['scoreError'] = pc['50.0'], pc['90.0'] - pc['50.0']
        elif r.get('mode') == 'avgt' and 'rawData' in pm:
            raw = [x for fork in pm['rawData'] for x in fork]
            pm['score'], pm['scoreError'] = min(raw), pm['score'] - min(raw)
        elif r.get('mode') == 'sample':
            continue  # sample mode that cannot resolve one op (the FMA peak): measured in avgt instead
        out.append(r)
for r in out:
    r['primaryMetric'].pop('rawDataHistogram', None)  # the percentiles stay; the histograms are megabytes
json.dump(out, open(sys.argv[-1], 'w'))
