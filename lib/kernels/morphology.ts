import type { ImageData } from '../image/types.js';
import { NucsegError } from '../util/errors.js';
import { addon } from './addon.js';
import { asMask, threadsOf, type KernelOptions } from './check.js';

// Binary morphology with a disk footprint (offsets with x² + y² <= r², as skimage.morphology.disk),
// exact for any radius; outside the image neither grows nor erodes.

function run(op: 'dilate' | 'erode' | 'open' | 'close', mask: ImageData, radius: number, opts: KernelOptions): ImageData<Uint8Array> {
  if (!(radius >= 0 && radius <= 10000)) throw new NucsegError(`radius must be in [0, 10000], not ${radius}`);
  return addon().binaryMorphology(asMask(mask, 'mask'), op, radius, threadsOf(opts));
}

/**
 * Foreground grown by a disk of `radius` pixels (0/1 Uint8Array).
 *
 * @example
 * ```ts
 * import { kernels } from 'nucseg';
 * const dot = { data: new Uint8Array(25), width: 5, height: 5 };
 * dot.data[12] = 1;
 * console.log(kernels.binaryDilation(dot, 1).data.reduce((a, b) => a + b)); // 5: a disk of radius 1 is a cross
 * ```
 */
export function binaryDilation(mask: ImageData, radius: number, opts: KernelOptions = {}): ImageData<Uint8Array> {
  return run('dilate', mask, radius, opts);
}
/**
 * Foreground shrunk by a disk of `radius` pixels.
 *
 * @example
 * ```ts
 * import { kernels } from 'nucseg';
 * const bar = { data: new Uint8Array([0, 1, 1, 1, 0]), width: 5, height: 1 };
 * console.log(kernels.binaryErosion(bar, 1).data); // [0, 0, 1, 0, 0]
 * ```
 */
export function binaryErosion(mask: ImageData, radius: number, opts: KernelOptions = {}): ImageData<Uint8Array> {
  return run('erode', mask, radius, opts);
}
/**
 * Erosion then dilation: removes specks thinner than the disk.
 *
 * @example
 * ```ts
 * import { kernels } from 'nucseg';
 * const mask = { data: new Uint8Array([0, 1, 0, 0, 1, 1, 1, 0]), width: 8, height: 1 };
 * console.log(kernels.binaryOpening(mask, 1).data); // [0, 0, 0, 0, 1, 1, 1, 0]: the speck is gone
 * ```
 */
export function binaryOpening(mask: ImageData, radius: number, opts: KernelOptions = {}): ImageData<Uint8Array> {
  return run('open', mask, radius, opts);
}
/**
 * Dilation then erosion: closes gaps narrower than the disk (the seed paper closes seeds with radius 6).
 *
 * @example
 * ```ts
 * import { kernels } from 'nucseg';
 * const mask = { data: new Uint8Array([1, 1, 0, 1, 1]), width: 5, height: 1 };
 * console.log(kernels.binaryClosing(mask, 1).data); // [1, 1, 1, 1, 1]: the gap is closed
 * ```
 */
export function binaryClosing(mask: ImageData, radius: number, opts: KernelOptions = {}): ImageData<Uint8Array> {
  return run('close', mask, radius, opts);
}
