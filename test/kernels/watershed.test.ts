import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readImage, readLabels } from '../../lib/image/read.js';
import { normalizedDistance } from '../../lib/kernels/distance.js';
import { watershed } from '../../lib/kernels/watershed.js';
import { REPO, dsbLabelFiles } from '../helpers/data.js';
import { crop, readNpy } from '../helpers/npy.js';
import { heapWatershed } from '../helpers/reference-kernels.js';

const INPUTS = process.env.NUCSEG_BENCH_INPUTS ?? join(REPO, 'bench-inputs');

function agreement(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}

describe('watershed', () => {
  it('equals a plain (elevation, age) heap flood on real crops: uint8, uint16 and float32, 4/8-conn, masked', async () => {
    const files = dsbLabelFiles(3);
    for (const f of files) {
      const gt = crop(await readLabels(f), 0, 0, 96, 80);
      const nd = normalizedDistance(gt);
      // markers: cores of each nucleus (nd >= 0.6) keep their label
      const markers = new Uint32Array(gt.data.length);
      nd.data.forEach((v, i) => v >= 0.6 && (markers[i] = gt.data[i]));
      const mask = Uint8Array.from(gt.data, (v) => (v ? 1 : 0));
      const elevF = { data: Float32Array.from(nd.data, (v) => -v), width: gt.width, height: gt.height };
      const elev8 = { data: Uint8Array.from(nd.data, (v) => 255 - Math.round(v * 255)), width: gt.width, height: gt.height };
      const elev16 = { data: Uint16Array.from(nd.data, (v) => 65535 - Math.round(v * 65535)), width: gt.width, height: gt.height };
      const m = { data: markers, width: gt.width, height: gt.height };
      for (const elev of [elevF, elev8, elev16]) {
        for (const conn of [4, 8] as const) {
          for (const useMask of [true, false]) {
            const ours = watershed(elev, m, { connectivity: conn, mask: useMask ? { data: mask, width: gt.width, height: gt.height } : undefined });
            const ref = heapWatershed(elev, markers, useMask ? mask : null, conn);
            expect(Buffer.compare(Buffer.from(ours.data.buffer), Buffer.from(ref.buffer))).toBe(0);
          }
        }
      }
    }
  });

  it('agrees with scikit-image on the shared 2048² inputs (reported; ties are broken differently)', async () => {
    const gray = await readImage(join(INPUTS, 'real2048_gray8.tif'));
    const markersI = readNpy(join(INPUTS, 'real2048_markers.npy'));
    const markers = { data: Uint32Array.from(markersI.data as Int32Array), width: gray.width, height: gray.height };
    const elev = { data: Uint8Array.from(gray.data as Uint8Array, (v) => 255 - v), width: gray.width, height: gray.height };
    const ours = watershed(elev, markers);
    const sk = readNpy(join(INPUTS, 'ref', 'watershed_gray8_skimage_real2048.npy'));
    const a = agreement(ours.data, sk.data);
    console.log(`watershed gray8 real2048: pixel agreement with skimage ${(100 * a).toFixed(3)} %`);
    // measured 100.000 % (npm test, 2026-11-30); skimage's heap breaks equal-level ties by heap order, so exact equality is not promised
    expect(a).toBeGreaterThan(0.9999);

    const gt = await readLabels(join(INPUTS, 'real2048_gt.tif'));
    const nd = normalizedDistance(gt);
    const seeds = new Uint32Array(gt.data.length);
    nd.data.forEach((v, i) => v >= 0.6 && (seeds[i] = gt.data[i]));
    const masked = watershed({ data: Float32Array.from(nd.data, (v) => -v), width: gt.width, height: gt.height }, { data: seeds, width: gt.width, height: gt.height }, { mask: gt });
    const sk2 = readNpy(join(INPUTS, 'ref', 'watershed_normedt_masked_skimage_real2048.npy'));
    const a2 = agreement(masked.data, sk2.data);
    console.log(`watershed -normEDT masked real2048: pixel agreement with skimage ${(100 * a2).toFixed(3)} %`);
    expect(a2).toBeGreaterThan(0.9999);
  });

  it('leaves watershed lines between touching basins when asked', () => {
    const w = 9, h = 1;
    const elev = { data: new Uint8Array([0, 1, 2, 3, 4, 3, 2, 1, 0]), width: w, height: h };
    const markers = { data: new Uint32Array([1, 0, 0, 0, 0, 0, 0, 0, 2]), width: w, height: h };
    expect(Array.from(watershed(elev, markers).data)).toEqual([1, 1, 1, 1, 1, 2, 2, 2, 2]);
    const lined = watershed(elev, markers, { lines: true }).data;
    expect(Array.from(lined).filter((v) => v === 0).length).toBe(1);
    expect(lined[0]).toBe(1);
    expect(lined[8]).toBe(2);
  });

  it('rejects NaN elevations and mismatched sizes', () => {
    const markers = { data: new Uint32Array([1, 0]), width: 2, height: 1 };
    expect(() => watershed({ data: new Float32Array([0, NaN]), width: 2, height: 1 }, markers)).toThrow(/NaN/);
    expect(() => watershed({ data: new Uint8Array(3), width: 3, height: 1 }, markers)).toThrow(/size/);
  });
});
