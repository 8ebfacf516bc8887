#!/usr/bin/env python3
"""Re-tunes an exported FPN2-WS model's post-processing on annotated fields (the search
`train.py --tune` runs after training): maps computed once per field with automatic scale,
then a grid search; prints the best parameters and, with --write, stores them and the grid
in the card (the ONNX weights are not touched, so the card's sha256 stays valid).

  python3 tune.py model.onnx <folder with images/ labels/> [--names file] [--grid grid.json] [--workers N] [--write]"""
import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from evaluate import POST_GRID, f1_counts, post_at_scale, tune_post  # noqa: E402
from export import load_from_onnx  # noqa: E402
from fields import load_fields  # noqa: E402
from nets import FPN2WS  # noqa: E402
from preprocess import estimate_diameter, run_scale  # noqa: E402
from train import fpn_field_maps  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('model')
    ap.add_argument('folder')
    ap.add_argument('--names')
    ap.add_argument('--grid', help='JSON object {parameter: [values]} (default: evaluate.POST_GRID)')
    ap.add_argument('--workers', type=int, default=1)
    ap.add_argument('--write', action='store_true')
    a = ap.parse_args(argv)
    card_path = os.path.splitext(a.model)[0] + '.card.json'
    card = json.load(open(card_path))
    arch = card['architecture']
    model = FPN2WS(arch['encoder'], arch['fpn_width'], not arch.get('shared_encoder', True), arch.get('head', 'fpn'))
    load_from_onnx(model, a.model)
    model.eval()
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    names = set(open(a.names).read().split()) if a.names else None
    rows = []
    for name, im, gt in load_fields(a.folder, names):
        s = run_scale(estimate_diameter(im), card.get('diameter'))
        d, b = fpn_field_maps(model, im, s)
        rows.append((d, b, gt, s))
    grid = json.load(open(a.grid)) if a.grid else POST_GRID
    before = np.zeros((3, 3))
    for d, b, gt, s in rows:
        before += np.array(f1_counts(gt, post_at_scale(d, b, card['postprocessing'], s)))
    post, table = tune_post(rows, dict(card['postprocessing']), grid, workers=a.workers)
    after = np.zeros((3, 3))
    for d, b, gt, s in rows:
        after += np.array(f1_counts(gt, post_at_scale(d, b, post, s)))
    f1 = lambda t: [round(float(2 * tp / max(2 * tp + fp + fn, 1)), 4) for tp, fp, fn in t]
    print(json.dumps({'fields': len(rows), 'before': {'post': {k: card['postprocessing'][k] for k in grid}, 'f1@0.5/0.7/0.9': f1(before)}, 'after': {'post': {k: post[k] for k in grid}, 'f1@0.5/0.7/0.9': f1(after)}}))
    if a.write:
        card['postprocessing'] = post
        card['postprocessing_tuning'] = {'set': a.folder if names is None else f'{a.folder} ({len(names)} fields)', 'objective': 'pooled F1 averaged over IoU 0.5, 0.6, 0.7, 0.8, 0.9', 'grid': table, 'tool': 'models-onnx/training/tune.py'}
        with open(card_path + '.tmp', 'w') as f:
            json.dump(card, f, indent=1)
        os.replace(card_path + '.tmp', card_path)


if __name__ == '__main__':
    main()
