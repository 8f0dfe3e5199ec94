"""Training speed of the same FDHT-LSTM in PyTorch autograd, for docs/ACCURACY.md; not CI.

The model of `fdht train --format fdht --ranks 4 --hidden 128` on MFM-40 (W 512 x 4224 as one HT
matrix, m = 16x4x4x2, n = 4x8x11x12, balanced tree, ranks 4, head 40 classes), trained the way
PyTorch users would write it: the HT nodes are the parameters, W is reconstructed by einsum once
per batch (autograd through the reconstruction), then the LSTM runs over the clip on [x; h] with
dense matmuls; cross-entropy, backward, Adam. Clips are random (speed does not depend on the data).
Prints clips per second on the given number of threads (default 1).

    /usr/bin/python3 tools/pytorch_train_speed.py [--threads 1] [--batches 30]
"""
import argparse, time
import torch

p = argparse.ArgumentParser()
p.add_argument("--threads", type=int, default=1)
p.add_argument("--batches", type=int, default=30)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)
N, H, C, T, B = 4096, 128, 40, 8, 32
m, n, r = [16, 4, 4, 2], [4, 8, 11, 12], 4
leaves = [torch.nn.Parameter(torch.randn(m[k], n[k], r) * 0.3) for k in range(4)]
b5, b6 = torch.nn.Parameter(torch.randn(r, r, r) * 0.25), torch.nn.Parameter(torch.randn(r, r, r) * 0.25)
b7 = torch.nn.Parameter(torch.randn(1, r, r) * 0.25)
bias = torch.nn.Parameter(torch.zeros(4 * H))
head = torch.nn.Linear(H, C)
params = leaves + [b5, b6, b7, bias] + list(head.parameters())
opt = torch.optim.Adam(params, lr=0.01)

def join(Bt, Ul, Ur):
    U = torch.einsum("abc,ijb,klc->ikjla", Bt, Ul, Ur)
    s = U.shape
    return U.reshape(s[0] * s[1], s[2] * s[3], s[4])

def step(x, y):
    W = join(b7, join(b5, leaves[0], leaves[1]), join(b6, leaves[2], leaves[3]))[:, :N + H, 0]
    Wx, Wh = W[:, :N], W[:, N:]
    zx = x.reshape(B * T, N) @ Wx.T                 # the input half of every frame in one GEMM
    zx = zx.reshape(B, T, 4 * H)
    h = torch.zeros(B, H); c = torch.zeros(B, H)
    for t in range(T):
        z = zx[:, t] + h @ Wh.T + bias
        i, f, g, o = torch.sigmoid(z[:, :H]), torch.sigmoid(z[:, H:2 * H]), torch.tanh(z[:, 2 * H:3 * H]), torch.sigmoid(z[:, 3 * H:])
        c = f * c + i * g
        h = o * torch.tanh(c)
    loss = torch.nn.functional.cross_entropy(head(h), y)
    opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(params, 1.0)
    opt.step()
    return loss.item()

x = torch.rand(B, T, N); y = torch.randint(0, C, (B,))
for _ in range(5):
    step(x, y)
start = time.perf_counter()
for _ in range(a.batches):
    step(x, y)
secs = time.perf_counter() - start
print("PyTorch %s, %d thread(s): %.0f clips/s (%d batches of %d clips of %d frames in %.2f s)"
      % (torch.__version__, a.threads, a.batches * B / secs, a.batches, B, T, secs))
