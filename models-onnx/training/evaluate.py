"""FPN2-WS post-processing in NumPy/scikit-image and F1 against ground truth (the seed
paper's definitions, as `nucseg score` computes them), for model cards."""
import numpy as np
import scipy.ndimage as ndi
from skimage.morphology import disk, binary_closing
from skimage.segmentation import watershed


def postprocess(distance, border, seed_threshold, foreground_threshold, closing_radius, min_area):
    """Parameters come from the card (no fallbacks here: nucseg's TypeScript reads the same card)."""
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


POST_GRID = {'seed_threshold': [0.4, 0.5, 0.6, 0.7, 0.8], 'foreground_threshold': [0.02, 0.035, 0.05, 0.1, 0.2, 0.3], 'seed_closing_radius': [0, 2]}
TUNE_THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9)


def post_at_scale(distance, border, post, scale):
    """FPN2-WS post-processing of maps at the field's own resolution for a model run at
    `scale` (sizes in the card are model pixels: the closing radius and min area scale)."""
    r = post.get('seed_closing_radius') or 0
    return postprocess(distance, border, post['seed_threshold'], post['foreground_threshold'], int(round(r / scale)), int(round((post.get('min_area') or 0) / scale ** 2)))


_MAPS = []


def _score_combo(args):
    combo, base = args
    maps = _MAPS
    post = {**base, **combo}
    tot = np.zeros((len(TUNE_THRESHOLDS), 3))
    for d, b, gt, s in maps:
        tot += np.array(f1_counts(gt, post_at_scale(d, b, post, s), TUNE_THRESHOLDS))
    f1 = [2 * tp / max(2 * tp + fp + fn, 1) for tp, fp, fn in tot]
    return combo, float(np.mean(f1)), [float(x) for x in f1]


def tune_post(maps, base, grid=None, workers=1):
    """Grid search of the post-processing on fields' maps [(distance, border, gt, scale)]:
    the combination with the highest pooled F1 averaged over IoU 0.5..0.9. Returns
    (best params, every combination's score)."""
    import itertools
    grid = grid or POST_GRID
    keys = list(grid)
    combos = [dict(zip(keys, v)) for v in itertools.product(*(grid[k] for k in keys))]
    _MAPS[:] = maps  # shared with forked workers, not pickled per job
    jobs = [(c, base) for c in combos]
    if workers > 1:
        import multiprocessing as mp
        with mp.get_context('fork').Pool(workers) as pool:
            rows = pool.map(_score_combo, jobs)
    else:
        rows = [_score_combo(j) for j in jobs]
    best = max(rows, key=lambda r: r[1])
    return {**base, **best[0]}, [{**c, 'mean_f1': m, 'f1': f} for c, m, f in rows]
