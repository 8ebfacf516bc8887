import type { ImageData, LabelImage } from '../image/types.js';
import { NucsegError } from '../util/errors.js';
import { addon, type NativeRegionStats } from './addon.js';
import { asMask, checkLabelImage, checkOut, deviceCode, threadsOf, type KernelDevice, type KernelOptions } from './check.js';

/** Per-label measurements, aligned arrays: ids (ascending), area (px), inclusive bounding box
 * x0/y0/x1/y1, centroid cx/cy (pixel centres at integer coordinates). */
export type RegionStats = NativeRegionStats;

export interface ConnectedComponentsOptions extends KernelOptions {
  /** 4 (edges) or 8 (edges and corners). Default 8. */
  connectivity?: 4 | 8;
  /** Also return area, bounding box and centroid of each component (no extra pass; CPU). */
  stats?: boolean;
  /** CPU or CUDA (same labels either way). */
  device?: KernelDevice;
  /** Write the labels here (Uint32Array, the mask's size; returned as `labels`) instead of a
   * new array: for callers labelling many fields, it saves faulting in and zeroing a new
   * output on every call, most of a call's time (2048², 1 thread: 11.4-12.8 ms with a new
   * output, 3.0-3.4 ms with a reused one; the C++ kernel alone 3.3-3.9 ms). Must not share
   * memory with the mask. */
  out?: ImageData<Uint32Array> | null;
}

/**
 * Labels the connected foreground regions of a mask (non-zero = foreground). Labels are
 * uint32, 1..count, numbered in raster order of each component's first pixel — the same
 * numbering scipy.ndimage.label gives — for any thread count.
 *
 * @example
 * ```ts
 * import { kernels } from 'nucseg';
 * const mask = { data: new Uint8Array([1, 0, 0, 0, 1, 0]), width: 3, height: 2 };
 * console.log(kernels.connectedComponents(mask, { connectivity: 4 }).count); // 2
 * // many fields of one size: one output buffer for all of them
 * const out = { data: new Uint32Array(6), width: 3, height: 2 };
 * console.log(kernels.connectedComponents(mask, { out }).labels.data); // [1, 0, 0, 0, 1, 0]
 * ```
 */
export function connectedComponents(mask: ImageData, opts: ConnectedComponentsOptions = {}): { labels: ImageData<Uint32Array>; count: number; stats?: RegionStats } {
  const m = asMask(mask, 'mask');
  const conn = opts.connectivity ?? 8;
  if (conn !== 4 && conn !== 8) throw new NucsegError(`connectivity must be 4 or 8, not ${conn}`);
  return addon().connectedComponents(m, conn, threadsOf(opts), opts.stats ?? false, deviceCode(opts), checkOut(opts.out, [m]));
}

/**
 * Area, bounding box and centroid of every label present (any ids, 0 = background).
 *
 * @example
 * ```ts
 * import { kernels } from 'nucseg';
 * const labels = { data: new Uint16Array([0, 5, 5, 0, 5, 0]), width: 3, height: 2 };
 * const s = kernels.regionStats(labels);
 * console.log(s.ids, s.area, s.cx[0].toFixed(3), s.cy[0].toFixed(3)); // [5] [3] '1.333' '0.333'
 * ```
 */
export function regionStats(labels: LabelImage, opts: KernelOptions = {}): RegionStats {
  checkLabelImage(labels, 'labels');
  return addon().regionStats(labels, threadsOf(opts));
}

/**
 * Renumbers labels to 1..count keeping their order; `oldIds[k-1]` is new label k's old id.
 *
 * @example
 * ```ts
 * import { kernels } from 'nucseg';
 * const labels = { data: new Uint16Array([0, 7, 7, 3]), width: 2, height: 2 };
 * const r = kernels.relabelSequential(labels);
 * console.log(r.labels.data, r.count, r.oldIds); // [0, 2, 2, 1] 2 [3, 7]
 * ```
 */
export function relabelSequential<L extends LabelImage>(labels: L, opts: KernelOptions = {}): { labels: L; count: number; oldIds: Uint32Array } {
  checkLabelImage(labels, 'labels');
  return addon().relabelSequential(labels, threadsOf(opts)) as { labels: L; count: number; oldIds: Uint32Array };
}

/**
 * Returns a copy with every label smaller than `minArea` pixels set to 0.
 *
 * @example
 * ```ts
 * import { kernels } from 'nucseg';
 * const labels = { data: new Uint16Array([1, 1, 1, 2]), width: 2, height: 2 };
 * console.log(kernels.removeSmallObjects(labels, 2).data); // [1, 1, 1, 0]
 * ```
 */
export function removeSmallObjects<L extends LabelImage>(labels: L, minArea: number, opts: KernelOptions = {}): L {
  checkLabelImage(labels, 'labels');
  if (!(minArea >= 0)) throw new NucsegError(`minArea must be >= 0, not ${minArea}`);
  return addon().removeObjectsByArea(labels, minArea, 0, threadsOf(opts)).labels as L;
}

/**
 * Returns a copy with every label larger than `maxArea` pixels set to 0.
 *
 * @example
 * ```ts
 * import { kernels } from 'nucseg';
 * const labels = { data: new Uint16Array([1, 1, 1, 2]), width: 2, height: 2 };
 * console.log(kernels.removeLargeObjects(labels, 2).data); // [0, 0, 0, 2]
 * ```
 */
export function removeLargeObjects<L extends LabelImage>(labels: L, maxArea: number, opts: KernelOptions = {}): L {
  checkLabelImage(labels, 'labels');
  if (!(maxArea >= 1)) throw new NucsegError(`maxArea must be >= 1, not ${maxArea}`);
  return addon().removeObjectsByArea(labels, 0, maxArea, threadsOf(opts)).labels as L;
}

/**
 * Returns a copy where each background region (4-connected) that is enclosed by a single
 * label and does not touch the image edge takes that label.
 *
 * @example
 * ```ts
 * import { kernels } from 'nucseg';
 * const ring = { data: new Uint16Array([1, 1, 1, 1, 0, 1, 1, 1, 1]), width: 3, height: 3 };
 * console.log(kernels.fillHoles(ring).data); // [1, 1, 1, 1, 1, 1, 1, 1, 1]
 * ```
 */
export function fillHoles<L extends LabelImage>(labels: L, opts: KernelOptions = {}): L {
  checkLabelImage(labels, 'labels');
  return addon().fillHoles(labels, threadsOf(opts)).labels as L;
}

/**
 * Returns a copy where each label keeps only its largest 8-connected piece (ties: the piece
 * whose first pixel comes first in raster order); the other pieces become background.
 * Mask R-CNN clean-up in the seed paper.
 *
 * @example
 * ```ts
 * import { kernels } from 'nucseg';
 * const labels = { data: new Uint32Array([1, 1, 0, 1]), width: 4, height: 1 };
 * console.log(kernels.keepLargestComponent(labels).data); // [1, 1, 0, 0]
 * ```
 */
export function keepLargestComponent<L extends LabelImage>(labels: L, opts: KernelOptions = {}): L {
  checkLabelImage(labels, 'labels');
  return addon().keepLargestComponent(labels, threadsOf(opts)).labels as L;
}
