import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLabels } from '../../lib/image/read.js';
import { mergeTileInstances, pasteInstances } from '../../lib/kernels/instances.js';
import { score } from '../../lib/score/metrics.js';
import { tileGrid } from '../../lib/models/tiling.js';
import { BBBC039, REPO } from '../helpers/data.js';
import { readNpy } from '../helpers/npy.js';
import { python, tempDir } from '../helpers/tools.js';

const field = join(BBBC039, 'labels', readdirSync(join(BBBC039, 'labels')).sort()[0]);

describe('Mask R-CNN post-processing kernels on real nuclei', () => {
  it('pasteInstances matches the Python reference paste and rebuilds the nuclei from 28x28 masks', async () => {
    // detections made from real ground truth: each nucleus' box and its mask resampled to
    // 28x28 (area average), random scores; the reference paste is mrcnn.paste (training code)
    const d = tempDir();
    python(
      `import sys, numpy as np, tifffile, scipy.ndimage as ndi
sys.path.insert(0, sys.argv[3])
from mrcnn import paste
lab = tifffile.imread(sys.argv[1]).astype(np.int32)
rng = np.random.default_rng(0)
boxes, masks = [], []
for k, sl in enumerate(ndi.find_objects(lab), start=1):
    if sl is None: continue
    m = (lab[sl] == k).astype(np.float32)
    # bilinear zoom to 28x28 (both sides), soft edges like a network's output
    masks.append(ndi.zoom(m, (28 / m.shape[0], 28 / m.shape[1]), order=1, grid_mode=True, mode='grid-constant')[:28, :28])
    boxes.append([sl[1].start, sl[0].start, sl[1].stop, sl[0].stop])
boxes = np.array(boxes, np.float32) + rng.uniform(-0.3, 0.3, (len(boxes), 4)).astype(np.float32)
scores = rng.uniform(0.5, 1, len(boxes)).astype(np.float32)
masks = np.stack(masks).astype(np.float32)
ref = paste(boxes, scores, masks, lab.shape[0], lab.shape[1], 0.5, 0.5)
out = sys.argv[2]
boxes.tofile(out + '/boxes.f32'); scores.tofile(out + '/scores.f32'); masks.tofile(out + '/masks.f32')
np.save(out + '/ref.npy', ref.astype(np.uint32))`,
      [field, d, join(REPO, 'models-onnx', 'training')],
    );
    const f32 = (n: string) => new Float32Array(new Uint8Array(readFileSync(join(d, n))).buffer);
    const ref = readNpy(join(d, 'ref.npy'));
    const { labels, count } = pasteInstances({ boxes: f32('boxes.f32'), scores: f32('scores.f32'), masks: f32('masks.f32'), maskSize: 28 }, ref.width, ref.height);
    let differ = 0;
    for (let i = 0; i < labels.data.length; i++) if (labels.data[i] !== ref.data[i]) differ++;
    // float rounding at the 0.5 contour may flip a handful of pixels, nothing more
    expect(differ / labels.data.length).toBeLessThan(1e-4);
    const gt = await readLabels(field);
    const s = score(gt, labels, { thresholds: [0.5, 0.8] });
    expect(count).toBe(s.nGt);
    expect(s.f1[0]).toBeGreaterThan(0.97);
    expect(s.f1[1]).toBeGreaterThan(0.8);
  });

  it('mergeTileInstances rebuilds a real label image from the pipeline tile grid', async () => {
    const gt = await readLabels(field);
    const { width: W, height: H } = gt;
    const canvas = { data: new Uint32Array(W * H), width: W, height: H };
    let next = 1;
    for (const t of tileGrid(W, H, 256, 64)) {
      const tw = t.width, th = t.height;
      const tile = new Uint32Array(tw * th);
      const ids = new Map<number, number>();
      for (let y = 0; y < th; y++)
        for (let x = 0; x < tw; x++) {
          const v = gt.data[(t.y + y) * W + t.x + x];
          if (v && !ids.has(v)) ids.set(v, ids.size + 1);
          tile[y * tw + x] = v ? ids.get(v)! : 0;
        }
      next = mergeTileInstances(canvas, { data: tile, width: tw, height: th }, t.x, t.y, next);
    }
    const s = score(gt, canvas, { thresholds: [1] });
    expect(s.tp[0]).toBe(s.nGt);
    expect(s.nPred).toBe(s.nGt);
    expect(() => mergeTileInstances(canvas, { data: new Uint32Array(4), width: 2, height: 2 }, W - 1, 0, next)).toThrow(/does not fit/);
  });

  it('non-finite detections are a clear error', () => {
    const bad = { boxes: new Float32Array([0, 0, NaN, 4]), scores: new Float32Array([0.9]), masks: new Float32Array(4).fill(1), maskSize: 2 };
    expect(() => pasteInstances(bad, 8, 8)).toThrow(/box coordinate is NaN/);
    expect(() => pasteInstances({ ...bad, masks: new Float32Array(3) }, 8, 8)).toThrow(/masks has 3 values, expected 4/);
  });
});
