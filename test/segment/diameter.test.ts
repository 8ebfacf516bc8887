import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readImage, readLabels } from '../../lib/image/read.js';
import type { ImageData, LabelImage } from '../../lib/image/types.js';
import { resize } from '../../lib/kernels/resize.js';
import { score } from '../../lib/score/metrics.js';
import { estimateDiameter } from '../../lib/segment/diameter.js';
import { normalizeImage } from '../../lib/segment/normalize.js';
import { segment } from '../../lib/segment/segment.js';
import { cropTile } from '../../lib/models/tiling.js';
import { BBBC039, DSB, REPO } from '../helpers/data.js';
import { python } from '../helpers/tools.js';

const bbbc = readdirSync(join(BBBC039, 'images')).sort();
const dsb = readdirSync(join(DSB, 'train', 'labels')).sort();

/** Median equivalent diameter of ground-truth nuclei (what the estimator estimates). */
function gtDiameter(lab: LabelImage): number {
  const area = new Map<number, number>();
  for (const v of lab.data) if (v) area.set(v, (area.get(v) ?? 0) + 1);
  const d = [...area.values()].map((a) => 2 * Math.sqrt(a / Math.PI)).sort((a, b) => a - b);
  return d[Math.floor(d.length / 2)];
}

/** A field (image and labels) resampled by k: bilinear image, nearest labels (how the scale test makes larger nuclei). */
function resampled(im: ImageData<Uint16Array | Uint8Array>, lab: LabelImage, k: number) {
  const W = Math.round(im.width * k), H = Math.round(im.height * k);
  const im16 = im.data instanceof Uint16Array ? (im as ImageData<Uint16Array>) : { data: Uint16Array.from(im.data), width: im.width, height: im.height };
  return { im: resize(im16, W, H, { interpolation: 'bilinear' }), lab: resize(lab, W, H, { interpolation: 'nearest' }) };
}

describe('estimateDiameter (automatic scale)', () => {
  it('estimates the median nucleus diameter of real fields it was not calibrated on (BBBC039) within 20 %', async () => {
    for (const n of bbbc.slice(0, 4)) {
      const im = await readImage(join(BBBC039, 'images', n));
      const gt = gtDiameter(await readLabels(join(BBBC039, 'labels', n)));
      const d = estimateDiameter(normalizeImage(im))!;
      expect(d / gt).toBeGreaterThan(0.8);
      expect(d / gt).toBeLessThan(1.2);
    }
  });

  it('follows the magnification: a field resampled x2 and x3 gives a 2x and 3x estimate (within 12 %)', async () => {
    const im = (await readImage(join(BBBC039, 'images', bbbc[1]))) as ImageData<Uint16Array>;
    const lab = await readLabels(join(BBBC039, 'labels', bbbc[1]));
    const d1 = estimateDiameter(normalizeImage(im))!;
    for (const k of [2, 3]) {
      const dk = estimateDiameter(normalizeImage(resampled(im, lab, k).im))!;
      expect(dk / (k * d1)).toBeGreaterThan(0.88);
      expect(dk / (k * d1)).toBeLessThan(1.12);
    }
  });

  it('is not fooled by upsampled noise: a noisy field (nuclei ~38 px) resampled x2 gives about twice its diameter', async () => {
    // before blobs had to stand out from the threshold, noise blobs made this 8 px (and the model then found 11,581 "nuclei")
    const n = '1400420310c9094361a8a243545187f1d4c2365e081b3bb08c5fa29c7491a55b.tif';
    const im = (await readImage(join(DSB, 'train', 'images', n))) as ImageData<Uint8Array>;
    const lab = await readLabels(join(DSB, 'train', 'labels', n));
    const gt = gtDiameter(lab);
    for (const k of [1, 2, 3]) {
      const d = estimateDiameter(normalizeImage(resampled(im, lab, k).im))!;
      expect(d / (k * gt)).toBeGreaterThan(0.7);
      expect(d / (k * gt)).toBeLessThan(1.3);
    }
  });

  it('finds no nuclei in background noise', () => {
    const W = 256, n = W * W;
    let s = 7;
    const data = new Uint16Array(n);
    for (let i = 0; i < n; i++) {
      s = (s * 1103515245 + 12345) >>> 0;
      data[i] = 100 + (s >>> 28);
    }
    expect(estimateDiameter(normalizeImage({ data, width: W, height: W }))).toBeNull();
  });

  it('agrees with the Python estimator the training evaluation uses (models-onnx/training/preprocess.py) within 5 %', async () => {
    const files = [...dsb.filter((_, i) => i % 50 === 0), bbbc[0]].map((n) => (n === bbbc[0] ? join(BBBC039, 'images', n) : join(DSB, 'train', 'images', n)));
    const py = JSON.parse(
      python(
        `import sys, json; sys.path.insert(0, ${JSON.stringify(join(REPO, 'models-onnx', 'training'))})
import tifffile
from preprocess import normalize, estimate_diameter
print(json.dumps([estimate_diameter(normalize(tifffile.imread(f))) for f in sys.argv[1:]]))`,
        files,
      ),
    ) as (number | null)[];
    for (let i = 0; i < files.length; i++) {
      const d = estimateDiameter(normalizeImage(await readImage(files[i])));
      if (py[i] === null) expect(d).toBeNull();
      else expect(Math.abs(d! / py[i]! - 1)).toBeLessThan(0.05);
    }
  });
});

describe('segment() with automatic scale', () => {
  it('segments nuclei 3x larger than any the model was trained on as well as at their own size; a fixed diameter does not', async () => {
    const im = (await readImage(join(BBBC039, 'images', bbbc[2]))) as ImageData<Uint16Array>;
    const lab = await readLabels(join(BBBC039, 'labels', bbbc[2]));
    const t = { x: 200, y: 150, width: 256, height: 256, own: { x0: 200, y0: 150, x1: 456, y1: 406 } };
    const crop = { im: cropTile(im, t), lab: cropTile(lab, t) };
    const big = resampled(crop.im, crop.lab, 3);
    const f1 = (gt: LabelImage, pred: LabelImage) => {
      const s = score(gt, pred, { thresholds: [0.7] });
      return (2 * s.tp[0]) / (2 * s.tp[0] + s.fp[0] + s.fn[0]);
    };
    const r1 = await segment(crop.im, { device: 'cpu' });
    const r3 = await segment(big.im, { device: 'cpu' });
    expect(r3.diameterSource).toBe('auto');
    expect(r3.scale).toBeLessThan(0.5); // shrunk about 3x to the model's 24 px
    expect(r3.labels.width).toBe(big.im.width); // labels on the field's own grid
    const a = f1(crop.lab, r1.labels), b = f1(big.lab, r3.labels);
    expect(a).toBeGreaterThan(0.85);
    expect(b).toBeGreaterThan(a - 0.05);
    // told the nuclei are the size of the training nuclei, the model runs the large field as it is and cuts nuclei up
    const fixed = await segment(big.im, { device: 'cpu', diameter: 24 });
    expect(fixed.scale).toBe(1);
    expect(f1(big.lab, fixed.labels)).toBeLessThan(b - 0.1);
  });
});
