import type { ImageData, LabelImage } from '../image/types.js';
import { resize } from '../kernels/resize.js';
import type { ModelCard } from './card.js';
import { preprocessing, type ModelDiameter } from '../util/definitions.js';

/** Resizing limits: at most 4x up (nuclei of 6 px) and 8x down. */
const MIN_SCALE = 1 / 8, MAX_SCALE = 4;

/** The nucleus diameter a card's model was trained at (its `diameter` block, or the default for older cards). */
export function modelDiameter(card: ModelCard): ModelDiameter {
  return (card.diameter as ModelDiameter | undefined) ?? preprocessing().diameter.default_model;
}

/**
 * The factor a field is resized by before a model trained at `md` runs on it: 1 when the
 * field's nucleus diameter is unknown or inside the model's no-rescale window, else
 * median_px / diameter (clamped to [1/8, 4]). Python: preprocess.run_scale.
 */
export function runScale(diameter: number | null | undefined, md: ModelDiameter): number {
  if (diameter == null || !(diameter > 0)) return 1;
  const [lo, hi] = md.no_rescale_px;
  if (diameter >= lo && diameter <= hi) return 1;
  return Math.min(MAX_SCALE, Math.max(MIN_SCALE, md.median_px / diameter));
}

/** The size of a width x height field resized by `scale` (at least 1 px). */
export function scaledSize(width: number, height: number, scale: number): { width: number; height: number } {
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** A normalized image resized by `scale` (area averaging when shrinking, bilinear when enlarging). */
export function resizeImage(image: ImageData<Float32Array>, scale: number, threads = 0): ImageData<Float32Array> {
  const { width, height } = scaledSize(image.width, image.height, scale);
  return resize(image, width, height, { interpolation: scale < 1 ? 'area' : 'bilinear', threads });
}

/** Labels back to a width x height grid (nearest). */
export function resizeLabels(labels: LabelImage, width: number, height: number, threads = 0): LabelImage {
  if (labels.width === width && labels.height === height) return labels;
  return resize(labels, width, height, { interpolation: 'nearest', threads });
}
