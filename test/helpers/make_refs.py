#!/usr/bin/python3
"""Reference arrays for the kernel tests, computed with SciPy / scikit-image on the shared
benchmark inputs (the definitions of ../shared/bench/README.md). Writes <inputs>/ref/*.npy
if missing: edt_, norm_edt_, border_blur_, watershed_gray8_skimage_ and
watershed_normedt_masked_skimage_ for real2048 and synth2048."""
import os, sys
import numpy as np
import scipy.ndimage as ndi
from skimage.segmentation import watershed

inputs = sys.argv[1]
ref = os.path.join(inputs, 'ref')
os.makedirs(ref, exist_ok=True)


def save(name, arr):
    path = os.path.join(ref, name + '.npy')
    if not os.path.exists(path):
        np.save(path + '.tmp.npy', arr)
        os.replace(path + '.tmp.npy', path)


for s in ['real2048', 'synth2048']:
    mask = np.load(os.path.join(inputs, f'{s}_mask.npy'))
    gt = np.load(os.path.join(inputs, f'{s}_gt.npy'))
    save(f'edt_{s}', ndi.distance_transform_edt(mask).astype(np.float32))
    ne = np.zeros(gt.shape, np.float64)
    for k, sl in enumerate(ndi.find_objects(gt), start=1):
        if sl is None:
            continue
        sl = tuple(slice(max(a.start - 1, 0), a.stop + 1) for a in sl)
        m = gt[sl] == k
        pad = np.pad(m, 1)  # outside the image counts as background
        d = ndi.distance_transform_edt(pad)[1:-1, 1:-1]
        ne[sl][m] = d[m] / d[m].max()
    save(f'norm_edt_{s}', ne.astype(np.float32))
    b = np.zeros(gt.shape, bool)
    dv = gt[1:, :] != gt[:-1, :]
    b[1:, :] |= dv; b[:-1, :] |= dv
    dh = gt[:, 1:] != gt[:, :-1]
    b[:, 1:] |= dh; b[:, :-1] |= dh
    b &= gt > 0
    save(f'border_blur_{s}', ndi.gaussian_filter(b.astype(np.float32), 1, mode='reflect', truncate=4.0))
    gray = np.load(os.path.join(inputs, f'{s}_gray8.npy'))
    markers = np.load(os.path.join(inputs, f'{s}_markers.npy'))
    save(f'watershed_gray8_skimage_{s}', watershed(255 - gray.astype(np.int32), markers).astype(np.int32))
    seeds = np.where(ne >= 0.6, gt, 0).astype(np.int32)
    save(f'watershed_normedt_masked_skimage_{s}', watershed(-ne.astype(np.float32), seeds, mask=gt > 0).astype(np.int32))
