import { describe, expect, it } from 'vitest';
import { readImage, readLabels } from '../../lib/image/read.js';
import { maxFilter, measureRegions } from '../../lib/kernels/measure.js';
import { BBBC039 } from '../helpers/data.js';
import { maxAbsDiff } from '../helpers/npy.js';
import { python } from '../helpers/tools.js';
import { join } from 'node:path';
import { readdirSync } from 'node:fs';

// Direct tests of the two measurement kernels against SciPy / scikit-image on a real field
// (issue 13: they were only exercised through the pipeline).
const name = readdirSync(join(BBBC039, 'images')).sort()[4];

describe('maxFilter', () => {
  it('equals scipy.ndimage.maximum_filter (square, nearest edges) on a real field, radius 1..6', async () => {
    const im = await readImage(join(BBBC039, 'images', name));
    const f = { data: Float32Array.from(im.data as ArrayLike<number>, (v) => v / 65535), width: im.width, height: im.height };
    for (const r of [1, 3, 6]) {
      const ref = JSON.parse(
        python(
          `import sys, json, numpy as np, tifffile, scipy.ndimage as ndi
a = (tifffile.imread(sys.argv[1]).astype(np.float32) / np.float32(65535))
print(json.dumps(ndi.maximum_filter(a, size=2 * int(sys.argv[2]) + 1, mode='nearest').ravel().tolist()))`,
          [join(BBBC039, 'images', name), String(r)],
        ),
      ) as number[];
      expect(maxAbsDiff(maxFilter(f, r).data, ref), `radius ${r}`).toBe(0);
    }
  }, 60_000);
});

describe('measureRegions', () => {
  it('area, centroid, bounding box, intensity sum/min/max and border contact equal skimage.measure.regionprops on a real field', async () => {
    const labels = await readLabels(join(BBBC039, 'labels', name));
    const im = await readImage(join(BBBC039, 'images', name));
    const m = measureRegions(labels, im as Parameters<typeof measureRegions>[1]);
    const ref = JSON.parse(
      python(
        `import sys, json, numpy as np, tifffile
from skimage.measure import regionprops
lab = tifffile.imread(sys.argv[1]).astype(np.int64); im = tifffile.imread(sys.argv[2]).astype(np.float64)
H, W = lab.shape; out = []
for p in regionprops(lab, intensity_image=im):
    y0, x0, y1, x1 = p.bbox; v = im[p.coords[:, 0], p.coords[:, 1]]
    out.append([p.label, p.area, p.centroid[1], p.centroid[0], x0, y0, x1, y1, v.sum(), v.min(), v.max(), int(y0 == 0 or x0 == 0 or y1 == H or x1 == W)])
print(json.dumps(out, default=float))`,
        [join(BBBC039, 'labels', name), join(BBBC039, 'images', name)],
      ),
    ) as number[][];
    expect(Array.from(m.ids)).toEqual(ref.map((r) => r[0]));
    expect(ref.length).toBeGreaterThan(50);
    ref.forEach((r, k) => {
      expect(m.area[k]).toBe(r[1]);
      expect(Math.abs(m.cx[k] - r[2]) + Math.abs(m.cy[k] - r[3])).toBeLessThan(1e-9);
      expect([m.x0[k], m.y0[k], m.x1[k], m.y1[k]]).toEqual([r[4], r[5], r[6] - 1, r[7] - 1]);
      expect([m.intensitySum[k], m.intensityMin[k], m.intensityMax[k]]).toEqual([r[8], r[9], r[10]]);
      expect(m.touchesBorder[k]).toBe(r[11]);
    });
  }, 60_000);
});
