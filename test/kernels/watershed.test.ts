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

/**
 * Expects our watershed to equal the heap flood on 96 × 80 crops of `files` real label
 * images: elevation -normEDT (float32, or quantized to uint8 / uint16), markers = each
 * nucleus' core (normEDT >= 0.6) with its label, with and without the foreground mask, 4- and
 * 8-connected, with or without watershed lines.
 */
async function expectHeapFloodOnCrops(files: number, kinds: ('f32' | 'u8' | 'u16')[], lines: boolean): Promise<void> {
  for (const f of dsbLabelFiles(files)) {
    const gt = crop(await readLabels(f), 0, 0, 96, 80);
    const { width, height } = gt;
    const nd = normalizedDistance(gt);
    const markers = new Uint32Array(gt.data.length);
    nd.data.forEach((v, i) => v >= 0.6 && (markers[i] = gt.data[i]));
    const mask = Uint8Array.from(gt.data, (v) => (v ? 1 : 0));
    const elevations = {
      f32: { data: Float32Array.from(nd.data, (v) => -v), width, height },
      u8: { data: Uint8Array.from(nd.data, (v) => 255 - Math.round(v * 255)), width, height },
      u16: { data: Uint16Array.from(nd.data, (v) => 65535 - Math.round(v * 65535)), width, height },
    };
    for (const kind of kinds) {
      const elev = elevations[kind];
      for (const conn of [4, 8] as const) {
        for (const useMask of [true, false]) {
          const ours = watershed(elev, { data: markers, width, height }, { connectivity: conn, lines, mask: useMask ? { data: mask, width, height } : undefined });
          const ref = heapWatershed(elev, markers, useMask ? mask : null, conn, lines);
          expect(Buffer.compare(Buffer.from(ours.data.buffer), Buffer.from(ref.buffer))).toBe(0);
        }
      }
    }
  }
}

describe('watershed', () => {
  it('equals a plain (elevation, age) heap flood on real crops: uint8, uint16 and float32, 4/8-conn, masked', async () => {
    await expectHeapFloodOnCrops(3, ['f32', 'u8', 'u16'], false);
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

  it('equals the heap flood with watershed lines on real crops (uint8 and float32, 4/8-conn, masked)', async () => {
    await expectHeapFloodOnCrops(2, ['f32', 'u8'], true);
  });

  it('equals the heap flood on float elevations with a few thousand distinct values (hashed buckets) and with more than they take (sorted path)', () => {
    // 320 x 240 pseudo-random floats, quantized to 5000 levels or not (~76,800 distinct
    // values, > 16,384), with plateaus of ties
    const w = 320, h = 240;
    let s = 12345;
    const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const markers = new Uint32Array(w * h);
    for (let k = 1; k <= 60; k++) markers[Math.floor(rnd() * w * h)] = k;
    const mask = Uint8Array.from({ length: w * h }, () => (rnd() < 0.9 ? 1 : 0));
    for (const levels of [5000, 0]) {
      const elev = { data: Float32Array.from({ length: w * h }, (_, i) => (i % 97 === 0 ? 0.5 : levels ? Math.floor(rnd() * levels) / levels : rnd())), width: w, height: h };
      for (const conn of [4, 8] as const) {
        for (const useMask of [false, true]) {
          for (const lines of [false, true]) {
            const ours = watershed(elev, { data: markers, width: w, height: h }, { connectivity: conn, lines, mask: useMask ? { data: mask, width: w, height: h } : undefined });
            const ref = heapWatershed(elev, markers, useMask ? mask : null, conn, lines);
            expect(Buffer.compare(Buffer.from(ours.data.buffer), Buffer.from(ref.buffer))).toBe(0);
          }
        }
      }
    }
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
