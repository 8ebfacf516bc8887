import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readImage, readLabels } from '../../lib/image/read.js';
import type { ImageData } from '../../lib/image/types.js';
import { blurredBorder } from '../../lib/kernels/distance.js';
import { gaussianBlur, medianBlur, otsuThreshold } from '../../lib/kernels/filters.js';
import { binaryClosing, binaryDilation, binaryErosion, binaryOpening } from '../../lib/kernels/morphology.js';
import { resize } from '../../lib/kernels/resize.js';
import { BBBC039, dsbLabelFiles } from '../helpers/data.js';
import { crop, maxAbsDiff, readNpy, writeNpy } from '../helpers/npy.js';
import { python, tempDir } from '../helpers/tools.js';

// Each support op is compared with the library a user would otherwise call (SciPy,
// scikit-image, OpenCV through Debian's Python) on real images.
const dir = tempDir('nucseg-filters-');
let img16: ImageData<Uint16Array>;
let img8: ImageData<Uint8Array>;
let imgF: ImageData<Float32Array>;
let mask: ImageData<Uint8Array>;

beforeAll(async () => {
  const f = readdirSync(join(BBBC039, 'images'))[0];
  const full = (await readImage(join(BBBC039, 'images', f))) as ImageData<Uint16Array>;
  img16 = crop(full, 100, 80, 257, 191);
  img8 = { data: Uint8Array.from(img16.data, (v) => v >> 8), width: img16.width, height: img16.height };
  imgF = { data: Float32Array.from(img16.data, (v) => v / 65535), width: img16.width, height: img16.height };
  const l = await readLabels(dsbLabelFiles(2)[0]);
  mask = { data: Uint8Array.from(l.data, (v) => (v ? 1 : 0)), width: l.width, height: l.height };
  writeNpy(join(dir, 'img16.npy'), img16);
  writeNpy(join(dir, 'img8.npy'), img8);
  writeNpy(join(dir, 'imgF.npy'), imgF);
  writeNpy(join(dir, 'mask.npy'), mask);
});

function py(code: string): void {
  python(`import sys, numpy as np\nD=sys.argv[1]\n${code}`, [dir]);
}

describe('support ops against SciPy / scikit-image / OpenCV', () => {
  it('gaussianBlur = scipy.ndimage.gaussian_filter (reflect, truncate 4) for u8, u16, f32', () => {
    py(`import scipy.ndimage as ndi
for n in ['img8','img16','imgF']:
    a=np.load(f'{D}/{n}.npy').astype(np.float64)
    for s in [1.0, 2.5]:
        np.save(f'{D}/{n}_g{s}.npy', ndi.gaussian_filter(a, s, mode='reflect', truncate=4.0).astype(np.float32))`);
    for (const [n, im, scale] of [['img8', img8, 255], ['img16', img16, 65535], ['imgF', imgF, 1]] as const) {
      for (const s of [1.0, 2.5]) {
        const ours = gaussianBlur(im, s);
        const ref = readNpy(join(dir, `${n}_g${s.toFixed(1)}.npy`));
        expect(maxAbsDiff(ours.data, ref.data) / scale).toBeLessThan(1e-5);
      }
    }
  });

  it('medianBlur = cv2.medianBlur (replicated border) for k = 3, 5', () => {
    py(`import cv2
for n in ['img8','img16','imgF']:
    a=np.load(f'{D}/{n}.npy')
    for k in [3,5]:
        np.save(f'{D}/{n}_m{k}.npy', cv2.medianBlur(a, k))`);
    for (const [n, im] of [['img8', img8], ['img16', img16], ['imgF', imgF]] as const) {
      for (const k of [3, 5]) {
        const ours = medianBlur(im, k);
        expect(ours.data.constructor).toBe(im.data.constructor);
        expect(maxAbsDiff(ours.data, readNpy(join(dir, `${n}_m${k}.npy`)).data)).toBe(0);
      }
    }
  });

  it('otsuThreshold = skimage.filters.threshold_otsu', () => {
    const out = python(
      `import sys,numpy as np
from skimage.filters import threshold_otsu
for n in ['img8','img16','imgF']: print(repr(float(threshold_otsu(np.load(sys.argv[1]+'/'+n+'.npy')))))`,
      [dir],
    ).trim().split('\n').map(Number);
    expect(otsuThreshold(img8)).toBe(out[0]);
    expect(otsuThreshold(img16)).toBe(out[1]);
    expect(otsuThreshold(imgF)).toBeCloseTo(out[2], 6);
  });

  it('binary morphology with a disk = skimage.morphology binary_* with disk(r)', () => {
    py(`from skimage.morphology import disk, binary_dilation, binary_erosion, binary_opening, binary_closing
m=np.load(f'{D}/mask.npy').astype(bool)
for r in [1,3,6]:
    for name,f in [('dilate',binary_dilation),('erode',binary_erosion),('open',binary_opening),('close',binary_closing)]:
        np.save(f'{D}/mask_{name}{r}.npy', f(m, disk(r)).astype(np.uint8))`);
    for (const r of [1, 3, 6]) {
      for (const [name, f] of [
        ['dilate', binaryDilation],
        ['erode', binaryErosion],
        ['open', binaryOpening],
        ['close', binaryClosing],
      ] as const) {
        const ours = f(mask, r);
        const ref = readNpy(join(dir, `mask_${name}${r}.npy`));
        let diff = 0;
        for (let i = 0; i < ref.data.length; i++) if (ours.data[i] !== ref.data[i]) diff++;
        expect(diff, `${name} r=${r}`).toBe(0);
      }
    }
  });

  it('resize = cv2.resize (INTER_NEAREST_EXACT, INTER_LINEAR and INTER_AREA on float32)', () => {
    py(`import cv2
a=np.load(f'{D}/imgF.npy'); l=np.load(f'{D}/img16.npy')
for (w,h) in [(128,95),(400,300),(179,133)]:
    np.save(f'{D}/rs_lin_{w}.npy', cv2.resize(a,(w,h),interpolation=cv2.INTER_LINEAR))
    np.save(f'{D}/rs_area_{w}.npy', cv2.resize(a,(w,h),interpolation=cv2.INTER_AREA))
    np.save(f'{D}/rs_near_{w}.npy', cv2.resize(l,(w,h),interpolation=cv2.INTER_NEAREST_EXACT))`);
    for (const [w, h] of [
      [128, 95],
      [400, 300],
      [179, 133],
    ]) {
      expect(maxAbsDiff(resize(imgF, w, h, { interpolation: 'bilinear' }).data, readNpy(join(dir, `rs_lin_${w}.npy`)).data)).toBeLessThan(1e-5);
      if (w < imgF.width) expect(maxAbsDiff(resize(imgF, w, h, { interpolation: 'area' }).data, readNpy(join(dir, `rs_area_${w}.npy`)).data)).toBeLessThan(1e-5);
      expect(maxAbsDiff(resize(img16, w, h, { interpolation: 'nearest' }).data, readNpy(join(dir, `rs_near_${w}.npy`)).data)).toBe(0);
    }
  });

  it('same output for any thread count', () => {
    const a = gaussianBlur(img16, 2, { threads: 1 }), b = gaussianBlur(img16, 2, { threads: 3 });
    expect(Buffer.compare(Buffer.from(a.data.buffer), Buffer.from(b.data.buffer))).toBe(0);
    const c = binaryClosing(mask, 6, { threads: 1 }), d = binaryClosing(mask, 6, { threads: 2 });
    expect(Buffer.compare(Buffer.from(c.data.buffer), Buffer.from(d.data.buffer))).toBe(0);
  });

  it('a sigma too small to square (1e-200) is the identity, as any sigma < 0.125 is (was NaN)', () => {
    const f = { data: Float32Array.from(img8.data.subarray(0, 64 * 48)), width: 64, height: 48 };
    for (const sigma of [0.1, 1e-200, 5e-324]) expect(Array.from(gaussianBlur(f, sigma).data)).toEqual(Array.from(f.data));
    const labels = { data: new Uint16Array([0, 1, 1, 1, 2, 2, 0, 0]), width: 4, height: 2 };
    const sharp = Array.from(blurredBorder(labels, { sigma: 0 }).data);
    for (const sigma of [0.1, 1e-200]) expect(Array.from(blurredBorder(labels, { sigma }).data)).toEqual(sharp);
  });

  it('bad arguments are refused', () => {
    expect(() => medianBlur(img8, 4)).toThrow(/1, 3, 5 or 7/);
    expect(() => gaussianBlur(img8, -1)).toThrow(/sigma/);
    expect(() => gaussianBlur(img8, '' as never)).toThrow(/^sigma must be a number in \[0, 100\], not ''$/); // was taken as 0
    expect(() => blurredBorder({ data: new Uint16Array(4), width: 2, height: 2 }, { sigma: '1' as never })).toThrow(/^sigma must be a number in \[0, 100\], not '1'$/);
    expect(() => resize(img8, 0, 5)).toThrow(/invalid output size/);
    expect(() => gaussianBlur({ data: new Float64Array(4), width: 2, height: 2 } as never, 1)).toThrow(/Uint8Array, Uint16Array or Float32Array/);
  });
});
