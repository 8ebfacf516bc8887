#!/usr/bin/env python3
"""Train an FPN2-WS or Mask R-CNN nucleus model on a `nucseg augment` HDF5 set and export it
to ONNX with a model card. Progress is printed as JSON lines (one per event) for `nucseg train`.

  python3 train.py --data train.h5 --cycles 5 --out model.onnx [--arch fpn2ws|mrcnn]
                   [--encoder resnet18|resnet34] [--init random|model.onnx] [--batch 16]
                   [--device auto|cpu|cuda] [--seed 0]

A cycle is one pass over the training ROIs; the checkpoint with the lowest validation loss
is exported. FPN2-WS (the seed paper): Adam, lr 1e-3 constant, MSE on both sigmoid outputs.
Mask R-CNN: SGD (momentum 0.9, weight decay 1e-4), lr 0.01 with a linear warm-up over the
first 5 % of steps and a cosine decay to 1 % over the run, torchvision's five losses. With
--init <model.onnx> (transfer learning) or --init imagenet (torchvision's ImageNet encoder
weights, used only if already on disk; nothing is downloaded) the encoder is frozen for the
first 2 cycles."""
import argparse
import hashlib
import json
import math
import os
import platform
import random
import sys
import time

import numpy as np
import onnx
import torch
import torchvision
from torch.utils.data import DataLoader

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from data import AugmentedSet  # noqa: E402
from export import export_mrcnn_onnx, export_onnx, load_from_onnx, weights_to_float16  # noqa: E402
from nets import FPN2WS, HEADS, load_imagenet_encoder  # noqa: E402
from preprocess import DEFS, estimate_diameter, resize_field, run_scale  # noqa: E402
from mrcnn import NucleiMaskRCNN, paste, targets_from_labels  # noqa: E402


def emit(**kw):
    print(json.dumps(kw), flush=True)


def sha256(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for b in iter(lambda: f.read(1 << 20), b''):
            h.update(b)
    return h.hexdigest()


def fpn_loss(model, batch, device, amp, reduction='mean'):
    x, d, b = (t.to(device, non_blocking=True) for t in batch)
    with torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=amp):
        pd, pb = model(x)
    mse = torch.nn.functional.mse_loss
    return (mse(pd.float(), d, reduction=reduction) + mse(pb.float(), b, reduction=reduction)) / 2, x.shape[0], x.numel()


def mrcnn_loss(model, batch, device, amp, reduction='mean'):
    x, lab = batch
    targets = [{k: v.to(device) for k, v in t.items()} for t in targets_from_labels(lab)]
    with torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=amp):
        losses = model(x.to(device, non_blocking=True), targets)
    loss = sum(v.float() for v in losses.values())
    return (loss if reduction == 'mean' else loss * x.shape[0]), x.shape[0], x.shape[0]


def evaluate(model, loader, device, amp, loss_fn):
    """Mean validation loss. Mask R-CNN computes its losses in training mode only; with
    GroupNorm (no running statistics) that mode changes nothing else, and no gradients flow."""
    model.train(loss_fn is mrcnn_loss)
    total, n = 0.0, 0
    with torch.no_grad():
        for batch in loader:
            s, _, count = loss_fn(model, batch, device, amp, reduction='sum')
            total += s.item()
            n += count
    return total / max(n, 1)


def field_input(im):
    """A whole field as a (1, 1, H', W') tensor, reflect-padded to multiples of 32."""
    H, W = im.shape
    return torch.from_numpy(np.pad(im, ((0, (-H) % 32), (0, (-W) % 32)), mode='reflect'))[None, None]


def fpn_field_maps(model, im, scale=1.0, device='cpu'):
    """Distance and border maps of a whole normalized field at its own resolution, the model
    run on the field resized by `scale` (automatic scale, as nucseg segment does it)."""
    import cv2  # resizing as nucseg's resize kernel does it (OpenCV pixel centres; area when shrinking)
    H, W = im.shape
    x = resize_field(im, scale)
    h, w = x.shape
    with torch.no_grad():
        dd, bb = model(field_input(x).to(device))
    d, b = dd[0, 0, :h, :w].float().cpu().numpy(), bb[0, 0, :h, :w].float().cpu().numpy()
    if scale != 1:
        d = cv2.resize(np.ascontiguousarray(d), (W, H), interpolation=cv2.INTER_LINEAR)
        b = cv2.resize(np.ascontiguousarray(b), (W, H), interpolation=cv2.INTER_LINEAR)
    return d, b


def mrcnn_field_labels(model, im, score_threshold=0.5, min_area=16):
    from evaluate import remove_small
    H, W = im.shape
    with torch.no_grad():
        boxes, scores, masks = model(field_input(im))
    return remove_small(paste(boxes.numpy(), scores.numpy(), masks.numpy(), H, W, score_threshold), min_area)


def default_post(mr):
    if mr:
        return {'method': 'mask_rcnn_paste', 'score_threshold': 0.5, 'mask_threshold': 0.5, 'merge_overlap': 0.5, 'min_area': 16, 'max_area': None, 'keep_largest_component': True}
    return {'method': 'seeded_watershed', 'seed_threshold': 0.6, 'seed_closing_radius': 2, 'foreground_threshold': 0.05, 'elevation': 'border - distance', 'min_area': 16, 'max_area': None}


def calibrate_seed_threshold(model, dataset, post, max_rois=64):
    """The seed threshold lowered for a model whose distance maps stay low (a short training from
    random weights): seeds need the predicted distance at nucleus centres to pass the threshold,
    else the model finds no nucleus at all. On up to `max_rois` validation ROIs, the predicted
    distance at the ground-truth nucleus cores (target distance >= 0.9); the threshold becomes
    min(default, 0.8 x their 25th percentile), never below twice the foreground threshold.
    A well-trained model (cores near 1) keeps the default. Returns (post, calibration record)."""
    vals = []
    with torch.no_grad():
        for i in range(min(len(dataset), max_rois)):
            im, dist, _ = dataset[i][:3]
            core = dist[0] >= 0.9
            if not bool(core.any()):
                continue
            pred = model(im[None])[0][0, 0]
            vals.append(pred[core].flatten())
    if not vals:
        return post, None
    q25 = float(torch.quantile(torch.cat(vals).float(), 0.25))
    thr = round(min(post['seed_threshold'], max(2 * post['foreground_threshold'], 0.8 * q25)), 3)
    rec = {'rule': 'seed_threshold = min(default, 0.8 x 25th percentile of the predicted distance at ground-truth nucleus cores (target >= 0.9) of the validation ROIs), at least 2 x foreground_threshold',
           'core_distance_q25': round(q25, 4), 'default_seed_threshold': post['seed_threshold'], 'seed_threshold': thr}
    return {**post, 'seed_threshold': thr}, rec


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--data', help='HDF5 set from `nucseg augment`')
    ap.add_argument('--fields', action='append', default=[], help='or: folders of annotated fields (images/, labels/), sampled on the fly (fields.py)')
    ap.add_argument('--val-names', help='with --fields: file listing the field names held out for validation')
    ap.add_argument('--rois-per-cycle', type=int, default=35000, help='with --fields: ROIs per cycle')
    ap.add_argument('--evaluate', action='append', default=[], help='name=folder[:names-file]: F1 of the final model on whole fields, into the card')
    ap.add_argument('--out', required=True)
    ap.add_argument('--arch', default='fpn2ws', choices=['fpn2ws', 'mrcnn'])
    ap.add_argument('--encoder', default='resnet18', choices=['resnet18', 'resnet34'])
    ap.add_argument('--two-networks', action='store_true', help="FPN2-WS: the paper's two separate FPNs")
    ap.add_argument('--head', default='fullres', choices=list(HEADS), help="FPN2-WS heads: 'fpn' (the seed paper's, stride 4 upsampled), 'fullres' (a decoder per map to stride 1 with encoder skips) or 'lite' (one light full-resolution decoder for both maps)")
    ap.add_argument('--diameter', type=float, default=None, help='with --fields: scale-normalized training, each field resized so its median nucleus is this many px across (x a jitter; default 24; 0: the fixed scales {1/3..2} of the seed recipe); with --data: the median nucleus diameter of the augmented ROIs, recorded in the card for automatic scale')
    ap.add_argument('--jitter', type=float, nargs=2, default=[0.6, 1.6], help='with --diameter: range of the log-uniform scale jitter')
    ap.add_argument('--tune', default=None, help='name of an --evaluate set on which to tune the post-processing (grid search; the winner goes into the card)')
    ap.add_argument('--tune-workers', type=int, default=1)
    ap.add_argument('--schedule', default='constant', choices=['constant', 'cosine'], help='FPN2-WS learning rate: constant (the seed paper) or cosine decay to 5 %% over the planned cycles (with --time-budget: over the planned cycles or the budget, whichever ends first)')
    ap.add_argument('--time-budget', type=float, default=None, help='seconds of training at most: no cycle is started that would not end in time (the best cycle so far is kept)')
    ap.add_argument('--width', type=int, default=128)
    ap.add_argument('--cycles', type=int, default=5)
    ap.add_argument('--batch', type=int, default=16)
    ap.add_argument('--lr', type=float, default=None, help='default 1e-3 (FPN2-WS, Adam) or 0.01 (Mask R-CNN, SGD)')
    ap.add_argument('--init', default='random', help="random, imagenet (torchvision's ImageNet encoder weights, only if already on disk) or a nucseg .onnx model")
    ap.add_argument('--freeze-cycles', type=int, default=2)
    ap.add_argument('--device', default='auto', choices=['auto', 'cpu', 'cuda'])
    ap.add_argument('--workers', type=int, default=0)
    ap.add_argument('--limit', type=int, default=None, help='use at most this many ROIs per split (smoke tests)')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--float16', action='store_true', help='store weights as float16 in the ONNX file')
    ap.add_argument('--name', default=None)
    ap.add_argument('--export-min-score', type=float, default=0.3, help='Mask R-CNN: lowest detection score the exported model returns')
    a = ap.parse_args(argv)
    mr = a.arch == 'mrcnn'
    lr = a.lr if a.lr is not None else (0.01 if mr else 1e-3)

    random.seed(a.seed)
    np.random.seed(a.seed)
    torch.manual_seed(a.seed)
    device = torch.device('cuda' if (a.device == 'cuda' or (a.device == 'auto' and torch.cuda.is_available())) else 'cpu')
    amp = device.type == 'cuda'
    if a.fields and a.diameter is None:
        a.diameter = 24
    if bool(a.data) == bool(a.fields):
        raise SystemExit('give either --data (HDF5) or --fields')
    if a.data:
        train = AugmentedSet(a.data, 0, a.limit, labels=mr)
        val = AugmentedSet(a.data, 1, a.limit, labels=mr)
    else:
        from fields import FieldSampler, load_fields
        held = set(open(a.val_names).read().split()) if a.val_names else set()
        all_fields = [f for d in a.fields for f in load_fields(d)]
        tr = [f for f in all_fields if f[0] not in held]
        va = [f for f in all_fields if f[0] in held]
        train = FieldSampler(tr, a.rois_per_cycle, seed=a.seed, labels=mr, diameter=a.diameter or None, jitter=tuple(a.jitter))
        val = FieldSampler(va or tr, a.limit or max(256, a.rois_per_cycle // 20), seed=a.seed + 1, augment=False, labels=mr, diameter=a.diameter or None)
        scales = {'diameter_px': a.diameter, 'jitter': a.jitter} if a.diameter else {'scales': [0.333, 0.667, 1, 1.333, 2]}
        train.roi, train.config, train.sources = 256, {'sampler': 'fields.py', **scales}, [{'folder': d, 'validation_fields': sorted(f[0] for f in va if f[0] in set(os.listdir(os.path.join(d, 'labels'))))} for d in a.fields]
        val.roi = 256
    if len(train) == 0:
        raise SystemExit(f'{a.data}: no training ROIs (split 0)')
    roi = train.roi
    if roi % 32:
        raise SystemExit(f'{a.data}: ROI size {roi} is not a multiple of 32')
    g = torch.Generator().manual_seed(a.seed)
    tl = DataLoader(train, batch_size=a.batch, shuffle=True, num_workers=a.workers, generator=g, drop_last=len(train) >= a.batch, pin_memory=device.type == 'cuda', persistent_workers=a.workers > 0)
    vl = DataLoader(val if len(val) else train, batch_size=a.batch, shuffle=False, num_workers=a.workers, persistent_workers=a.workers > 0)
    model = (NucleiMaskRCNN(a.encoder, a.width) if mr else FPN2WS(a.encoder, a.width, a.two_networks, a.head)).to(device)
    loss_fn = mrcnn_loss if mr else fpn_loss
    loaded = 0
    if a.init == 'imagenet':
        try:
            loaded = load_imagenet_encoder(model, a.encoder)
        except FileNotFoundError as e:
            raise SystemExit(str(e))
    elif a.init != 'random':
        # a stride-4 model transfers its encoder, pyramid and head branches into a full-resolution one
        loaded = load_from_onnx(model, a.init, min_fraction=0.9 if mr or a.head == 'fpn' else 0.6)
    params = sum(p.numel() for p in model.parameters())
    emit(event='start', arch=a.arch, device=str(device), amp=amp, train_rois=len(train), val_rois=len(val), roi=roi, params=params, init=a.init, loaded_weights=loaded, torch=torch.__version__)
    steps_total = a.cycles * len(tl)
    if mr:
        opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=1e-4)
        warm = max(1, int(0.05 * steps_total))
        schedule = lambda s: (0.001 + 0.999 * s / warm) if s < warm else 0.01 + 0.99 * 0.5 * (1 + math.cos(math.pi * (s - warm) / max(1, steps_total - warm)))
    else:
        opt = torch.optim.Adam(model.parameters(), lr=lr)
        def progress(s):  # fraction of the run done: steps, or time when a budget bounds it
            p = s / max(1, steps_total)
            return min(1.0, max(p, (time.time() - t_start) / a.time_budget) if a.time_budget else p)
        schedule = (lambda s: 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * progress(s)))) if a.schedule == 'cosine' else (lambda s: 1.0)
    t_start = time.time()
    sched = torch.optim.lr_scheduler.LambdaLR(opt, schedule)
    best, best_state, history = math.inf, None, []
    for cycle in range(1, a.cycles + 1):
        if a.time_budget and history and time.time() - t_start + history[-1]['seconds'] > a.time_budget:
            emit(event='budget', cycles_done=cycle - 1, seconds=time.time() - t_start)
            break
        frozen = a.init != 'random' and cycle <= a.freeze_cycles
        for p in model.encoder_parameters():
            p.requires_grad = not frozen
        model.train()
        t0, seen, total = time.time(), 0, 0.0
        for step, batch in enumerate(tl):
            loss, n, _ = loss_fn(model, batch, device, amp)
            if not math.isfinite(loss.item()):
                raise SystemExit(f'training diverged at cycle {cycle} step {step} (loss {loss.item()}); try a lower --lr')
            opt.zero_grad(set_to_none=True)
            loss.backward()
            if mr:
                torch.nn.utils.clip_grad_norm_(model.parameters(), 10.0)
            opt.step()
            sched.step()
            seen += n
            total += loss.item() * n
            if step % 20 == 0:
                emit(event='step', cycle=cycle, cycles=a.cycles, rois=seen, of=len(train), loss=loss.item(), lr=opt.param_groups[0]['lr'], rois_per_s=seen / max(time.time() - t0, 1e-9))
        vloss = evaluate(model, vl, device, amp, loss_fn)
        rec = dict(cycle=cycle, train_loss=total / max(seen, 1), val_loss=vloss, seconds=time.time() - t0, rois_per_s=seen / max(time.time() - t0, 1e-9), encoder_frozen=frozen)
        history.append(rec)
        emit(event='cycle', cycles=a.cycles, **rec)
        if vloss < best:
            best = vloss
            best_state = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
    model.load_state_dict(best_state)
    model = model.cpu().float().eval()
    if mr:
        model.net.roi_heads.score_thresh = a.export_min_score  # exported detections: nothing below the lowest useful threshold
    tmp = a.out + '.tmp.onnx'
    if mr:
        export_mrcnn_onnx(model, tmp, roi)
    else:
        export_onnx(model, tmp, roi)
    if a.float16:
        weights_to_float16(tmp)
    # card test pair: the centre of a real validation ROI (or training ROI) and the PyTorch outputs
    sample = (val if len(val) else train)[0][0][None]
    side = min(96 if mr else 64, sample.shape[-1])  # small, so the card stays small
    c0 = (sample.shape[-1] - side) // 2
    sample = sample[..., c0:c0 + side, c0:c0 + side].contiguous()
    with torch.no_grad():
        outs = model(sample)
    if mr:
        k = 8  # the 8 best detections (sorted by score) are compared
        test_out = {'boxes': outs[0][:k].flatten().tolist(), 'scores': outs[1][:k].flatten().tolist(), 'masks': outs[2][:k].flatten().tolist()}
    else:
        test_out = {'distance': outs[0].flatten().tolist(), 'border': outs[1].flatten().tolist()}
    validation, tuning = {}, None
    # the scale nucseg runs a field at: the card's diameter block (scale-normalized training only)
    diam = None
    if a.diameter and not mr:
        r = DEFS['diameter']['no_rescale_ratio']
        jit = a.jitter if a.fields else [1, 1]
        diam = {'median_px': a.diameter, 'no_rescale_px': [round(a.diameter / r, 2), round(a.diameter * r, 2)], 'trained_px': [round(a.diameter * jit[0], 2), round(a.diameter * jit[1], 2)]}
    post = default_post(mr)
    calibration = None
    if not mr and not a.tune and len(val):
        post, calibration = calibrate_seed_threshold(model, val, post)
        if calibration and calibration['seed_threshold'] != calibration['default_seed_threshold']:
            emit(event='calibrated', **calibration)
    if a.evaluate:
        from evaluate import f1_counts, post_at_scale, tune_post
        from fields import load_fields
        emodel = model.to(device)
        if a.float16:  # evaluate the weights as exported
            with torch.no_grad():
                for p in emodel.parameters():
                    p.copy_(p.half().float())
        sets = {}
        for spec in a.evaluate:
            name, rest = spec.split('=', 1)
            folder, _, names_file = rest.partition(':')
            names = set(open(names_file).read().split()) if names_file else None
            rows = []
            if mr:
                emodel.net.roi_heads.detections_per_img = 3000
            for fname, im, gt in load_fields(folder, names):
                if mr:
                    rows.append((None, mrcnn_field_labels(emodel.cpu(), im), gt, 1.0))
                    continue
                est = estimate_diameter(im)
                s = run_scale(est, diam)
                d, b = fpn_field_maps(emodel, im, s, device)
                rows.append((d, b, gt, s))
            if mr:
                emodel.net.roi_heads.detections_per_img = 400
            sets[name] = (folder, names, rows)
        if a.tune and not mr:
            if a.tune not in sets:
                raise SystemExit(f'--tune {a.tune}: no --evaluate set of that name')
            rows = [(d, b, gt, s) for d, b, gt, s in sets[a.tune][2]]
            post, grid = tune_post(rows, post, workers=a.tune_workers)
            tuning = {'set': a.tune, 'objective': 'pooled F1 averaged over IoU 0.5, 0.6, 0.7, 0.8, 0.9', 'grid': grid}
            emit(event='tuned', **{k: post[k] for k in ('seed_threshold', 'foreground_threshold', 'seed_closing_radius')})
        for name, (folder, names, rows) in sets.items():
            tot = np.zeros((3, 3))
            for d, b, gt, s in rows:
                lab = b if mr else post_at_scale(d, b, post, s)
                tot += np.array(f1_counts(gt, lab))
            f1 = [float(2 * tp / max(2 * tp + fp + fn, 1)) for tp, fp, fn in tot]
            validation[name] = {'fields': folder if names is None else f'{folder} ({len(names)} held-out fields)', 'f1@0.5': f1[0], 'f1@0.7': f1[1], 'f1@0.9': f1[2], 'tp_fp_fn': tot.astype(int).tolist(), 'pooled': True, 'whole_fields': True,
                                'automatic_scale': bool(diam), 'fields_rescaled': int(sum(1 for r in rows if r[3] != 1)), 'tuned_on_this_set': name == a.tune}
            emit(event='evaluate', set=name, **{k: v for k, v in validation[name].items() if k.startswith('f1')})
        model = emodel.cpu()
    if mr:
        architecture = {'type': 'mrcnn', 'encoder': a.encoder, 'fpn_width': a.width, 'anchor_sizes': [8, 16, 32, 64, 128], 'box_head': 256, 'mask_head': [a.width] * 4, 'parameters': params}
        outputs = [
            {'name': 'boxes', 'axes': 'ni', 'data_type': 'float32', 'description': 'detections sorted by score: x0, y0, x1, y1 in pixels (pixel edges)'},
            {'name': 'scores', 'axes': 'n', 'data_type': 'float32', 'description': f'detection score 0..1 (>= {a.export_min_score} exported)'},
            {'name': 'masks', 'axes': 'ncyx', 'data_type': 'float32', 'description': 'foreground probability on a 28 x 28 grid spanning each box'},
            {'name': 'image_index', 'axes': 'n', 'data_type': 'float32', 'description': 'which image of the batch each detection belongs to (detections grouped by image, in batch order)'},
        ]
        description = 'Mask R-CNN nucleus segmentation: boxes, scores and box-relative masks, pasted and merged across tiles by nucseg'
        loss = 'torchvision Mask R-CNN: RPN objectness + box, classifier + box, mask BCE'
        optimizer = {'optimizer': 'SGD', 'momentum': 0.9, 'weight_decay': 1e-4, 'schedule': 'linear warm-up over 5 % of steps from 0.1 %, cosine decay to 1 %', 'grad_clip': 10.0}
    else:
        architecture = {'type': 'fpn2ws', 'encoder': a.encoder, 'fpn_width': a.width, 'shared_encoder': not a.two_networks, 'head': a.head, 'parameters': params}
        outputs = [
            {'name': 'distance', 'axes': 'bcyx', 'data_type': 'float32', 'description': 'per-nucleus distance to its edge / its maximum, 0..1'},
            {'name': 'border', 'axes': 'bcyx', 'data_type': 'float32', 'description': 'nucleus border blurred with sigma 1, 0..1'},
        ]
        description = 'FPN2-WS nucleus segmentation: normalized distance and blurred border maps, instances by seeded watershed'
        loss = 'MSE(distance) + MSE(border), mean of the two'
        optimizer = {'optimizer': 'Adam', 'schedule': 'constant' if a.schedule == 'constant' else 'cosine decay to 5 % over the planned cycles'}
    card = {
        'format_version': 'nucseg.card/1',
        'name': a.name or os.path.splitext(os.path.basename(a.out))[0],
        'description': description,
        'authors': [{'name': 'nucseg'}],
        'license': 'MIT',
        'architecture': architecture,
        'inputs': [{'name': 'image', 'axes': 'bcyx', 'data_type': 'float32', 'shape': [None, 1, None, None], 'preprocessing': 'per field: 1st-99.8th percentile -> 0..1 with a noise floor, clipped (nucseg normalizeImage; models-onnx/preprocessing.json)'}],
        'outputs': outputs,
        'tile': {'size': roi, 'overlap': 64 if mr else 50, 'multiple_of': 32},
        'postprocessing': post,
        **({'diameter': diam} if diam else {}),
        **({'postprocessing_tuning': tuning} if tuning else {}),
        **({'postprocessing_calibration': calibration} if calibration else {}),
        'training': {
            'data': os.path.basename(a.data) if a.data else a.fields, 'data_sha256': sha256(a.data) if a.data else None, 'sources': train.sources, 'augment_config': train.config,
            'train_rois': len(train), 'val_rois': len(val), 'cycles': a.cycles, 'batch': a.batch, **optimizer, 'lr': lr, 'loss': loss,
            'cycles_done': len(history), 'time_budget_s': a.time_budget, 'init': a.init, 'freeze_encoder_cycles': a.freeze_cycles if a.init != 'random' else 0, 'seed': a.seed, 'device': str(device), 'mixed_precision': 'bf16' if amp else None,
            'history': history, 'best_val_loss': best, 'seconds': time.time() - t_start,
        },
        'validation': validation,
        'versions': {'python': platform.python_version(), 'torch': torch.__version__, 'torchvision': torchvision.__version__, 'numpy': np.__version__, 'onnx': onnx.__version__, 'onnx_opset': 17},
        'weights': {'onnx': {'source': os.path.basename(a.out), 'opset_version': 17, 'float16_weights': a.float16}},
        'test': {'input_shape': list(sample.shape), 'input': sample.flatten().tolist(), **test_out, 'tolerance': 2e-2 if a.float16 else 1e-3},
    }
    os.replace(tmp, a.out)
    card['weights']['onnx']['sha256'] = sha256(a.out)
    card_path = os.path.splitext(a.out)[0] + '.card.json'
    with open(card_path + '.tmp', 'w') as f:
        json.dump(card, f)
    os.replace(card_path + '.tmp', card_path)
    emit(event='done', model=a.out, card=card_path, best_val_loss=best, seconds=time.time() - t_start)


if __name__ == '__main__':
    main()
