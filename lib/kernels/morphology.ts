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

/** Foreground grown by a disk of `radius` pixels (0/1 Uint8Array). */
export function binaryDilation(mask: ImageData, radius: number, opts: KernelOptions = {}): ImageData<Uint8Array> {
  return run('dilate', mask, radius, opts);
}
/** Foreground shrunk by a disk of `radius` pixels. */
export function binaryErosion(mask: ImageData, radius: number, opts: KernelOptions = {}): ImageData<Uint8Array> {
  return run('erode', mask, radius, opts);
}
/** Erosion then dilation: removes specks thinner than the disk. */
export function binaryOpening(mask: ImageData, radius: number, opts: KernelOptions = {}): ImageData<Uint8Array> {
  return run('open', mask, radius, opts);
}
/** Dilation then erosion: closes gaps narrower than the disk (the seed paper closes seeds with radius 6). */
export function binaryClosing(mask: ImageData, radius: number, opts: KernelOptions = {}): ImageData<Uint8Array> {
  return run('close', mask, radius, opts);
}
