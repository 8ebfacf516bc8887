import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readImage } from '../../lib/image/read.js';
import { python, tempDir } from '../helpers/tools.js';

// Multi-channel ImageJ hyperstacks and OME-TIFFs (written by tifffile, an independent writer):
// channels must never be max-projected as if they were Z planes (issue 12).
describe('multi-channel TIFF (ImageJ hyperstack, OME-TIFF)', () => {
  const dir = tempDir('nucseg-hyper-');
  // channel c, slice z: value 10 * c + z + 1 at pixel (0, 0), c * 100 + z elsewhere in row 0
  python(
    `import numpy as np, tifffile, sys
d = sys.argv[1]
a = np.zeros((3, 2, 8, 8), np.uint16)  # Z, C, Y, X
for z in range(3):
    for c in range(2):
        a[z, c] = 10 * c + z + 1
tifffile.imwrite(d + '/ij-zcyx.tif', a, imagej=True, metadata={'axes': 'ZCYX'})
tifffile.imwrite(d + '/ij-cyx.tif', a[0], imagej=True, metadata={'axes': 'CYX'})
tifffile.imwrite(d + '/ome-czyx.ome.tif', np.ascontiguousarray(a.transpose(1, 0, 2, 3)), ome=True, metadata={'axes': 'CZYX'})
tifffile.imwrite(d + '/plain-zyx.tif', a[:, 0], photometric='minisblack')`,
    [dir],
  );
  for (const f of ['ij-zcyx.tif', 'ij-cyx.tif', 'ome-czyx.ome.tif']) {
    it(`${f}: no channel chosen is a clear error; each channel reads its own planes`, async () => {
      await expect(readImage(join(dir, f), { projection: 'max' })).rejects.toThrow(/has 2 channels .*--stack-channel 0\.\.1/);
      const zs = f === 'ij-cyx.tif' ? 1 : 3;
      for (const c of [0, 1]) {
        const max = await readImage(join(dir, f), { projection: 'max', channel: c });
        expect(max.data[0]).toBe(10 * c + zs); // max over this channel's Z planes only
        if (zs > 1) expect((await readImage(join(dir, f), { page: 1, channel: c })).data[0]).toBe(10 * c + 2);
      }
      await expect(readImage(join(dir, f), { channel: 2 })).rejects.toThrow(/channel 2 does not exist/);
    });
  }
  it('a plain Z-stack is still max-projected over all its pages', async () => {
    expect((await readImage(join(dir, 'plain-zyx.tif'), { projection: 'max' })).data[0]).toBe(3);
  });
});
