import type { ImageData } from '../image/types.js';
import { NucsegError } from '../util/errors.js';
import { addon } from './addon.js';
import { threadsOf, type KernelOptions } from './check.js';

/** A field to sample ROIs from: normalized image, labels, its set and split, and zoom. */
export interface RoiSource {
  image: ImageData<Float32Array>;
  labels: ImageData<Uint32Array>;
  set: number;
  split: 0 | 1;
  /** ROI pixels per source pixel (scale factors >= 1 are applied while sampling). */
  zoom: number;
}

export interface RoiBatch {
  /** count × roi × roi each, ROI-major. */
  image: Float32Array;
  labels: Uint16Array;
  distance: Float32Array;
  border: Float32Array;
  /** With `into.image16`: the image as round(value × levels). */
  image16?: Uint16Array;
}

/**
 * Makes augmented ROIs `firstIndex … firstIndex + roiSet.length - 1` (see native/src/augment.cpp):
 * ROI i samples a source of set roiSet[i] and split roiSplit[i] (area-weighted), applies one
 * geometric transform, the FPN2-WS targets (computed with the shoulder), and the intensity
 * classes by their probabilities. Every random choice of ROI i depends only on (seed, i), so
 * any thread count and any batching give the same ROIs. `config` must have passed
 * validateConfig (loadConfig does it): the native code does not bound its values.
 *
 * @example
 * ```ts
 * import { kernels, loadConfig } from 'nucseg';
 * const [w, h] = [64, 64];
 * const labels = new Uint32Array(w * h).map((_, i) => (Math.hypot((i % w) - 32, Math.floor(i / w) - 32) < 10 ? 1 : 0));
 * const image = Float32Array.from(labels, (l) => (l ? 0.8 : 0.1));
 * const source = { image: { data: image, width: w, height: h }, labels: { data: labels, width: w, height: h }, set: 0, split: 0 as const, zoom: 1 };
 * const config = await loadConfig({ overrides: { roi: 32 } }); // validated: the native code trusts it
 * const b = kernels.augmentRois([source], new Uint8Array(4), new Uint8Array(4), config, 42, 0);
 * console.log(b.image.length, b.labels.length); // 4096 4096: 4 ROIs of 32 × 32
 * ```
 */
export function augmentRois(sources: readonly RoiSource[], roiSet: Uint8Array, roiSplit: Uint8Array, config: object, seed: number, firstIndex: number, opts: KernelOptions = {}): RoiBatch {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new NucsegError(`seed must be a whole number >= 0, not ${seed}`);
  return addon().augmentRois(sources as never, roiSet, roiSplit, config, seed, firstIndex, threadsOf(opts)) as RoiBatch;
}

/**
 * augmentRois on a worker thread: resolves with the same ROIs while the JavaScript thread is
 * free (nucseg augment writes the previous batch to HDF5 meanwhile). The inputs must not be
 * changed until it resolves. `into` receives the ROIs instead of new arrays (each of exactly
 * count × roi × roi values), so a long run reuses two sets of buffers; with `into.image16`
 * and `into.levels` the image is also written there as round(value × levels).
 *
 * @example
 * ```ts
 * import { kernels, loadConfig } from 'nucseg';
 * const [w, h] = [64, 64];
 * const labels = new Uint32Array(w * h).map((_, i) => (Math.hypot((i % w) - 32, Math.floor(i / w) - 32) < 10 ? 1 : 0));
 * const image = Float32Array.from(labels, (l) => (l ? 0.8 : 0.1));
 * const source = { image: { data: image, width: w, height: h }, labels: { data: labels, width: w, height: h }, set: 0, split: 0 as const, zoom: 1 };
 * const config = await loadConfig({ overrides: { roi: 32 } });
 * const b = await kernels.augmentRoisAsync([source], new Uint8Array(4), new Uint8Array(4), config, 42, 0);
 * const same = kernels.augmentRois([source], new Uint8Array(4), new Uint8Array(4), config, 42, 0);
 * console.log(b.image.every((v, i) => v === same.image[i])); // true: same seed, same ROIs
 * ```
 */
export function augmentRoisAsync(sources: readonly RoiSource[], roiSet: Uint8Array, roiSplit: Uint8Array, config: object, seed: number, firstIndex: number, opts: KernelOptions & { into?: RoiBatch & { levels?: number } } = {}): Promise<RoiBatch> {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new NucsegError(`seed must be a whole number >= 0, not ${seed}`);
  return addon().augmentRois(sources as never, roiSet.slice(), roiSplit.slice(), config, seed, firstIndex, threadsOf(opts), true, opts.into) as Promise<RoiBatch>;
}
