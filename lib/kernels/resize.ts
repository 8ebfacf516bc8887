import type { ImageData } from '../image/types.js';
import { NucsegError } from '../util/errors.js';
import { addon } from './addon.js';
import { checkImage, threadsOf, type KernelOptions } from './check.js';

export type Interpolation = 'nearest' | 'bilinear' | 'area';

/**
 * Resizes to width×height. 'nearest' (use it for labels) takes the source pixel holding the
 * output pixel's centre; 'bilinear' interpolates with replicated borders; 'area' averages
 * exact pixel areas (for shrinking). Pixel centres are aligned as in OpenCV. Integer
 * outputs are rounded and clamped. Uint8, Uint16, Uint32 and Float32 images.
 *
 * @example
 * ```ts
 * import { kernels } from 'nucseg';
 * const image = { data: new Uint8Array([0, 200]), width: 2, height: 1 };
 * console.log(kernels.resize(image, 4, 1).data); // [0, 50, 150, 200]
 * console.log(kernels.resize(image, 4, 1, { interpolation: 'nearest' }).data); // [0, 0, 200, 200]
 * ```
 */
export function resize<T extends ImageData<Uint8Array | Uint16Array | Uint32Array | Float32Array>>(
  image: T,
  width: number,
  height: number,
  opts: KernelOptions & { interpolation?: Interpolation } = {},
): T {
  checkImage(image, 'image');
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) throw new NucsegError(`invalid output size ${width}x${height}`);
  const mode = opts.interpolation ?? 'bilinear';
  if (!['nearest', 'bilinear', 'area'].includes(mode)) throw new NucsegError(`unknown interpolation '${mode}'`);
  return addon().resize(image, width, height, mode, threadsOf(opts)) as T;
}
