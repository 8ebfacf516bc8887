// The per-image job of a batch: the options that decide one image's outputs, the input it
// reads and the result it reports. Shared by the batch, its workers, resume and the summary.
import type { PlateInfo } from './plate.js';
import type { FieldQc } from './qc.js';
import type { SegmentOptions } from './segment.js';

/**
 * Everything that decides the outputs of one image; serializable (sent to worker threads):
 * segment()'s options with the model by name, and how the image is read and what is written.
 */
export interface ImageJobOptions extends Omit<SegmentOptions, 'model' | 'threads' | 'profile'> {
  /** A bundled model name (default DEFAULT_MODEL, the shipped FPN2-WS model), 'classic', or an .onnx path with its card. */
  model?: string;
  /** Z plane (0-based) of multi-page stacks; default: maximum projection. */
  z?: number;
  /** Channel (0-based) of multi-channel ImageJ hyperstacks / OME-TIFFs (required for them). */
  stackChannel?: number;
  /** Which outputs besides the labels (CSV on by default). */
  csv?: boolean;
  overlay?: boolean;
  geojson?: boolean;
  /** Also write <name>.rois.zip: an ImageJ/Fiji ROI Manager zip of the nuclei (traced outlines; composite ROIs for holes). */
  roiZip?: boolean;
  /** Also write <name>.thumb.png: the field with outlines, at most 192 px a side (the thumbnails of `nucseg report`). */
  thumbnails?: boolean;
  /** Regular expression with named groups for plate metadata (see parsePlateName). */
  namePattern?: string;
  /** Time each stage of each image (ImageResult.profile); not part of the resume key. */
  profile?: boolean;
}

/** One input image and its output name. */
export interface InputFile {
  file: string;
  /** Output name: the path below its input folder, without extension, '/'-separated. */
  name: string;
}

/** The outcome for one input image. */
export interface ImageResult {
  file: string;
  /** Output name: the path below its input folder, without extension. */
  name: string;
  status: 'done' | 'skipped' | 'failed';
  plate: PlateInfo;
  count?: number;
  meanArea?: number;
  /** The nucleus diameter used (px), whether estimated ('auto') or given, and the factor the model resized the field by. */
  diameter?: number | null;
  diameterSource?: 'auto' | 'given';
  scale?: number;
  /** The model and the device it ran on (for ONNX models: what `--device auto` chose). */
  model?: string;
  device?: string;
  seconds?: number;
  outputs?: string[];
  /** Quality measures of the field (qc.ts), for summary.csv and `nucseg report`. */
  qc?: FieldQc;
  error?: string;
  /** With ImageJobOptions.profile: milliseconds per stage (lib/util/profile.ts STAGES); 'other' is the rest of the image's wall time. */
  profile?: Record<string, number>;
}

/** Just the ImageJobOptions of a larger options object (what a worker thread is sent, and run.json records). */
export function pickJobOptions(o: ImageJobOptions): ImageJobOptions {
  return { model: o.model, device: o.device, batch: o.batch, classic: o.classic, diameter: o.diameter, tta: o.tta, normalize: o.normalize, tile: o.tile, maxWholePixels: o.maxWholePixels, z: o.z, stackChannel: o.stackChannel, csv: o.csv, overlay: o.overlay, geojson: o.geojson, roiZip: o.roiZip, thumbnails: o.thumbnails, namePattern: o.namePattern, profile: o.profile };
}
