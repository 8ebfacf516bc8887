"""nucseg's preprocessing in NumPy/SciPy, from the one definition in
models-onnx/preprocessing.json (the TypeScript pipeline reads the same file):
intensity normalization, automatic nucleus diameter, and the scale a model runs a field at."""
import json
import os

import numpy as np
import scipy.ndimage as ndi

DEFS = json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'preprocessing.json')))


def normalize(img):
    """float32 0..1: the 1st-99.8th percentiles, the range floored at 12 sigma of the
    background noise (median - 15.87th percentile), clipped (nucseg normalizeImage)."""
    n = DEFS['normalization']
    lo, hi, p16, p50 = np.percentile(img, [n['low_percentile'], n['high_percentile'], 15.87, 50])
    hi = max(hi, lo + n['min_range_sigma'] * max(p50 - p16, 0))
    if not hi > lo:
        hi = lo + 1
    return np.clip((img.astype(np.float32) - lo) / (hi - lo), 0, 1).astype(np.float32)


def otsu(x):
    """Otsu threshold over 256 bins between the extremes (nucseg's otsuThreshold on float)."""
    lo, hi = float(x.min()), float(x.max())
    if lo == hi:
        return lo
    step = (hi - lo) / 256
    hist = np.bincount(np.clip(((x - lo) / step).astype(np.int64), 0, 255).ravel(), minlength=256).astype(np.float64)
    c = lo + (np.arange(256) + 0.5) * step
    w1 = np.cumsum(hist)
    m1 = np.cumsum(hist * c) / np.maximum(w1, 1e-300)
    w2 = np.cumsum(hist[::-1])[::-1]
    m2 = np.cumsum((hist * c)[::-1])[::-1] / np.maximum(w2, 1e-300)
    var = w1[:-1] * w2[1:] * (m1[:-1] - m2[1:]) ** 2
    i = int(np.argmax(var))
    return lo + (i + 0.5) * step  # the centre of the last background bin, as the native kernel


def blob_diameters(x):
    """2 x the largest distance to the background of each Otsu blob of a normalized field
    (uncalibrated), or an empty array when the field has no contrast."""
    p = DEFS['diameter']
    s = ndi.gaussian_filter(x.astype(np.float32), p['smoothing_sigma'], mode='reflect', truncate=4.0)
    t = otsu(s)
    fg = s > t
    if fg.all() or not fg.any() or s[fg].mean() - s[~fg].mean() < p['min_contrast']:
        return np.zeros(0)
    lab, n = ndi.label(fg, structure=np.ones((3, 3)))
    lab = _fill_holes(lab)
    if not n:
        return np.zeros(0)
    dist = ndi.distance_transform_edt(lab > 0)
    idx = np.arange(1, n + 1)
    area = np.bincount(lab.ravel(), minlength=n + 1)[1:]
    mx = np.asarray(ndi.maximum(dist, lab, index=idx), np.float64)
    # blobs that stand out: mean above background at least min_blob_contrast x the threshold's (noise that
    # just crosses the threshold does not; upsampled noise makes such blobs large enough to count)
    bg = float(s[lab == 0].mean())
    contrast = np.asarray(ndi.mean(s, lab, index=idx), np.float64) - bg
    big = area >= p['min_blob_area']
    keep = big & (contrast >= p['min_blob_contrast'] * (t - bg))
    return 2 * mx[keep if keep.any() else big]


def _fill_holes(lab):
    holes = ndi.binary_fill_holes(lab > 0) & (lab == 0)
    if holes.any():  # each hole takes the label of its surrounding blob
        hl, _ = ndi.label(holes)
        idx = ndi.distance_transform_edt(lab == 0, return_distances=False, return_indices=True)
        lab = lab.copy()
        lab[holes] = lab[idx[0][holes], idx[1][holes]]
    return lab


def estimate_diameter(x):
    """The median nucleus diameter (px) of a normalized field, or None (no nuclei)."""
    p = DEFS['diameter']
    d = blob_diameters(x)
    if d.size == 0:
        return None
    return float(np.clip(p['calibration'] * np.median(d), p['min'], p['max']))


def run_scale(diameter, model_diameter):
    """The factor a field is resized by before the model: model_diameter is the card's
    'diameter' block ({'median_px': D0, 'no_rescale_px': [lo, hi], ...}). 1 when the estimate lies in the window the model
    was trained on, else D0 / estimate."""
    if diameter is None or not model_diameter:
        return 1.0
    lo, hi = model_diameter['no_rescale_px']
    if lo <= diameter <= hi:
        return 1.0
    return model_diameter['median_px'] / diameter


def resize_field(img, scale):
    """An image resized by `scale` as nucseg resizes a field for automatic scale
    (lib/models/scale.ts resizeImage: round(side x scale) px, OpenCV pixel centres, area
    averaging when shrinking, bilinear when enlarging). float32."""
    import cv2
    img = np.ascontiguousarray(img, np.float32)
    if scale == 1:
        return img
    h, w = img.shape
    return cv2.resize(img, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)


def gt_diameter(lab):
    """Median equivalent diameter of a label image's nuclei (the quantity estimated)."""
    a = np.bincount(lab.ravel())[1:]
    a = a[a > 0]
    return float(np.median(2 * np.sqrt(a / np.pi))) if a.size else None


def calibrate(folder, exclude=()):
    """The calibration factor (median over fields of ground-truth median diameter /
    uncalibrated estimate) on annotated fields (images/, labels/), and the estimate's
    |log error| percentiles once calibrated."""
    import glob
    import tifffile
    ratios = []
    for lab_path in sorted(glob.glob(os.path.join(folder, 'labels', '*.tif'))):
        if os.path.basename(lab_path) in exclude:
            continue
        d = blob_diameters(normalize(tifffile.imread(os.path.join(folder, 'images', os.path.basename(lab_path)))))
        g = gt_diameter(tifffile.imread(lab_path))
        if d.size and g:
            ratios.append(g / np.median(d))
    r = np.array(ratios)
    c = float(np.median(r))
    e = np.abs(np.log(r / c))
    return {'calibration': c, 'fields': len(r), 'abs_log_error_p50': float(np.percentile(e, 50)), 'abs_log_error_p90': float(np.percentile(e, 90)), 'within_25_percent': float(np.mean(e < np.log(1.25)))}


if __name__ == '__main__':
    # python3 preprocess.py --calibrate <folder> [validation names file to leave out]
    import sys
    if len(sys.argv) >= 3 and sys.argv[1] == '--calibrate':
        held = set(open(sys.argv[3]).read().split()) if len(sys.argv) > 3 else set()
        print(json.dumps(calibrate(sys.argv[2], held)))
