"""safetensors with numpy alone: save_file and load_file as the `safetensors.numpy` module has them.

For a Python without the `safetensors` package, such as Debian's /usr/bin/python3, which refuses
`pip install` (PEP 668, "externally managed") and has no package of it. Needs numpy only
(Debian: apt-get install python3-numpy). The format: an 8-byte little-endian header length, a
JSON header ({name: {dtype, shape, data_offsets}}, optional "__metadata__" of strings), then the
tensors' little-endian bytes (docs/FORMAT.md). Use it from your code with

    import sys; sys.path.insert(0, "/path/to/fdht/tools")     # or copy this file beside your script
    from safetensors_np import save_file, load_file
    save_file({k: v.detach().cpu().numpy() for k, v in model.state_dict().items()}, "model.safetensors")

or from the shell: python3 tools/safetensors_np.py FILE  (lists its tensors and metadata).
"""

import json
import struct
import sys

import numpy as np

_CODES = {  # numpy dtype -> safetensors dtype (bfloat16 has no numpy dtype)
    "float64": "F64", "float32": "F32", "float16": "F16",
    "int64": "I64", "int32": "I32", "int16": "I16", "int8": "I8",
    "uint64": "U64", "uint32": "U32", "uint16": "U16", "uint8": "U8", "bool": "BOOL",
}
_DTYPES = {code: np.dtype(name).newbyteorder("<") for name, code in _CODES.items()}


def save_file(tensors, filename, metadata=None):
    """Writes a dict of numpy arrays (each in its own dtype; float32 for fdht) and optional
    string metadata to `filename` as safetensors."""
    header, blobs, offset = {}, [], 0
    if metadata:
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
            raise ValueError("metadata keys and values must be strings")
        header["__metadata__"] = dict(metadata)
    for name, a in tensors.items():
        a = np.asarray(a)
        if a.dtype.name not in _CODES:
            raise ValueError(f"tensor {name!r}: dtype {a.dtype} has no safetensors code")
        b = np.ascontiguousarray(a, dtype=a.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": _CODES[a.dtype.name], "shape": list(a.shape),
                        "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * (-len(h) % 8)  # the data then starts 8-byte aligned
    with open(filename, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def _read(filename):
    with open(filename, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise ValueError(f"{filename}: {len(data)} bytes, too short for safetensors")
    (n,) = struct.unpack("<Q", data[:8])
    if 8 + n > len(data):
        raise ValueError(f"{filename}: header of {n} bytes runs past the end of the file")
    return json.loads(data[8:8 + n].decode("utf-8")), memoryview(data)[8 + n:]


def load_file(filename):
    """Reads every tensor of a safetensors file into a dict of numpy arrays."""
    header, body = _read(filename)
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] not in _DTYPES:
            raise ValueError(f"{filename}: tensor {name!r}: dtype {info['dtype']} has no numpy dtype")
        begin, end = info["data_offsets"]
        dt = _DTYPES[info["dtype"]]
        count = int(np.prod(info["shape"], dtype=np.int64))
        if not 0 <= begin <= end <= len(body) or end - begin != count * dt.itemsize:
            raise ValueError(f"{filename}: tensor {name!r}: data_offsets {info['data_offsets']} "
                             f"do not fit shape {info['shape']} of {info['dtype']}")
        out[name] = np.frombuffer(body[begin:end], dtype=dt).reshape(info["shape"]).copy()
    return out


def load_metadata(filename):
    """The file's string metadata ("__metadata__"), {} when it has none."""
    return dict(_read(filename)[0].get("__metadata__", {}))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python3 tools/safetensors_np.py FILE.safetensors")
    for k, v in sorted(load_metadata(sys.argv[1]).items()):
        print(f"metadata {k} = {v}")
    for k, v in load_file(sys.argv[1]).items():
        print(f"{k} {v.dtype} {list(v.shape)}")
