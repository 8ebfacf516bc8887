// Reproducer (Jazzer.js target augment-config; native target fuzz_augment, finding
// "augment-gaussian-sigma"): an augment config with a huge gaussianSigma passes validateConfig
// (lib/augment/config.ts) and reaches native/src/augment.cpp augment_rois -> gaussian_blur ->
// native/src/filters.cpp gaussian_kernel(), where `static_cast<int>(truncate * sigma + 0.5)`
// overflows (UB; INT_MIN on x86) and the kernel vector / tap loop go wild: the process dies
// (SIGSEGV) instead of a NucsegError. `nucseg augment --config` with this file does the same.
// Run: node test/fuzz/crashes/augment-gaussian-sigma.mjs   (after npx tsc -p tsconfig.json)
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../../dist/lib/augment/config.js';
import { augmentRois } from '../../../dist/lib/kernels/augment.js';

const cfg = await loadConfig({ file: fileURLToPath(new URL('./augment-gaussian-sigma.yaml', import.meta.url)) });
console.log('validateConfig accepted gaussianSigma', cfg.gaussianSigma);
const W = 32, H = 32;
const image = { data: new Float32Array(W * H).fill(0.5), width: W, height: H };
const labels = { data: new Uint32Array(W * H).fill(1), width: W, height: H };
try {
  augmentRois([{ image, labels, set: 0, split: 0, zoom: 1 }], new Uint8Array([0]), new Uint8Array([0]), cfg, 1, 0, { threads: 1 });
  console.log('augmentRois returned');
} catch (e) {
  console.log('rejected:', e.constructor.name, e.message);
}
