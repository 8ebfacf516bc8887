import type { ImageData } from '../image/types.js';
import { preprocessing } from '../util/definitions.js';
import { NucsegError } from '../util/errors.js';
import { isTypedArray } from '../util/typed.js';

export type NormalizeMode = 'percentile' | 'minmax' | 'none';

export interface NormalizeOptions {
  /** Default 'percentile'. */
  mode?: NormalizeMode;
  /** Percentiles for 'percentile' (default 1 and 99.8). */
  low?: number;
  high?: number;
  /** Explicit input range [lo, hi] mapped to [0, 1] (overrides mode). */
  range?: [number, number];
  /**
   * Minimum stretch, in units of the background noise σ (robust: median − 15.87th
   * percentile): the high end is raised to at least lo + minRangeSigma·σ. Keeps a field
   * with no nuclei from being stretched until its noise looks like nuclei. Default 12.
   */
  minRangeSigma?: number;
}

export interface Normalized extends ImageData<Float32Array> {
  /** The input values mapped to 0 and 1. */
  lo: number;
  hi: number;
}

/**
 * Percentiles (0..100) of an image's pixels: exact via a histogram for 8/16-bit, sorted sample otherwise.
 *
 * @example
 * ```ts
 * import { percentiles, readImage } from 'nucseg';
 * const [p1, median, p99] = percentiles(await readImage('examples/fields/images/dsb-3ebd2ab3.tif'), [1, 50, 99]);
 * ```
 */
export function percentiles(image: ImageData, ps: number[]): number[] {
  const d = image.data;
  const n = d.length;
  if (n === 0) throw new NucsegError('cannot normalize an empty image');
  if (isTypedArray(d, Uint8Array) || isTypedArray(d, Uint16Array)) {
    const hist = new Float64Array(isTypedArray(d, Uint8Array) ? 256 : 65536);
    for (let i = 0; i < n; i++) hist[d[i]]++;
    return ps.map((p) => {
      // linear interpolation between order statistics, as numpy.percentile does
      const rank = (p / 100) * (n - 1);
      const lo = Math.floor(rank), frac = rank - lo;
      const at = (k: number) => {
        let c = 0;
        for (let v = 0; v < hist.length; v++) {
          c += hist[v];
          if (c > k) return v;
        }
        return hist.length - 1;
      };
      const a = at(lo);
      return frac > 0 ? a + frac * (at(lo + 1) - a) : a;
    });
  }
  const step = Math.max(1, Math.floor(n / 1_000_000));
  const sample = new Float64Array(Math.ceil(n / step));
  for (let i = 0, j = 0; i < n; i += step, j++) sample[j] = d[i];
  sample.sort();
  return ps.map((p) => {
    const rank = (p / 100) * (sample.length - 1);
    const lo = Math.floor(rank), frac = rank - lo;
    return sample[lo] + (frac > 0 ? frac * (sample[Math.min(lo + 1, sample.length - 1)] - sample[lo]) : 0);
  });
}

/**
 * The input range normalizeImage maps to [0, 1], or null for mode 'none'. Exported so a
 * tiled pipeline computes it once for the whole field and every tile agrees.
 *
 * @example
 * ```ts
 * import { cropTile, normalizationRange, normalizeImage, readImage, tileGrid } from 'nucseg';
 * const field = await readImage('examples/fields/images/dsb-3ebd2ab3.tif');
 * const { lo, hi } = normalizationRange(field)!; // for the whole field (null only for mode 'none')
 * const tile = tileGrid(field.width, field.height, 128, 32)[0];
 * const part = normalizeImage(cropTile(field, tile), { range: [lo, hi] }); // every tile maps alike
 * ```
 */
export function normalizationRange(image: ImageData, opts: NormalizeOptions = {}): { lo: number; hi: number } | null {
  const mode = opts.mode ?? 'percentile';
  const d = image.data;
  let lo: number, hi: number;
  if (opts.range) {
    [lo, hi] = opts.range;
    if (!(hi > lo)) throw new NucsegError(`normalization range [${lo}, ${hi}] is empty`);
  } else if (mode === 'none') {
    return null;
  } else if (mode === 'minmax') {
    lo = Infinity;
    hi = -Infinity;
    for (let i = 0; i < d.length; i++) {
      if (d[i] < lo) lo = d[i];
      if (d[i] > hi) hi = d[i];
    }
  } else if (mode === 'percentile') {
    const defs = preprocessing().normalization; // shared with training (models-onnx/preprocessing.json)
    const pl = opts.low ?? defs.low_percentile, ph = opts.high ?? defs.high_percentile;
    if (!(pl >= 0 && ph <= 100 && pl < ph)) throw new NucsegError(`percentiles must satisfy 0 <= low < high <= 100, not ${pl}, ${ph}`);
    const [a, b, p16, p50] = percentiles(image, [pl, ph, 15.87, 50]);
    lo = a;
    hi = b;
    const floor = (opts.minRangeSigma ?? defs.min_range_sigma) * Math.max(p50 - p16, 0);
    if (hi - lo < floor) hi = lo + floor;
  } else {
    throw new NucsegError(`unknown normalization '${mode}' (use percentile, minmax or none)`);
  }
  if (!(hi > lo)) hi = lo + 1; // constant image: everything maps to 0
  return { lo, hi };
}

/**
 * Float images must hold numbers: NaN or infinite pixels are a clear error (for segment() with
 * every model, and for augment's training fields) rather than maps or histograms of NaN.
 */
export function assertFinite(image: ImageData): void {
  const d = image.data;
  if (!(isTypedArray(d, Float32Array) || isTypedArray(d, Float64Array))) return;
  let bad = 0;
  for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i])) bad++;
  if (bad) throw new NucsegError(`image has ${bad === d.length ? 'only' : bad} NaN or infinite pixel${bad === 1 ? '' : 's'}${bad === d.length ? '' : ` (of ${d.length})`}: replace them (e.g. with the background level) before segmenting or training`);
}

/**
 * Maps intensities to float32 0..1 (clipped). 'percentile' (default) uses the 1st and
 * 99.8th percentiles, with the range floored at 12 σ of the background noise so an empty
 * field stays dark; 'minmax' uses the image's extremes; 'none' only converts to float.
 *
 * @example
 * ```ts
 * import { normalizeImage, readImage } from 'nucseg';
 * const field = await readImage('examples/fields/images/dsb-3ebd2ab3.tif');
 * const n = normalizeImage(field); // float32 in [0, 1]; n.lo and n.hi: the input values mapped to 0 and 1
 * const m = normalizeImage(field, { mode: 'minmax' });
 * ```
 */
export function normalizeImage(image: ImageData, opts: NormalizeOptions = {}): Normalized {
  const d = image.data;
  const range = normalizationRange(image, opts);
  if (!range) return { data: Float32Array.from(d as ArrayLike<number>), width: image.width, height: image.height, lo: 0, hi: 1 };
  const { lo, hi } = range;
  const out = new Float32Array(d.length);
  const scale = 1 / (hi - lo);
  for (let i = 0; i < d.length; i++) {
    const v = (d[i] - lo) * scale;
    out[i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
  return { data: out, width: image.width, height: image.height, lo, hi };
}
