// Reproducer (native target fuzz_augment, finding "augment-clahe-nan"): a NaN pixel in a
// training image reaches native/src/augment.cpp clahe(), where
// `hist[std::min(bins - 1, static_cast<int>(img[i] * bins))]` converts NaN to int (UB;
// INT_MIN on x86) and writes hist[INT_MIN], far outside the histogram. The std::clamp to
// [0, 1] before clahe() keeps NaN. The path nucseg augment takes: a float TIFF with a NaN
// pixel -> normalizeImage (lib/segment/normalize.ts keeps NaN) -> augmentRois with CLAHE.
// Run: node test/fuzz/crashes/augment-clahe-nan.mjs   (after npx tsc -p tsconfig.json)
import { normalizeImage } from '../../../dist/lib/segment/normalize.js';
import { augmentRois } from '../../../dist/lib/kernels/augment.js';
import { DEFAULT_CONFIG } from '../../../dist/lib/augment/config.js';

const W = 64, H = 64;
const raw = new Float32Array(W * H).map((_, i) => (i % 97) / 97);
for (let i = 0; i < W * H; i += 50) raw[i] = Number.NaN; // 2 % of the pixels (e.g. masked or saturated pixels of a float TIFF)
const norm = normalizeImage({ data: raw, width: W, height: H });
console.log('normalized pixel 0:', norm.data[0]);
const labels = { data: new Uint32Array(W * H).fill(1), width: W, height: H };
const cfg = { ...DEFAULT_CONFIG, roi: 32, pContrast: 1, pBlur: 0, pNoise: 0, wClahe: 1, wGamma: 0, wSaturation: 0, wMultiply: 0 };
try {
  const r = augmentRois([{ image: norm, labels, set: 0, split: 0, zoom: 1 }], new Uint8Array(8), new Uint8Array(8), cfg, 1, 0, { threads: 1 });
  console.log('augmentRois returned; image[0] =', r.image[0]);
} catch (e) {
  console.log('rejected:', e.constructor.name, e.message);
}
