import type { LabelImage } from '../../lib/image/types.js';

/** Small seeded PRNG (mulberry32), so every perturbation is reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function clone(l: LabelImage): LabelImage {
  return { data: l.data.slice(), width: l.width, height: l.height };
}

function ids(l: LabelImage): number[] {
  return [...new Set(l.data)].filter((v) => v !== 0).sort((a, b) => a - b);
}

function maxId(l: LabelImage): number {
  let m = 0;
  for (const v of l.data) if (v > m) m = v;
  return m;
}

const N4 = [
  [1, 0],
  [-1, 0],
  [0, 1],
  [0, -1],
];

/** Removes the outer 4-connected ring of label `k`, `r` times. */
export function erode(l: LabelImage, k: number, r = 1): void {
  const { width: w, height: h, data } = l;
  for (let it = 0; it < r; it++) {
    const kill: number[] = [];
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        if (data[y * w + x] !== k) continue;
        for (const [dx, dy] of N4) {
          const X = x + dx, Y = y + dy;
          if (X < 0 || Y < 0 || X >= w || Y >= h || data[Y * w + X] !== k) {
            kill.push(y * w + x);
            break;
          }
        }
      }
    for (const i of kill) data[i] = 0;
  }
}

/** Grows label `k` into background (only) by `r` 4-connected rings. */
export function dilate(l: LabelImage, k: number, r = 1): void {
  const { width: w, height: h, data } = l;
  for (let it = 0; it < r; it++) {
    const grow: number[] = [];
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        if (data[y * w + x] !== 0) continue;
        for (const [dx, dy] of N4) {
          const X = x + dx, Y = y + dy;
          if (X >= 0 && Y >= 0 && X < w && Y < h && data[Y * w + X] === k) {
            grow.push(y * w + x);
            break;
          }
        }
      }
    for (const i of grow) data[i] = k;
  }
}

/** Pairs of distinct labels that share a 4-connected edge. */
export function touchingPairs(l: LabelImage): [number, number][] {
  const { width: w, height: h, data } = l;
  const seen = new Set<string>();
  const out: [number, number][] = [];
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const a = data[y * w + x];
      if (!a) continue;
      for (const [dx, dy] of [
        [1, 0],
        [0, 1],
      ]) {
        const X = x + dx, Y = y + dy;
        if (X >= w || Y >= h) continue;
        const b = data[Y * w + X];
        if (b && b !== a) {
          const key = a < b ? `${a},${b}` : `${b},${a}`;
          if (!seen.has(key)) {
            seen.add(key);
            out.push(a < b ? [a, b] : [b, a]);
          }
        }
      }
    }
  return out;
}

/** Relabels every pixel of `from` as `to`. */
export function merge(l: LabelImage, to: number, from: number): void {
  for (let i = 0; i < l.data.length; i++) if (l.data[i] === from) l.data[i] = to;
}

/** Splits label `k` by the vertical line through its centroid; the right part gets a new id. */
export function split(l: LabelImage, k: number): number {
  const { width: w, data } = l;
  let sx = 0, n = 0;
  for (let i = 0; i < data.length; i++) if (data[i] === k) {
    sx += i % w;
    n++;
  }
  const cx = sx / n;
  const nid = maxId(l) + 1;
  for (let i = 0; i < data.length; i++) if (data[i] === k && i % w > cx) data[i] = nid;
  return nid;
}

export function drop(l: LabelImage, k: number): void {
  for (let i = 0; i < l.data.length; i++) if (l.data[i] === k) l.data[i] = 0;
}

/** Paints a disc of radius r at (cx, cy) onto background pixels only, as a new label. */
export function addBlob(l: LabelImage, cx: number, cy: number, r: number): number {
  const nid = maxId(l) + 1;
  const { width: w, height: h, data } = l;
  for (let y = Math.max(0, cy - r); y <= Math.min(h - 1, cy + r); y++)
    for (let x = Math.max(0, cx - r); x <= Math.min(w - 1, cx + r); x++)
      if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r && data[y * w + x] === 0) data[y * w + x] = nid;
  return nid;
}

export interface PerturbCounts {
  merged: number;
  split: number;
  dropped: number;
  eroded: number;
  dilated: number;
  added: number;
}

/**
 * A realistic "prediction" from ground truth: some touching pairs merged, some nuclei split,
 * dropped, eroded or dilated by 1–2 px, and false blobs added on background.
 */
export function perturb(gt: LabelImage, seed: number, frac = { merge: 0.1, split: 0.08, drop: 0.05, erode: 0.2, dilate: 0.2, add: 0.05 }): { pred: LabelImage; counts: PerturbCounts } {
  const r = rng(seed);
  const pred = clone(gt);
  const counts: PerturbCounts = { merged: 0, split: 0, dropped: 0, eroded: 0, dilated: 0, added: 0 };
  const used = new Set<number>();
  for (const [a, b] of touchingPairs(gt)) {
    if (used.has(a) || used.has(b) || r() >= frac.merge) continue;
    merge(pred, a, b);
    used.add(a).add(b);
    counts.merged++;
  }
  for (const k of ids(gt)) {
    if (used.has(k)) continue;
    const u = r();
    if (u < frac.split) {
      split(pred, k);
      counts.split++;
    } else if (u < frac.split + frac.drop) {
      drop(pred, k);
      counts.dropped++;
    } else if (u < frac.split + frac.drop + frac.erode) {
      erode(pred, k, 1 + Math.floor(r() * 2));
      counts.eroded++;
    } else if (u < frac.split + frac.drop + frac.erode + frac.dilate) {
      dilate(pred, k, 1 + Math.floor(r() * 2));
      counts.dilated++;
    }
    used.add(k);
  }
  const nAdd = Math.max(1, Math.round(frac.add * ids(gt).length));
  for (let i = 0; i < nAdd; i++) {
    const x = Math.floor(r() * gt.width), y = Math.floor(r() * gt.height);
    if (pred.data[y * gt.width + x] === 0 && gt.data[y * gt.width + x] === 0) {
      addBlob(pred, x, y, 3 + Math.floor(r() * 5));
      counts.added++;
    }
  }
  return { pred, counts };
}
