import type { ImageData, LabelImage } from '../image/types.js';
import { addon } from './addon.js';
import { asMask, checkLabelImage, checkOut, checkSigma, deviceCode, threadsOf, type KernelDevice, type KernelOptions } from './check.js';

/** Options of the FPN2-WS target kernels. */
export interface TargetOptions extends KernelOptions {
  /** Write the target here (Float32Array, the labels' size; returned) instead of a new array:
   * for callers making targets for many ROIs or fields of one size, it saves faulting in and
   * zeroing a new output on every call (2048², 1 thread: ~5-7 ms per call, about as long as
   * the kernel itself). Every pixel is written. Must not share memory with the labels. */
  out?: ImageData<Float32Array> | null;
}

/**
 * Exact Euclidean distance (float32, in pixels) of every foreground pixel of `mask` to the
 * nearest background pixel; 0 on background. Outside the image is not background (SciPy's
 * and OpenCV's convention); a mask with no background pixel gives Infinity everywhere.
 *
 * @example
 * ```ts
 * import { kernels } from 'nucseg';
 * const mask = { data: new Uint8Array([1, 1, 1, 1, 0]), width: 5, height: 1 };
 * console.log(kernels.distanceTransform(mask).data); // [4, 3, 2, 1, 0]: the image edge is not background
 * ```
 */
export function distanceTransform(mask: ImageData, opts: KernelOptions & { device?: KernelDevice } = {}): ImageData<Float32Array> {
  return addon().distanceTransform(asMask(mask, 'mask'), threadsOf(opts), deviceCode(opts));
}

/**
 * The FPN2-WS distance target: per nucleus, each pixel's distance to the nearest pixel not
 * in that nucleus (neighbouring nuclei, background and outside the image all count),
 * divided by the nucleus' own maximum — 0..1, exactly 1 at each nucleus' maximum, 0 on
 * background.
 *
 * @example
 * ```ts
 * import { kernels } from 'nucseg';
 * const labels = { data: new Uint16Array(25), width: 5, height: 5 };
 * for (const i of [6, 7, 8, 11, 12, 13, 16, 17, 18]) labels.data[i] = 1; // a 3 × 3 nucleus
 * const nd = kernels.normalizedDistance(labels);
 * console.log(nd.data[12], nd.data[6], nd.data[0]); // 1 0.5 0: centre, corner, background
 * // many label images of one size: one output buffer for all of them
 * const out = { data: new Float32Array(25), width: 5, height: 5 };
 * console.log(kernels.normalizedDistance(labels, { out }).data === out.data); // true
 * ```
 */
export function normalizedDistance(labels: LabelImage, opts: TargetOptions = {}): ImageData<Float32Array> {
  checkLabelImage(labels, 'labels');
  return addon().normalizedDistance(labels, threadsOf(opts), checkOut(opts.out, [labels], Float32Array));
}

/**
 * The FPN2-WS border target: nucleus pixels with a 4-neighbour of another label or of
 * background (the image edge does not count) set to 1, then Gaussian-blurred with `sigma`
 * (default 1; 4-sigma truncation, reflected border). Values in [0, 1].
 *
 * @example
 * ```ts
 * import { kernels } from 'nucseg';
 * const labels = { data: new Uint16Array([1, 1, 2, 2]), width: 4, height: 1 };
 * console.log(kernels.blurredBorder(labels, { sigma: 0 }).data); // [0, 1, 1, 0]: where the nuclei touch
 * ```
 */
export function blurredBorder(labels: LabelImage, opts: TargetOptions & { sigma?: number } = {}): ImageData<Float32Array> {
  checkLabelImage(labels, 'labels');
  const sigma = checkSigma(opts.sigma ?? 1);
  return addon().blurredBorder(labels, sigma, threadsOf(opts), checkOut(opts.out, [labels], Float32Array));
}
