// Augmentation: per-ROI cost of the native pipeline next to an OpenCV-Python equivalent of
// the same ops (same run), and wall time of `nucseg augment` for 35,000 ROIs from the DSB set
// (3,500 with --quick, extrapolated).
import { execFileSync, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { kernels as K, loadConfig, loadSources } from '../../../dist/lib/index.js';
import { PYTHON } from '../harness.mjs';

export const ops = [];

export async function run({ shared, repo, quick }) {
  const rows = [];
  const dsb = join(shared, 'data', 'dsb2018-fluo', 'train');
  const cfg = await loadConfig();
  const { sources } = await loadSources([{ name: 'dsb', dir: dsb }], cfg.scales, 0.2, 0);
  const n = 256;
  const set = new Uint8Array(n), split = new Uint8Array(n);
  const per = (threads) => {
    K.augmentRois(sources, set.subarray(0, 16), split.subarray(0, 16), cfg, 1, 0, { threads });
    const t = performance.now();
    K.augmentRois(sources, set, split, cfg, 1, 0, { threads });
    return (performance.now() - t) / n;
  };
  const one = per(1), all = per(0);
  const cv = Number(execFileSync(PYTHON, [join(repo, 'test', 'bench', 'opencv_augment.py'), dsb, quick ? '100' : '300'], { encoding: 'utf8' }).trim());
  rows.push({ kernel: 'augment one 256² ROI (geometry, targets, intensity ops)', input: 'dsb2018-fluo', ours1: one, oursN: all, peer: { peer: 'OpenCV-Python, same ops', threads: 1, median_ms: cv }, goal: '>= 3x faster than OpenCV-Python', pass: cv >= 3 * one });

  const total = quick ? 3500 : 35000;
  const out = join(repo, 'bench-out', 'augment-bench.h5');
  rmSync(out, { force: true });
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(repo, 'bin', 'nucseg.js'), 'augment', '--set', `dsb=${dsb}`, '--rois', String(total), '--out', out, '--quiet'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`augment failed: ${r.stderr}`);
  const s = (performance.now() - t0) / 1000;
  const est = (s * 35000) / total;
  console.log(`nucseg augment: ${total} ROIs in ${s.toFixed(1)} s${quick ? ` (35,000 extrapolated: ${est.toFixed(0)} s)` : ''}`);
  rows.push({ kernel: `nucseg augment ${total} ROIs, full preset, wall (s x 1000)`, input: 'dsb2018-fluo', ours1: s * 1000, oursN: s * 1000, goal: '35,000 ROIs <= 120 s', pass: est <= 120 });
  rmSync(out, { force: true });
  return rows;
}
