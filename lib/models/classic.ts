import type { ImageData, LabelImage } from '../image/types.js';
import { connectedComponents, fillHoles, relabelSequential, removeLargeObjects, removeSmallObjects } from '../kernels/components.js';
import { distanceTransform } from '../kernels/distance.js';
import { gaussianBlur, otsuThreshold } from '../kernels/filters.js';
import { maxFilter } from '../kernels/measure.js';
import { watershed } from '../kernels/watershed.js';
import { NucsegError } from '../util/errors.js';
import { timed } from '../util/profile.js';
import type { SegmentCallOptions, SegmentationModel } from './model.js';

/** Parameters of the classical pipeline. Sizes are in pixels. */
export interface ClassicOptions {
  /** Expected nucleus diameter (default 24). Sets the defaults below. */
  diameter?: number;
  /** Gaussian σ before thresholding (default max(1, diameter / 12)). */
  smoothing?: number;
  /** Foreground threshold on the normalized 0..1 image (default: Otsu). */
  threshold?: number;
  /**
   * Minimum difference between mean foreground and mean background (normalized units) for
   * the field to count as having nuclei at all (default 0.15): an empty field gives none.
   */
  minContrast?: number;
  /** Seeds: local maxima of the distance map within this radius (default diameter / 4). */
  seedRadius?: number;
  /** Seeds must lie at least this deep inside the foreground (default diameter / 8). */
  minSeedDepth?: number;
  /** Area limits (defaults: π(diameter/6)² and π(1.5·diameter)²). */
  minArea?: number;
  maxArea?: number;
}

/** The classic options with every default filled in from the diameter, checked. */
function classicParameters(o: ClassicOptions) {
  const d = o.diameter ?? 24;
  if (!(d >= 2 && d <= 1000)) throw new NucsegError(`diameter must be in [2, 1000] px, not ${d}`);
  const r = {
    diameter: d,
    smoothing: o.smoothing ?? Math.max(1, d / 12),
    threshold: o.threshold,
    minContrast: o.minContrast ?? 0.15,
    seedRadius: o.seedRadius ?? Math.max(1, Math.round(d / 4)),
    minSeedDepth: o.minSeedDepth ?? d / 8,
    minArea: o.minArea ?? Math.round(Math.PI * (d / 6) ** 2),
    maxArea: o.maxArea ?? Math.round(Math.PI * (1.5 * d) ** 2),
  };
  if (r.threshold !== undefined && !(r.threshold >= 0 && r.threshold <= 1)) throw new NucsegError(`threshold must be in [0, 1] (normalized intensity), not ${r.threshold}`);
  return r;
}

/**
 * The foreground of a normalized image as blobs: Gaussian smoothing, a threshold (Otsu unless
 * given), 8-connected blobs with their holes filled. Null when the image has no contrast
 * (foreground and background means differ by less than `minContrast`, or either is empty).
 * Shared by the classic model and the automatic diameter (lib/segment/diameter.ts).
 */
export function foregroundBlobs(image: ImageData<Float32Array>, o: { sigma: number; threshold?: number; minContrast: number; threads?: number }): { smooth: Float32Array; threshold: number; labels: LabelImage; count: number } | null {
  const threads = o.threads ?? 0;
  const { width, height } = image;
  const n = width * height;
  if (n === 0) return null;
  const smooth = gaussianBlur(image, o.sigma, { threads });
  const t = o.threshold ?? otsuThreshold(smooth);
  const mask = new Uint8Array(n);
  let sf = 0, nf = 0, sb = 0;
  const s = smooth.data;
  for (let i = 0; i < n; i++) {
    if (s[i] > t) {
      mask[i] = 1;
      sf += s[i];
      nf++;
    } else sb += s[i];
  }
  if (nf === 0 || nf === n || sf / nf - sb / (n - nf) < o.minContrast) return null;
  const blobs = connectedComponents({ data: mask, width, height }, { connectivity: 8, threads });
  return { smooth: s, threshold: t, labels: fillHoles(blobs.labels, { threads }), count: blobs.count };
}

/**
 * The classical nucleus pipeline (how the seed paper made preliminary labels, and the
 * no-weights fallback): Gaussian smoothing, Otsu (or fixed) threshold, hole filling,
 * distance-transform peaks as seeds, seeded watershed on the inverted distance restricted
 * to the foreground, area filters. Input: normalized float32 0..1. Output: uint32 labels
 * 1..N in raster order of each nucleus' first seed.
 *
 * @example
 * ```ts
 * import { normalizeImage, readImage, segmentClassic } from 'nucseg';
 * const labels = segmentClassic(normalizeImage(await readImage('examples/fields/images/dsb-3ebd2ab3.tif')), { diameter: 20 }); // Uint32Array labels 1..N
 * ```
 */
export function segmentClassic(image: ImageData<Float32Array>, options: ClassicOptions = {}, threads = 0): LabelImage {
  const o = classicParameters(options);
  const { width, height } = image;
  const n = width * height;
  const empty = (): LabelImage => ({ data: new Uint32Array(n), width, height });
  const blobs = foregroundBlobs(image, { sigma: o.smoothing, threshold: o.threshold, minContrast: o.minContrast, threads });
  if (!blobs) return empty();
  const filled = blobs.labels;
  const fg = new Uint8Array(n);
  for (let i = 0; i < n; i++) fg[i] = filled.data[i] ? 1 : 0;
  const fgImage = { data: fg, width, height };

  // seeds: local maxima of the (lightly smoothed) distance map
  const dist = gaussianBlur(distanceTransform(fgImage, { threads }), 1, { threads });
  const peaks = maxFilter(dist, o.seedRadius, { threads });
  const seed = new Uint8Array(n);
  const dd = dist.data, pk = peaks.data;
  for (let i = 0; i < n; i++) seed[i] = fg[i] && dd[i] >= pk[i] && dd[i] >= o.minSeedDepth ? 1 : 0;
  const markers = connectedComponents({ data: seed, width, height }, { connectivity: 8, threads });
  if (markers.count === 0) return empty();

  // Elevation = inverted distance, quantized to 16 bits (steps of at most 1/1000 px), which
  // lets the watershed use its O(1) level queue. The quantization is anchored on the
  // options (the deepest a nucleus of at most maxArea can be), not on this image's deepest
  // pixel: a tile and the whole field then quantize every distance alike, and ties on the
  // line between touching nuclei break the same way (test/segment/classic.test.ts).
  const cap = Math.max(65.535, 1.5 * o.diameter);
  const scale = 65535 / cap;
  const elevation = new Uint16Array(n);
  for (let i = 0; i < n; i++) elevation[i] = Math.round(Math.max(0, cap - dd[i]) * scale);
  let labels: LabelImage = watershed({ data: elevation, width, height }, markers.labels, { mask: fgImage, connectivity: 8 });
  labels = removeSmallObjects(labels, o.minArea, { threads });
  labels = removeLargeObjects(labels, o.maxArea, { threads });
  return relabelSequential(labels, { threads }).labels;
}

/**
 * The classical pipeline as a SegmentationModel (whole images; no tiles needed). Its
 * diameter-derived sizes follow each field's diameter (automatic or given) unless
 * `options.diameter` fixes them; 24 px when neither is known.
 *
 * @example
 * ```ts
 * import { ClassicModel, readImage, segment } from 'nucseg';
 * const model = new ClassicModel({ minContrast: 0.1 }); // sizes follow each field's diameter
 * const r = await segment(await readImage('examples/fields/images/dsb-3ebd2ab3.tif'), { model });
 * ```
 */
export class ClassicModel implements SegmentationModel {
  readonly name = 'classic';
  private readonly options: ClassicOptions;

  constructor(options: ClassicOptions = {}) {
    classicParameters(options); // validates
    this.options = { ...options };
  }

  settings(): Record<string, unknown> {
    return { ...this.options };
  }

  scaleFor(): number {
    return 1;
  }

  segment(image: ImageData<Float32Array>, { threads, diameter, profile }: SegmentCallOptions): LabelImage {
    const d = this.options.diameter ?? (diameter != null ? Math.min(1000, Math.max(2, diameter)) : undefined);
    const run = () => segmentClassic(image, classicParameters({ ...this.options, diameter: d }), threads);
    return timed(profile, 'instances', run);
  }
}
