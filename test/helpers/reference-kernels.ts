import type { ImageData, LabelImage } from '../../lib/image/types.js';

// Slow, obviously correct reference implementations for the kernel tests.

const N4 = [
  [-1, 0],
  [1, 0],
  [0, -1],
  [0, 1],
];
const N8 = [...N4, [-1, -1], [1, -1], [-1, 1], [1, 1]];

/** BFS labelling in raster order: component k is the k-th first pixel met in raster order. */
export function bfsLabel(mask: ImageData, conn: 4 | 8): { labels: Uint32Array; count: number } {
  const { width: w, height: h, data } = mask;
  const out = new Uint32Array(w * h);
  let n = 0;
  const nb = conn === 4 ? N4 : N8;
  for (let s = 0; s < w * h; s++) {
    if (!data[s] || out[s]) continue;
    out[s] = ++n;
    const q = [s];
    while (q.length) {
      const i = q.pop()!;
      const x = i % w, y = (i - x) / w;
      for (const [dx, dy] of nb) {
        const X = x + dx, Y = y + dy;
        if (X < 0 || Y < 0 || X >= w || Y >= h) continue;
        const j = Y * w + X;
        if (data[j] && !out[j]) {
          out[j] = n;
          q.push(j);
        }
      }
    }
  }
  return { labels: out, count: n };
}

/** Brute-force EDT: for every foreground pixel the nearest background pixel (outside is not background). */
export function bruteEdt(mask: ImageData): Float64Array {
  const { width: w, height: h, data } = mask;
  const bg: [number, number][] = [];
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (!data[y * w + x]) bg.push([x, y]);
  const out = new Float64Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      if (!data[y * w + x]) continue;
      let best = Infinity;
      for (const [bx, by] of bg) best = Math.min(best, (bx - x) ** 2 + (by - y) ** 2);
      out[y * w + x] = Math.sqrt(best);
    }
  return out;
}

/** Brute-force per-nucleus normalized distance (outside the image counts as background). */
export function bruteNormalizedDistance(labels: LabelImage): Float64Array {
  const { width: w, height: h, data } = labels;
  const out = new Float64Array(w * h);
  const ids = [...new Set(data)].filter((v) => v);
  for (const id of ids) {
    const pix: number[] = [];
    for (let i = 0; i < w * h; i++) if (data[i] === id) pix.push(i);
    // candidate "not in nucleus" sites: every other pixel plus a ring just outside the image
    const sites: [number, number][] = [];
    for (let y = -1; y <= h; y++)
      for (let x = -1; x <= w; x++) {
        const inside = x >= 0 && y >= 0 && x < w && y < h;
        if (!inside || data[y * w + x] !== id) sites.push([x, y]);
      }
    let mx = 0;
    const d = pix.map((i) => {
      const x = i % w, y = (i - x) / w;
      let best = Infinity;
      for (const [sx, sy] of sites) best = Math.min(best, (sx - x) ** 2 + (sy - y) ** 2);
      const v = Math.sqrt(best);
      mx = Math.max(mx, v);
      return v;
    });
    pix.forEach((i, k) => (out[i] = d[k] / mx));
  }
  return out;
}

/**
 * Watershed with a plain binary heap ordered by (elevation, age): the definition the
 * native bucket queue must reproduce exactly.
 */
export function heapWatershed(elev: ImageData, markers: Uint32Array, mask: Uint8Array | null, conn: 4 | 8, lines = false): Uint32Array {
  const { width: w, height: h } = elev;
  const out = new Uint32Array(w * h);
  type Item = [number, number, number]; // value, age, index
  const heap: Item[] = [];
  const less = (a: Item, b: Item) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
  const push = (it: Item) => {
    heap.push(it);
    let i = heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(heap[i], heap[p])) break;
      [heap[i], heap[p]] = [heap[p], heap[i]];
      i = p;
    }
  };
  const pop = (): Item => {
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < heap.length && less(heap[l], heap[m])) m = l;
        if (r < heap.length && less(heap[r], heap[m])) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m], heap[i]];
        i = m;
      }
    }
    return top;
  };
  let age = 0;
  for (let i = 0; i < w * h; i++) {
    const m = mask && !mask[i] ? 0 : markers[i];
    out[i] = m;
  }
  for (let i = 0; i < w * h; i++) if (out[i]) push([elev.data[i], age++, i]);
  const nb = conn === 4 ? N4 : N8;
  const line = new Uint8Array(w * h); // with `lines`: pixels left 0 between basins, never flooded
  // whether pixel (X, Y) touches a basin other than l (lines and masked pixels are 0)
  const touchesOther = (X: number, Y: number, l: number) =>
    nb.some(([dx, dy]) => {
      const X2 = X + dx, Y2 = Y + dy;
      return X2 >= 0 && Y2 >= 0 && X2 < w && Y2 < h && out[Y2 * w + X2] !== 0 && out[Y2 * w + X2] !== l;
    });
  while (heap.length) {
    const [, , i] = pop();
    const x = i % w, y = (i - x) / w;
    for (const [dx, dy] of nb) {
      const X = x + dx, Y = y + dy;
      if (X < 0 || Y < 0 || X >= w || Y >= h) continue;
      const j = Y * w + X;
      if ((mask && !mask[j]) || out[j] || line[j]) continue;
      if (lines && touchesOther(X, Y, out[i])) {
        line[j] = 1;
        continue;
      }
      out[j] = out[i];
      push([elev.data[j], age++, j]);
    }
  }
  return out;
}
