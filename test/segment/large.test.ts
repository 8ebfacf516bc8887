import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/data.js';
import { python, tempDir } from '../helpers/tools.js';

const INPUTS = process.env.NUCSEG_BENCH_INPUTS ?? join(REPO, 'bench-inputs');

describe('plate-scale fields', () => {
  it('a 20,000 x 20,000 16-bit field segments in tiles with peak memory under 4 GB', () => {
    const dir = tempDir('nucseg-big-');
    const big = join(dir, 'big_A01_s1.tif');
    // the real 2048² DSB mosaic, as 16-bit, tiled 10 x 10 and cropped to 20,000²
    python(
      `import sys,numpy as np,tifffile
a=np.load(sys.argv[1]).astype(np.uint16)*257
tifffile.imwrite(sys.argv[2], np.tile(a,(10,10))[:20000,:20000], compression='zlib', tile=(512,512))`,
      [join(INPUTS, 'real2048_gray8.npy'), big],
    );
    const out = join(dir, 'out');
    const script = `
      import { segmentFiles, writeRunSummary } from ${JSON.stringify(join(REPO, 'dist', 'lib', 'index.js'))};
      const rs = [];
      for await (const r of segmentFiles(process.argv[1], { out: process.argv[2], model: 'classic', csv: true })) rs.push(r);
      console.log(JSON.stringify({ r: rs[0], maxRssKb: process.resourceUsage().maxRSS }));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, big, out], { encoding: 'utf8', maxBuffer: 1 << 24 });
    rmSync(big);
    expect(r.stderr).toBe('');
    const { r: res, maxRssKb } = JSON.parse(r.stdout.trim().split('\n').pop()!);
    console.log(`20000² field: ${res.count} nuclei in ${res.seconds.toFixed(1)} s, peak RSS ${(maxRssKb / 1024 / 1024).toFixed(2)} GB`);
    expect(res.status).toBe('done');
    // 100 copies of the mosaic's ~2,300 nuclei, minus those cut at tile seams of the copy
    expect(res.count).toBeGreaterThan(150_000);
    expect(maxRssKb / 1024 / 1024).toBeLessThan(4);
    const head = readFileSync(join(out, 'big_A01_s1.csv'), 'utf8').slice(0, 200);
    expect(head).toMatch(/^image,plate,well/);
  }, 600_000);
});
