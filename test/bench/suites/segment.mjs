// End-to-end segmentation: one 2048² 16-bit field (read -> labels -> CSV) next to the same
// pipeline in scikit-image, and a folder of 100 fields with --jobs 1 and 2 (images/s).
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { processImage } from '../../../dist/lib/index.js';
import { PYTHON } from '../harness.mjs';

export const ops = [];

export async function run({ inputs, shared, repo, quick }) {
  const rows = [];
  const field = join(inputs, 'synth2048_gray16.tif');
  const out = join(repo, 'bench-out', 'segment-e2e');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const job = { file: field, name: 'field' };
  const opts = { csv: true };
  const timeAsync = async (fn, runs = 5) => {
    await fn();
    const t = [];
    for (let i = 0; i < runs; i++) {
      const a = performance.now();
      await fn();
      t.push(performance.now() - a);
    }
    t.sort((x, y) => x - y);
    return t[t.length >> 1];
  };
  const t1 = await timeAsync(() => processImage(job, out, opts, 1));
  const tN = await timeAsync(() => processImage(job, out, opts, 0));
  const r = await processImage(job, out, opts, 0);
  const sk = execFileSync(PYTHON, [join(repo, 'test', 'bench', 'skimage_classic.py'), field, quick ? '1' : '3'], { encoding: 'utf8' }).trim().split(' ');
  const skMs = Number(sk[0]) * 1000;
  rows.push({
    kernel: `segment classic end-to-end (read, labels, CSV; ${r.count} nuclei vs skimage ${sk[1]})`,
    input: 'synth2048_gray16.tif',
    ours1: t1,
    oursN: tN,
    peer: { peer: 'scikit-image + SciPy pipeline (same steps)', threads: 1, median_ms: skMs },
    goal: '>= 5x faster than scikit-image',
    pass: skMs >= 5 * t1,
  });

  // a folder of 100 fields (BBBC039 696x520, copied) through the CLI
  const plate = join(repo, 'bench-out', 'plate100');
  if (!existsSync(plate) || readdirSync(plate).length < 100) {
    mkdirSync(plate, { recursive: true });
    const src = join(shared, 'data', 'bbbc039-small', 'images');
    const files = readdirSync(src).sort();
    for (let i = 0; i < 100; i++) copyFileSync(join(src, files[i % files.length]), join(plate, `P1_${String.fromCharCode(65 + Math.floor(i / 24))}${String((i % 24) + 1).padStart(2, '0')}_s1_w1.tif`));
  }
  const ips = {};
  for (const jobs of [1, 2]) {
    const o = join(repo, 'bench-out', `plate100-out-j${jobs}`);
    rmSync(o, { recursive: true, force: true });
    const a = performance.now();
    const res = spawnSync(process.execPath, [join(repo, 'bin', 'nucseg.js'), 'segment', plate, '--out', o, '--jobs', String(jobs), '--quiet']);
    if (res.status !== 0) throw new Error(`segment failed: ${res.stderr}`);
    ips[jobs] = 100 / ((performance.now() - a) / 1000);
  }
  console.log(`folder of 100 BBBC039 fields (696x520): ${ips[1].toFixed(1)} images/s with --jobs 1, ${ips[2].toFixed(1)} images/s with --jobs 2`);
  rows.push({ kernel: `segment CLI, 100 fields: ${ips[1].toFixed(1)} img/s (--jobs 1), ${ips[2].toFixed(1)} img/s (--jobs 2)`, input: 'bbbc039 x100', ours1: 100000 / ips[1], oursN: 100000 / ips[2] });
  return rows;
}
