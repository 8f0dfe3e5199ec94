"""JMH sample-mode JSON -> the same JSON with score = the median call (p50) and error = p90 - p50;
avgt JSON -> score = the best iteration. On a shared machine the mean mixes in the time slices
other processes took; the median call and the best iteration are what the code does when it runs."""
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
json.dump(out, open(sys.argv[-1], 'w'), indent=1)
