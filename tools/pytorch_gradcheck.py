"""Cross-check of fdht's reverse mode against PyTorch autograd; not part of CI.

Needs Debian's python3-torch (apt-get install -y python3-torch; run with /usr/bin/python3) and a
built tree (./fdht test, or mvn -DskipTests install). For an FDHT model (one HT matrix over
[x; h], balanced tree of order 4) and a TT model (TT over [x; h]) with random weights, a random
labelled clip batch is written; fdht.train.report.GradientDump computes the gradient of the
summed cross-entropy with fdht's kernels (tape, backward kernels, packing chain rule, BPTT), and
PyTorch computes the same loss in double precision from the node tensors by autograd. Prints the
largest difference of every parameter's gradient relative to its largest entry; exits 1 if any
exceeds 1e-3.

    /usr/bin/python3 tools/pytorch_gradcheck.py
"""
import glob, os, subprocess, sys, tempfile
import numpy as np, torch
from safetensors_np import load_file, save_file  # beside this script: numpy only

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JAVA = os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64") + "/bin/java"
N, H, C, T, B = 11, 4, 5, 3, 3
M_F, N_F = [2, 2, 2, 2], [2, 2, 2, 2]          # 4H = 16 rows, 16 >= N + H = 15 columns
rng = np.random.default_rng(7)

def common_meta(kind):
    return {"format": "fdht-lstm", "format_version": "1", "input_size": str(N), "hidden_size": str(H), "gate_order": "ifgo",
            "kind": kind, "head_classes": str(C), "row_factors": ",".join(map(str, M_F)), "col_factors": ",".join(map(str, N_F))}

def ht_w(nodes):
    """W [16, 16] of a balanced order-4 HT: node 5 = (1,2), 6 = (3,4), 7 = root (post-order ids)."""
    def join(B, Ul, Ur):   # U[i, j, r] with i, j over the joined modes, left modes slower
        U = torch.einsum("abc,ijb,klc->ikjla", B, Ul, Ur)
        s = U.shape
        return U.reshape(s[0] * s[1], s[2] * s[3], s[4])
    u5 = join(nodes["ht.node.5"], nodes["ht.node.1"], nodes["ht.node.2"])
    u6 = join(nodes["ht.node.6"], nodes["ht.node.3"], nodes["ht.node.4"])
    return join(nodes["ht.node.7"], u5, u6)[:, :, 0]

def tt_w(cores):
    W = cores["tt.core.1"][0]                  # [m1, n1, r1]
    for k in range(2, 5):
        G = cores["tt.core.%d" % k]            # [r, m, n, r']
        W = torch.einsum("ijr,rklq->ikjlq", W, G)
        s = W.shape
        W = W.reshape(s[0] * s[1], s[2] * s[3], s[4])
    return W[:, :, 0]

def torch_loss(params, w_of, x, y):
    W = w_of(params)[:, :N + H]
    h = torch.zeros(B, H, dtype=torch.float64); c = torch.zeros(B, H, dtype=torch.float64)
    for t in range(T):
        z = torch.cat([x[:, t, :], h], dim=1) @ W.T + params["lstm.bias"]
        i, f, g, o = torch.sigmoid(z[:, :H]), torch.sigmoid(z[:, H:2 * H]), torch.tanh(z[:, 2 * H:3 * H]), torch.sigmoid(z[:, 3 * H:])
        c = f * c + i * g
        h = o * torch.tanh(c)
    logits = h @ params["head.weight"].T + params["head.bias"]
    return torch.nn.functional.cross_entropy(logits, y, reduction="sum")

def check(kind, tensors, w_of, tmp):
    meta = common_meta(kind)
    if kind == "fdht":
        meta.update({"tree": "((1,2),(3,4))", "ranks": "3,3,3,3,3,3,1"})
    else:
        meta.update({"tt_ranks": "1,3,3,3,1"})
    tensors["lstm.bias"] = rng.uniform(-1, 1, 4 * H)
    tensors["head.weight"] = rng.uniform(-1, 1, (C, H))
    tensors["head.bias"] = rng.uniform(-1, 1, C)
    tensors = {k: np.asarray(v, dtype=np.float32) for k, v in tensors.items()}
    model, clips, labels, grads = (os.path.join(tmp, kind + s) for s in (".safetensors", "-clips.npy", "-labels.npy", "-grads.safetensors"))
    save_file({k: np.asarray(v, dtype=np.float32) for k, v in tensors.items()}, model, meta)
    x = rng.uniform(0, 1, (B, T, N)).astype(np.float32)
    y = rng.integers(0, C, B).astype(np.int64)
    np.save(clips, x); np.save(labels, y)
    cp = ":".join(glob.glob(os.path.join(ROOT, "cli/target/lib/*.jar")))
    subprocess.run([JAVA, "--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-cp", cp,
                    "fdht.train.report.GradientDump", model, clips, labels, grads], check=True)
    got = load_file(grads)
    params = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in tensors.items()}
    loss = torch_loss(params, w_of, torch.tensor(x, dtype=torch.float64), torch.tensor(y))
    loss.backward()
    worst = abs(float(got["loss"][0]) - loss.item()) / max(1.0, abs(loss.item()))
    print("%s: loss fdht %.6f torch %.6f" % (kind, float(got["loss"][0]), loss.item()))
    for k, p in params.items():
        ref = p.grad.numpy(); diff = np.abs(got[k].astype(np.float64) - ref).max() / max(np.abs(ref).max(), 1e-12)
        worst = max(worst, diff)
        print("  %-14s max |fdht - torch| / max |torch| = %.2e" % (k, diff))
    return worst

with tempfile.TemporaryDirectory() as tmp:
    ht = {"ht.node.%d" % (k + 1): rng.uniform(-1, 1, (M_F[k], N_F[k], 3)) for k in range(4)}
    ht.update({"ht.node.5": rng.uniform(-1, 1, (3, 3, 3)), "ht.node.6": rng.uniform(-1, 1, (3, 3, 3)), "ht.node.7": rng.uniform(-1, 1, (1, 3, 3))})
    ht = {k: v * 0.5 for k, v in ht.items()}
    r = [1, 3, 3, 3, 1]
    tt = {"tt.core.%d" % (k + 1): 0.5 * rng.uniform(-1, 1, (r[k], M_F[k], N_F[k], r[k + 1])) for k in range(4)}
    worst = max(check("fdht", ht, ht_w, tmp), check("tt", tt, tt_w, tmp))
print("worst relative difference %.2e" % worst)
sys.exit(0 if worst < 1e-3 else 1)
