import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLabels } from '../../lib/image/read.js';
import { blurredBorder, normalizedDistance } from '../../lib/kernels/distance.js';
import { REPO, dsbLabelFiles } from '../helpers/data.js';
import { crop, maxAbsDiff, readNpy } from '../helpers/npy.js';
import { python, tempDir } from '../helpers/tools.js';

// The ROIs that models-onnx/training/fields.py samples on the fly (GPU training): targets made
// as nucseg makes them, and labels that stay on their image when a crop is resized.
const TRAINING = join(REPO, 'models-onnx', 'training');

describe('training ROIs sampled from fields (fields.py)', () => {
  it('targets equal the native normalizedDistance and blurredBorder on a real label crop', async () => {
    const file = dsbLabelFiles(4)[2];
    const labels = crop(await readLabels(file), 20, 10, 200, 150);
    const dir = tempDir();
    python(
      `import sys, numpy as np, tifffile; sys.path.insert(0, sys.argv[1]); from fields import targets
lab = tifffile.imread(sys.argv[2]).astype(np.int32)[10:160, 20:220]
d, b = targets(lab); np.save(sys.argv[3] + '/d.npy', d); np.save(sys.argv[3] + '/b.npy', b)`,
      [TRAINING, file, dir],
    );
    expect(maxAbsDiff(readNpy(join(dir, 'd.npy')).data, normalizedDistance(labels).data)).toBeLessThan(1e-5);
    expect(maxAbsDiff(readNpy(join(dir, 'b.npy')).data, blurredBorder(labels).data)).toBeLessThan(1e-5);
  });

  it('a resized crop keeps its labels on its image (no sub-pixel shift at any scale)', () => {
    // Disks at random sub-pixel centres: the image is the disk's area coverage (16x supersampled),
    // the labels the disk's pixels; after resize_pair the label centroid must sit on the image's
    // intensity centroid. OpenCV's INTER_NEAREST (floor of x * src/dst) shifted labels by up to
    // half a pixel towards the origin, which IoU 0.9 cannot afford.
    const out = python(
      `import sys, json, numpy as np; sys.path.insert(0, sys.argv[1]); from fields import resize_pair
rng = np.random.default_rng(0); res = {}
for s in (0.4, 0.55, 0.7, 0.85, 1.3, 1.7, 2.3):
    sh = []
    for _ in range(40):
        cy, cx, r = rng.uniform(28, 36), rng.uniform(28, 36), rng.uniform(7, 12)
        yy, xx = (np.mgrid[:64 * 16, :64 * 16] + 0.5) / 16
        img = (((yy - cy) ** 2 + (xx - cx) ** 2) < r * r).reshape(64, 16, 64, 16).mean((1, 3)).astype(np.float32)
        lab = (img >= 0.5).astype(np.int32)
        zi, zl = resize_pair(img, lab, s)
        gy, gx = np.mgrid[:zi.shape[0], :zi.shape[1]]
        m = zl > 0
        sh.append([gy[m].mean() - (zi * gy).sum() / zi.sum(), gx[m].mean() - (zi * gx).sum() / zi.sum()])
    res[s] = np.mean(sh, 0).tolist()
print(json.dumps(res))`,
      [TRAINING],
    );
    const shifts = JSON.parse(out) as Record<string, [number, number]>;
    for (const [s, [dy, dx]] of Object.entries(shifts)) {
      expect(Math.abs(dy), `scale ${s}: rows`).toBeLessThan(0.1);
      expect(Math.abs(dx), `scale ${s}: columns`).toBeLessThan(0.1);
    }
  });
});
