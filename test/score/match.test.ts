import { describe, expect, it } from 'vitest';
import type { LabelImage } from '../../lib/image/types.js';
import { labelOverlap, type LabelOverlap } from '../../lib/kernels/overlap.js';
import { hungarian } from '../../lib/score/hungarian.js';
import { matchAtThresholds, optimalMatch } from '../../lib/score/match.js';

/** A seeded PRNG (mulberry32). */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The matching as it was: one dense Hungarian over all labels of the image. */
function denseMatch(ov: LabelOverlap, t: number): { tp: number; iouSum: number } {
  const nGt = ov.gtIds.length, nPred = ov.predIds.length;
  if (nGt === 0 || nPred === 0) return { tp: 0, iouSum: 0 };
  const transpose = nGt > nPred;
  const n = transpose ? nPred : nGt, m = transpose ? nGt : nPred;
  const K = n + 1;
  const cost = new Float64Array(n * m), iou = new Float64Array(n * m);
  for (let k = 0; k < ov.pairIoU.length; k++) {
    if (!(ov.pairIoU[k] >= t && ov.pairIoU[k] > 0)) continue;
    const r = transpose ? ov.pairPred[k] : ov.pairGt[k], c = transpose ? ov.pairGt[k] : ov.pairPred[k];
    cost[r * m + c] = -(1 + ov.pairIoU[k] / (2 * K));
    iou[r * m + c] = ov.pairIoU[k];
  }
  const a = hungarian(cost, n, m);
  let tp = 0, iouSum = 0;
  for (let r = 0; r < n; r++)
    if (a[r] >= 0 && cost[r * m + a[r]] < 0) {
      tp++;
      iouSum += iou[r * m + a[r]];
    }
  return { tp, iouSum };
}

/** A random overlap table: nGt × nPred labels, each pair overlapping with probability `density`. */
function randomOverlap(next: () => number, nGt: number, nPred: number, density: number, levels: number): LabelOverlap {
  const pg: number[] = [], pp: number[] = [], pi: number[] = [];
  for (let i = 0; i < nGt; i++)
    for (let j = 0; j < nPred; j++)
      if (next() < density) {
        pg.push(i);
        pp.push(j);
        // quantized IoUs give many ties
        pi.push(levels ? Math.ceil(next() * levels) / levels : next());
      }
  return {
    gtIds: Uint32Array.from({ length: nGt }, (_, i) => i + 1),
    gtArea: new Float64Array(nGt).fill(100),
    predIds: Uint32Array.from({ length: nPred }, (_, i) => i + 1),
    predArea: new Float64Array(nPred).fill(100),
    pairGt: Uint32Array.from(pg),
    pairPred: Uint32Array.from(pp),
    pairCount: Float64Array.from(pi, (v) => v * 100),
    pairIoU: Float64Array.from(pi),
  };
}

/** Random rectangles on a w × h label image (later ones painted over earlier ones). */
function randomLabels(next: () => number, w: number, h: number, n: number): LabelImage {
  const data = new Uint16Array(w * h);
  for (let id = 1; id <= n; id++) {
    const rw = 2 + Math.floor(next() * 10), rh = 2 + Math.floor(next() * 10);
    const x0 = Math.floor(next() * (w - rw)), y0 = Math.floor(next() * (h - rh));
    for (let y = y0; y < y0 + rh; y++) for (let x = x0; x < x0 + rw; x++) data[y * w + x] = id;
  }
  return { data, width: w, height: h };
}

/**
 * Two partitions of one row of pixels into runs of 4–6 px, the prediction's boundaries in
 * the middle of the ground truth's runs: every label overlaps two of the other side at
 * IoU >= 0.2, so all labels form one chain (one connected component at threshold 0.1).
 */
function chain(next: () => number, n: number): { gt: LabelImage; pred: LabelImage } {
  const ends = [0];
  for (let i = 0; i < n; i++) ends.push(ends[i] + 4 + Math.floor(next() * 3));
  const width = ends[n];
  // ids in random order along the chain
  const ids = () => {
    const p = Array.from({ length: n }, (_, i) => i + 1);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [p[i], p[j]] = [p[j], p[i]];
    }
    return p;
  };
  const gi = ids(), pi = ids();
  const gt = new Uint16Array(width), pred = new Uint16Array(width);
  for (let i = 0; i < n; i++) {
    gt.fill(gi[i], ends[i], ends[i + 1]);
    const mid = (k: number) => (k >= n ? width : (ends[k] + ends[k + 1]) >> 1);
    pred.fill(pi[i], i === 0 ? 0 : mid(i - 1), mid(i));
  }
  return { gt: { data: gt, width, height: 1 }, pred: { data: pred, width, height: 1 } };
}

/**
 * Stripes of `w` px, the prediction's shifted right by `off`: ground-truth stripe i
 * overlaps prediction i − 1 by `off` px and prediction i by w − off px. With off > w/2 the
 * one-to-one matching with the most pairs takes each stripe's weaker overlap, so every
 * added label shifts the whole chain (the worst case of the row-by-row Hungarian).
 */
function stripes(n: number, w: number, off: number): { gt: LabelImage; pred: LabelImage } {
  const width = n * w + off;
  const gt = new Uint16Array(width), pred = new Uint16Array(width);
  for (let i = 0; i < n; i++) {
    gt.fill(i + 1, i * w, i * w + w);
    pred.fill(i + 1, i * w + off, i * w + w + off);
  }
  return { gt: { data: gt, width, height: 1 }, pred: { data: pred, width, height: 1 } };
}

const THRESHOLDS = [0.01, 0.1, 0.2, 0.3, 0.4, 0.45, 0.5, 0.6, 0.8];

describe('optimalMatch', () => {
  it('gives the TP counts and matched IoU of the full Hungarian on random overlap tables', () => {
    const next = rng(12);
    for (let trial = 0; trial < 400; trial++) {
      const nGt = 1 + Math.floor(next() * 25), nPred = 1 + Math.floor(next() * 25);
      const ov = randomOverlap(next, nGt, nPred, 0.02 + next() * 0.4, trial % 2 ? 5 : 0);
      for (const t of THRESHOLDS) {
        const ours = optimalMatch(ov, t), ref = denseMatch(ov, t);
        expect(ours.tp, `trial ${trial} t ${t}`).toBe(ref.tp);
        expect(ours.fp).toBe(nPred - ref.tp);
        expect(ours.fn).toBe(nGt - ref.tp);
        expect(ours.iouSum).toBeCloseTo(ref.iouSum, 9);
      }
    }
  });

  it('gives the TP counts of the full Hungarian on random label images', () => {
    const next = rng(7);
    for (let trial = 0; trial < 60; trial++) {
      const gt = randomLabels(next, 48, 48, 30), pred = randomLabels(next, 48, 48, 30);
      const ov = labelOverlap(gt, pred, { threads: 1, device: 'cpu' });
      for (const t of THRESHOLDS) {
        const ours = optimalMatch(ov, t), ref = denseMatch(ov, t);
        expect(ours.tp, `trial ${trial} t ${t}`).toBe(ref.tp);
        expect(ours.iouSum).toBeCloseTo(ref.iouSum, 9);
      }
    }
  });

  it('matches small chains exactly like the full Hungarian', () => {
    for (const { gt, pred } of [chain(rng(3), 300), stripes(200, 4, 3), stripes(200, 4, 2), stripes(150, 5, 3)]) {
      const ov = labelOverlap(gt, pred, { threads: 1, device: 'cpu' });
      for (const t of THRESHOLDS) {
        const ours = optimalMatch(ov, t), ref = denseMatch(ov, t);
        expect(ours.tp).toBe(ref.tp);
        expect(ours.iouSum).toBeCloseTo(ref.iouSum, 9);
      }
    }
  });

  it('finishes 4,000 chained labels at thresholds 0.1 and 0.5 (was cubic: minutes)', () => {
    // weaker overlaps win: 4,000 pairs at IoU 1/7 beat 3,999 at 3/5
    let [low, high] = matchAtThresholds(labelOverlap(...pair(stripes(4000, 4, 3)), { threads: 1, device: 'cpu' }), [0.1, 0.5]);
    expect([low.tp, high.tp]).toEqual([4000, 3999]);
    expect(low.iouSum).toBeCloseTo(4000 / 7, 6);
    // every overlap 1/3: ties everywhere
    [low, high] = matchAtThresholds(labelOverlap(...pair(stripes(4000, 4, 2)), { threads: 1, device: 'cpu' }), [0.1, 0.5]);
    expect([low.tp, high.tp]).toEqual([4000, 0]);
    // random run lengths, ids in random order along the chain
    [low, high] = matchAtThresholds(labelOverlap(...pair(chain(rng(5), 4000)), { threads: 1, device: 'cpu' }), [0.1, 0.5]);
    expect(low.tp).toBeGreaterThan(3900);
    expect(high.tp).toBeLessThanOrEqual(low.tp);
  });
});

function pair(p: { gt: LabelImage; pred: LabelImage }): [LabelImage, LabelImage] {
  return [p.gt, p.pred];
}
