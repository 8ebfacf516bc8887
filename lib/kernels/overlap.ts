import type { LabelImage } from '../image/types.js';
import { NucsegError } from '../util/errors.js';
import { addon } from './addon.js';
import { checkLabelImage, deviceCode, threadsOf, type KernelDevice } from './check.js';

/**
 * The sparse overlap ("contingency") table of two label images: every (gt, pred) pair of
 * labels sharing at least one pixel, with the shared pixel count and IoU, and the area of
 * every label in either image. Pairs are sorted by gt id then pred id; ids are sorted.
 */
export interface LabelOverlap {
  /** Label ids present in the ground truth (sorted) and their areas in pixels. */
  gtIds: Uint32Array;
  gtArea: Float64Array;
  /** Label ids present in the prediction (sorted) and their areas in pixels. */
  predIds: Uint32Array;
  predArea: Float64Array;
  /** One entry per overlapping pair: index into gtIds / predIds, shared pixels, IoU. */
  pairGt: Uint32Array;
  pairPred: Uint32Array;
  pairCount: Float64Array;
  pairIoU: Float64Array;
}

/**
 * Builds the overlap table of `gt` and `pred` in one native pass over both images (no
 * dense N×M matrix; ids need not be consecutive; 0 is background). IoU is
 * intersection / union in double precision. `threads` defaults to all cores; the result
 * is identical for any thread count and on CPU or CUDA (`device`, see KernelDevice).
 *
 * @example
 * ```ts
 * import { labelOverlap } from 'nucseg';
 * const gt = { data: new Uint16Array([1, 1, 0, 2]), width: 2, height: 2 };
 * const pred = { data: new Uint16Array([1, 0, 0, 2]), width: 2, height: 2 };
 * const t = labelOverlap(gt, pred);
 * console.log(t.pairGt, t.pairPred, t.pairIoU); // [0, 1] [0, 1] [0.5, 1]
 * ```
 */
export function labelOverlap(gt: LabelImage, pred: LabelImage, opts: { threads?: number; device?: KernelDevice } = {}): LabelOverlap {
  checkLabelImage(gt, 'gt');
  checkLabelImage(pred, 'pred');
  if (gt.width !== pred.width || gt.height !== pred.height) {
    throw new NucsegError(`label images differ in size: gt ${gt.width}x${gt.height}, pred ${pred.width}x${pred.height}`);
  }
  const t = addon().labelOverlap(gt, pred, threadsOf(opts), deviceCode(opts));
  return {
    gtIds: t.gtIds,
    gtArea: t.gtArea,
    predIds: t.predIds,
    predArea: t.predArea,
    pairGt: t.pairGtIndex,
    pairPred: t.pairPredIndex,
    pairCount: t.pairCount,
    pairIoU: t.pairIoU,
  };
}
