#!/usr/bin/env python3
"""The resolution ceiling of FPN2-WS: perfect maps (the true per-nucleus normalized distance
and blurred border, made from the ground truth) put through the card's post-processing,
at full resolution and after average-pooling to stride 2, 4 (then bilinear upsampling, as a
head that predicts at that stride and is upsampled). F1 at IoU 0.5 / 0.7 / 0.9, pooled.

  python3 oracle.py <folder with images/ labels/> [--names file] [--card model.card.json] [--strides 1,2,4]

Measured on the 81 DSB validation fields (closing note of issue 11): what a model's
numbers are compared with."""
import argparse
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from evaluate import f1_counts, postprocess  # noqa: E402
from fields import load_fields, targets  # noqa: E402


def pooled(m, stride):
    if stride == 1:
        return m
    t = torch.from_numpy(m)[None, None]
    H, W = m.shape
    t = F.pad(t, (0, (-W) % stride, 0, (-H) % stride), mode='replicate')
    t = F.interpolate(F.avg_pool2d(t, stride), scale_factor=stride, mode='bilinear', align_corners=False)
    return t[0, 0, :H, :W].numpy()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('folder')
    ap.add_argument('--names')
    ap.add_argument('--card', default=os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'nuclei-fpn2ws-dsb.card.json'))
    ap.add_argument('--strides', default='1,2,4')
    a = ap.parse_args(argv)
    post = json.load(open(a.card))['postprocessing']
    names = set(open(a.names).read().split()) if a.names else None
    strides = [int(s) for s in a.strides.split(',')]
    tot = {s: np.zeros((3, 3)) for s in strides}
    for _, _, gt in load_fields(a.folder, names):
        d, b = targets(gt)
        for s in strides:
            lab = postprocess(pooled(d, s), pooled(b, s), post['seed_threshold'], post['foreground_threshold'], post['seed_closing_radius'], post['min_area'] or 0)
            tot[s] += np.array(f1_counts(gt, lab))
    out = {f'stride{s}': [float(2 * tp / max(2 * tp + fp + fn, 1)) for tp, fp, fn in t] for s, t in tot.items()}
    print(json.dumps(out))


if __name__ == '__main__':
    main()
