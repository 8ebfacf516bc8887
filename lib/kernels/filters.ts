import type { ImageData } from '../image/types.js';
import { NucsegError } from '../util/errors.js';
import { addon } from './addon.js';
import { checkGray, checkSigma, threadsOf, type KernelOptions } from './check.js';

type Gray = ImageData<Uint8Array | Uint16Array | Float32Array>;

/**
 * Separable Gaussian blur to float32. `truncate` (default 4) sets the radius to
 * int(truncate·sigma + 0.5) as SciPy does (sigma 1 → 9 taps); the border is reflected
 * (d c b a | a b c d). sigma = 0 returns a float copy.
 *
 * @example
 * ```ts
 * import { kernels } from 'nucseg';
 * const spot = { data: new Float32Array([0, 0, 0, 1, 0, 0, 0]), width: 7, height: 1 };
 * console.log(kernels.gaussianBlur(spot, 1).data[3].toFixed(4)); // '0.3989' (SciPy's gaussian_filter1d)
 * ```
 */
export function gaussianBlur(image: Gray, sigma: number, opts: KernelOptions & { truncate?: number } = {}): ImageData<Float32Array> {
  checkGray(image, 'image');
  checkSigma(sigma);
  const truncate = opts.truncate ?? 4;
  if (!(truncate > 0 && truncate <= 10)) throw new NucsegError(`truncate must be in (0, 10], not ${truncate}`);
  return addon().gaussianBlur(image, sigma, truncate, threadsOf(opts));
}

/**
 * Median of each k×k window (k = 1, 3, 5 or 7), border replicated; same pixel type out.
 *
 * @example
 * ```ts
 * import { kernels } from 'nucseg';
 * const speck = { data: new Uint8Array([0, 0, 0, 0, 255, 0, 0, 0, 0]), width: 3, height: 3 };
 * console.log(kernels.medianBlur(speck, 3).data); // [0, 0, 0, 0, 0, 0, 0, 0, 0]: the speck is gone
 * ```
 */
export function medianBlur<T extends Gray>(image: T, k: number, opts: KernelOptions = {}): T {
  checkGray(image, 'image');
  if (![1, 3, 5, 7].includes(k)) throw new NucsegError(`median kernel size must be 1, 3, 5 or 7, not ${k}`);
  return addon().medianBlur(image, k, threadsOf(opts)) as T;
}

/**
 * Otsu's threshold as scikit-image computes it (integer images: one bin per value; float:
 * 256 bins over [min, max]); foreground is value > threshold.
 *
 * @example
 * ```ts
 * import { kernels } from 'nucseg';
 * const image = { data: new Uint8Array([10, 12, 11, 200, 210, 205]), width: 3, height: 2 };
 * const t = kernels.otsuThreshold(image); // 12
 * console.log(Array.from(image.data, (v) => v > t)); // [false, false, false, true, true, true]
 * ```
 */
export function otsuThreshold(image: Gray): number {
  checkGray(image, 'image');
  if (image.data.length === 0) throw new NucsegError('otsuThreshold: empty image');
  return addon().otsuThreshold(image);
}
