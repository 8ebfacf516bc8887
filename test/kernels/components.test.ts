import { describe, expect, it } from 'vitest';
import { readLabels } from '../../lib/image/read.js';
import type { ImageData, LabelImage } from '../../lib/image/types.js';
import {
  connectedComponents,
  fillHoles,
  keepLargestComponent,
  regionStats,
  relabelSequential,
  removeLargeObjects,
  removeSmallObjects,
} from '../../lib/kernels/components.js';
import { dsbLabelFiles } from '../helpers/data.js';
import { bfsLabel } from '../helpers/reference-kernels.js';
import { rng } from '../helpers/perturb.js';

const files = dsbLabelFiles(6);
const realMasks = Promise.all(
  files.map(async (f) => {
    const l = await readLabels(f);
    return { data: Uint8Array.from(l.data, (v) => (v ? 1 : 0)), width: l.width, height: l.height };
  }),
);

function edgeCases(): ImageData<Uint8Array>[] {
  const r = rng(9);
  const mk = (w: number, h: number, f: (x: number, y: number) => number) => ({ data: Uint8Array.from({ length: w * h }, (_, i) => f(i % w, Math.floor(i / w))), width: w, height: h });
  return [
    mk(1, 1, () => 0),
    mk(1, 1, () => 1),
    mk(17, 13, () => 0),
    mk(17, 13, () => 1),
    mk(1, 50, (_, y) => (y % 3 ? 1 : 0)),
    mk(50, 1, (x) => (x % 4 === 1 ? 0 : 1)),
    mk(9, 9, (x, y) => ((x + y) % 2 === 0 ? 1 : 0)), // checkerboard: 4-conn singletons, 8-conn one blob
    mk(40, 30, (x, y) => (x === 0 || y === 0 || x === 39 || y === 29 ? 1 : 0)), // frame touching every border
    mk(70, 65, () => (r() < 0.45 ? 1 : 0)), // noise: many one-pixel objects
    mk(100, 3, (x, y) => ((x * 7 + y * 3) % 5 === 0 ? 0 : 1)),
  ];
}

describe('connectedComponents', () => {
  it('equals BFS labelling (raster-order ids) on real masks and edge cases, 4 and 8 connectivity, any thread count', async () => {
    for (const mask of [...(await realMasks), ...edgeCases()]) {
      for (const conn of [4, 8] as const) {
        const ref = bfsLabel(mask, conn);
        for (const threads of [1, 2, 5]) {
          const r = connectedComponents(mask, { connectivity: conn, threads });
          expect(r.count).toBe(ref.count);
          expect(Buffer.compare(Buffer.from(r.labels.data.buffer), Buffer.from(ref.labels.buffer))).toBe(0);
        }
      }
    }
  });

  it('per-component stats match a direct computation', async () => {
    const mask = (await realMasks)[0];
    const r = connectedComponents(mask, { connectivity: 8, stats: true });
    const s = r.stats!;
    expect(s.ids.length).toBe(r.count);
    const { width: w } = mask;
    const area = new Float64Array(r.count), sx = new Float64Array(r.count), sy = new Float64Array(r.count);
    const x0 = new Int32Array(r.count).fill(1e9), x1 = new Int32Array(r.count).fill(-1);
    r.labels.data.forEach((l, i) => {
      if (!l) return;
      const x = i % w, y = (i - x) / w;
      area[l - 1]++;
      sx[l - 1] += x;
      sy[l - 1] += y;
      x0[l - 1] = Math.min(x0[l - 1], x);
      x1[l - 1] = Math.max(x1[l - 1], x);
    });
    expect(Array.from(s.area)).toEqual(Array.from(area));
    expect(Array.from(s.x0)).toEqual(Array.from(x0));
    expect(Array.from(s.x1)).toEqual(Array.from(x1));
    s.cx.forEach((c, k) => expect(c).toBeCloseTo(sx[k] / area[k], 9));
    s.cy.forEach((c, k) => expect(c).toBeCloseTo(sy[k] / area[k], 9));
    // regionStats on the label image gives the same numbers
    const rs = regionStats(r.labels);
    expect(Array.from(rs.area)).toEqual(Array.from(s.area));
    expect(Array.from(rs.y1)).toEqual(Array.from(s.y1));
  });

  it('accepts non-Uint8 masks and rejects bad connectivity', async () => {
    const l = await readLabels(files[0]);
    expect(connectedComponents(l).count).toBeGreaterThan(0);
    expect(() => connectedComponents(l, { connectivity: 6 as never })).toThrow(/connectivity/);
  });
});

describe('label clean-up', () => {
  const lab = (w: number, h: number, rows: number[][]): LabelImage => ({ data: Uint16Array.from(rows.flat()), width: w, height: h });

  it('relabelSequential keeps order and handles ids up to 2^32-1', () => {
    const im = { data: new Uint32Array([0, 4294967295, 7, 7, 0, 100000, 4294967295, 0]), width: 4, height: 2 };
    const r = relabelSequential(im);
    expect(Array.from(r.labels.data)).toEqual([0, 3, 1, 1, 0, 2, 3, 0]);
    expect(Array.from(r.oldIds)).toEqual([7, 100000, 4294967295]);
    expect(r.count).toBe(3);
    expect(Array.from(im.data)).toEqual([0, 4294967295, 7, 7, 0, 100000, 4294967295, 0]); // input untouched
  });

  it('removeSmallObjects / removeLargeObjects by area', async () => {
    const l = await readLabels(files[1]);
    const st = regionStats(l);
    const areas = Array.from(st.area).sort((a, b) => a - b);
    const median = areas[areas.length >> 1];
    const small = removeSmallObjects(l, median);
    const large = removeLargeObjects(l, median);
    const s2 = regionStats(small), l2 = regionStats(large);
    expect(Math.min(...s2.area)).toBeGreaterThanOrEqual(median);
    expect(Math.max(...l2.area)).toBeLessThanOrEqual(median);
    expect(s2.ids.length + l2.ids.length).toBe(st.ids.length + areas.filter((a) => a === median).length);
    // untouched labels keep their ids and pixels
    for (let i = 0; i < l.data.length; i++) if (small.data[i]) expect(small.data[i]).toBe(l.data[i]);
  });

  it('fillHoles fills only holes enclosed by one label, not touching the edge', () => {
    const im = lab(7, 5, [
      [1, 1, 1, 0, 2, 2, 2],
      [1, 0, 1, 0, 2, 0, 3],
      [1, 1, 1, 0, 2, 2, 2],
      [0, 0, 0, 0, 0, 0, 0],
      [5, 0, 5, 0, 0, 0, 0],
    ]);
    const r = fillHoles(im);
    // hole in label 1 filled; the pocket between 2 and 3 (two labels) not; edge gap in 5 not
    expect(Array.from(r.data)).toEqual([1, 1, 1, 0, 2, 2, 2, 1, 1, 1, 0, 2, 0, 3, 1, 1, 1, 0, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0, 5, 0, 5, 0, 0, 0, 0]);
  });

  it('keepLargestComponent keeps the largest piece of each label', () => {
    const im = lab(8, 3, [
      [1, 1, 0, 1, 0, 2, 0, 2],
      [1, 1, 0, 0, 0, 0, 0, 2],
      [0, 0, 0, 3, 3, 0, 0, 0],
    ]);
    const r = keepLargestComponent(im);
    expect(Array.from(r.data)).toEqual([1, 1, 0, 0, 0, 0, 0, 2, 1, 1, 0, 0, 0, 0, 0, 2, 0, 0, 0, 3, 3, 0, 0, 0]);
    // diagonal pieces are one 8-connected piece; a tie keeps the first in raster order
    const tie = lab(5, 2, [
      [4, 0, 0, 4, 0],
      [0, 4, 0, 0, 0],
    ]);
    expect(Array.from(keepLargestComponent(tie).data)).toEqual([4, 0, 0, 0, 0, 0, 4, 0, 0, 0]);
    const tie2 = lab(5, 1, [[6, 0, 6, 0, 0]]);
    expect(Array.from(keepLargestComponent(tie2).data)).toEqual([6, 0, 0, 0, 0]);
  });
});
