import type { ImageData, LabelImage } from '../image/types.js';
import type { Profile } from '../util/profile.js';

/**
 * A segmentation model: takes a normalized single-channel image (float32, 0..1) and returns
 * instance labels (0 = background). Models that see fixed-size tiles declare `tile`; the
 * pipeline then runs them through the tiling framework (lib/models/tiling.ts).
 */
export interface SegmentCallOptions {
  threads: number;
  diameter?: number | null;
  /** Test-time augmentation (deep models that support it: FPN2-WS averages the maps of the image and its flips). */
  tta?: boolean;
  /** Time per stage (resize, tiles, model, stitch, instances) is added here when given. */
  profile?: Profile;
  /** When given, a deep model adds the labelled area (px) it segmented and the part of it in nuclei it was unsure of (quality control; fpn2ws.ts lowConfidenceArea). */
  confidence?: { low: number; total: number };
}

export interface SegmentationModel {
  /** Short name written to run.json and the summary ('classic', 'fpn2ws-dsb', …). */
  readonly name: string;
  /** Every setting that changes the output (part of the resume key). */
  settings(): Record<string, unknown>;
  /**
   * Segments one image (or tile). `threads` bounds the native kernels; `diameter` is the
   * field's nucleus diameter in px (estimated or given; null: unknown), which each model
   * uses its own way (a deep model resizes the field to the size it was trained at, the
   * classical one sets its filters from it).
   */
  segment(image: ImageData<Float32Array>, opts: SegmentCallOptions): Promise<LabelImage> | LabelImage;
  /** The factor this model resizes a field of this nucleus diameter by (1: runs it as it is). */
  scaleFor?(diameter: number | null): number;
  /**
   * Tile geometry if the model works on tiles. `halo` is how far (px) from a tile's edge its
   * output can be trusted less; stitching keeps objects whose centre is owned by the tile.
   */
  readonly tile?: { size: number; overlap: number };
  /** Free resources (sessions, workers). */
  dispose?(): Promise<void> | void;
}
