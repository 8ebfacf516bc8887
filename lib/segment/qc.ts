// Per-field quality measures, taken while a field is segmented (the image is in memory then)
// and written to summary.csv; `nucseg report` compares them across the plate (report-qc.ts).
import type { ImageData, LabelImage } from '../image/types.js';
import { resize } from '../kernels/resize.js';
import type { NucleusRow } from './measurements.js';
import { renderOverlay } from './outputs.js';
import { isTypedArray } from '../util/typed.js';

/** What summary.csv records of one field for quality control. */
export interface FieldQc {
  /** Median nucleus area (px) and median of the nuclei's mean intensities (raw units); 0 without nuclei. */
  medianArea: number;
  medianIntensity: number;
  /** Share of the field's pixels inside a nucleus. */
  foreground: number;
  /** Sharpness: variance of the 3×3 Laplacian over the variance of the image (both on the raw intensities, so independent of gain and offset). Blur lowers it. */
  focus: number;
  /** Share of pixels at the camera's ceiling: the field's maximum when that is 2^k − 1 (k = 8, 10, 12, 14, 16); 0 for float images or a lower maximum. */
  saturated: number;
  /** Deep models: share of the nuclei's area in nuclei the model was unsure of (FPN2-WS: peak predicted distance below halfway between the seed threshold and 1); null for the classic model. */
  lowConfidence: number | null;
}

/**
 * The quality measures of one segmented field (see FieldQc).
 *
 * @example
 * ```ts
 * import { fieldQc, measureNuclei, readImage, segment } from 'nucseg';
 * const raw = await readImage('examples/fields/images/dsb-3ebd2ab3.tif');
 * const r = await segment(raw, { model: 'classic' });
 * const qc = fieldQc(raw, r.labels, measureNuclei(r.labels, raw), r.lowConfidence);
 * console.log(qc.focus, qc.saturated); // sharpness, share of saturated pixels
 * ```
 */
export function fieldQc(raw: ImageData, labels: LabelImage, rows: readonly NucleusRow[], lowConfidence: number | null = null): FieldQc {
  const area = rows.reduce((a, r) => a + r.area, 0);
  return {
    medianArea: median(rows.map((r) => r.area)),
    medianIntensity: median(rows.map((r) => r.mean_intensity)),
    foreground: labels.width * labels.height ? area / (labels.width * labels.height) : 0,
    focus: laplacianFocus(raw),
    saturated: saturatedFraction(raw),
    lowConfidence,
  };
}

/** Median of a list (mean of the middle two for an even length); 0 when empty. */
export function median(v: readonly number[]): number {
  if (!v.length) return 0;
  const s = [...v].sort((a, b) => a - b), m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Variance of the 4-neighbour Laplacian (interior pixels) over the variance of the image;
 * 0 for a flat image. A Gaussian blur of σ = 4 px lowers it about a hundredfold.
 *
 * @example
 * ```ts
 * import { laplacianFocus } from 'nucseg';
 * laplacianFocus({ data: new Uint8Array([0, 9, 0, 9, 0, 9, 0, 9, 0]), width: 3, height: 3 }); // high: a checkerboard
 * ```
 */
export function laplacianFocus(im: ImageData): number {
  const { width: w, height: h } = im;
  const d = im.data as ArrayLike<number>;
  if (w < 3 || h < 3) return 0;
  let s = 0, s2 = 0, l = 0, l2 = 0;
  for (let i = 0; i < w * h; i++) {
    s += d[i];
    s2 += d[i] * d[i];
  }
  for (let y = 1; y < h - 1; y++)
    for (let x = 1, i = y * w + 1; x < w - 1; x++, i++) {
      const v = d[i - 1] + d[i + 1] + d[i - w] + d[i + w] - 4 * d[i];
      l += v;
      l2 += v * v;
    }
  const n = w * h, m = (w - 2) * (h - 2);
  const varI = s2 / n - (s / n) ** 2, varL = l2 / m - (l / m) ** 2;
  return varI > 0 ? varL / varI : 0;
}

/** Share of pixels at the field's maximum when that maximum is a camera ceiling 2^k − 1 (k = 8, 10, 12, 14, 16). */
export function saturatedFraction(im: ImageData): number {
  if (isTypedArray(im.data, Float32Array) || isTypedArray(im.data, Float64Array)) return 0;
  const d = im.data as ArrayLike<number>;
  let max = 0, at = 0;
  for (let i = 0; i < d.length; i++) {
    if (d[i] > max) {
      max = d[i];
      at = 0;
    }
    if (d[i] === max) at++;
  }
  return [255, 1023, 4095, 16383, 65535].includes(max) ? at / d.length : 0;
}

/**
 * A thumbnail of a field: the normalized image and the nucleus outlines, shrunk so the
 * longer side is at most `side` px (area-averaged image, nearest-neighbour labels), as PNG.
 *
 * @example
 * ```ts
 * import { normalizeImage, readImage, readLabels, renderThumbnail } from 'nucseg';
 * const png = renderThumbnail(normalizeImage(await readImage('examples/fields/images/dsb-3ebd2ab3.tif')), await readLabels('examples/fields/labels/dsb-3ebd2ab3.tif'), 160);
 * ```
 */
export function renderThumbnail(normalized: ImageData<Float32Array>, labels: LabelImage, side = 192): Buffer {
  const f = Math.min(1, side / Math.max(labels.width, labels.height));
  if (f === 1) return renderOverlay(normalized, labels);
  const w = Math.max(1, Math.round(labels.width * f)), h = Math.max(1, Math.round(labels.height * f));
  return renderOverlay(resize(normalized, w, h, { interpolation: 'area' }), resize(labels, w, h, { interpolation: 'nearest' }));
}
