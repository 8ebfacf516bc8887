import type { ImageData, LabelImage } from '../image/types.js';
import { NucsegError } from '../util/errors.js';
import { timed, type Profile } from '../util/profile.js';
import { ClassicModel, type ClassicOptions } from '../models/classic.js';
import { loadModel } from '../models/load.js';
import { DEFAULT_MODEL } from '../models/registry.js';
import type { SegmentationModel } from '../models/model.js';
import { assertFinite, normalizationRange, normalizeImage, type NormalizeOptions } from './normalize.js';
import { cropTile, LabelStitcher, tileGrid } from '../models/tiling.js';
import { estimateDiameter } from './diameter.js';

export interface SegmentOptions {
  /** A model object, a bundled model name (default: the shipped FPN2-WS model, DEFAULT_MODEL), 'classic' (no weights) or an .onnx path with its card. */
  model?: SegmentationModel | string;
  /** For ONNX models: where to run them, and tiles per batch. */
  device?: 'auto' | 'cpu' | 'cuda' | 'webgpu';
  batch?: number;
  /** Parameters of the classical model. */
  classic?: ClassicOptions;
  /**
   * The nuclei's diameter in pixels, or 'auto' (default): estimated per field
   * (estimateDiameter). Deep models resize each field so its nuclei match the size they were
   * trained at and map the labels back to the field's pixel grid; the classical model sets
   * its filters from it.
   */
  diameter?: number | 'auto';
  /** Test-time augmentation (FPN2-WS: maps of the field and its 3 flips averaged; 4x the model time). Default off. */
  tta?: boolean;
  /** Intensity normalization (default percentile 1–99.8 with a noise floor). */
  normalize?: NormalizeOptions;
  /** Native threads (default all cores). */
  threads?: number;
  /**
   * Tiling for models that see whole images: images with more pixels than
   * `maxWholePixels` (default 4096²) are processed in tiles of `tile.size` overlapping by
   * `tile.overlap` (defaults 2048 and 3 × the expected diameter), with bounded memory.
   */
  tile?: { size: number; overlap: number };
  maxWholePixels?: number;
  /** Milliseconds per stage (normalize, diameter, resize, tiles, model, stitch, instances) are added here (lib/util/profile.ts). */
  profile?: Profile;
}

export interface SegmentResult {
  labels: LabelImage;
  count: number;
  /** The intensity range mapped to 0..1. */
  normalization: { lo: number; hi: number };
  /** Whether tiles were used, and how many. */
  tiles: number;
  /** The nucleus diameter used (px; null when 'auto' found no nuclei), whether it was estimated or given, and the factor the model resized the field by. */
  diameter: number | null;
  diameterSource: 'auto' | 'given';
  scale: number;
  /** The model's name and, for ONNX models, the device ONNX Runtime runs on ('cpu' for classic). */
  model: string;
  device: string;
  /** Deep models: share of the labelled area in nuclei the model was unsure of (SegmentCallOptions.confidence); null for models that do not measure it. */
  lowConfidence: number | null;
}

/**
 * Builds (or reuses) the model an options object asks for.
 *
 * @example
 * ```ts
 * import { readImage, resolveModel, segment } from 'nucseg';
 * const model = await resolveModel({ model: 'classic', classic: { minContrast: 0.1 } }); // build once, reuse for every field
 * const r = await segment(await readImage('examples/fields/images/dsb-3ebd2ab3.tif'), { model });
 * ```
 */
export async function resolveModel(opts: SegmentOptions): Promise<SegmentationModel> {
  const m = opts.model ?? DEFAULT_MODEL;
  if (typeof m === 'object') return m;
  if (m === 'classic') return new ClassicModel(opts.classic);
  return loadModel({ model: m, device: opts.device, batch: opts.batch, threads: opts.threads });
}

/**
 * Segments nuclei in one single-channel image (any pixel type): normalizes intensities,
 * runs the model (whole, or in tiles stitched without seams for large images and tiled
 * models) and returns instance labels (uint16, or uint32 past 65,535 nuclei).
 *
 * @example
 * ```ts
 * import { readImage, segment, writeLabels } from 'nucseg';
 * const field = await readImage('examples/fields/images/dsb-3ebd2ab3.tif');
 * const r = await segment(field, { model: 'classic' }); // default: the shipped FPN2-WS model
 * console.log(r.count, 'nuclei; diameter', r.diameter, r.diameterSource, 'on', r.device);
 * await writeLabels('dsb-3ebd2ab3.labels.tif', r.labels);
 * ```
 */
export async function segment(image: ImageData, opts: SegmentOptions = {}): Promise<SegmentResult> {
  const model = await resolveModel(opts);
  const threads = opts.threads ?? 0;
  const { width, height } = image;
  if (!(width > 0 && height > 0)) throw new NucsegError(`cannot segment an empty image (${width}x${height})`);
  assertFinite(image);
  // computed once for the whole field so tiles agree; mode 'none' maps [0, 1] as is
  const prof = opts.profile;
  const norm = timed(prof, 'normalize', () => normalizationRange(image, opts.normalize)) ?? { lo: 0, hi: 1 };
  const range: [number, number] = [norm.lo, norm.hi];
  const maxWhole = opts.maxWholePixels ?? 4096 * 4096;
  const given = opts.diameter ?? 'auto';
  if (given !== 'auto' && !(given >= 2 && given <= 1000)) throw new NucsegError(`diameter must be 'auto' or a number of pixels in [2, 1000], not ${given}`);
  const whole = width * height <= maxWhole;
  // one normalization (and one diameter) for the whole field, so tiles agree
  let normalized = whole ? timed(prof, 'normalize', () => normalizeImage(image, { ...opts.normalize, range })) : undefined;
  let diameter: number | null;
  if (given !== 'auto') diameter = given;
  else {
    // a huge field: the diameter of its central 4096² (or smaller) part
    const side = Math.min(4096, width, height);
    const probe = normalized ?? timed(prof, 'normalize', () => normalizeImage(cropTile(image, centralTile(width, height, side)), { ...opts.normalize, range }));
    diameter = timed(prof, 'diameter', () => estimateDiameter(probe, { threads }));
  }
  const confidence = { low: 0, total: 0 };
  const call = { threads, diameter, tta: !!opts.tta, profile: prof, confidence };
  const lowConfidence = () => (confidence.total > 0 ? confidence.low / confidence.total : null);
  const scale = model.scaleFor?.(diameter) ?? 1;
  const base = { normalization: norm, diameter, diameterSource: given === 'auto' ? ('auto' as const) : ('given' as const), scale, model: model.name };
  const tile = opts.tile ?? model.tile ?? (whole ? undefined : { size: 2048, overlap: Math.min(1024, Math.ceil(3 * (diameter ?? 24))) });

  if (!tile) {
    normalized ??= timed(prof, 'normalize', () => normalizeImage(image, { ...opts.normalize, range }));
    const labels = await model.segment(normalized, call);
    normalized = undefined;
    const count = maxLabel(labels);
    const small = labels.data instanceof Uint32Array && count <= 0xffff ? { data: Uint16Array.from(labels.data), width: labels.width, height: labels.height } : labels;
    return { ...base, labels: small, count, tiles: 1, device: modelDevice(model), lowConfidence: lowConfidence() };
  }
  normalized = undefined;
  const grid = tileGrid(width, height, tile.size, tile.overlap);
  const stitcher = new LabelStitcher(width, height);
  for (const t of grid) {
    const raw = cropTile(image, t);
    const labels = await model.segment(timed(prof, 'normalize', () => normalizeImage(raw, { ...opts.normalize, range })), call);
    timed(prof, 'stitch', () => stitcher.add(t, labels));
  }
  const labels = timed(prof, 'stitch', () => stitcher.finish());
  return { ...base, labels, count: maxLabel(labels), tiles: grid.length, device: modelDevice(model), lowConfidence: lowConfidence() };
}

/** The central side x side square of a field, as a tile. */
function centralTile(width: number, height: number, side: number) {
  const x = Math.floor((width - side) / 2), y = Math.floor((height - side) / 2);
  return { x, y, width: side, height: side, own: { x0: x, y0: y, x1: x + side, y1: y + side } };
}

/** The device a model runs on, as a result reports it ('cpu' for models that do not say). */
function modelDevice(model: SegmentationModel): string {
  return (model as { device?: string }).device ?? 'cpu';
}

function maxLabel(l: LabelImage): number {
  let m = 0;
  const d = l.data;
  for (let i = 0; i < d.length; i++) if (d[i] > m) m = d[i];
  return m;
}

