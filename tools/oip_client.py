#!/usr/bin/env python3
"""A client of `fdht serve` (the Open Inference Protocol, KServe v2 REST) in Python's standard
library only: urllib, json, struct. It reads clips from a float32 .npy ([T, N] or [B, T, N]) and
asks the server for their logits three ways: JSON tensors, Triton's binary tensor data, and, for the
first clip, frame by frame as a sequence (Triton's sequence extension). It prints one JSON object:
{"json": [...], "binary": [...], "sequence": [[...], ...]} (logits, row-major; one row per frame for
the sequence). Usage:

    python3 tools/oip_client.py --url http://127.0.0.1:8000 --model mfm40-fdht-r4 --npy clips.npy
"""
import argparse
import ast
import json
import struct
import sys
import urllib.error
import urllib.request


def read_npy(path):
    """A little-endian float32 C-order .npy: (shape, flat list of floats)."""
    with open(path, "rb") as f:
        if f.read(6) != b"\x93NUMPY":
            raise ValueError(path + " is not a .npy file")
        major = f.read(2)[0]
        size = struct.unpack("<H" if major == 1 else "<I", f.read(2 if major == 1 else 4))[0]
        header = ast.literal_eval(f.read(size).decode("latin1"))
        if header["descr"] != "<f4" or header["fortran_order"]:
            raise ValueError(path + ": expected little-endian float32 in C order, got " + str(header))
        shape = tuple(header["shape"])
        count = 1
        for d in shape:
            count *= d
        data = struct.unpack("<%df" % count, f.read(4 * count))
        return shape, list(data)


def post(url, body, header_length=None):
    """POSTs; returns (json header, binary tail). An error status raises with the server's message."""
    request = urllib.request.Request(url, data=body, method="POST")
    request.add_header("Content-Type", "application/octet-stream" if header_length else "application/json")
    if header_length is not None:
        request.add_header("Inference-Header-Content-Length", str(header_length))
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            data = response.read()
            length = response.headers.get("Inference-Header-Content-Length")
    except urllib.error.HTTPError as e:
        raise RuntimeError("HTTP %d: %s" % (e.code, e.read().decode("utf-8", "replace"))) from None
    end = int(length) if length else len(data)
    return json.loads(data[:end].decode("utf-8")), data[end:]


def infer_json(base, model, shape, data, parameters=None):
    request = {"inputs": [{"name": "input", "datatype": "FP32", "shape": list(shape), "data": data}],
               "outputs": [{"name": "logits"}]}
    if parameters:
        request["parameters"] = parameters
    answer, _ = post("%s/v2/models/%s/infer" % (base, model), json.dumps(request).encode("utf-8"))
    return answer["outputs"][0]["data"]


def infer_binary(base, model, shape, data):
    request = {"inputs": [{"name": "input", "datatype": "FP32", "shape": list(shape),
                           "parameters": {"binary_data_size": 4 * len(data)}}],
               "outputs": [{"name": "logits", "parameters": {"binary_data": True}}]}
    header = json.dumps(request).encode("utf-8")
    answer, tail = post("%s/v2/models/%s/infer" % (base, model), header + struct.pack("<%df" % len(data), *data),
                        len(header))
    size = answer["outputs"][0]["parameters"]["binary_data_size"]
    return list(struct.unpack("<%df" % (size // 4), tail[:size]))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--url", default="http://127.0.0.1:8000")
    p.add_argument("--model", required=True)
    p.add_argument("--npy", required=True)
    p.add_argument("--sequence-id", type=int, default=1)
    a = p.parse_args()
    shape, data = read_npy(a.npy)
    frames, n = shape[-2], shape[-1]
    out = {"json": infer_json(a.url, a.model, shape, data), "binary": infer_binary(a.url, a.model, shape, data)}
    sequence = []
    for t in range(frames):
        params = {"sequence_id": a.sequence_id, "sequence_start": t == 0, "sequence_end": t == frames - 1}
        sequence.append(infer_json(a.url, a.model, (1, n), data[t * n:(t + 1) * n], params))
    out["sequence"] = sequence
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
