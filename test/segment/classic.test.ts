import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readImage, readLabels } from '../../lib/image/read.js';
import type { ImageData, LabelImage } from '../../lib/image/types.js';
import { connectedComponents } from '../../lib/kernels/components.js';
import { score } from '../../lib/score/metrics.js';
import { segmentClassic } from '../../lib/models/classic.js';
import type { SegmentationModel } from '../../lib/models/model.js';
import { normalizeImage } from '../../lib/segment/normalize.js';
import { segment } from '../../lib/segment/segment.js';
import { tileGrid } from '../../lib/models/tiling.js';
import { BBBC039 } from '../helpers/data.js';
import { rng } from '../helpers/perturb.js';

const names = readdirSync(join(BBBC039, 'images')).sort();

/** Partitions equal up to label ids: every object of a matches one of b with IoU exactly 1. */
function samePartition(a: LabelImage, b: LabelImage) {
  const r = score(a, b, { thresholds: [1] });
  return r.tp[0] === r.nGt && r.nGt === r.nPred;
}

describe('classic model on real fields (BBBC039 U2OS)', () => {
  it('finds a plausible number of nuclei and matches ground truth at IoU 0.5', async () => {
    let tp = 0, fp = 0, fn = 0;
    for (const n of names.slice(0, 4)) {
      const im = await readImage(join(BBBC039, 'images', n));
      const gt = await readLabels(join(BBBC039, 'labels', n));
      const r = await segment(im, { model: 'classic' });
      const s = score(gt, r.labels, { thresholds: [0.5] });
      expect(r.count).toBeGreaterThan(0.6 * s.nGt);
      expect(r.count).toBeLessThan(1.3 * s.nGt);
      tp += s.tp[0];
      fp += s.fp[0];
      fn += s.fn[0];
    }
    // measured F1@0.5 on all 10 fields is ~0.81 (closing note); a floor well under it
    expect((2 * tp) / (2 * tp + fp + fn)).toBeGreaterThan(0.7);
  });

  it('an empty field (camera noise only) gives no nuclei', async () => {
    const r = rng(1);
    const n = 300 * 200;
    const noise = Uint16Array.from({ length: n }, () => {
      const u = Math.max(1e-9, r()), v = r();
      return Math.round(300 + 8 * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
    });
    expect((await segment({ data: noise, width: 300, height: 200 }, { model: 'classic' })).count).toBe(0);
  });

  it('the same labels for any thread count', async () => {
    const im = normalizeImage(await readImage(join(BBBC039, 'images', names[1])));
    const a = segmentClassic(im, {}, 1), b = segmentClassic(im, {}, 2);
    expect(Buffer.compare(Buffer.from(a.data.buffer), Buffer.from(b.data.buffer))).toBe(0);
  });
});

describe('tiling', () => {
  it('tiles cover the image and their owned parts partition it', () => {
    for (const [w, h, size, ov] of [
      [1000, 700, 256, 50],
      [256, 256, 256, 50],
      [100, 900, 256, 60],
      [1, 1, 16, 0],
    ]) {
      const owner = new Uint8Array(w * h);
      for (const t of tileGrid(w, h, size, ov)) {
        expect(t.x >= 0 && t.y >= 0 && t.x + t.width <= w && t.y + t.height <= h).toBe(true);
        for (let y = t.own.y0; y < t.own.y1; y++) for (let x = t.own.x0; x < t.own.x1; x++) owner[y * w + x]++;
        expect(t.own.x0 >= t.x && t.own.x1 <= t.x + t.width).toBe(true);
      }
      expect(owner.every((v) => v === 1)).toBe(true);
    }
  });

  it('a stitched tiled result equals the untiled result for a tile-invariant model', async () => {
    // threshold + connected components is tile-invariant away from tile edges, and every
    // nucleus here is far smaller than half the overlap
    const thresholdModel: SegmentationModel = {
      name: 'threshold-cc',
      settings: () => ({}),
      segment: (im: ImageData<Float32Array>) => {
        const m = new Uint8Array(im.data.length);
        for (let i = 0; i < m.length; i++) m[i] = im.data[i] > 0.25 ? 1 : 0;
        return connectedComponents({ data: m, width: im.width, height: im.height }, { connectivity: 8 }).labels;
      },
    };
    const im = await readImage(join(BBBC039, 'images', names[2]));
    const whole = await segment(im, { model: thresholdModel });
    const tiled = await segment(im, { model: thresholdModel, tile: { size: 200, overlap: 120 } });
    expect(tiled.tiles).toBeGreaterThan(6);
    expect(tiled.count).toBe(whole.count);
    expect(samePartition(whole.labels, tiled.labels)).toBe(true);
  });

  it('the classic model with a fixed threshold gives the same nuclei tiled and untiled', async () => {
    const im = await readImage(join(BBBC039, 'images', names[3]));
    const opts = { model: 'classic', classic: { threshold: 0.3, diameter: 24 } };
    const whole = await segment(im, opts);
    const tiled = await segment(im, { ...opts, tile: { size: 256, overlap: 100 } });
    expect(tiled.tiles).toBeGreaterThan(4);
    const s = score(whole.labels, tiled.labels, { thresholds: [1, 0.9] });
    // identical except possibly where a nucleus is cut by the image-edge reflection of a tile
    expect(s.tp[1]).toBeGreaterThanOrEqual(s.nGt - 1);
    expect(Math.abs(s.nPred - s.nGt)).toBeLessThanOrEqual(1);
  });
});
