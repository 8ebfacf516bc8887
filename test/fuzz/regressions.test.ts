import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfig, DEFAULT_CONFIG } from '../../lib/augment/config.js';
import { REPO } from '../helpers/data.js';

// Every fuzz finding (docs/fuzzing.md) as a regression test: its reproducer under
// test/fuzz/crashes/ must end in a clean rejection or the right result, never a crash or hang.
const run = (name: string) => {
  const r = spawnSync(process.execPath, [join(REPO, 'test', 'fuzz', 'crashes', `${name}.mjs`)], { encoding: 'utf8', timeout: 60_000 });
  expect(r.signal, `${name} died (${r.signal})`).toBeNull();
  return `${r.stdout}\n${r.stderr}`;
};

describe('fuzz findings stay fixed', () => {
  it('tiff-rowsperstrip-float: a float RowsPerStrip is a clear error, not a V8 out-of-memory abort', () => {
    expect(run('tiff-rowsperstrip-float')).toMatch(/rejected: NucsegError: .*tiff-rowsperstrip-float\.tif: corrupt TIFF: RowsPerStrip is 5\.6/);
  });
  it('tiff-huge-tile: a 935-byte TIFF claiming 268435456 x 16 tiles is refused at once (took 13 GB and 40 s)', async () => {
    const { readImage } = await import('../../lib/image/read.js');
    await expect(readImage(join(REPO, 'test', 'fuzz', 'crashes', 'tiff-huge-tile.tif'))).rejects.toThrow(/tiff-huge-tile\.tif: corrupt TIFF: a 268435456x16 tile cannot come from \d+ bytes/);
  });
  it('merge-offset-overflow: a tile position near 2^63 is refused, not written out of bounds', () => {
    expect(run('merge-offset-overflow')).toMatch(/rejected: NucsegError tile 1025x1 at .* does not fit in the 4x4 canvas/);
  });
  it('remove-area-cast: Infinity and 1e30 as area limits mean "every object"', () => {
    const out = run('remove-area-cast');
    for (const m of out.matchAll(/labels left (\S+) \(expected (\S+)\)/g)) expect(m[1]).toBe(m[2]);
    expect([...out.matchAll(/labels left/g)]).toHaveLength(6);
  });
  it('empty-image-huge-side: a 0 x 2^53 image is refused at once, no 2^53-row loop', () => {
    const out = run('empty-image-huge-side');
    expect(out).toMatch(/normalizedDistance: rejected: NucsegError: labels: invalid size 0x9007199254740991/);
    expect(out).toMatch(/mergeTileInstances: rejected: NucsegError: canvas: invalid size/);
  });
  it('augment-gaussian-sigma: the config is refused by validateConfig, no segfault in the kernel', () => {
    expect(run('augment-gaussian-sigma')).toMatch(/gaussianSigma must lie in \[0, 20\]/);
  });
  it('augment-clahe-nan: NaN pixels reach CLAHE as 0, no out-of-bounds histogram write', () => {
    expect(run('augment-clahe-nan')).toMatch(/augmentRois returned; image\[0\] = [0-9.]+/);
  });
  it('augment-saturation-cast and augment-int-range-cast: out-of-range settings are refused', () => {
    expect(() => validateConfig({ ...structuredClone(DEFAULT_CONFIG), saturation: [-1e300, 0] })).toThrow(/saturation must lie in \[50, 100\]/);
    expect(() => validateConfig({ ...structuredClone(DEFAULT_CONFIG), claheTiles: [1, 1e300] })).toThrow(/claheTiles must lie in \[1, 64\]/);
    expect(() => validateConfig({ ...structuredClone(DEFAULT_CONFIG), claheTiles: [1.5, 4] })).toThrow(/whole numbers/);
  });
});
