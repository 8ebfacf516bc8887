import { checkImage } from './check.js';
import type { ImageData } from '../image/types.js';
import { NucsegError } from '../util/errors.js';
import { addon } from './addon.js';

/** Detections of one image as a Mask R-CNN exports them (see models-onnx/training/mrcnn.py). */
export interface Detections {
  /** K × 4: x0, y0, x1, y1 in pixels (pixel edges). */
  boxes: Float32Array;
  /** K scores, 0..1. */
  scores: Float32Array;
  /** K × maskSize × maskSize foreground probabilities on a grid spanning each box. */
  masks: Float32Array;
  maskSize: number;
}

/**
 * Pastes the detections scoring at least `scoreThreshold` into a label image, best score
 * first; a pixel already taken keeps its label. A box pixel belongs to the instance where
 * the mask, sampled bilinearly at the pixel centre, exceeds `maskThreshold`. Labels 1..count
 * follow the score order. NaN or infinite values are a RangeError.
 *
 * @example
 * ```ts
 * import { kernels } from 'nucseg';
 * const det = { boxes: new Float32Array([0, 0, 2, 2]), scores: new Float32Array([0.9]), masks: new Float32Array(4).fill(1), maskSize: 2 };
 * const { labels, count } = kernels.pasteInstances(det, 3, 2);
 * console.log(count, labels.data); // 1 [1, 1, 0, 1, 1, 0]
 * ```
 */
export function pasteInstances(det: Detections, width: number, height: number, opts: { scoreThreshold?: number; maskThreshold?: number } = {}): { labels: ImageData<Uint32Array>; count: number } {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) throw new NucsegError(`pasteInstances: bad image size ${width}x${height}`);
  return addon().pasteInstances(det.boxes, det.scores, det.masks, det.maskSize, width, height, opts.scoreThreshold ?? 0.5, opts.maskThreshold ?? 0.5);
}

/**
 * Merges a tile's instances (labels 1..k, the tile placed at x0, y0) into `canvas`, in
 * place: an instance overlapping one canvas label by at least `minOverlap` × the smaller of
 * the two (inside the tile) joins it, others get new ids from `nextId`; instances only claim
 * canvas pixels that are still 0. Returns the next free id.
 *
 * @example
 * ```ts
 * import { kernels } from 'nucseg';
 * const canvas = { data: new Uint32Array(8), width: 4, height: 2 };
 * let next = kernels.mergeTileInstances(canvas, { data: new Uint32Array([0, 1, 0, 1]), width: 2, height: 2 }, 0, 0, 1);
 * next = kernels.mergeTileInstances(canvas, { data: new Uint32Array([1, 0, 1, 2]), width: 2, height: 2 }, 1, 0, next);
 * console.log(canvas.data, next); // [0, 1, 0, 0, 0, 1, 2, 0] 3: the nucleus on the seam keeps id 1
 * ```
 */
export function mergeTileInstances(canvas: ImageData<Uint32Array>, tile: ImageData<Uint32Array>, x0: number, y0: number, nextId: number, minOverlap = 0.5): number {
  if (!(minOverlap > 0 && minOverlap <= 1)) throw new NucsegError(`minOverlap must be in (0, 1], not ${minOverlap}`);
  checkImage(canvas, 'canvas');
  checkImage(tile, 'tile');
  // the tile must lie inside the canvas (a position near 2^63 overflowed the native check: fuzz finding)
  if (!(Number.isInteger(x0) && Number.isInteger(y0) && x0 >= 0 && y0 >= 0 && x0 + tile.width <= canvas.width && y0 + tile.height <= canvas.height)) {
    throw new NucsegError(`tile ${tile.width}x${tile.height} at (${x0}, ${y0}) does not fit in the ${canvas.width}x${canvas.height} canvas`);
  }
  if (!(Number.isInteger(nextId) && nextId >= 1 && nextId <= 0xffffffff)) throw new NucsegError(`nextId must be a whole number in [1, 2^32), not ${nextId}`);
  return addon().mergeTileInstances(canvas, tile, x0, y0, nextId, minOverlap);
}
