#!/usr/bin/python3
"""Seed corpora for the libFuzzer targets in native/fuzz/, from small crops of real images and
label images (../shared/data, or NUCSEG_DATA): one file per operation and pixel type, in the
input layout each target reads (fuzz_common.hpp, fuzz_*.cpp; keep them in sync).

Usage: make_seeds.py OUT_DIR          -> OUT_DIR/fuzz_kernels/, fuzz_instances/, fuzz_augment/
Needs numpy and tifffile (Debian: python3-numpy, python3-tifffile). Without the data folder the
seeds use synthetic blobs instead.
"""
import glob
import os
import struct
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.environ.get('NUCSEG_DATA', os.path.join(HERE, '..', '..', '..', 'shared', 'data'))


def crops(n=3, size=(40, 48)):
    """n (image u16, labels u16) crops of h x w from the annotated sets (or synthetic ones)."""
    h, w = size
    out = []
    files = sorted(glob.glob(os.path.join(DATA, 'bbbc039-small', 'labels', '*.tif')))[:2]
    files += sorted(glob.glob(os.path.join(DATA, 'dsb2018-fluo', 'train', 'labels', '*.tif')))[:2]
    try:
        import tifffile
        for lf in files:
            imf = lf.replace(os.sep + 'labels' + os.sep, os.sep + 'images' + os.sep)
            lab = tifffile.imread(lf)
            img = tifffile.imread(imf) if os.path.exists(imf) else lab
            if img.ndim > 2:
                img = img[..., 0]
            # the crop with the most labels among a few positions
            best = None
            for y in range(0, max(1, lab.shape[0] - h), max(1, (lab.shape[0] - h) // 4 or 1)):
                for x in range(0, max(1, lab.shape[1] - w), max(1, (lab.shape[1] - w) // 4 or 1)):
                    c = lab[y:y + h, x:x + w]
                    k = len(np.unique(c))
                    if best is None or k > best[0]:
                        best = (k, y, x)
            _, y, x = best
            out.append((img[y:y + h, x:x + w].astype(np.uint16), lab[y:y + h, x:x + w].astype(np.uint16)))
            if len(out) >= n:
                break
    except Exception as e:  # no tifffile or no data: synthetic
        print(f'make_seeds: using synthetic crops ({e})', file=sys.stderr)
    if not out:
        yy, xx = np.mgrid[0:h, 0:w]
        lab = np.zeros((h, w), np.uint16)
        for i, (cy, cx, r) in enumerate([(10, 10, 6), (25, 30, 8), (30, 12, 5), (12, 38, 7)]):
            lab[(yy - cy) ** 2 + (xx - cx) ** 2 <= r * r] = i + 1
        img = (lab > 0) * 3000 + (xx * 37 + yy * 11) % 200
        out.append((img.astype(np.uint16), lab))
    return out


def size(w, h):
    return struct.pack('<BHH', 0, w, h)


def arr(a, dtype):
    return np.ascontiguousarray(a, dtype=dtype).tobytes()


def kernels_seeds(cs):
    seeds = {}
    for ci, (img, lab) in enumerate(cs):
        h, w = lab.shape
        mask = (lab > 0).astype(np.uint8)
        img8 = (img.astype(np.float64) / max(1, img.max()) * 255).astype(np.uint8)
        imgf = img.astype(np.float32) / max(1, img.max())
        S = size(w, h)
        # 0 connected components: op, threads, conn, stats, size, mask, fold
        seeds[f'cc-{ci}'] = bytes([0, 1, 200, 1]) + S + arr(mask, np.uint8) + b'\x00'
        # label ops: op, type(&1 = u32), threads, fold, size, labels, extra
        for op, name, extra in [(1, 'stats', b''), (2, 'relabel', b''), (3, 'remove', b'\x01\x80\x00\x10'),
                                (4, 'fillholes', b''), (5, 'largest', b''), (7, 'normdist', b''),
                                (8, 'border', struct.pack('<H', 700)), (16, 'measure', b'\x02' + arr(img, np.uint16))]:
            for t, dt in [(0, np.uint16), (1, np.uint32)]:
                seeds[f'{name}-{ci}-{dt.__name__}'] = bytes([op, t, 1, 0]) + S + arr(lab, dt) + extra
        # 6 distance transform: op, threads, size, mask, fold
        seeds[f'edt-{ci}'] = bytes([6, 1]) + S + arr(mask, np.uint8) + b'\x00'
        # 9 watershed: op, type, size, elevation, markers u32, fold, conn, lines, maskflag, mask
        markers = np.zeros_like(lab, dtype=np.uint32)
        for v in np.unique(lab)[1:]:
            ys, xs = np.nonzero(lab == v)
            markers[ys[len(ys) // 2], xs[len(xs) // 2]] = v
        elev = (255 - img8).astype(np.uint8)
        for t, e in [(0, arr(elev, np.uint8)), (1, arr(elev.astype(np.uint16) * 200, np.uint16)), (2, arr(elev.astype(np.float32) / 255, np.float32))]:
            seeds[f'ws-{ci}-{t}'] = bytes([9, t]) + S + e + arr(markers, np.uint32) + bytes([0, 200, t & 1, 1]) + arr(mask, np.uint8)
        # 10 overlap: op, type, threads, fold, size, gt, 0x00 (same size), pred
        pred = np.roll(lab, (2, 3), axis=(0, 1))
        seeds[f'overlap-{ci}'] = bytes([10, 0, 1, 0]) + S + arr(lab, np.uint16) + b'\x00' + arr(pred, np.uint16)
        seeds[f'overlap32-{ci}'] = bytes([10, 3, 1, 0]) + S + arr(lab, np.uint32) + b'\x00' + arr(pred, np.uint32)
        # 11 resize: op, type, threads, size, pixels, ow, oh, mode
        for t, px in [(0, arr(img8, np.uint8)), (1, arr(img, np.uint16)), (2, arr(lab, np.uint32)), (3, arr(imgf, np.float32))]:
            for mode, (ow, oh) in enumerate([(w * 2, h * 2), (w // 3, h // 3), (w + 5, h - 7)]):
                seeds[f'resize-{ci}-{t}-{mode}'] = bytes([11, t, 1]) + S + px + struct.pack('<HHB', ow - 1, oh - 1, mode)
        # 12 gaussian / 13 median / 14 otsu: op, type, threads, size, pixels, params
        for t, px in [(0, arr(img8, np.uint8)), (1, arr(img, np.uint16)), (2, arr(imgf, np.float32))]:
            seeds[f'gauss-{ci}-{t}'] = bytes([12, t, 1]) + S + px + struct.pack('<HH', 1300, 26000)
            seeds[f'median-{ci}-{t}'] = bytes([13, t, 1]) + S + px + bytes([1 + t])
            seeds[f'otsu-{ci}-{t}'] = bytes([14, t, 1]) + S + px
        # 15 morphology: op, which, threads, radius-select, radius u16, size, mask, fold
        for which in range(4):
            seeds[f'morph-{ci}-{which}'] = bytes([15, which, 1, 0]) + struct.pack('<H', 8000) + S + arr(mask, np.uint8) + b'\x00'
        # 17 max filter: op, threads, select, radius, size, pixels
        seeds[f'maxfilter-{ci}'] = bytes([17, 1, 0, 3]) + S + arr(imgf, np.float32)
    return seeds


def instances_seeds(cs):
    seeds = {}
    for ci, (img, lab) in enumerate(cs):
        h, w = lab.shape
        ids = [v for v in np.unique(lab) if v][:8]
        m = 14
        # paste: 0, flags (bit0 raw scores, bit1 raw boxes, bit2 raw masks, 0x40 big M), count, M,
        # w u16, h u16, score thr, mask thr (interesting: tag < 64 picks a constant: 4 = 0.5),
        # scores, boxes, masks (u8 / 255)
        boxes, masks = [], []
        for v in ids:
            ys, xs = np.nonzero(lab == v)
            x0, y0, x1, y1 = xs.min(), ys.min(), xs.max() + 1, ys.max() + 1
            for c, scale in [(x0, w), (y0, h), (x1, w), (y1, h)]:
                boxes.append(max(0, min(255, int(round(c * 128 / scale)) + 64)))
            crop = (lab[y0:y1, x0:x1] == v).astype(np.float64)
            yi = (np.arange(m) + 0.5) * crop.shape[0] / m
            xi = (np.arange(m) + 0.5) * crop.shape[1] / m
            masks.append((crop[yi.astype(int)][:, xi.astype(int)] * 255).astype(np.uint8).tobytes())
        scores = bytes([64 + 120 - 3 * i for i in range(len(ids))])
        seeds[f'paste-{ci}'] = (bytes([0, 0, len(ids), m - 1]) + struct.pack('<HH', w - 1, h - 1) + bytes([4, 4]) + scores +
                                bytes(boxes) + b''.join(masks))
        # merge: 1, flags (bit0 wide offsets, bit1 raw next id, >>2 / >>4 fold), canvas size, tile size,
        # x0, y0 (int8), next id (u8), min overlap u16, canvas u32, tile u32
        tw, th = w // 2, h // 2
        canvas = lab.astype(np.uint32).copy()
        canvas[:, w // 2:] = 0
        tile = lab[h // 4:h // 4 + th, w // 4:w // 4 + tw].astype(np.uint32)
        seeds[f'merge-{ci}'] = (bytes([1, 0]) + size(w, h) + size(tw, th) + bytes([w // 4, h // 4, len(ids) + 1]) +
                                struct.pack('<H', 32768) + arr(canvas, np.uint32) + arr(tile, np.uint32))
    return seeds


def augment_seeds(cs):
    seeds = {}
    img, lab = cs[0]
    h, w = lab.shape
    imgf = (img.astype(np.float64) / max(1, img.max()) * 255).astype(np.uint8)
    for k, (roi, pc, pb, pn) in enumerate([(32, 65535, 0, 0), (24, 0, 65535, 0), (20, 0, 0, 65535), (48, 32768, 20000, 20000)]):
        b = bytes([1, roi - 16, 0, 8, 3]) + struct.pack('<HHH', pc, pb, pn)
        b += bytes([1] * 10)  # op weights (m < 200: m % 4)
        b += bytes([0, 0, 255] * 11)  # ranges: default range ends (mode < 160)
        b += struct.pack('<QI', 1234 + k, 0)
        b += bytes([1])  # 2 sources
        for s in range(2):
            b += bytes([s << 3, w - 1, h - 1]) + struct.pack('<H', 65535 // 7) + imgf.tobytes() + arr(lab, np.uint32)
        b += bytes([2, 0, 2, 0])  # 3 ROIs
        seeds[f'augment-{k}'] = b
    return seeds


def write_seeds(out, sets):
    """Writes {target: {name: bytes}} as <out>/<target>/seed-<name> and prints the counts
    (also used by test/fuzz/make-seeds.py for the Jazzer.js targets)."""
    total = 0
    for target, seeds in sets.items():
        d = os.path.join(out, target)
        os.makedirs(d, exist_ok=True)
        for name, data in seeds.items():
            with open(os.path.join(d, f'seed-{name}'), 'wb') as f:
                f.write(data)
            total += len(data)
        print(f'{target}: {len(seeds)} seeds')
    print(f'{total} bytes')


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    cs = crops()
    small = [(i[:24, :24], l[:24, :24]) for i, l in cs]
    write_seeds(out, {'fuzz_kernels': {**kernels_seeds(cs), **{f'small-{k}': v for k, v in kernels_seeds(small[:1]).items()}},
                      'fuzz_instances': instances_seeds(cs), 'fuzz_augment': augment_seeds(cs)})

if __name__ == '__main__':
    main()
