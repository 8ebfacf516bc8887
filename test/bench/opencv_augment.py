#!/usr/bin/python3
"""Per-ROI cost of the same augmentation in OpenCV-Python, as a user would write it: sample a
rotated/flipped/scaled 272x272 ROI (warpAffine, bilinear image / nearest labels), targets
(per-nucleus distanceTransform normalized by its max, border + GaussianBlur 9x9 reflect),
crop 256, then one contrast op (CLAHE / gamma / percentile / multiply), one blur
(GaussianBlur / medianBlur) and one noise op, each with the same probabilities as nucseg's
defaults. Prints median milliseconds per ROI over `n` ROIs. Fields: DSB label+image TIFFs."""
import sys, os, time, glob
import numpy as np, cv2, tifffile

rng = np.random.default_rng(0)
data = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 300
files = sorted(glob.glob(os.path.join(data, 'labels', '*.tif')))[:60]
fields = []
for f in files:
    lab = tifffile.imread(f).astype(np.int32)
    im = tifffile.imread(f.replace('/labels/', '/images/')).astype(np.float32)
    lo, hi = np.percentile(im, [1, 99.8]); im = np.clip((im - lo) / max(hi - lo, 1e-6), 0, 1).astype(np.float32)
    fields.append((im, lab))
R, S = 256, 8
RR = R + 2 * S


def roi():
    im, lab = fields[rng.integers(len(fields))]
    s = rng.choice([0.333, 0.667, 1, 1.333, 2]); ang = 45 * rng.integers(8); flip = rng.random() < 0.5
    h, w = im.shape
    cx, cy = w / 2, h / 2
    M = cv2.getRotationMatrix2D((cx, cy), ang, s)
    M[0, 2] += RR / 2 - cx; M[1, 2] += RR / 2 - cy
    a = cv2.warpAffine(im, M, (RR, RR), flags=cv2.INTER_LINEAR, borderValue=0)
    l = cv2.warpAffine(lab.astype(np.float32), M, (RR, RR), flags=cv2.INTER_NEAREST, borderValue=0).astype(np.int32)
    if flip: a = a[:, ::-1].copy(); l = l[:, ::-1].copy()
    dist = np.zeros(a.shape, np.float32)
    for k in np.unique(l)[1:]:
        ys, xs = np.nonzero(l == k)
        y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
        m = np.zeros((y1 - y0 + 2, x1 - x0 + 2), np.uint8); m[1:-1, 1:-1] = (l[y0:y1, x0:x1] == k)
        d = cv2.distanceTransform(m, cv2.DIST_L2, cv2.DIST_MASK_PRECISE)[1:-1, 1:-1]
        sel = l[y0:y1, x0:x1] == k
        dist[y0:y1, x0:x1][sel] = d[sel] / max(d.max(), 1e-6)
    k3 = np.ones((3, 3), np.uint8); k3[0, 0] = k3[0, 2] = k3[2, 0] = k3[2, 2] = 0
    lf = l.astype(np.float32)
    border = ((cv2.dilate(lf, k3) != lf) | (cv2.erode(lf, k3) != lf)) & (l > 0)
    border = cv2.GaussianBlur(border.astype(np.float32), (9, 9), 1, borderType=cv2.BORDER_REFLECT)
    a, l, dist, border = a[S:-S, S:-S], l[S:-S, S:-S], dist[S:-S, S:-S], border[S:-S, S:-S]
    if rng.random() < 0.5:
        op = rng.integers(4)
        if op == 0:
            c = cv2.createCLAHE(clipLimit=rng.uniform(1, 4), tileGridSize=(8, 8)); a = c.apply((a * 255).astype(np.uint8)).astype(np.float32) / 255
        elif op == 1: a = np.power(a, rng.uniform(0.6, 1.6))
        elif op == 2: a = np.minimum(a / max(np.percentile(a, rng.uniform(95, 99.9)), 1e-6), 1)
        else: a = a * rng.uniform(0.6, 1.4)
    if rng.random() < 0.3:
        a = cv2.GaussianBlur(a, (0, 0), rng.uniform(0.5, 2)) if rng.random() < 0.5 else cv2.medianBlur(a.astype(np.float32), 5)
    if rng.random() < 0.3:
        op = rng.integers(4)
        if op == 0: a = a + rng.normal(0, rng.uniform(0.01, 0.08), a.shape)
        elif op == 1: p = rng.uniform(20, 200); a = rng.poisson(np.clip(a, 0, None) * p) / p
        elif op == 2: m = rng.random(a.shape) < 0.01; a[m] = rng.random(m.sum()) < 0.5
        else: a[rng.random(a.shape) < 0.05] = 0
    return np.clip(a, 0, 1).astype(np.float32), l.astype(np.uint16), dist, border


for _ in range(20): roi()
t = time.perf_counter()
for _ in range(n): roi()
print(f"{(time.perf_counter() - t) / n * 1000:.4f}")
