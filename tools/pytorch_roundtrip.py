"""PyTorch round trip, not part of CI: needs Debian's python3-torch (apt-get install python3-torch).

Writes a random nn.LSTM(50, 8) with a linear head as a safetensors state dict (numpy only, no
safetensors package), a clip, and PyTorch's own outputs; then run

    ./fdht convert --from-pytorch /tmp/torch-lstm.safetensors --out /tmp/torch-fdht.safetensors --ranks full --order 2
    ./fdht infer --model /tmp/torch-fdht.safetensors --input /tmp/torch-clip.npy --hidden-out /tmp/fdht-h.npy --logits-out /tmp/fdht-y.npy
    python3 tools/pytorch_roundtrip.py compare
"""
import json, struct, sys
import numpy as np, torch
torch.manual_seed(0)
N, H, T = 50, 8, 5
lstm = torch.nn.LSTM(N, H)
fc = torch.nn.Linear(H, 3)
def save(path, tensors):
    header, blobs, off = {}, [], 0
    for k, v in tensors.items():
        b = np.ascontiguousarray(v.detach().numpy(), dtype="<f4").tobytes()
        header[k] = {"dtype": "F32", "shape": list(v.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b); off += len(b)
    h = json.dumps(header).encode(); h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h))); f.write(h); [f.write(b) for b in blobs]
t = dict(lstm.state_dict()); t.update({"fc." + k: v for k, v in fc.state_dict().items()})
save("/tmp/torch-lstm.safetensors", t)
x = torch.rand(T, 1, N) * 2 - 1
np.save("/tmp/torch-clip.npy", x[:, 0, :].numpy().astype(np.float32))
with torch.no_grad():
    out, _ = lstm(x)
    logits = fc(out[-1, 0])
np.save("/tmp/torch-h.npy", out[:, 0, :].numpy()); np.save("/tmp/torch-y.npy", logits.numpy())

if len(sys.argv) > 1 and sys.argv[1] == "compare":
    a, b = np.load("/tmp/torch-h.npy"), np.load("/tmp/fdht-h.npy")
    print("h: max |torch - fdht|", float(abs(a - b).max()), "of max |h|", float(abs(a).max()))
    a, b = np.load("/tmp/torch-y.npy"), np.load("/tmp/fdht-y.npy")
    print("logits: max |torch - fdht|", float(abs(a - b).max()))
