"""Checks MFM-40 clips against DESIGN.md section 6 with numpy alone (not part of CI).

    ./fdht data mfm --split test --count 500 --seed 1 --out /tmp/mfm
    python3 tools/check_mfm.py /tmp/mfm test [/usr/share/datasets/fashion-mnist]

For every clip: shapes and dtypes ([N, 8, 4096] float32, [N] int64), frame 0 is exactly one of
the split's images divided by 255 in float32 (numpy's own division) on a black 64x64 canvas,
the image's class is label // 4, every later frame is the previous one moved by the same
speed in {1, 2, 3} in direction label % 4 (0:+x, 1:-x, 2:+y, 3:-y) with the item wholly inside.
Prints the label histogram and exits 1 on the first clip that breaks a rule.
"""
import gzip, sys
import numpy as np

out, split = sys.argv[1], sys.argv[2]
root = sys.argv[3] if len(sys.argv) > 3 else "/usr/share/datasets/fashion-mnist"
prefix = {"train": "train", "test": "t10k"}[split]
images = np.frombuffer(gzip.open(f"{root}/{prefix}-images-idx3-ubyte.gz").read()[16:], np.uint8).reshape(-1, 28, 28)
classes = np.frombuffer(gzip.open(f"{root}/{prefix}-labels-idx1-ubyte.gz").read()[8:], np.uint8)
grey = {(im.astype(np.float32) / np.float32(255)).tobytes(): i for i, im in enumerate(images)}

clips, labels = np.load(f"{out}/clips.npy", mmap_mode="r"), np.load(f"{out}/labels.npy")
assert clips.dtype == np.float32 and clips.shape[1:] == (8, 4096), (clips.dtype, clips.shape)
assert labels.dtype == np.int64 and labels.shape == (clips.shape[0],), (labels.dtype, labels.shape)
assert labels.min() >= 0 and labels.max() < 40
STEP = {0: (1, 0), 1: (-1, 0), 2: (0, 1), 3: (0, -1)}


def fail(i, why):
    print(f"clip {i}: {why}")
    sys.exit(1)


for i in range(clips.shape[0]):
    frames = np.asarray(clips[i]).reshape(8, 64, 64)
    where = None
    for y in range(37):
        for x in range(37):
            window = np.ascontiguousarray(frames[0, y:y + 28, x:x + 28])
            k = grey.get(window.tobytes())
            if k is not None and frames[0].sum(dtype=np.float64) == window.sum(dtype=np.float64):
                where = (x, y, k)
                break
        if where:
            break
    if where is None:
        fail(i, f"frame 0 is not one {split} image / 255 on a black canvas")
    x, y, k = where
    if classes[k] != labels[i] // 4:
        fail(i, f"image {k} is class {classes[k]} but the label {labels[i]} says {labels[i] // 4}")
    dx, dy = STEP[int(labels[i] % 4)]
    speed = next((s for s in (1, 2, 3) if 0 <= x + 7 * s * dx <= 36 and 0 <= y + 7 * s * dy <= 36
                  and all(np.array_equal(frames[t], np.roll(frames[t - 1], (s * dy, s * dx), (0, 1))) for t in range(1, 8))), None)
    if speed is None:
        fail(i, f"frames do not move the item at speed 1, 2 or 3 in direction {labels[i] % 4} while keeping it inside")
print(f"{clips.shape[0]} clips follow DESIGN.md section 6; label counts: {np.bincount(labels, minlength=40).tolist()}")
