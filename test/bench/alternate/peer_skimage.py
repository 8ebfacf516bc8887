"""scikit-image side of test/bench/alternate/run.mjs: the float masked watershed of the shared
bench (skimage.segmentation.watershed(-normEDT(GT), cores >= 0.6, mask=GT>0), inputs
precomputed as there), timed as bench_peers.py does; prints "wsf <median ms>"."""
import sys, time
import numpy as np
from skimage import segmentation

d, runs = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 7
gt = np.load(f"{d}/real2048_gt.npy")
markers = np.load(f"{d}/real2048_markers.npy")
ne = np.load(f"{d}/ref/norm_edt_real2048.npy")
fg_markers = np.where(markers <= int(gt.max()), markers, 0).astype(np.int32)
maskb, neg_ne = gt > 0, -ne
segmentation.watershed(neg_ne, fg_markers, mask=maskb)
s = []
for _ in range(runs):
    t0 = time.perf_counter()
    segmentation.watershed(neg_ne, fg_markers, mask=maskb)
    s.append((time.perf_counter() - t0) * 1e3)
print(f"wsf {np.median(s):.3f}")
