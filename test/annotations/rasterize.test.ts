// The pixel rules of rasterization (lib/annotations/rasterize.ts): pixel centres inside,
// even-odd, checked against scikit-image's polygon fill as an independent reference, plus
// the boundary cases the reference cannot decide, ovals (ImageJ's OvalRoi rule) and overlaps.
import { describe, expect, it } from 'vitest';
import { rasterizeObjects, scanEllipse, scanRings } from '../../lib/annotations/rasterize.js';
import type { AnnotationObject, Ring } from '../../lib/annotations/types.js';
import { python } from '../helpers/tools.js';

function fill(rings: Ring[], w: number, h: number): Uint8Array {
  const m = new Uint8Array(w * h);
  scanRings(rings, w, h, (y, x0, x1) => {
    for (let x = x0; x <= x1; x++) m[y * w + x] ^= 1; // ^= : each pixel must come once
  });
  return m;
}

const obj = (name: string, groups: Ring[][], requestedId?: number): AnnotationObject => ({ name, requestedId, properties: {}, geometry: { kind: 'rings', groups } });

describe('scanRings: pixel centres inside, even-odd', () => {
  it('matches skimage.draw.polygon on random (self-intersecting, partly outside) polygons', () => {
    // skimage samples pixel (r, c) at the point (c, r); ours at (x + 0.5, y + 0.5): shift by 0.5
    const out = python(`
import json, numpy as np
from skimage.draw import polygon
rng = np.random.default_rng(17)
cases = []
for k in range(60):
    n = int(rng.integers(3, 12))
    xs = rng.uniform(-6, 46, n); ys = rng.uniform(-6, 36, n)
    rr, cc = polygon(ys - 0.5, xs - 0.5, shape=(30, 40))
    m = np.zeros((30, 40), np.uint8); m[rr, cc] = 1
    cases.append({'ring': [[float(x), float(y)] for x, y in zip(xs, ys)], 'mask': m.ravel().tolist()})
print(json.dumps(cases))
`);
    const cases = JSON.parse(out) as { ring: Ring; mask: number[] }[];
    let differ = 0, total = 0;
    for (const c of cases) {
      const m = fill([c.ring], 40, 30);
      for (let i = 0; i < m.length; i++) {
        total += c.mask[i];
        if (m[i] !== c.mask[i]) differ++;
      }
    }
    expect(total).toBeGreaterThan(5000);
    expect(differ).toBe(0);
  });

  it('boundary rule: a centre on a left or top edge is inside, on a right or bottom edge outside', () => {
    // the square [0.5, 2.5] x [0.5, 2.5] passes through the centres of pixels 0..2
    const m = fill([[[0.5, 0.5], [2.5, 0.5], [2.5, 2.5], [0.5, 2.5]]], 4, 4);
    expect(Array.from(m)).toEqual([1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('pixel-edge outlines give exactly the enclosed pixels; a hole ring (either orientation) removes its pixels', () => {
    const outer: Ring = [[1, 1], [5, 1], [5, 4], [1, 4], [1, 1]];
    const hole: Ring = [[2, 2], [2, 3], [4, 3], [4, 2], [2, 2]];
    const rows = (m: Uint8Array) => Array.from({ length: 5 }, (_, y) => Array.from(m.subarray(y * 6, y * 6 + 6)).join(''));
    expect(rows(fill([outer, hole], 6, 5))).toEqual(['000000', '011110', '010010', '011110', '000000']);
    expect(rows(fill([outer, [...hole].reverse()], 6, 5))).toEqual(rows(fill([outer, hole], 6, 5)));
    expect(rows(fill([outer], 6, 5))).toEqual(['000000', '011110', '011110', '011110', '000000']);
  });

  it('two pixels touching at a corner (a pinched outline) both come back', () => {
    const ring: Ring = [[0, 0], [1, 0], [1, 1], [2, 1], [2, 2], [1, 2], [1, 1], [0, 1], [0, 0]];
    expect(Array.from(fill([ring], 3, 3))).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 0]);
  });

  it('a zero-width slit (an edge walked down and back up) takes no pixel away', () => {
    const ring: Ring = [[0, 0], [1, 0], [1, 1], [1, 0], [2, 0], [2, 1], [0, 1], [0, 0]];
    expect(Array.from(fill([ring], 3, 1))).toEqual([1, 1, 0]);
  });
});

describe('scanEllipse: ImageJ OvalRoi rule', () => {
  it('matches ((px+0.5-cx)/a)^2 + ((py+0.5-cy)/b)^2 <= 1 computed directly', () => {
    for (const e of [{ x: 2, y: 3, width: 7, height: 4 }, { x: 0, y: 0, width: 1, height: 1 }, { x: 5, y: 1, width: 10, height: 10 }, { x: -3, y: -2, width: 8, height: 9 }, { x: 0, y: 0, width: 1, height: 0.5 }]) {
      // (the last: pixel (0, 0)'s centre lies exactly on the ellipse, and counts as inside)
      const W = 16, H = 14;
      const got = new Uint8Array(W * H);
      scanEllipse(e, W, H, (y, x0, x1) => {
        for (let x = x0; x <= x1; x++) got[y * W + x]++;
      });
      const a = e.width / 2, b = e.height / 2;
      for (let py = 0; py < H; py++)
        for (let px = 0; px < W; px++) {
          const dx = px + 0.5 - (e.x + a), dy = py + 0.5 - (e.y + b);
          expect(got[py * W + px], `${JSON.stringify(e)} ${px},${py}`).toBe((dx * dx) / (a * a) + (dy * dy) / (b * b) <= 1 ? 1 : 0);
        }
    }
  });
});

describe('rasterizeObjects: ids and overlaps', () => {
  const sq = (x: number, y: number, s: number): Ring => [[x, y], [x + s, y], [x + s, y + s], [x, y + s]];

  it('later object wins; overlapping pixels are counted per pair; empty objects are listed', () => {
    const r = rasterizeObjects([obj('a', [[sq(0, 0, 4)]]), obj('b', [[sq(2, 2, 4)]]), obj('c', [[sq(3, 3, 2)]]), obj('tiny', [[[[7.6, 7.6], [7.9, 7.6], [7.9, 7.9]]]])], 8, 8);
    expect(r.ids).toEqual([1, 2, 3, 4]);
    expect(r.labels.data[3 * 8 + 3]).toBe(3);
    expect(r.labels.data[2 * 8 + 2]).toBe(2);
    expect(r.labels.data[0]).toBe(1);
    expect(r.overlapPixels).toBe(4 + 4);
    expect(r.overlaps).toEqual([{ earlier: 1, later: 2, pixels: 4 }, { earlier: 2, later: 3, pixels: 4 }]); // c lies inside b, which took a's corner
    expect(r.empty).toEqual(['tiny']);
  });

  it('overlapping parts of one MultiPolygon are not an overlap', () => {
    const r = rasterizeObjects([obj('m', [[sq(0, 0, 3)], [sq(1, 1, 3)]])], 5, 5);
    expect(r.overlapPixels).toBe(0);
    expect(r.labels.data.filter((v) => v === 1).length).toBe(9 + 9 - 4);
  });

  it('keeps the ids objects ask for only when all ask and none twice; uint32 when they need it', () => {
    expect(rasterizeObjects([obj('a', [[sq(0, 0, 1)]], 7), obj('b', [[sq(1, 0, 1)]], 70000)], 2, 1).labels.data).toEqual(new Uint32Array([7, 70000]));
    expect(rasterizeObjects([obj('a', [[sq(0, 0, 1)]], 7), obj('b', [[sq(1, 0, 1)]])], 2, 1).labels.data).toEqual(new Uint16Array([1, 2]));
    expect(rasterizeObjects([obj('a', [[sq(0, 0, 1)]], 7), obj('b', [[sq(1, 0, 1)]], 7)], 2, 1).idSource).toBe('renumbered');
    expect(() => rasterizeObjects([], 0, 5)).toThrow('cannot make a 0 x 5 label image');
  });
});
