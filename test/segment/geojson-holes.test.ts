import { describe, expect, it } from 'vitest';
import { labelsToGeoJson } from '../../lib/segment/outputs.js';

/** Signed area of a ring by the shoelace formula (independent of the tracer). */
function shoelace(r: [number, number][]): number {
  let a = 0;
  for (let i = 0; i + 1 < r.length; i++) a += r[i][0] * r[i + 1][1] - r[i + 1][0] * r[i][1];
  return a / 2;
}

describe('GeoJSON polygons keep holes (issue 12)', () => {
  it('a nucleus with holes: interior rings of opposite orientation, polygon area = pixel count', () => {
    const W = 40, H = 40, data = new Uint16Array(W * H);
    let pixels = 0;
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const r2 = (x - 20) ** 2 + (y - 20) ** 2;
        const inHole = (x - 17) ** 2 + (y - 20) ** 2 <= 4 || (x >= 24 && x <= 25 && y >= 18 && y <= 22);
        if (r2 <= 144 && !inHole) {
          data[y * W + x] = 3;
          pixels++;
        }
      }
    data[2 * W + 2] = 5; // a second nucleus, no hole
    const fc = labelsToGeoJson({ data, width: W, height: H }) as { features: { geometry: { coordinates: [number, number][][] } }[] };
    const ringsOf3 = fc.features[0].geometry.coordinates;
    expect(ringsOf3).toHaveLength(3); // outer + 2 holes
    const [outer, ...holes] = ringsOf3.map(shoelace);
    for (const h of holes) expect(Math.sign(h)).toBe(-Math.sign(outer));
    expect(Math.abs(outer) - holes.reduce((a, h) => a + Math.abs(h), 0)).toBe(pixels);
    expect(fc.features[1].geometry.coordinates).toHaveLength(1);
    expect(Math.abs(shoelace(fc.features[1].geometry.coordinates[0]))).toBe(1);
  });
});
