// Runs once before the test files: makes the shared deterministic benchmark inputs
// (../shared/bench/make_inputs.py) and the SciPy/scikit-image reference arrays the kernel
// tests compare with, if they are not there yet (about a minute on a fresh clone).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, SHARED } from './helpers/data.js';
import { PYTHON } from './helpers/tools.js';

export default function setup(): void {
  const inputs = process.env.NUCSEG_BENCH_INPUTS ?? join(REPO, 'bench-inputs');
  if (!existsSync(join(inputs, 'inputs.json'))) {
    execFileSync(PYTHON, [join(SHARED, 'bench', 'make_inputs.py'), '--out', inputs], { stdio: 'inherit' });
  }
  const ref = join(inputs, 'ref');
  const need = ['real2048', 'synth2048'].flatMap((s) => [`edt_${s}`, `norm_edt_${s}`, `border_blur_${s}`, `watershed_gray8_skimage_${s}`, `watershed_normedt_masked_skimage_${s}`]);
  const have = existsSync(ref) ? new Set(readdirSync(ref)) : new Set<string>();
  if (need.some((n) => !have.has(`${n}.npy`))) {
    execFileSync(PYTHON, [join(REPO, 'test', 'helpers', 'make_refs.py'), inputs], { stdio: 'inherit' });
  }
}
