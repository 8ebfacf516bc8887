#!/usr/bin/python3
"""Seed corpora for the Jazzer.js targets in test/fuzz/targets/, written to OUT_DIR/<target>/.

Usage: make-seeds.py OUT_DIR

- tiff-guard, decode-image: small crops (48 x 40) of real images and label images
  (../shared/data, or NUCSEG_DATA) as TIFF in every layout nucseg reads (uncompressed, LZW,
  Deflate, PackBits, tiled, BigTIFF, multi-page, uint8/16/32, int16, float32/64) and as
  8/16-bit PNG. decode-image seeds carry the one option byte the target reads first.
- card: the bundled model card with its test arrays cut down (the full card is 330 KB), its
  sha256 set to the target's stand-in ONNX file, and a Mask R-CNN variant (each after the
  target's mode byte), and a few inputs for the target's structured mode.
- augment-config: the default config and presets as YAML and JSON, with a few overrides,
  and a few inputs for the target's structured mode.
- name-pattern: custom patterns and Yokogawa / Molecular Devices / other file names.
Needs numpy, tifffile and OpenCV (Debian: python3-numpy python3-tifffile python3-opencv) and
tiffcp (libtiff-tools) for the compressed TIFFs; what is missing is skipped with a note.
"""
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'native', 'fuzz'))
from make_seeds import write_seeds  # noqa: E402  (one seed writer for both kinds of target)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..'))
DATA = os.environ.get('NUCSEG_DATA', os.path.join(ROOT, '..', 'shared', 'data'))
# keep in sync with DUMMY_ONNX in targets/card.fuzz.mjs
DUMMY_ONNX = b'nucseg fuzz: stand-in for an ONNX file\n'


def note(msg):
    print(f'make-seeds: {msg}', file=sys.stderr)


def crops():
    h, w = 40, 48
    out = []
    try:
        import tifffile
        for pat in ['bbbc039-small/labels/*.tif', 'dsb2018-fluo/train/labels/*.tif']:
            for lf in sorted(glob.glob(os.path.join(DATA, pat)))[:1]:
                lab = tifffile.imread(lf)
                img = tifffile.imread(lf.replace(os.sep + 'labels' + os.sep, os.sep + 'images' + os.sep))
                if img.ndim > 2:
                    img = img[..., 0]
                y, x = lab.shape[0] // 3, lab.shape[1] // 3
                out.append((img[y:y + h, x:x + w].copy(), lab[y:y + h, x:x + w].copy()))
    except Exception as e:
        note(f'synthetic images ({e})')
    if not out:
        yy, xx = np.mgrid[0:h, 0:w]
        lab = (((yy // 10) * 5 + xx // 10) * (((yy % 10) > 2) & ((xx % 10) > 2))).astype(np.uint16)
        out.append((((lab > 0) * 900 + xx * 3).astype(np.uint16), lab))
    return out


def tiffs(tmp):
    """name -> bytes of every TIFF / PNG seed."""
    files = {}
    try:
        import tifffile
    except ImportError:
        note('no tifffile: no TIFF seeds')
        return files
    cs = crops()
    img, lab = cs[0]
    variants = {
        'img-u16': img.astype(np.uint16),
        'lab-u16': lab.astype(np.uint16),
        'img-u8': (img.astype(np.float64) / max(1, img.max()) * 255).astype(np.uint8),
        'lab-u32': lab.astype(np.uint32) * 70000,
        'img-i16': img.astype(np.int16) - 100,
        'img-f32': img.astype(np.float32) / max(1, img.max()),
        'img-f64': img.astype(np.float64) / max(1, img.max()),
    }
    if len(cs) > 1:
        variants['dsb-img'] = cs[1][0]
        variants['dsb-lab'] = cs[1][1].astype(np.uint16)
    for name, a in variants.items():
        p = os.path.join(tmp, f'{name}.tif')
        tifffile.imwrite(p, a)
        files[f'{name}.tif'] = open(p, 'rb').read()
    tifffile.imwrite(os.path.join(tmp, 'zlib.tif'), variants['img-u16'], compression='zlib')
    files['zlib-tifffile.tif'] = open(os.path.join(tmp, 'zlib.tif'), 'rb').read()
    tifffile.imwrite(os.path.join(tmp, 'big.tif'), variants['lab-u16'], bigtiff=True)
    files['bigtiff.tif'] = open(os.path.join(tmp, 'big.tif'), 'rb').read()
    tifffile.imwrite(os.path.join(tmp, 'stack.tif'), np.stack([variants['img-u16'], variants['img-u16'][::-1]]))
    files['stack2.tif'] = open(os.path.join(tmp, 'stack.tif'), 'rb').read()
    tifffile.imwrite(os.path.join(tmp, 'tiled.tif'), variants['img-u8'], tile=(16, 16))
    files['tiled-tifffile.tif'] = open(os.path.join(tmp, 'tiled.tif'), 'rb').read()
    if shutil.which('tiffcp'):
        src = os.path.join(tmp, 'img-u16.tif')
        for name, args in [('lzw', ['-c', 'lzw']), ('lzw-pred', ['-c', 'lzw:2']), ('zip', ['-c', 'zip']),
                           ('packbits', ['-c', 'packbits']), ('tiled-lzw', ['-c', 'lzw', '-t', '-w', '16', '-l', '16']),
                           ('strips', ['-r', '4'])]:
            dst = os.path.join(tmp, f'tiffcp-{name}.tif')
            subprocess.run(['tiffcp', *args, src, dst], check=True, capture_output=True)
            files[f'tiffcp-{name}.tif'] = open(dst, 'rb').read()
        dst = os.path.join(tmp, 'lab-lzw.tif')
        subprocess.run(['tiffcp', '-c', 'lzw', os.path.join(tmp, 'lab-u16.tif'), dst], check=True, capture_output=True)
        files['lab-lzw.tif'] = open(dst, 'rb').read()
    else:
        note('no tiffcp: no LZW / PackBits seeds')
    try:
        import cv2
        for name, a in [('g8', variants['img-u8']), ('g16', variants['img-u16'])]:
            ok, enc = cv2.imencode('.png', a)
            files[f'{name}.png'] = enc.tobytes()
        ok, enc = cv2.imencode('.png', np.dstack([variants['img-u8']] * 3))
        files['gray-as-rgb.png'] = enc.tobytes()
    except ImportError:
        note('no OpenCV: no PNG seeds')
    return files


def cards():
    src = os.path.join(ROOT, 'models-onnx', 'nuclei-fpn2ws-dsb.card.json')
    c = json.load(open(src))
    sha = hashlib.sha256(DUMMY_ONNX).hexdigest()
    c['weights']['onnx']['sha256'] = sha
    c['test'] = {'input_shape': [1, 1, 4, 4], 'input': [0.25] * 16, 'distance': [0.5] * 16, 'border': [0.1] * 16, 'tolerance': 0.01}
    for k in ('postprocessing_tuning', 'performance'):
        c.pop(k, None)
    c['training'] = {k: c['training'][k] for k in ('cycles', 'optimizer', 'lr', 'seed') if k in c['training']}
    out = {'fpn2ws.card.json': json.dumps(c, indent=1).encode()}
    # structured mode (first byte bit 0): mutations of the target's own valid cards
    rng = np.random.default_rng(12)
    for k in range(6):
        out[f'structured-{k}'] = bytes([1 | (k % 2) << 1 | k << 2]) + rng.integers(0, 256, 48, dtype=np.uint8).tobytes()
    m = json.loads(json.dumps(c))
    m['name'] = 'nuclei-mrcnn-fuzz'
    m['architecture'] = {'type': 'mrcnn', 'backbone': 'resnet50'}
    m['outputs'] = [{'name': n, 'axes': 'k', 'data_type': 'float32'} for n in ('boxes', 'scores', 'masks', 'image_index')]
    m['postprocessing'] = {'method': 'mask_rcnn_paste', 'score_threshold': 0.5, 'mask_threshold': 0.5, 'merge_overlap': 0.5, 'min_area': 16, 'max_area': None}
    m['test'] = {'input_shape': [1, 1, 4, 4], 'input': [0.25] * 16, 'tolerance': 0.01}
    out['mrcnn.card.json'] = json.dumps(m).encode()
    nodiam = json.loads(json.dumps(c))
    nodiam.pop('diameter', None)
    out['no-diameter.card.json'] = json.dumps(nodiam, separators=(',', ':')).encode()
    return {k: v if k.startswith('structured') else b'\x00' + v for k, v in out.items()}


def configs():
    out = {}
    presets = ['full', 'none', 'min-blur', 'min-contrast', 'min-noise', 'min-scaling']
    yaml_docs = {
        'empty': '',
        'defaults': 'roi: 256\nshoulder: 8\nscales: [0.333, 0.667, 1, 1.333, 2]\nrotate45: true\nflips: true\n'
                    'pContrast: 0.5\npBlur: 0.3\npNoise: 0.3\nclaheClip: [1, 4]\nclaheTiles: [4, 12]\n'
                    'gamma: [0.6, 1.6]\nsaturation: [95, 99.9]\nmultiply: [0.6, 1.4]\ngaussianSigma: [0.5, 2]\n'
                    'medianK: [3, 5]\ngaussNoiseSigma: [0.01, 0.08]\npoissonPeak: [20, 200]\n'
                    'impulseFraction: [0.001, 0.02]\ndropoutFraction: [0.01, 0.1]\nvalFraction: 0.2\n',
        'blur-only': 'roi: 32\npContrast: 0\npBlur: 1\npNoise: 0\nwGaussian: 1\nwMedian: 1\nmedianK: [1, 7]\n',
        'contrast-only': 'roi: 48\npContrast: 1\npBlur: 0\npNoise: 0\nwClahe: 2\nclaheTiles: [1, 3]\nclaheClip: [0.5, 8]\n',
        'noise-only': 'roi: 16\nshoulder: 0\npNoise: 1\npBlur: 0\npContrast: 0\nwPoisson: 1\npoissonPeak: [1, 5]\n',
        'anchors': 'base: &r [0.5, 2]\ngamma: *r\n',
        'flow': '{roi: 64, scales: [1], rotate45: false, flips: false}\n',
    }
    for i, (name, text) in enumerate(yaml_docs.items()):
        out[f'{name}.yaml'] = bytes([(i % len(presets)) << 1]) + text.encode()
    out['defaults.json'] = bytes([1]) + json.dumps({'roi': 64, 'scales': [0.5, 1, 2], 'pBlur': 1, 'gaussianSigma': [0.5, 3]}).encode()
    out['preset-none.json'] = bytes([1 | (1 << 1)]) + b'{}'
    # structured mode (first byte bit 4): mutations of the default config
    rng = np.random.default_rng(7)
    for k in range(6):
        out[f'structured-{k}'] = bytes([0x10 | (k % 2) | (k << 5)]) + rng.integers(0, 256, 40, dtype=np.uint8).tobytes()
    return out


def patterns():
    names = ['PlateA_B03_T0001F002L01A01Z01C01.tif', 'B03_T0001F002L01A01Z01C02.tif', 'Screen 7_P24_s3_w1A2B3C4D.tif',
             'run_C12_s12.TIF', 'r02c05f03p01-ch1sk1fk1fl1.tiff', 'well_H7_field_4.png']
    pats = ['', r'(?<well>[A-P]\d{1,2})_s(?<field>\d+)', r'r(?<row>\d+)c(?<column>\d+)f(?<field>\d+)p(?<z>\d+)-ch(?<channel>\d)',
            r'^(?<plate>[^_]+)_(?<well>\w+)_T(?<timepoint>\d+)', r'well_(?<row>[A-Z])(?<column>\d+)_field_(?<field>\d+)', r'(?<nothing>x)', '(']
    out = {}
    for i, p in enumerate(pats):
        for j, n in enumerate(names):
            if (i + j) % 2 == 0 or p == '':
                out[f'p{i}-n{j}'] = p.encode() + b'\x00' + n.encode()
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        images = tiffs(tmp)
    sets = {
        'tiff-guard': {k: v for k, v in images.items() if k.endswith('.tif')},
        'decode-image': {**{k: b'\x00' + v for k, v in images.items()}, **{f'max-{k}': b'\x01' + v for k, v in images.items() if k.startswith('stack')},
                         **{f'labels-{k}': b'\x00' + v for k, v in images.items() if k.startswith('lab')}},
        'card': cards(),
        'augment-config': configs(),
        'name-pattern': patterns(),
    }
    write_seeds(out, sets)

if __name__ == '__main__':
    main()
