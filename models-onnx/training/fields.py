"""ROIs sampled on the fly from annotated fields, for machines where a large `nucseg augment`
HDF5 set cannot be moved (a rented GPU): the same recipe in NumPy/SciPy — fields normalized
as nucseg normalizes them at inference (preprocess.normalize), scaled by a factor of
{1/3, 2/3, 1, 4/3, 2} or, with `diameter=D0` (scale-normalized training, what automatic
scale at inference expects), so that the field's median nucleus is D0 px across times a
log-uniform jitter within `jitter`, a random
256-px ROI (+ 8-px shoulder for the targets) with a random flip and rotation by a multiple of
90°, the FPN2-WS targets (per-nucleus normalized distance, border blurred with σ = 1), and
contrast / blur / noise each with probability 0.5 / 0.3 / 0.3. 45° rotations and CLAHE of
`nucseg augment` are left out here."""
import glob
import os

import cv2
import numpy as np
import scipy.ndimage as ndi
import tifffile
import torch
from torch.utils.data import Dataset

from preprocess import gt_diameter, normalize, resize_field

SCALES = (0.333, 0.667, 1.0, 1.333, 2.0)


def load_fields(folder, names=None):
    out = []
    for lab_path in sorted(glob.glob(os.path.join(folder, 'labels', '*.tif'))):
        name = os.path.basename(lab_path)
        if names is not None and name not in names:
            continue
        img = tifffile.imread(os.path.join(folder, 'images', name)).astype(np.float32)
        lab = tifffile.imread(lab_path).astype(np.int32)
        out.append((name, normalize(img), lab))
    return out


def targets(lab):
    """Normalized distance (outside the ROI counts as background) and blurred border. Exact
    Euclidean distances (OpenCV's DIST_MASK_PRECISE), one object box at a time on the labels
    padded by one background pixel."""
    P = np.pad(lab, 1)
    dist = np.zeros(P.shape, np.float32)
    for k, sl in enumerate(ndi.find_objects(P), start=1):
        if sl is None:
            continue
        sl = tuple(slice(s.start - 1, s.stop + 1) for s in sl)
        m = P[sl] == k
        d = cv2.distanceTransform(m.view(np.uint8), cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
        dist[sl][m] = d[m] / d[m].max()
    b = np.zeros(lab.shape, bool)
    dv = lab[1:] != lab[:-1]
    b[1:] |= dv
    b[:-1] |= dv
    dh = lab[:, 1:] != lab[:, :-1]
    b[:, 1:] |= dh
    b[:, :-1] |= dh
    b &= lab > 0
    return dist[1:-1, 1:-1], blur(b.astype(np.float32), 1.0)


def resize_pair(img, lab, s):
    """A crop and its labels resized by `s` as nucseg resizes a field for automatic scale
    (OpenCV pixel centres; area averaging when shrinking, bilinear when enlarging; labels:
    the source pixel under each output pixel's centre, INTER_NEAREST_EXACT — INTER_NEAREST
    takes floor(x * src/dst) and shifts labels up to half a pixel off their image). OpenCV,
    not scipy.ndimage.zoom: 5-10x faster, and the inference convention."""
    if s == 1:
        return img, lab
    zi = resize_field(img, s)
    zl = cv2.resize(np.ascontiguousarray(lab, np.int32), zi.shape[::-1], interpolation=cv2.INTER_NEAREST_EXACT)
    return zi, zl


def blur(im, sigma):
    """Gaussian blur, scipy.ndimage.gaussian_filter's kernel (truncated at 4 sigma, reflected edges)."""
    k = 2 * int(4 * sigma + 0.5) + 1
    return cv2.GaussianBlur(np.ascontiguousarray(im, np.float32), (k, k), sigma, borderType=cv2.BORDER_REFLECT)


class FieldSampler(Dataset):
    def __init__(self, fields, length, roi=256, shoulder=8, seed=0, augment=True, labels=False, diameter=None, jitter=(0.6, 1.6)):
        """Items: (image, distance, border) float tensors (1, R, R), or with labels=True (Mask
        R-CNN) (image (1, R, R), label (R, R) int64)."""
        self.fields, self.length, self.roi, self.sh, self.seed, self.augment, self.labels = fields, length, roi, shoulder, seed, augment, labels
        self.diameter, self.jitter = diameter, jitter
        self.areas = np.array([f[1].size for f in fields], np.float64)
        if diameter:
            d = np.array([gt_diameter(f[2]) or diameter for f in fields])
            self.base = diameter / d  # the scale that brings each field's median nucleus to D0
            self.areas *= self.base ** 2  # fields are drawn by their area at that scale

    def __len__(self):
        return self.length

    def __getitem__(self, i):
        rng = np.random.default_rng([self.seed, i])
        if self.diameter:
            f = rng.choice(len(self.fields), p=self.areas / self.areas.sum())
            j = np.exp(rng.uniform(*np.log(self.jitter))) if self.augment else 1.0
            s = float(np.clip(self.base[f] * j, 0.1, 8.0))
        else:
            s = SCALES[rng.integers(len(SCALES))]
            w = self.areas * s * s
            f = rng.choice(len(self.fields), p=w / w.sum())
        name, img, lab = self.fields[f]
        R = self.roi + 2 * self.sh
        need = int(np.ceil(R / s)) + 2
        H, W = img.shape
        y0 = rng.integers(0, max(H - need, 0) + 1)
        x0 = rng.integers(0, max(W - need, 0) + 1)
        ci, cl = img[y0:y0 + need, x0:x0 + need], lab[y0:y0 + need, x0:x0 + need]
        zi, zl = resize_pair(ci, cl, s)
        zi, zl = zi[:R, :R], zl[:R, :R]
        pi = np.zeros((R, R), np.float32)
        pl = np.zeros((R, R), np.int32)
        pi[:zi.shape[0], :zi.shape[1]] = zi
        pl[:zl.shape[0], :zl.shape[1]] = zl
        k = rng.integers(4)
        pi, pl = np.rot90(pi, k), np.rot90(pl, k)
        if rng.random() < 0.5:
            pi, pl = pi[:, ::-1], pl[:, ::-1]
        pl = np.ascontiguousarray(pl)
        c = slice(self.sh, self.sh + self.roi)
        if self.labels:
            d = b = None
            roi_labels = np.ascontiguousarray(pl[c, c], dtype=np.int64)
        else:
            d, b = targets(pl)
            d, b = d[c, c], b[c, c]
        im = np.ascontiguousarray(pi[c, c])
        if self.augment:
            if rng.random() < 0.5:
                op = rng.integers(3)
                if op == 0:
                    im = im ** rng.uniform(0.6, 1.6)
                elif op == 1:
                    im = im * rng.uniform(0.6, 1.4)
                else:
                    im = np.minimum(im / max(np.percentile(im, rng.uniform(95, 99.9)), 1e-6), 1)
            if rng.random() < 0.3:
                im = blur(im, rng.uniform(0.5, 2.0)) if rng.random() < 0.5 else cv2.medianBlur(np.ascontiguousarray(im, np.float32), 3)
            if rng.random() < 0.3:
                if rng.random() < 0.5:
                    im = im + rng.normal(0, rng.uniform(0.01, 0.08), im.shape)
                else:
                    p = rng.uniform(20, 200)
                    im = rng.poisson(np.clip(im, 0, None) * p) / p
            im = np.clip(im, 0, 1)
        t = lambda a: torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32))[None]
        if self.labels:
            return t(im), torch.from_numpy(roi_labels)
        return t(im), t(d), t(b)
