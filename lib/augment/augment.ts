import { randomBytes } from 'node:crypto';
import { mkdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import h5wasm from 'h5wasm/node';
import { augmentRoisAsync, type RoiBatch } from '../kernels/augment.js';
import { NucsegError } from '../util/errors.js';
import { VERSION } from '../version.js';
import type { AugmentConfig } from './config.js';
import { rngUniform } from './rng.js';
import { loadSources, type SetSpec, type SourceFile } from './sources.js';

export const AUGMENT_SCHEMA = 'nucseg.augment/1';
/** A uint16 `image` holds round(value × IMAGE_LEVELS): 12 bits, finer than float16 near 1. */
export const IMAGE_LEVELS = 4095;

export interface AugmentOptions {
  sets: SetSpec[];
  /** Total ROIs (split over sets that give no count of their own, in equal shares). */
  rois: number;
  config: AugmentConfig;
  seed?: number;
  threads?: number;
  /** Output HDF5 path (written to a temporary name, renamed when complete). */
  out: string;
  /** ROIs per native batch (memory: ~1 MB per ROI at 256²). */
  batch?: number;
  /** gzip level of the label and target datasets (and a float32 image), 0 = none (default 1: fast, ~5x smaller). */
  compression?: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /**
   * How `image` is stored: 'uint16' (default) = round(value × 4095), 12 bits, packed
   * losslessly with HDF5's built-in scale-offset filter (the attribute image_scale = 1/4095
   * turns it back into 0..1); 'float32' = the values as they are, gzip.
   */
  imageDtype?: 'uint16' | 'float32';
  /** Called with each batch as it is written (ROI indices start at `first`); the arrays are reused for later batches (copy what you keep). */
  onBatch?: (first: number, batch: RoiBatch, set: Uint8Array, split: Uint8Array) => void;
}

export interface AugmentResult {
  out: string;
  rois: number;
  perSet: Record<string, { train: number; validation: number }>;
  files: SourceFile[];
  seconds: number;
}

/** ROI counts per set: explicit counts first, the rest of `total` in equal shares. */
export function roiQuotas(sets: readonly SetSpec[], total: number): number[] {
  const fixed = sets.reduce((a, s) => a + (s.rois ?? 0), 0);
  const free = sets.filter((s) => s.rois === undefined);
  if (free.length === 0) return sets.map((s) => s.rois!);
  const rest = total - fixed;
  if (rest < 0) throw new NucsegError(`the sets ask for ${fixed} ROIs, more than --rois ${total}`);
  let k = 0;
  return sets.map((s) => {
    if (s.rois !== undefined) return s.rois;
    const share = Math.floor(rest / free.length) + (k < rest % free.length ? 1 : 0);
    k++;
    return share;
  });
}

/**
 * Builds an augmented training set (see the README's HDF5 schema): bootstrapped ROIs from
 * each set's fields at every scale, one geometric transform each, intensity augmentation by
 * class probabilities, FPN2-WS targets, written to one HDF5 file that h5py reads. The same
 * inputs, config and seed give identical files whatever the thread count.
 */
export async function augment(opts: AugmentOptions): Promise<AugmentResult> {
  const t0 = performance.now();
  const cfg = opts.config;
  const seed = opts.seed ?? 0;
  if (!(Number.isInteger(opts.rois) && opts.rois >= 1 && opts.rois <= 10_000_000)) throw new NucsegError(`--rois must be a whole number in [1, 10^7], not ${opts.rois}`);
  if (opts.sets.length === 0) throw new NucsegError('give at least one --set name=folder');
  if (opts.sets.length > 255) throw new NucsegError('at most 255 sets');
  const names = new Set<string>();
  for (const s of opts.sets) {
    if (names.has(s.name)) throw new NucsegError(`set name '${s.name}' is used twice`);
    names.add(s.name);
  }
  const quotas = roiQuotas(opts.sets, opts.rois);
  const total = quotas.reduce((a, b) => a + b, 0);
  const { sources, files } = await loadSources(opts.sets, cfg.scales, cfg.valFraction, seed);

  // plan: set-major; within a set the ROIs flagged validation are a deterministic valFraction
  const roiSet = new Uint8Array(total), roiSplit = new Uint8Array(total);
  const perSet: AugmentResult['perSet'] = {};
  let p = 0;
  quotas.forEach((q, si) => {
    const nVal = Math.round(cfg.valFraction * q);
    const order = Array.from({ length: q }, (_, j) => j).sort((a, b) => rngUniform(seed, 104729 + si, a) - rngUniform(seed, 104729 + si, b));
    const isVal = new Uint8Array(q);
    for (const j of order.slice(0, nVal)) isVal[j] = 1;
    for (let j = 0; j < q; j++, p++) {
      roiSet[p] = si;
      roiSplit[p] = isVal[j];
    }
    perSet[opts.sets[si].name] = { train: q - nVal, validation: nVal };
  });

  await h5wasm.ready;
  const dir = dirname(opts.out);
  await mkdir(dir, { recursive: true }).catch(() => {});
  const tmp = join(dir, `.${basename(opts.out)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let file: InstanceType<typeof h5wasm.File>;
  try {
    file = new h5wasm.File(tmp, 'w');
  } catch (e) {
    throw new NucsegError(`cannot write HDF5 file (${(e as Error).message})`, { file: opts.out });
  }
  const R = cfg.roi;
  const level = opts.compression ?? 1;
  if (!(Number.isInteger(level) && level >= 0 && level <= 9)) throw new NucsegError(`compression must be 0-9, not ${level}`);
  const batch = Math.max(1, opts.batch ?? 256);
  try {
    const gzip = level > 0 ? { compression: 'gzip', compression_opts: level } : {};
    const mk = (name: string, dtype: string, ctor: new (n: number) => ArrayLike<number>, dims: number[], chunks: number[], filter: object = gzip) =>
      file.create_dataset({ name, data: new ctor(0) as never, shape: [0, ...dims], maxshape: [null, ...dims], chunks, dtype, ...filter });
    const u16 = (opts.imageDtype ?? 'uint16') === 'uint16';
    if (!u16 && opts.imageDtype !== 'float32') throw new NucsegError(`imageDtype must be uint16 or float32, not '${opts.imageDtype}'`);
    // 12-bit integers packed by HDF5's scale-offset filter (H5Z_FILTER_SCALEOFFSET = 6,
    // H5Z_SO_INT = 2, minimum bits found per chunk): lossless, built into every HDF5 reader,
    // and ~4x cheaper than gzip on the writer's single thread
    const dsImage = u16 ? mk('image', '<H', Uint16Array, [R, R], [1, R, R], { compression: 6, compression_opts: [2, 0] }) : mk('image', '<f', Float32Array, [R, R], [1, R, R]);
    const dsLabel = mk('label', '<H', Uint16Array, [R, R], [1, R, R]);
    const dsDist = mk('distance', '<f', Float32Array, [R, R], [1, R, R]);
    const dsBorder = mk('border', '<f', Float32Array, [R, R], [1, R, R]);
    const dsSet = mk('set', '<B', Uint8Array, [], [Math.min(65536, total)]);
    const dsSplit = mk('split', '<B', Uint8Array, [], [Math.min(65536, total)]);
    // Pipelined: batch k+1 is computed on native worker threads while batch k is compressed
    // and written here (HDF5 compression runs on this thread).
    // two sets of output buffers, alternating: one is filled while the other is written
    const px = R * R;
    const buffers = [0, 1].map(() => {
      const m = Math.min(batch, total) * px;
      return { image: new Float32Array(m), labels: new Uint16Array(m), distance: new Float32Array(m), border: new Float32Array(m), image16: u16 ? new Uint16Array(m) : undefined };
    });
    const start = (first: number) => {
      const n = Math.min(batch, total - first);
      const buf = buffers[Math.floor(first / batch) % 2];
      const into = {
        image: buf.image.subarray(0, n * px),
        labels: buf.labels.subarray(0, n * px),
        distance: buf.distance.subarray(0, n * px),
        border: buf.border.subarray(0, n * px),
        ...(buf.image16 ? { image16: buf.image16.subarray(0, n * px), levels: IMAGE_LEVELS } : {}),
      };
      return augmentRoisAsync(sources, roiSet.subarray(first, first + n), roiSplit.subarray(first, first + n), cfg, seed, first, { threads: opts.threads, into });
    };
    let pending: Promise<RoiBatch> | undefined = total > 0 ? start(0) : undefined;
    for (let first = 0; first < total; first += batch) {
      const b = await pending!;
      pending = first + batch < total ? start(first + batch) : undefined;
      if (opts.signal?.aborted) {
        await pending?.catch(() => {});
        throw new NucsegError('interrupted; no file written', { file: opts.out });
      }
      const n = Math.min(batch, total - first);
      const sset = roiSet.subarray(first, first + n), ssplit = roiSplit.subarray(first, first + n);
      const end = first + n;
      // the uint16 image was written by the native workers (into.image16)
      const image: Float32Array | Uint16Array = u16 ? b.image16! : b.image;
      for (const [ds, data] of [
        [dsImage, image],
        [dsLabel, b.labels],
        [dsDist, b.distance],
        [dsBorder, b.border],
      ] as const) {
        ds.resize([end, R, R]);
        ds.write_slice([[first, end], [0, R], [0, R]], data);
      }
      dsSet.resize([end]);
      dsSet.write_slice([[first, end]], sset);
      dsSplit.resize([end]);
      dsSplit.write_slice([[first, end]], ssplit);
      opts.onBatch?.(first, b, sset, ssplit);
      opts.onProgress?.(end, total);
    }
    file.create_attribute('schema', AUGMENT_SCHEMA);
    file.create_attribute('nucseg_version', VERSION);
    file.create_attribute('seed', String(seed));
    file.create_attribute('config', JSON.stringify(cfg));
    file.create_attribute('sets', JSON.stringify(opts.sets.map((s, i) => ({ index: i, name: s.name, dir: s.dir, rois: quotas[i] }))));
    file.create_attribute('sources', JSON.stringify(files));
    file.create_attribute('image_normalization', `per field: 1st-99.8th percentile -> 0..1 (noise-floored), then augmentation; ${u16 ? `stored as round(value x ${IMAGE_LEVELS}) in uint16: value = image x image_scale` : 'float32 in [0, 1]'}`);
    file.create_attribute('image_scale', u16 ? 1 / IMAGE_LEVELS : 1);
    file.close();
  } catch (e) {
    try {
      file.close();
    } catch {
      // already closed
    }
    await unlink(tmp).catch(() => {});
    throw e;
  }
  await rename(tmp, opts.out);
  return { out: opts.out, rois: total, perSet, files, seconds: (performance.now() - t0) / 1000 };
}
