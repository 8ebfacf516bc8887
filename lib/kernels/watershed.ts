import type { ImageData } from '../image/types.js';
import { NucsegError } from '../util/errors.js';
import { addon } from './addon.js';
import { asMask, checkImage, checkOut } from './check.js';
import { isTypedArray } from '../util/typed.js';

export interface WatershedOptions {
  /** Flood only where the mask is non-zero. */
  mask?: ImageData;
  /** 4 or 8 (default 4, as scikit-image's default footprint). */
  connectivity?: 4 | 8;
  /** Leave one-pixel lines (0) between basins. */
  lines?: boolean;
  /** Write the labels here (Uint32Array, the markers' size; returned) instead of a new
   * array, e.g. one buffer reused for every field. Must not share memory with the inputs. */
  out?: ImageData<Uint32Array> | null;
}

/**
 * Seeded watershed: floods `elevation` (Uint8, Uint16 or Float32) from `markers` (Uint32
 * labels, 0 = unseeded), lowest first, ties first-in first-out, so the result does not
 * depend on anything but the inputs. Returns Uint32 labels; pixels the flood cannot reach
 * stay 0. Like skimage.segmentation.watershed, each pixel enters the queue at its own
 * elevation. The native scratch (a few bytes per pixel) is kept by the calling thread and
 * reused by its next call; pass `out` too when flooding many fields, so that no call
 * allocates.
 *
 * @example
 * ```ts
 * import { kernels } from 'nucseg';
 * const elevation = { data: new Float32Array([0, 1, 3, 2, 0]), width: 5, height: 1 };
 * const markers = { data: new Uint32Array([1, 0, 0, 0, 2]), width: 5, height: 1 };
 * const labels = kernels.watershed(elevation, markers);
 * console.log(labels.data); // [1, 1, 1, 2, 2]
 * kernels.watershed(elevation, markers, { out: labels }); // again, into the same buffer
 * ```
 */
export function watershed(elevation: ImageData, markers: ImageData<Uint32Array>, opts: WatershedOptions = {}): ImageData<Uint32Array> {
  checkImage(elevation, 'elevation');
  checkImage(markers, 'markers');
  if (!isTypedArray(markers.data, Uint32Array)) throw new NucsegError('markers must be a Uint32Array');
  if (elevation.width !== markers.width || elevation.height !== markers.height) throw new NucsegError('elevation and markers differ in size');
  const mask = opts.mask ? asMask(opts.mask, 'mask') : null;
  if (mask && (mask.width !== markers.width || mask.height !== markers.height)) throw new NucsegError('mask differs in size from markers');
  const conn = opts.connectivity ?? 4;
  if (conn !== 4 && conn !== 8) throw new NucsegError(`connectivity must be 4 or 8, not ${conn}`);
  return addon().watershed(elevation, markers, mask, conn, opts.lines ?? false, checkOut(opts.out, [markers, elevation, mask]));
}
