"""Checks MFM-40 or MFM-40-UCF clips against docs/MFM40.md with numpy alone (not part of CI).

    ./fdht data mfm [--task mfm-ucf] --split test --count 500 --seed 1 --out /tmp/mfm
    python3 tools/check_mfm.py /tmp/mfm test [/usr/share/datasets/fashion-mnist] [--seed 1]

The task follows from the frame size: 4,096 (64x64, the item 28x28, speeds 1, 2, 3) or 57,600
(240x240, the item scaled 3x, speeds 3, 6, 9). For every clip: shapes and dtypes ([N, 8, side^2]
float32, [N] int64), frame 0 is exactly one of the split's images divided by 255 in float32
(numpy's own division), each pixel repeated in a scale x scale block, on a black canvas; the
image's class is label // 4; every later frame is the previous one moved by the same speed in
direction label % 4 (0:+x, 1:-x, 2:+y, 3:-y) with the item wholly inside. The split is train,
val (train images 54,000..59,999: their last tenth) or test; fit (0..53,999) checks as train.
With --seed (the seed the clips were made with, and clips 0..N-1 of the split), also checks each
clip's image, direction, speed and start against the generator of docs/MFM40.md, reimplemented
here from that page alone. Prints the label histogram and exits 1 on the first clip that breaks a
rule.
"""
import gzip, sys
import numpy as np

args = sys.argv[1:]
seed = None
if "--seed" in args:
    at = args.index("--seed")
    seed = int(args[at + 1])
    del args[at:at + 2]
out, split = args[0], args[1]
root = args[2] if len(args) > 2 else "/usr/share/datasets/fashion-mnist"
M64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15


def mix(z):
    z &= M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def permute(v, n, key):
    bits = max(2, max(1, n - 1).bit_length())  # 32 - numberOfLeadingZeros(max(1, n - 1))
    half = (bits + 1) // 2
    mask = (1 << half) - 1
    while True:
        l, r = v >> half, v & mask
        for rnd in range(4):
            f = (mix(key + GOLDEN * (rnd + 1) + r) & 0xFFFFFFFF) & mask
            l, r = r, l ^ f
        v = (l << half) | r
        if v < n:
            return v


def motion(i, key, n, scale, last):
    """(image, d, s, x0, y0) of clip i, as docs/MFM40.md defines them."""
    image = permute(i % n, n, mix(key ^ mix(i // n + 1)))
    clip_key = mix(key + GOLDEN * (i + 1))
    draw = lambda k, b: mix(clip_key + GOLDEN * k) % b
    d = draw(1, 4)
    s = scale * (1 + draw(2, 3))
    start = draw(3, last - 7 * s + 1) + (7 * s if d % 2 == 1 else 0)
    other = draw(4, last + 1)
    return (image, d, s) + ((start, other) if d < 2 else (other, start))
prefix = {"train": "train", "fit": "train", "val": "train", "test": "t10k"}[split]
images = np.frombuffer(gzip.open(f"{root}/{prefix}-images-idx3-ubyte.gz").read()[16:], np.uint8).reshape(-1, 28, 28)
classes = np.frombuffer(gzip.open(f"{root}/{prefix}-labels-idx1-ubyte.gz").read()[8:], np.uint8)
first = len(images) - len(images) // 10 if split == "val" else 0
grey = {(im.astype(np.float32) / np.float32(255)).tobytes(): first + i for i, im in enumerate(images[first:])}

clips, labels = np.load(f"{out}/clips.npy", mmap_mode="r"), np.load(f"{out}/labels.npy")
side = {4096: 64, 57600: 240}.get(clips.shape[2] if clips.ndim == 3 else 0)
assert clips.dtype == np.float32 and side and clips.shape[1] == 8, (clips.dtype, clips.shape)
scale = 1 if side == 64 else 3
item, last = 28 * scale, side - 28 * scale
assert labels.dtype == np.int64 and labels.shape == (clips.shape[0],), (labels.dtype, labels.shape)
assert labels.min() >= 0 and labels.max() < 40
STEP = {0: (1, 0), 1: (-1, 0), 2: (0, 1), 3: (0, -1)}


def fail(i, why):
    print(f"clip {i}: {why}")
    sys.exit(1)


for i in range(clips.shape[0]):
    frames = np.asarray(clips[i]).reshape(8, side, side)
    where = None
    for y in range(last + 1):
        for x in range(last + 1):
            window = np.ascontiguousarray(frames[0, y:y + item:scale, x:x + item:scale])
            k = grey.get(window.tobytes())
            if (k is not None and np.array_equal(frames[0, y:y + item, x:x + item], np.kron(window, np.ones((scale, scale), np.float32)))
                    and frames[0].sum(dtype=np.float64) == frames[0, y:y + item, x:x + item].sum(dtype=np.float64)):
                where = (x, y, k)
                break
        if where:
            break
    if where is None:
        fail(i, f"frame 0 is not one {split} image / 255 (scaled {scale}x) on a black canvas")
    x, y, k = where
    if classes[k] != labels[i] // 4:
        fail(i, f"image {k} is class {classes[k]} but the label {labels[i]} says {labels[i] // 4}")
    dx, dy = STEP[int(labels[i] % 4)]
    speed = next((s for s in (scale, 2 * scale, 3 * scale) if 0 <= x + 7 * s * dx <= last and 0 <= y + 7 * s * dy <= last
                  and all(np.array_equal(frames[t], np.roll(frames[t - 1], (s * dy, s * dx), (0, 1))) for t in range(1, 8))), None)
    if speed is None:
        fail(i, f"frames do not move the item at a speed of {scale}, {2 * scale} or {3 * scale} in direction {labels[i] % 4} while keeping it inside")
    if seed is not None:
        n_all = len(images)
        key = mix(mix(seed) ^ (0x545241494E if prefix == "train" else 0x54455354))
        count = n_all - first if split != "fit" else n_all - n_all // 10
        if split in ("fit", "val"):
            key = mix(key ^ mix((first << 32) | count))
        expect = motion(i, key, count, scale, last)
        got = (k - first, int(labels[i] % 4), speed, x, y)
        if expect != got:
            fail(i, f"(image, direction, speed, x0, y0) = {got}, the generator of docs/MFM40.md says {expect}")
print(f"{clips.shape[0]} clips of {side}x{side} follow docs/MFM40.md; label counts: {np.bincount(labels, minlength=40).tolist()}")
