"""PyTorch peer of the bundled MFM-40 model, not part of CI: a dense nn.LSTM(4096, 128) with a
Linear(128, 40) head, the shape of cli/src/main/resources/fdht/mfm40-fdht-r4.safetensors (which is
FDHT rank 4 over the same [x ; h]; the peer holds the dense matrices PyTorch users would run).

Needs Debian's python3-torch (apt-get install python3-torch); run with /usr/bin/python3. Its speed is
that of the BLAS behind libblas.so.3: with Debian's reference BLAS (what is there without
libopenblas0-pthread; `./fdht bench` installs OpenBLAS when it runs as root) nn.LSTM took 19 ms a
clip-frame at batch 1 on a shared 2-core Intel Xeon @ 2.80GHz under load 12, which times the
reference BLAS, not PyTorch. Check `ldconfig -p | grep openblas` before reading its figures.

    /usr/bin/python3 tools/torch_mfm_lstm.py [OUT.json] [--seconds S]

Scores clips of 8 frames (batch_first, from the zero state, under torch.no_grad, one thread:
torch.set_num_threads(1)) at batch 1, 16 and 64: the LSTM over the clip, then the head on the last
output, as fdht's MfmBenchmark.clip does through the model API. Writes JMH-shaped JSON (benchmark
"fdht.jmh.peers.TorchMfmLstm.clip", params batch, threads; score = microseconds per batch of
clips, the median of 1-second rounds, error = their spread) that `./fdht report` puts beside
MfmBenchmark in its MFM-40 section. Before timing, the nn.LSTM is checked against the LSTM
equations written out (gates i, f, g, o) on one clip.
"""
import json, os, sys, time
import torch

torch.set_num_threads(1)
torch.manual_seed(40)
INPUT, HIDDEN, CLASSES, FRAMES = 4096, 128, 40, 8


def model():
    lstm = torch.nn.LSTM(INPUT, HIDDEN, batch_first=True)
    head = torch.nn.Linear(HIDDEN, CLASSES)
    return lstm.eval(), head.eval()


def clip_logits(lstm, head, x):
    out, _ = lstm(x)
    return head(out[:, -1])


def check(lstm, head):
    """The nn.LSTM against its equations, so the peer times the model it claims to."""
    x = torch.rand(1, FRAMES, INPUT)
    h, c = torch.zeros(1, HIDDEN), torch.zeros(1, HIDDEN)
    for t in range(FRAMES):
        z = x[:, t] @ lstm.weight_ih_l0.T + h @ lstm.weight_hh_l0.T + lstm.bias_ih_l0 + lstm.bias_hh_l0
        i, f, g, o = z.split(HIDDEN, dim=1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
    want = head(h)
    got = clip_logits(lstm, head, x)
    err = float((want - got).abs().max())
    assert err < 1e-4 * max(1.0, float(want.abs().max())), f"nn.LSTM differs from its equations by {err}"


def time_batch(lstm, head, batch, seconds):
    x = torch.rand(batch, FRAMES, INPUT)
    rounds = []
    for _ in range(5):
        clip_logits(lstm, head, x)  # warm-up
    for _ in range(max(1, int(seconds))):
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < 1.0:
            clip_logits(lstm, head, x)
            n += 1
        rounds.append((time.perf_counter() - t0) / n * 1e6)
    rounds.sort()
    return rounds[len(rounds) // 2], (rounds[-1] - rounds[0]) / 2


def main():
    out, seconds = "torch-mfm.json", 5
    args = sys.argv[1:]
    while args:
        a = args.pop(0)
        if a == "--seconds":
            seconds = float(args.pop(0))
        elif a.startswith("--"):
            sys.exit(f"torch_mfm_lstm.py: unknown option {a}")
        else:
            out = a
    lstm, head = model()
    results = []
    with torch.no_grad():
        check(lstm, head)
        for batch in (1, 16, 64):
            us, err = time_batch(lstm, head, batch, seconds)
            print(f"PyTorch {torch.__version__} nn.LSTM(4096, 128) + Linear(128, 40), {FRAMES}-frame clips, batch {batch},"
                  f" 1 thread: {us:.1f} us per batch, {us / batch / FRAMES:.2f} us per clip-frame", file=sys.stderr)
            results.append({"benchmark": "fdht.jmh.peers.TorchMfmLstm.clip", "mode": "avgt",
                            "params": {"batch": str(batch), "threads": "1"},
                            "primaryMetric": {"score": us, "scoreError": err, "scoreUnit": "us/op"},
                            "peer": f"PyTorch {torch.__version__}, nn.LSTM + nn.Linear, {torch.get_num_threads()} thread"})
    tmp = out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(results, f, indent=1)
    os.replace(tmp, out)


if __name__ == "__main__":
    main()
