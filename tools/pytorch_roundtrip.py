"""PyTorch round trip, not part of CI: needs Debian's python3-torch (apt-get install python3-torch; run
with /usr/bin/python3).

For each case a random nn.LSTM (1-3 layers, one or both directions, prime and awkward input sizes)
inside a module, with or without a linear head, is saved as a safetensors state dict the way
PyTorch code saves one (tools/safetensors_np.py: numpy only, no safetensors package),
converted with `fdht convert --ranks full`, run with `fdht infer`, and compared with PyTorch's
own output sequence [B, T, D*H] and logits head(output[:, -1]). Prints the max relative error of
each (max |torch - fdht| / max |torch|) and fails when one is above 1e-5.

    /usr/bin/python3 tools/pytorch_roundtrip.py [--fdht ./fdht] [--dir /tmp/fdht-roundtrip]
"""
import argparse, os, subprocess, sys
import numpy as np, torch
from safetensors_np import save_file  # beside this script: numpy only, no safetensors package

TARGET = 1e-5


class Classifier(torch.nn.Module):
    """An LSTM under a field name (its tensors get that prefix) and an optional head on output[:, -1]."""

    def __init__(self, lstm_field, head_field, n, h, layers, bidirectional, classes, extra=False):
        super().__init__()
        if extra:                                            # tensors the LSTM and head do not use: convert names them
            self.norm = torch.nn.BatchNorm1d(n)
        self.lstm_field, self.head_field = lstm_field, head_field
        lstm = torch.nn.LSTM(n, h, num_layers=layers, bidirectional=bidirectional, batch_first=True)
        if "." in lstm_field:                                # a nested module, e.g. encoder.rnn
            outer, inner = lstm_field.split(".")
            setattr(self, outer, torch.nn.Module()); setattr(getattr(self, outer), inner, lstm)
        else:
            setattr(self, lstm_field, lstm)
        self.__dict__["lstm_module"] = lstm                  # a plain reference: registered once, under lstm_field
        if head_field:
            setattr(self, head_field, torch.nn.Linear((2 if bidirectional else 1) * h, classes))

    def forward(self, x):
        out, _ = self.lstm_module(x)
        logits = getattr(self, self.head_field)(out[:, -1]) if self.head_field else None
        return out, logits


CASES = [  # lstm field, head field, N, H, layers, bidirectional, classes, --order
    ("", "fc", 50, 8, 1, False, 3, 2),                     # a bare nn.LSTM and an fc head, as before
    ("lstm", "classifier", 31, 8, 2, False, 10, 2),        # the stacked case, prime N (and a BatchNorm it ignores)
    ("lstm", "classifier", 30, 8, 1, True, 4, 2),          # the bidirectional case
    ("encoder.rnn", "head", 37, 6, 2, True, 5, 3),         # nested prefix, both directions, stacked
    ("lstm", None, 29, 5, 3, True, 0, 2),                  # three layers, both directions, no head
    ("rnn", None, 13, 4, 3, False, 0, 2),                  # three layers, no head
    ("lstm", "fc", 53, 7, 3, True, 6, 2),                  # prime N, three bidirectional layers, head
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fdht", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fdht"))
    ap.add_argument("--dir", default="/tmp/fdht-roundtrip")
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    torch.manual_seed(0)
    worst = 0.0
    print(f"{'case':68s} {'output rel err':>15s} {'logits rel err':>15s}")
    for i, (lf, hf, n, h, layers, bi, classes, order) in enumerate(CASES):
        model = Classifier(lf or "lstm", hf, n, h, layers, bi, classes, extra=(i == 1)).eval()
        sd = model.state_dict()
        if lf == "":                                          # a bare nn.LSTM: no prefix
            sd = {k[len("lstm."):] if k.startswith("lstm.") else k: v for k, v in sd.items()}
        d = os.path.join(a.dir, f"case{i}")
        torch_file, fdht_file, clip_file = d + "-torch.safetensors", d + "-fdht.safetensors", d + "-clip.npy"
        save_file({k: v.detach().numpy() for k, v in sd.items()}, torch_file)
        x = torch.rand(2, 5, n) * 2 - 1
        np.save(clip_file, x.numpy().astype(np.float32))
        with torch.no_grad():
            out, logits = model(x)
        conv = subprocess.run([a.fdht, "convert", "--from-pytorch", torch_file, "--out", fdht_file, "--ranks", "full", "--order", str(order)],
                              check=True, stdout=subprocess.PIPE, text=True)
        ignored = [l for l in conv.stdout.splitlines() if l.startswith("ignored: ")]
        infer = [a.fdht, "infer", "--model", fdht_file, "--input", clip_file, "--hidden-out", d + "-h.npy"]
        if hf:
            infer += ["--logits-out", d + "-y.npy"]
        subprocess.run(infer, check=True, stdout=subprocess.DEVNULL)
        got = np.load(d + "-h.npy")
        assert got.shape == tuple(out.shape), (got.shape, out.shape)
        e_out = float(abs(out.numpy() - got).max() / abs(out.numpy()).max())
        e_y = float("nan")
        if hf:
            y = np.load(d + "-y.npy")
            e_y = float(abs(logits.numpy() - y).max() / abs(logits.numpy()).max())
        worst = max(worst, e_out, 0 if hf is None else e_y)
        name = f"{lf or '(bare)'}+{hf or 'no head'}: nn.LSTM({n}, {h}, num_layers={layers}, bidirectional={bi})"
        print(f"{name:68s} {e_out:15.2e} {e_y:15.2e}" + ("   " + ignored[0] if ignored else ""))
    print(f"worst {worst:.2e} (target {TARGET:g})")
    sys.exit(0 if worst <= TARGET else 1)


if __name__ == "__main__":
    main()
