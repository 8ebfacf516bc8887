import type { ImageData, LabelImage } from '../image/types.js';
import { NucsegError } from '../util/errors.js';
import { ClassicModel, type ClassicOptions } from './classic.js';
import { loadModel } from '../models/load.js';
import { DEFAULT_MODEL } from '../models/registry.js';
import type { SegmentationModel } from './model.js';
import { normalizationRange, normalizeImage, type NormalizeOptions } from './normalize.js';
import { cropTile, LabelStitcher, tileGrid } from './tiling.js';

export interface SegmentOptions {
  /** A model object, a bundled model name (default: the shipped FPN2-WS model, DEFAULT_MODEL), 'classic' (no weights) or an .onnx path with its card. */
  model?: SegmentationModel | string;
  /** For ONNX models: where to run them, and tiles per batch. */
  device?: 'auto' | 'cpu' | 'cuda' | 'webgpu';
  batch?: number;
  /** Parameters of the classical model. */
  classic?: ClassicOptions;
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
}

export interface SegmentResult {
  labels: LabelImage;
  count: number;
  /** The intensity range mapped to 0..1. */
  normalization: { lo: number; hi: number };
  /** Whether tiles were used, and how many. */
  tiles: number;
  /** The model's name and, for ONNX models, the device ONNX Runtime runs on ('cpu' for classic). */
  model: string;
  device: string;
}

/** Builds (or reuses) the model an options object asks for. */
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
 */
export async function segment(image: ImageData, opts: SegmentOptions = {}): Promise<SegmentResult> {
  const model = await resolveModel(opts);
  const threads = opts.threads ?? 0;
  const { width, height } = image;
  if (!(width > 0 && height > 0)) throw new NucsegError(`cannot segment an empty image (${width}x${height})`);
  // computed once for the whole field so tiles agree; mode 'none' maps [0, 1] as is
  const norm = normalizationRange(image, opts.normalize) ?? { lo: 0, hi: 1 };
  const range: [number, number] = [norm.lo, norm.hi];
  const maxWhole = opts.maxWholePixels ?? 4096 * 4096;
  const diameter = opts.classic?.diameter ?? 24;
  const tile = opts.tile ?? model.tile ?? (width * height > maxWhole ? { size: 2048, overlap: Math.min(1024, Math.ceil(3 * diameter)) } : undefined);

  if (!tile) {
    const normalized = normalizeImage(image, { ...opts.normalize, range });
    const labels = await model.segment(normalized, { threads });
    const count = maxLabel(labels);
    const small = labels.data instanceof Uint32Array && count <= 0xffff ? { data: Uint16Array.from(labels.data), width: labels.width, height: labels.height } : labels;
    return { labels: small, count, normalization: norm, tiles: 1, model: model.name, device: deviceOf(model) };
  }
  const grid = tileGrid(width, height, tile.size, tile.overlap);
  const stitcher = new LabelStitcher(width, height);
  for (const t of grid) {
    const raw = cropTile(image, t);
    const normalized = normalizeImage(raw, { ...opts.normalize, range });
    stitcher.add(t, await model.segment(normalized, { threads }));
  }
  const labels = stitcher.finish();
  return { labels, count: maxLabel(labels), normalization: norm, tiles: grid.length, model: model.name, device: deviceOf(model) };
}

function deviceOf(model: SegmentationModel): string {
  return (model as { device?: string }).device ?? 'cpu';
}

function maxLabel(l: LabelImage): number {
  let m = 0;
  const d = l.data;
  for (let i = 0; i < d.length; i++) if (d[i] > m) m = d[i];
  return m;
}

