import type { Profile } from '../util/profile.js';
import type { SegmentCallOptions } from './model.js';
import { resizeImage, resizeLabels } from './scale.js';
import type { ImageData, LabelImage } from '../image/types.js';
import { keepLargestComponent, relabelSequential, removeLargeObjects, removeSmallObjects } from '../kernels/components.js';
import { mergeTileInstances, pasteInstances } from '../kernels/instances.js';
import type { ModelCard } from './card.js';
import { NucsegError } from '../util/errors.js';
import { OnnxModel, type OnnxModelOptions } from './onnx-model.js';

export interface MrcnnPost {
  /** Detections scoring below this are dropped (default 0.5). */
  scoreThreshold: number;
  /** Mask probability above which a box pixel belongs to the nucleus (default 0.5). */
  maskThreshold: number;
  /** Instances of overlapping tiles that share at least this fraction of the smaller one become one nucleus (default 0.5). */
  mergeOverlap: number;
  minArea: number;
  maxArea: number;
}

/**
 * The Mask R-CNN post-processing parameters of a card.
 *
 * @example
 * ```ts
 * import { mrcnnPostFromCard, readCard } from 'nucseg';
 * const card = await readCard('runs/mrcnn/model.card.json'); // a trained Mask R-CNN's card (nucseg train --arch mrcnn)
 * const { scoreThreshold, maskThreshold, mergeOverlap } = mrcnnPostFromCard(card); // 0.5 each unless the card says
 * ```
 */
export function mrcnnPostFromCard(card: ModelCard): MrcnnPost {
  const p = card.postprocessing as Record<string, number | null>;
  return { scoreThreshold: p.score_threshold ?? 0.5, maskThreshold: p.mask_threshold ?? 0.5, mergeOverlap: p.merge_overlap ?? 0.5, minArea: p.min_area ?? 0, maxArea: p.max_area ?? 0 };
}

/**
 * An exported Mask R-CNN (models-onnx/training/mrcnn.py) run with ONNX Runtime on batches of
 * tiles (detections come back grouped by tile, `image_index`): per tile, detections above the score threshold are
 * pasted at their boxes (native pasteInstances, best score first); across overlapping tiles,
 * instances that overlap above `merge_overlap` become one nucleus (native
 * mergeTileInstances); then each nucleus keeps its largest connected piece and the area
 * limits apply (the seed paper's Mask R-CNN post-processing).
 *
 * @example
 * ```ts
 * import { findModel, MrcnnModel, normalizeImage, readImage } from 'nucseg';
 * const { path, card } = await findModel('runs/mrcnn/model.onnx'); // model.card.json beside it
 * const model = new MrcnnModel(path, card, { device: 'cpu' });
 * const labels = await model.segment(normalizeImage(await readImage('examples/fields/images/dsb-3ebd2ab3.tif')), { threads: 0, diameter: null });
 * await model.dispose();
 * ```
 */
export class MrcnnModel extends OnnxModel {
  constructor(path: string, card: ModelCard, opts: OnnxModelOptions = {}) {
    super(path, card, opts, 'mrcnn', ['boxes', 'scores', 'masks', 'image_index']);
  }

  protected postprocessing(): MrcnnPost {
    return mrcnnPostFromCard(this.card);
  }

  /** Nuclei of a normalized field; with automatic scale, detected on the resized field and brought back (nearest). */
  async segment(image: ImageData<Float32Array>, { threads, diameter, profile }: SegmentCallOptions): Promise<LabelImage> {
    const s = this.scaleFor(diameter ?? null);
    if (s === 1) return this.segmentAsIs(image, threads, profile);
    const labels = await this.segmentAsIs(resizeImage(image, s, threads), threads, profile);
    return resizeLabels(labels, image.width, image.height, threads);
  }

  private async segmentAsIs(image: ImageData<Float32Array>, threads: number, profile?: Profile): Promise<LabelImage> {
    const post = mrcnnPostFromCard(this.card);
    const { width: W, height: H } = image;
    const T = this.card.tile.size;
    const PW = Math.max(W, T), PH = Math.max(H, T); // the tiled area (runTiles pads small fields)
    const canvas = { data: new Uint32Array(PW * PH), width: PW, height: PH };
    let nextId = 1;
    for await (const { tiles: group, out } of this.runTiles(image, profile)) {
      const boxes = out.boxes.data as Float32Array, scores = out.scores.data as Float32Array, masks = out.masks.data as Float32Array, index = out.image_index.data as Float32Array;
      const K = scores.length;
      const M = Number(out.masks.dims[out.masks.dims.length - 1]);
      if (boxes.length !== 4 * K || index.length !== K || !(M > 0) || masks.length !== K * M * M) throw new NucsegError(`model output has the wrong shape (boxes ${out.boxes.dims.join('x')}, scores ${out.scores.dims.join('x')}, masks ${out.masks.dims.join('x')}, image_index ${out.image_index.dims.join('x')})`, { file: this.path });
      // detections come grouped by image, in batch order
      let a = 0;
      for (let g = 0; g < group.length; g++) {
        let b = a;
        while (b < K && index[b] === g) b++;
        let pasted;
        try {
          pasted = pasteInstances({ boxes: boxes.subarray(4 * a, 4 * b), scores: scores.subarray(a, b), masks: masks.subarray(a * M * M, b * M * M), maskSize: M }, T, T, post);
        } catch (e) {
          throw new NucsegError(`model output is not usable: ${(e as Error).message}`, { file: this.path });
        }
        nextId = mergeTileInstances(canvas, pasted.labels, group[g].x, group[g].y, nextId, post.mergeOverlap);
        a = b;
      }
      if (a !== K) throw new NucsegError(`model output is not usable: image_index is not grouped by image in batch order`, { file: this.path });
    }
    let labels: LabelImage = canvas;
    if (PW !== W || PH !== H) {
      const crop = new Uint32Array(W * H);
      for (let y = 0; y < H; y++) crop.set(canvas.data.subarray(y * PW, y * PW + W), y * W);
      labels = { data: crop, width: W, height: H };
    }
    labels = keepLargestComponent(labels, { threads });
    if (post.minArea > 0) labels = removeSmallObjects(labels, post.minArea, { threads });
    if (post.maxArea > 0) labels = removeLargeObjects(labels, post.maxArea, { threads });
    return relabelSequential(labels, { threads }).labels;
  }
}
