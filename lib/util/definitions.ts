import { readFileSync } from 'node:fs';
import { packagePath } from './package.js';

/**
 * The one definition of nucseg's preprocessing (models-onnx/preprocessing.json), shared with
 * the Python training code (models-onnx/training/preprocess.py): intensity normalization and
 * the automatic nucleus diameter.
 */
export interface Preprocessing {
  normalization: { low_percentile: number; high_percentile: number; min_range_sigma: number };
  diameter: {
    smoothing_sigma: number;
    min_contrast: number;
    min_blob_area: number;
    min_blob_contrast: number;
    calibration: number;
    min: number;
    max: number;
    no_rescale_ratio: number;
    /** For cards without a `diameter` block (models trained before automatic scale). */
    default_model: ModelDiameter;
  };
}

/** A model card's `diameter` block: the nucleus size (px) the model was trained at. */
export interface ModelDiameter {
  /** Median nucleus diameter of the training fields after scale normalization. */
  median_px: number;
  /** Fields whose estimated diameter lies here run as they are; others are resized to median_px. */
  no_rescale_px: [number, number];
  /** The range of diameters seen in training (scale jitter). */
  trained_px?: [number, number];
}

let defs: Preprocessing | undefined;

export function preprocessing(): Preprocessing {
  return (defs ??= JSON.parse(readFileSync(packagePath('models-onnx', 'preprocessing.json'), 'utf8')) as Preprocessing);
}
