import type { ImageData, LabelImage } from '../image/types.js';
import { NucsegError } from '../util/errors.js';
import { addon, type NativeMeasurements } from './addon.js';
import { checkImage, checkLabelImage, threadsOf, type KernelOptions } from './check.js';
import { isTypedArray } from '../util/typed.js';

/**
 * Per-label measurements (aligned arrays, ids ascending): area, centroid, bounding box,
 * central second moments (mu20, mu02, mu11, divided by area; pixel centres at integer
 * coordinates), convex-hull area of the pixel squares, intensity sum/min/max (when an
 * intensity image is given) and whether the label touches the image edge.
 */
export type RegionMeasurements = NativeMeasurements;

/**
 * Measures every label present (any ids, 0 = background); see RegionMeasurements.
 *
 * @example
 * ```ts
 * import { kernels } from 'nucseg';
 * const labels = { data: new Uint16Array([1, 1, 0, 2]), width: 2, height: 2 };
 * const intensity = { data: new Uint8Array([10, 30, 0, 50]), width: 2, height: 2 };
 * const m = kernels.measureRegions(labels, intensity);
 * console.log(m.ids, m.area, m.intensitySum, m.touchesBorder); // [1, 2] [2, 1] [40, 50] [1, 1]
 * ```
 */
export function measureRegions(labels: LabelImage, intensity?: ImageData<Uint8Array | Uint16Array | Float32Array> | null, opts: KernelOptions = {}): RegionMeasurements {
  checkLabelImage(labels, 'labels');
  if (intensity) {
    checkImage(intensity, 'intensity');
    if (intensity.width !== labels.width || intensity.height !== labels.height) throw new NucsegError('intensity image size differs from labels');
  }
  return addon().measureRegions(labels, intensity ?? null, threadsOf(opts));
}

/**
 * Maximum over the (2r+1)² square around each pixel (only pixels inside the image count).
 *
 * @example
 * ```ts
 * import { kernels } from 'nucseg';
 * const image = { data: new Float32Array([0, 3, 0, 0, 1]), width: 5, height: 1 };
 * console.log(kernels.maxFilter(image, 1).data); // [3, 3, 3, 1, 1]
 * ```
 */
export function maxFilter(image: ImageData<Float32Array>, radius: number, opts: KernelOptions = {}): ImageData<Float32Array> {
  checkImage(image, 'image');
  if (!isTypedArray(image.data, Float32Array)) throw new NucsegError('maxFilter: image must be Float32Array');
  if (!(Number.isInteger(radius) && radius >= 0 && radius <= 1000)) throw new NucsegError(`radius must be a whole number in [0, 1000], not ${radius}`);
  return addon().maxFilter(image, radius, threadsOf(opts));
}
