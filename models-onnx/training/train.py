#!/usr/bin/env python3
"""Train an FPN2-WS nucleus model on a `nucseg augment` HDF5 set and export it to ONNX with
a model card. Progress is printed as JSON lines (one per event) for `nucseg train`.

  python3 train.py --data train.h5 --cycles 5 --out model.onnx [--encoder resnet18]
                   [--init random|model.onnx] [--batch 16] [--device auto|cpu|cuda] [--seed 0]

A cycle is one pass over the training ROIs; the checkpoint with the lowest validation loss
is exported. Adam, lr 1e-3 constant, MSE on both sigmoid outputs (the seed paper). With
--init <model.onnx> (transfer learning) the encoder is frozen for the first 2 cycles."""
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
import torch
from torch.utils.data import DataLoader

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from data import AugmentedSet  # noqa: E402
from export import export_onnx, load_from_onnx, weights_to_float16  # noqa: E402
from nets import FPN2WS  # noqa: E402


def emit(**kw):
    print(json.dumps(kw), flush=True)


def sha256(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for b in iter(lambda: f.read(1 << 20), b''):
            h.update(b)
    return h.hexdigest()


def evaluate(model, loader, device, amp):
    model.eval()
    total, n = 0.0, 0
    with torch.no_grad():
        for x, d, b in loader:
            x, d, b = x.to(device), d.to(device), b.to(device)
            with torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=amp):
                pd, pb = model(x)
            total += (torch.nn.functional.mse_loss(pd.float(), d, reduction='sum') + torch.nn.functional.mse_loss(pb.float(), b, reduction='sum')).item()
            n += x.numel()
    return total / max(n, 1)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--data', help='HDF5 set from `nucseg augment`')
    ap.add_argument('--fields', action='append', default=[], help='or: folders of annotated fields (images/, labels/), sampled on the fly (fields.py)')
    ap.add_argument('--val-names', help='with --fields: file listing the field names held out for validation')
    ap.add_argument('--rois-per-cycle', type=int, default=35000, help='with --fields: ROIs per cycle')
    ap.add_argument('--evaluate', action='append', default=[], help='name=folder[:names-file]: F1 of the final model on whole fields, into the card')
    ap.add_argument('--out', required=True)
    ap.add_argument('--arch', default='fpn2ws', choices=['fpn2ws'])
    ap.add_argument('--encoder', default='resnet18', choices=['resnet18', 'resnet34'])
    ap.add_argument('--two-networks', action='store_true', help="the paper's two separate FPNs")
    ap.add_argument('--width', type=int, default=128)
    ap.add_argument('--cycles', type=int, default=5)
    ap.add_argument('--batch', type=int, default=16)
    ap.add_argument('--lr', type=float, default=1e-3)
    ap.add_argument('--init', default='random')
    ap.add_argument('--freeze-cycles', type=int, default=2)
    ap.add_argument('--device', default='auto', choices=['auto', 'cpu', 'cuda'])
    ap.add_argument('--workers', type=int, default=0)
    ap.add_argument('--limit', type=int, default=None, help='use at most this many ROIs per split (smoke tests)')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--float16', action='store_true', help='store weights as float16 in the ONNX file')
    ap.add_argument('--name', default=None)
    a = ap.parse_args(argv)

    random.seed(a.seed)
    np.random.seed(a.seed)
    torch.manual_seed(a.seed)
    device = torch.device('cuda' if (a.device == 'cuda' or (a.device == 'auto' and torch.cuda.is_available())) else 'cpu')
    amp = device.type == 'cuda'
    if bool(a.data) == bool(a.fields):
        raise SystemExit('give either --data (HDF5) or --fields')
    if a.data:
        train = AugmentedSet(a.data, 0, a.limit)
        val = AugmentedSet(a.data, 1, a.limit)
    else:
        from fields import FieldSampler, load_fields
        held = set(open(a.val_names).read().split()) if a.val_names else set()
        all_fields = [f for d in a.fields for f in load_fields(d)]
        tr = [f for f in all_fields if f[0] not in held]
        va = [f for f in all_fields if f[0] in held]
        train = FieldSampler(tr, a.rois_per_cycle, seed=a.seed)
        val = FieldSampler(va or tr, max(256, a.rois_per_cycle // 20), seed=a.seed + 1, augment=False)
        train.roi, train.config, train.sources = 256, {'sampler': 'fields.py', 'scales': [0.333, 0.667, 1, 1.333, 2]}, [{'folder': d} for d in a.fields]
        val.roi = 256
    if len(train) == 0:
        raise SystemExit(f'{a.data}: no training ROIs (split 0)')
    roi = train.roi
    if roi % 32:
        raise SystemExit(f'{a.data}: ROI size {roi} is not a multiple of 32')
    g = torch.Generator().manual_seed(a.seed)
    tl = DataLoader(train, batch_size=a.batch, shuffle=True, num_workers=a.workers, generator=g, drop_last=len(train) >= a.batch, pin_memory=device.type == 'cuda', persistent_workers=a.workers > 0)
    vl = DataLoader(val if len(val) else train, batch_size=a.batch, shuffle=False, num_workers=a.workers, persistent_workers=a.workers > 0)
    model = FPN2WS(a.encoder, a.width, a.two_networks).to(device)
    loaded = 0
    if a.init != 'random':
        loaded = load_from_onnx(model, a.init)
    params = sum(p.numel() for p in model.parameters())
    emit(event='start', device=str(device), amp=amp, train_rois=len(train), val_rois=len(val), roi=roi, params=params, init=a.init, loaded_weights=loaded, torch=torch.__version__)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    best, best_state, history = math.inf, None, []
    t_start = time.time()
    for cycle in range(1, a.cycles + 1):
        frozen = a.init != 'random' and cycle <= a.freeze_cycles
        for p in model.encoder_parameters():
            p.requires_grad = not frozen
        model.train()
        t0, seen, total = time.time(), 0, 0.0
        for step, (x, d, b) in enumerate(tl):
            x, d, b = x.to(device, non_blocking=True), d.to(device, non_blocking=True), b.to(device, non_blocking=True)
            with torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=amp):
                pd, pb = model(x)
                loss = torch.nn.functional.mse_loss(pd.float(), d) + torch.nn.functional.mse_loss(pb.float(), b)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            seen += x.shape[0]
            total += loss.item() * x.shape[0]
            if step % 20 == 0:
                emit(event='step', cycle=cycle, cycles=a.cycles, rois=seen, of=len(train), loss=loss.item(), rois_per_s=seen / max(time.time() - t0, 1e-9))
        vloss = evaluate(model, vl, device, amp)
        rec = dict(cycle=cycle, train_loss=total / max(seen, 1) / 2, val_loss=vloss / 2, seconds=time.time() - t0, rois_per_s=seen / max(time.time() - t0, 1e-9), encoder_frozen=frozen)
        history.append(rec)
        emit(event='cycle', cycles=a.cycles, **rec)
        if vloss < best:
            best = vloss
            best_state = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
    model.load_state_dict(best_state)
    model = model.cpu().float().eval()
    tmp = a.out + '.tmp.onnx'
    x = export_onnx(model, tmp, roi)
    if a.float16:
        weights_to_float16(tmp)
    with torch.no_grad():
        d, b = model(x)
    # card test pair: a real validation ROI (or training ROI) and the PyTorch outputs
    sample = (val if len(val) else train)[0][0][None]
    c0 = (sample.shape[-1] - 64) // 2  # a 64x64 centre crop keeps the card small
    sample = sample[..., c0:c0 + 64, c0:c0 + 64].contiguous()
    with torch.no_grad():
        sd, sb = model(sample)
    validation = {}
    for spec in a.evaluate:
        from evaluate import f1_counts, postprocess
        from fields import load_fields
        name, rest = spec.split('=', 1)
        folder, _, names_file = rest.partition(':')
        names = set(open(names_file).read().split()) if names_file else None
        tot = np.zeros((3, 3))
        for fname, im, gt in load_fields(folder, names):
            H, W = im.shape
            ph, pw = (-H) % 32, (-W) % 32
            x = torch.from_numpy(np.pad(im, ((0, ph), (0, pw)), mode='reflect'))[None, None]
            with torch.no_grad():
                dd, bb = model(x)
            lab = postprocess(dd[0, 0, :H, :W].numpy(), bb[0, 0, :H, :W].numpy())
            tot += np.array(f1_counts(gt, lab))
        f1 = [float(2 * tp / max(2 * tp + fp + fn, 1)) for tp, fp, fn in tot]
        validation[name] = {'fields': folder if names is None else f'{folder} ({len(names)} held-out fields)', 'f1@0.5': f1[0], 'f1@0.7': f1[1], 'f1@0.9': f1[2], 'tp_fp_fn': tot.astype(int).tolist(), 'pooled': True}
        emit(event='evaluate', set=name, **{k: v for k, v in validation[name].items() if k.startswith('f1')})
    card = {
        'format_version': 'nucseg.card/1',
        'name': a.name or os.path.splitext(os.path.basename(a.out))[0],
        'description': 'FPN2-WS nucleus segmentation: normalized distance and blurred border maps, instances by seeded watershed',
        'authors': [{'name': 'nucseg'}],
        'license': 'MIT',
        'architecture': {'type': 'fpn2ws', 'encoder': a.encoder, 'fpn_width': a.width, 'shared_encoder': not a.two_networks, 'parameters': params},
        'inputs': [{'name': 'image', 'axes': 'bcyx', 'data_type': 'float32', 'shape': [None, 1, None, None], 'preprocessing': 'per field: 1st-99.8th percentile -> 0..1, clipped (nucseg normalizeImage)'}],
        'outputs': [
            {'name': 'distance', 'axes': 'bcyx', 'data_type': 'float32', 'description': 'per-nucleus distance to its edge / its maximum, 0..1'},
            {'name': 'border', 'axes': 'bcyx', 'data_type': 'float32', 'description': 'nucleus border blurred with sigma 1, 0..1'},
        ],
        'tile': {'size': roi, 'overlap': 50, 'multiple_of': 32},
        'postprocessing': {'method': 'seeded_watershed', 'seed_threshold': 0.6, 'seed_closing_radius': 2, 'foreground_threshold': 0.3, 'elevation': 'border - distance', 'min_area': 16, 'max_area': None},
        'training': {
            'data': os.path.basename(a.data) if a.data else a.fields, 'data_sha256': sha256(a.data) if a.data else None, 'sources': train.sources, 'augment_config': train.config,
            'train_rois': len(train), 'val_rois': len(val), 'cycles': a.cycles, 'batch': a.batch, 'optimizer': 'Adam', 'lr': a.lr, 'loss': 'MSE(distance) + MSE(border)',
            'init': a.init, 'freeze_encoder_cycles': a.freeze_cycles if a.init != 'random' else 0, 'seed': a.seed, 'device': str(device), 'mixed_precision': 'bf16' if amp else None,
            'history': history, 'best_val_loss': best / 2, 'seconds': time.time() - t_start,
        },
        'validation': validation,
        'versions': {'python': platform.python_version(), 'torch': torch.__version__, 'numpy': np.__version__, 'onnx_opset': 17},
        'weights': {'onnx': {'source': os.path.basename(a.out), 'opset_version': 17, 'float16_weights': a.float16}},
        'test': {'input_shape': list(sample.shape), 'input': sample.flatten().tolist(), 'distance': sd.flatten().tolist(), 'border': sb.flatten().tolist(), 'tolerance': 2e-2 if a.float16 else 1e-3},
    }
    os.replace(tmp, a.out)
    card['weights']['onnx']['sha256'] = sha256(a.out)
    card_path = os.path.splitext(a.out)[0] + '.card.json'
    with open(card_path + '.tmp', 'w') as f:
        json.dump(card, f)
    os.replace(card_path + '.tmp', card_path)
    emit(event='done', model=a.out, card=card_path, best_val_loss=best / 2, seconds=time.time() - t_start)


if __name__ == '__main__':
    main()
