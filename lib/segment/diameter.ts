import type { ImageData } from '../image/types.js';
import { distanceTransform } from '../kernels/distance.js';
import { foregroundBlobs } from '../models/classic.js';
import { preprocessing } from '../util/definitions.js';

/**
 * The median nucleus diameter (px) of a normalized field (float32 0..1), or null when the
 * field shows no nuclei: Gaussian smoothing, Otsu foreground (none if foreground and
 * background differ by less than `min_contrast`), holes filled, per 8-connected blob of at
 * least `min_blob_area` px that stands out (mean above the background at least
 * `min_blob_contrast` times the threshold's: noise that just crosses the threshold does
 * not) twice its largest distance to the background (touching nuclei
 * in a clump still give about one nucleus' width), the median over blobs times a
 * calibration fitted on the DSB training fields against their ground truth's median
 * equivalent diameter. Parameters: models-onnx/preprocessing.json (also used by training).
 */
export function estimateDiameter(image: ImageData<Float32Array>, opts: { threads?: number } = {}): number | null {
  const p = preprocessing().diameter;
  const threads = opts.threads ?? 0;
  const { width, height } = image;
  const n = width * height;
  const fg = foregroundBlobs(image, { sigma: p.smoothing_sigma, minContrast: p.min_contrast, threads });
  if (!fg) return null;
  const { smooth: s, threshold: t, count } = fg;
  const L = fg.labels.data;
  const mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) mask[i] = L[i] ? 1 : 0;
  const dist = distanceTransform({ data: mask, width, height }, { threads }).data;
  const area = new Uint32Array(count + 1), deepest = new Float32Array(count + 1), sum = new Float64Array(count + 1);
  let bgSum = 0;
  for (let i = 0; i < n; i++) {
    const l = L[i];
    if (!l) {
      bgSum += s[i];
      continue;
    }
    area[l]++;
    sum[l] += s[i];
    if (dist[i] > deepest[l]) deepest[l] = dist[i];
  }
  let nb = 0;
  for (let l = 1; l <= count; l++) nb += area[l];
  const bg = nb < n ? bgSum / (n - nb) : 0;
  const big: number[] = [], standing: number[] = [];
  for (let l = 1; l <= count; l++) {
    if (area[l] < p.min_blob_area) continue;
    big.push(2 * deepest[l]);
    if (sum[l] / area[l] - bg >= p.min_blob_contrast * (t - bg)) standing.push(2 * deepest[l]);
  }
  const d = standing.length ? standing : big;
  if (!d.length) return null;
  d.sort((a, b) => a - b);
  const m = d.length % 2 ? d[(d.length - 1) / 2] : (d[d.length / 2 - 1] + d[d.length / 2]) / 2;
  return Math.min(p.max, Math.max(p.min, p.calibration * m));
}
