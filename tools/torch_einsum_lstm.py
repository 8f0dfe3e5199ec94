"""PyTorch peer, not part of CI: the FDHT-LSTM of LSTM-UCF written as staged torch.einsum calls.

Needs Debian's python3-torch (apt-get install python3-torch); run with /usr/bin/python3:

    /usr/bin/python3 tools/torch_einsum_lstm.py [OUT.json] [--seconds S]

One HT matrix over [x ; h ; 0] (rows 16x4x4x4, columns 8x20x20x19 = 57,600 inputs + 256 hidden,
zero-padded), balanced tree ((1,2),(3,4)), ranks 4, the LSTM gates in PyTorch's order i, f, g, o:
the same shapes as fdht's LstmStepBenchmark at model=ucf rank=4. Each frame-step contracts the
leaves and transfer tensors in seven einsum stages (about 2.2 M multiply-adds per frame), on one
thread (torch.set_num_threads(1)), under torch.no_grad. Times frame-steps at batch 1 and 16 and
writes JMH-shaped JSON (benchmark "fdht.jmh.peers.TorchEinsumLstm.step", params model, rank, batch,
threads; score = microseconds per step, the median of 1-second rounds, error = their spread) that
`./fdht report` merges into its per-frame table. Before timing, the staged contraction is checked
against the dense W it encodes on a small format.
"""
import json, sys, time
import torch

torch.set_num_threads(1)
torch.manual_seed(2022)
M, N, R = (16, 4, 4, 4), (8, 20, 20, 19), 4
INPUT, HIDDEN = 57_600, 256


def cores(m, n, r):
    """Leaves U_k [m_k, n_k, r] and transfers B12, B34 [r, r, r], root [r, r], scaled so W's entries are O(1/sqrt(cols))."""
    u = [torch.randn(m[k], n[k], r) / (n[k] * r) ** 0.5 for k in range(4)]
    b12, b34 = torch.randn(r, r, r) / r, torch.randn(r, r, r) / r
    root = torch.randn(r, r) / r
    return u, b12, b34, root


def project(x, c):
    """z = W x for x [B, n1, n2, n3, n4]: seven einsum stages, right subtree first, then the root, then the left."""
    (u1, u2, u3, u4), b12, b34, root = c
    t = torch.einsum('bpqrs,msa->bpqrma', x, u4)        # j4 -> i4 a4
    t = torch.einsum('bpqrma,lrc->bpqlmac', t, u3)      # j3 -> i3 a3
    t = torch.einsum('bpqlmac,tca->bpqlmt', t, b34)     # a3 a4 -> a34
    t = torch.einsum('bpqlmt,st->bpqlms', t, root)      # a34 -> a12 (the root)
    t = torch.einsum('bpqlms,kqe->bpklmse', t, u2)      # j2 -> i2 a2
    t = torch.einsum('bpklmse,sfe->bpklmf', t, b12)     # a12 a2 -> a1
    return torch.einsum('bpklmf,jpf->bjklm', t, u1).reshape(x.shape[0], -1)  # j1 a1 -> i1


def dense(c):
    """W [prod m, prod n] from the cores, in one einsum (for the check only)."""
    (u1, u2, u3, u4), b12, b34, root = c
    w = torch.einsum('jpf,kqe,lrc,msa,zfe,tca,zt->jklmpqrs', u1, u2, u3, u4, b12, b34, root)
    m, n = w.shape[:4], w.shape[4:]
    return w.reshape(int(torch.tensor(m).prod()), int(torch.tensor(n).prod()))


def check():
    c = cores((3, 2, 2, 3), (2, 3, 4, 2), 3)
    x = torch.randn(5, 2, 3, 4, 2)
    want = x.reshape(5, -1) @ dense(c).T
    got = project(x, c)
    err = float((want - got).abs().max())
    assert err < 1e-4 * float(want.abs().max()), f"staged einsum differs from dense W x by {err}"


def step(frame, h, c_state, packed, c, bias):
    b = frame.shape[0]
    packed[:, :INPUT] = frame
    packed[:, INPUT:INPUT + HIDDEN] = h
    z = project(packed.view(b, *N), c) + bias
    i, f, g, o = z.split(HIDDEN, dim=1)
    c_state = torch.sigmoid(f) * c_state + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c_state), c_state


def time_batch(batch, seconds, c, bias):
    frame = torch.rand(batch, INPUT) * 2 - 1
    h, cs = torch.zeros(batch, HIDDEN), torch.zeros(batch, HIDDEN)
    packed = torch.zeros(batch, 8 * 20 * 20 * 19)  # the zero padding is written once
    rounds = []
    with torch.no_grad():
        for _ in range(20):
            h, cs = step(frame, h, cs, packed, c, bias)  # warm-up
        for _ in range(int(seconds)):
            n, t0 = 0, time.perf_counter()
            while time.perf_counter() - t0 < 1.0:
                h, cs = step(frame, h, cs, packed, c, bias)
                n += 1
            rounds.append((time.perf_counter() - t0) / n * 1e6)
    rounds.sort()
    return rounds[len(rounds) // 2], (rounds[-1] - rounds[0]) / 2


def main():
    out, seconds = "torch-einsum.json", 5
    args = sys.argv[1:]
    while args:
        a = args.pop(0)
        if a == "--seconds":
            seconds = float(args.pop(0))
        elif a.startswith("--"):
            sys.exit(f"torch_einsum_lstm.py: unknown option {a}")
        else:
            out = a
    check()
    c = cores(M, N, R)
    bias = torch.zeros(4 * HIDDEN)
    results = []
    for batch in (1, 16):
        us, err = time_batch(batch, seconds, c, bias)
        print(f"PyTorch {torch.__version__} staged-einsum HT-LSTM, LSTM-UCF rank 4, batch {batch}, 1 thread: {us:.1f} us per step, {us / batch:.1f} us per frame", file=sys.stderr)
        results.append({"benchmark": "fdht.jmh.peers.TorchEinsumLstm.step", "mode": "avgt",
                        "params": {"model": "ucf", "rank": "4", "batch": str(batch), "threads": "1"},
                        "primaryMetric": {"score": us, "scoreError": err, "scoreUnit": "us/op"},
                        "peer": f"PyTorch {torch.__version__}, torch.einsum, {torch.get_num_threads()} thread"})
    tmp = out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(results, f, indent=1)
    import os
    os.replace(tmp, out)


if __name__ == "__main__":
    main()
