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
    // measured pooled F1@0.5 (2026-11-30, HEAD 325d63c): 0.857 on these 4 fields (452 TP, 51 FP,
    // 100 FN; the same from segment() here), 0.803 on all 10
    // (one field, L11, gets no nuclei); a floor well under it. Command, from the repo root:
    //   S=../shared/data/bbbc039-small
    //   npx nucseg segment --model classic $S/images --out /tmp/cls
    //   npx nucseg score --gt $S/labels --pred /tmp/cls --thresholds 0.5
    //   (these 4: --gt "$S/labels/IXMtest_{A16,B20,B21,C07}_*.tif" --pred "/tmp/cls/IXMtest_{A16,B20,B21,C07}_*.labels.tif")
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

  // The classic model is local except for one thing: its watershed elevation is the inverted
  // distance quantized relative to the maximum distance of the image it is given
  // (classic.ts, `maxd`/`scale`), so a tile with another maximum rounds differently and
  // equal-elevation ties on the line between two touching nuclei can go the other way.
  // Measured on BBBC039 fields 0, 1, 3, 5 (tile 256, overlap 100, threshold 0.3, diameter
  // 24): the foreground and the nuclei are identical; 2–4 touching pairs per field trade
  // 1–5 pixels on their shared line. With the anchor fixed (maxd = 60, scale = 1000 in every
  // tile) all four fields come out partition-equal, tiled and untiled.
  const classicOpts = { model: 'classic', classic: { threshold: 0.3, diameter: 24 } };
  const tileOpts = { size: 256, overlap: 100 };

  it('the classic model with a fixed threshold: tiled = untiled except pixels on lines between touching nuclei', async () => {
    const im = await readImage(join(BBBC039, 'images', names[3]));
    const whole = await segment(im, classicOpts);
    const tiled = await segment(im, { ...classicOpts, tile: tileOpts });
    expect(tiled.tiles).toBe(12);
    const { width: W, height: H } = whole.labels;
    const a = whole.labels.data, b = tiled.labels.data;
    // the same foreground, pixel for pixel
    let fgDiff = 0;
    for (let i = 0; i < a.length; i++) if (!a[i] !== !b[i]) fgDiff++;
    expect(fgDiff).toBe(0);
    // a one-to-one map of nuclei (each untiled nucleus to the tiled one it overlaps most)
    const overlap = new Map<number, Map<number, number>>();
    for (let i = 0; i < a.length; i++) if (a[i]) {
      const m = overlap.get(a[i]) ?? new Map<number, number>();
      m.set(b[i], (m.get(b[i]) ?? 0) + 1);
      overlap.set(a[i], m);
    }
    const map = new Map<number, number>();
    for (const [k, m] of overlap) map.set(k, [...m].sort((x, y) => y[1] - x[1])[0][0]);
    expect(tiled.count).toBe(whole.count);
    expect(new Set(map.values()).size).toBe(whole.count);
    // every pixel assigned differently touches (8-neighbours) another untiled nucleus
    const perObject = new Map<number, number>();
    let off = 0;
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const i = y * W + x;
        if (!a[i] || map.get(a[i]) === b[i]) continue;
        off++;
        perObject.set(a[i], (perObject.get(a[i]) ?? 0) + 1);
        let touches = false;
        for (let dy = -1; dy <= 1; dy++)
          for (let dx = -1; dx <= 1; dx++) {
            const v = y + dy >= 0 && y + dy < H && x + dx >= 0 && x + dx < W ? a[i + dy * W + dx] : 0;
            if (v && v !== a[i]) touches = true;
          }
        expect(touches).toBe(true);
      }
    // measured on this field: 6 pixels in 4 nuclei before the quantization fix below, 0 after
    expect(off).toBeLessThanOrEqual(12);
    expect(Math.max(...perObject.values())).toBeLessThanOrEqual(8);
  });

  // The watershed elevation was quantized relative to each image's (tile's) maximum
  // distance, so tiled and untiled partitions differed on lines between touching nuclei (6
  // pixels in 4 nuclei on this field); it is now anchored on the options (lib/models/classic.ts).
  it('the classic model with a fixed threshold gives exactly the same partition tiled and untiled', async () => {
    const im = await readImage(join(BBBC039, 'images', names[3]));
    const whole = await segment(im, classicOpts);
    const tiled = await segment(im, { ...classicOpts, tile: tileOpts });
    expect(samePartition(whole.labels, tiled.labels)).toBe(true);
  });
});
