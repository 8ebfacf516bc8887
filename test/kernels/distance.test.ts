import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readImage, readLabels } from '../../lib/image/read.js';
import type { ImageData } from '../../lib/image/types.js';
import { blurredBorder, distanceTransform, normalizedDistance } from '../../lib/kernels/distance.js';
import { REPO, dsbLabelFiles } from '../helpers/data.js';
import { LIB_URL, runNodeScript } from '../helpers/tools.js';
import { crop, maxAbsDiff, readNpy } from '../helpers/npy.js';
import { bruteEdt, bruteNormalizedDistance } from '../helpers/reference-kernels.js';

const INPUTS = process.env.NUCSEG_BENCH_INPUTS ?? join(REPO, 'bench-inputs');

function sameBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
}

describe('distanceTransform', () => {
  it('equals brute force on crops of real masks and on edge cases', async () => {
    const l = await readLabels(dsbLabelFiles(3)[1]);
    const mask = { data: Uint8Array.from(l.data, (v) => (v ? 1 : 0)), width: l.width, height: l.height };
    const cases: ImageData[] = [crop(mask, 0, 0, 64, 48), crop(mask, mask.width - 50, mask.height - 40, 50, 40)];
    cases.push({ data: new Uint8Array([1, 1, 1, 1, 0, 1, 1]), width: 7, height: 1 });
    cases.push({ data: new Uint8Array([1, 1, 0, 1, 1]), width: 1, height: 5 });
    cases.push({ data: new Uint8Array(30).fill(0), width: 6, height: 5 });
    for (const c of cases) {
      const ours = distanceTransform(c);
      const ref = bruteEdt(c);
      expect(maxAbsDiff(ours.data, ref)).toBeLessThan(1e-5);
      for (const t of [1, 3]) expect(sameBytes(distanceTransform(c, { threads: t }).data, ours.data)).toBe(true);
    }
    // no background at all: outside the image is not background, so distances are infinite
    expect(Array.from(distanceTransform({ data: new Uint8Array(4).fill(1), width: 2, height: 2 }).data)).toEqual([Infinity, Infinity, Infinity, Infinity]);
  });

  it('matches SciPy on the 2048² real mask (shared reference array)', async () => {
    const mask = await readImage(join(INPUTS, 'real2048_mask.tif'));
    const ours = distanceTransform(mask);
    const ref = readNpy(join(INPUTS, 'ref', 'edt_real2048.npy'));
    expect(maxAbsDiff(ours.data, ref.data)).toBeLessThan(1e-5);
    expect(sameBytes(distanceTransform(mask, { threads: 1 }).data, ours.data)).toBe(true);
  });
});

describe('FPN2-WS targets', () => {
  it('normalizedDistance equals brute force on a real crop, with exactly 1 at each maximum', async () => {
    const l = await readLabels(dsbLabelFiles(3)[0]);
    const c = crop(l, 10, 10, 60, 50);
    const ours = normalizedDistance(c);
    expect(maxAbsDiff(ours.data, bruteNormalizedDistance(c))).toBeLessThan(1e-6);
    const ids = [...new Set(c.data)].filter((v) => v);
    for (const id of ids) {
      let mx = 0;
      c.data.forEach((v, i) => v === id && (mx = Math.max(mx, ours.data[i])));
      expect(mx).toBe(1);
    }
    c.data.forEach((v, i) => !v && expect(ours.data[i]).toBe(0));
  });

  it('normalizedDistance and blurredBorder match the shared SciPy references on 2048² mosaics', async () => {
    for (const set of ['real2048', 'synth2048']) {
      const gt = await readLabels(join(INPUTS, `${set}_gt.tif`));
      const nd = normalizedDistance(gt);
      expect(maxAbsDiff(nd.data, readNpy(join(INPUTS, 'ref', `norm_edt_${set}.npy`)).data)).toBeLessThan(1e-6);
      const bb = blurredBorder(gt);
      expect(maxAbsDiff(bb.data, readNpy(join(INPUTS, 'ref', `border_blur_${set}.npy`)).data)).toBeLessThan(1e-6);
      expect(sameBytes(normalizedDistance(gt, { threads: 1 }).data, nd.data)).toBe(true);
      expect(sameBytes(blurredBorder(gt, { threads: 1 }).data, bb.data)).toBe(true);
      for (const v of bb.data) if (v < 0 || v > 1) throw new Error(`border value ${v} outside [0, 1]`);
    }
  });

  it('blurredBorder on a wide image of one row with a large sigma needs no rows of scratch beyond the image (was 2r + 1: 215 MB)', () => {
    const run = runNodeScript(
      `import { kernels as K } from ${JSON.stringify(LIB_URL)};
const W = 70000, l = { data: new Uint16Array(W), width: W, height: 1 };
for (let x = 0; x < W; x++) l.data[x] = 1 + Math.floor(x / 50);
K.blurredBorder({ data: new Uint16Array(4).fill(1), width: 2, height: 2 }, { sigma: 100, threads: 1 });
const before = process.resourceUsage().maxRSS;
const b = K.blurredBorder(l, { sigma: 100, threads: 1 });
console.log(JSON.stringify({ mb: (process.resourceUsage().maxRSS - before) / 1024, peak: Math.max(...b.data) }));
`,
    );
    const r = JSON.parse(run.stdout);
    expect(r.mb).toBeLessThan(20); // the output is 0.28 MB
    expect(r.peak).toBeGreaterThan(0);
  });
});
