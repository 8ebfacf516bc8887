"""FPN2-WS post-processing in NumPy/scikit-image and F1 against ground truth (the seed
paper's definitions, as `nucseg score` computes them), for model cards."""
import numpy as np
import scipy.ndimage as ndi
from skimage.morphology import disk, binary_closing
from skimage.segmentation import watershed


def postprocess(distance, border, seed_threshold=0.6, foreground_threshold=0.05, closing_radius=2, min_area=16):
    seeds = binary_closing(distance > seed_threshold, disk(closing_radius)) if closing_radius else distance > seed_threshold
    markers, _ = ndi.label(seeds)
    fg = (distance > foreground_threshold) | (markers > 0)
    return remove_small(watershed(border - distance, markers, mask=fg), min_area)


def remove_small(lab, min_area):
    """Sets to 0 every label of fewer than min_area pixels (in place; returns lab)."""
    if min_area:
        areas = np.bincount(lab.ravel())
        small = np.nonzero(areas < min_area)[0]
        lab[np.isin(lab, small[small > 0])] = 0
    return lab


def f1_counts(gt, pred, thresholds=(0.5, 0.7, 0.9)):
    g, p = gt.ravel().astype(np.int64), pred.ravel().astype(np.int64)
    ng, npred = int(g.max()), int(p.max())
    gi, pi = np.unique(g[g > 0]), np.unique(p[p > 0])
    key = g * (npred + 1) + p
    k, c = np.unique(key[(g > 0) & (p > 0)], return_counts=True)
    kg, kp = k // (npred + 1), k % (npred + 1)
    ag, ap = np.bincount(g, minlength=ng + 1), np.bincount(p, minlength=npred + 1)
    iou = c / (ag[kg] + ap[kp] - c)
    out = []
    for t in thresholds:
        m = iou >= t
        tp = len(np.unique(kg[m]))
        fp = len(pi) - len(np.unique(kp[m]))
        out.append((tp, fp, len(gi) - tp))
    return out
