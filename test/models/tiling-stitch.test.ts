import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLabels } from '../../lib/image/read.js';
import type { LabelImage } from '../../lib/image/types.js';
import { reflectPad } from '../../lib/models/onnx-model.js';
import { LabelStitcher, tileGrid, type Tile } from '../../lib/models/tiling.js';
import { BBBC039 } from '../helpers/data.js';
import { readNpy, writeNpy } from '../helpers/npy.js';
import { rng } from '../helpers/perturb.js';
import { python, tempDir } from '../helpers/tools.js';

/** A 1-row-high tile [x, x + width) owning [x0, x1) (LabelStitcher does not need a real grid). */
const rowTile = (x: number, width: number, x0: number, x1: number, height = 1): Tile => ({ x, y: 0, width, height, own: { x0, y0: 0, x1, y1: height } });
const row = (width: number, px: Record<number, number>): LabelImage => {
  const data = new Uint16Array(width);
  for (const [x, v] of Object.entries(px)) data[Number(x)] = v;
  return { data, width, height: 1 };
};

describe('LabelStitcher', () => {
  it('rebuilds a real label image exactly from tiles with their own ids (nuclei smaller than half the overlap)', async () => {
    const gt = await readLabels(join(BBBC039, 'labels', readdirSync(join(BBBC039, 'labels')).sort()[2]));
    const { width: W, height: H } = gt;
    // the largest nucleus' extent from its centroid, to size the overlap by the documented rule
    let reach = 0;
    const pts = new Map<number, number[][]>();
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) { const v = gt.data[y * W + x]; if (v) (pts.get(v) ?? pts.set(v, []).get(v)!).push([x, y]); }
    for (const p of pts.values()) {
      const cx = p.reduce((s, q) => s + q[0], 0) / p.length, cy = p.reduce((s, q) => s + q[1], 0) / p.length;
      for (const [x, y] of p) reach = Math.max(reach, Math.abs(x - cx), Math.abs(y - cy));
    }
    const overlap = 2 * Math.ceil(reach) + 4;
    const grid = tileGrid(W, H, 160, overlap);
    expect(grid.length).toBeGreaterThan(12);
    const st = new LabelStitcher(W, H);
    const r = rng(5);
    for (const t of grid) {
      // tile-local ids: a random permutation, as a model would number its tile
      const ids = new Map<number, number>();
      const data = new Uint32Array(t.width * t.height);
      for (let y = 0; y < t.height; y++)
        for (let x = 0; x < t.width; x++) {
          const v = gt.data[(t.y + y) * W + t.x + x];
          if (v && !ids.has(v)) ids.set(v, 1 + Math.floor(r() * 1e6));
          data[y * t.width + x] = v ? ids.get(v)! : 0;
        }
      st.add(t, { data, width: t.width, height: t.height });
    }
    const out = st.finish();
    // expected: the ground truth renumbered 1..N in raster order of first pixel
    const lut = new Map<number, number>();
    const expected = new Uint16Array(W * H);
    for (let i = 0; i < W * H; i++) {
      const v = gt.data[i];
      if (v && !lut.has(v)) lut.set(v, lut.size + 1);
      expected[i] = v ? lut.get(v)! : 0;
    }
    expect(out.data).toBeInstanceOf(Uint16Array);
    expect(lut.size).toBeGreaterThan(100);
    let differ = 0;
    for (let i = 0; i < W * H; i++) if (out.data[i] !== expected[i]) differ++;
    expect(differ).toBe(0);
  });

  it('an object whose centroid lies on the boundary between owned parts is taken once, from the tile after it', () => {
    // tile A [0, 6) owns x < 5, tile B [4, 10) owns x >= 5: the boundary is the pixel edge 4.5
    const A = rowTile(0, 6, 0, 5), B = rowTile(4, 6, 5, 10);
    const st = new LabelStitcher(10, 1);
    st.add(A, row(6, { 4: 9, 5: 9 })); // centroid 4.5: not A's
    st.add(B, row(6, { 0: 3, 1: 3, 2: 3 })); // pixels 4..6, centroid 5: B's
    expect(Array.from(st.finish().data)).toEqual([0, 0, 0, 0, 1, 1, 1, 0, 0, 0]);
    // the same object, centroid 4.5, seen by B only: B's (x >= own.x0 - 0.5)
    const st2 = new LabelStitcher(10, 1);
    st2.add(A, row(6, {}));
    st2.add(B, row(6, { 0: 1, 1: 1 }));
    expect(Array.from(st2.finish().data)).toEqual([0, 0, 0, 0, 1, 1, 0, 0, 0, 0]);
  });

  it('an object at most half on pixels already taken is pasted on the free ones; more than half: dropped as the same nucleus', () => {
    const A = rowTile(0, 8, 0, 6), B = rowTile(4, 8, 6, 12);
    // X = 3..6 (centroid 4.5, A's); Y = 5..8 (centroid 6.5, B's): 2 of its 4 pixels taken, kept
    const st = new LabelStitcher(12, 1);
    st.add(A, row(8, { 3: 1, 4: 1, 5: 1, 6: 1 }));
    st.add(B, row(8, { 1: 4, 2: 4, 3: 4, 4: 4 }));
    expect(Array.from(st.finish().data)).toEqual([0, 0, 0, 1, 1, 1, 1, 2, 2, 0, 0, 0]);
    // Y = 5..7 (centroid 6, B's): 2 of 3 taken, dropped
    const st2 = new LabelStitcher(12, 1);
    st2.add(A, row(8, { 3: 1, 4: 1, 5: 1, 6: 1 }));
    st2.add(B, row(8, { 1: 4, 2: 4, 3: 4 }));
    expect(Array.from(st2.finish().data)).toEqual([0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0]);
  });

  it('finish() numbers objects 1..N in raster order of first pixel, uint16 up to 65,535 objects and uint32 past it', () => {
    const st = new LabelStitcher(4, 2);
    const whole = { x: 0, y: 0, width: 4, height: 2, own: { x0: 0, y0: 0, x1: 4, y1: 2 } };
    st.add(whole, { data: Uint32Array.from([0, 7, 0, 0, 500, 0, 0, 2]), width: 4, height: 2 });
    expect(Array.from(st.finish().data)).toEqual([0, 1, 0, 0, 2, 0, 0, 3]);
    for (const [w, h, Type] of [
      [255, 257, Uint16Array],
      [256, 256, Uint32Array],
    ] as const) {
      // every pixel its own object, numbered backwards
      const s = new LabelStitcher(w, h);
      s.add({ x: 0, y: 0, width: w, height: h, own: { x0: 0, y0: 0, x1: w, y1: h } }, { data: Uint32Array.from({ length: w * h }, (_, i) => w * h - i), width: w, height: h });
      const out = s.finish();
      expect(out.data).toBeInstanceOf(Type);
      expect(out.data[0]).toBe(1);
      expect(out.data[w * h - 1]).toBe(w * h);
    }
    expect(() => st.add(whole, { data: new Uint32Array(6), width: 3, height: 2 })).toThrow(/wrong size/);
  });
});

describe('reflectPad', () => {
  it("equals NumPy's np.pad(mode='symmetric') on the right and bottom, also past twice the size", () => {
    const d = tempDir();
    const r = rng(3);
    const cases: [number, number, number, number][] = [
      [5, 3, 16, 9],
      [1, 1, 4, 3],
      [7, 2, 7, 20],
      [3, 4, 20, 20],
      [6, 6, 6, 6],
      [2, 5, 13, 5],
    ];
    cases.forEach(([w, h, PW, PH], k) => {
      const im = { data: Float32Array.from({ length: w * h }, () => r()), width: w, height: h };
      writeNpy(join(d, `in${k}.npy`), im);
      writeNpy(join(d, `ours${k}.npy`), { data: reflectPad(im, PW, PH), width: PW, height: PH });
    });
    const out = python(
      `import sys, numpy as np
d, n = sys.argv[1], int(sys.argv[2])
for k in range(n):
    a = np.load(f'{d}/in{k}.npy'); o = np.load(f'{d}/ours{k}.npy')
    ref = np.pad(a, ((0, o.shape[0] - a.shape[0]), (0, o.shape[1] - a.shape[1])), mode='symmetric')
    print(k, o.shape == ref.shape and bool(np.array_equal(o, ref)))`,
      [d, String(cases.length)],
    );
    expect(out.trim().split('\n')).toEqual(cases.map((_, k) => `${k} True`));
    // and an unpadded call returns the image as is
    const im = readNpy(join(d, 'in4.npy'));
    expect(Array.from(reflectPad(im as never, 6, 6))).toEqual(Array.from(im.data));
  });
});
