import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { annotationKind, annotationsToLabels } from '../annotations/convert.js';
import { annotationStem, findAnnotationFiles } from '../annotations/folder.js';
import { findImages, pairFiles, type FilePair } from '../image/discover.js';
import { readImage, readLabels } from '../image/read.js';
import { resize } from '../kernels/resize.js';
import type { RoiSource } from '../kernels/augment.js';
import { assertFinite, normalizeImage } from '../segment/normalize.js';
import { NucsegError } from '../util/errors.js';
import { rngUniform } from './rng.js';

export interface SetSpec {
  name: string;
  /** Folder with images/ and labels/ of matching names (the layout of ../shared/data). */
  dir: string;
  /** ROIs for this set (default: equal share of the total). */
  rois?: number;
}

export interface SourceFile {
  set: string;
  image: string;
  labels: string;
  imageSha256: string;
  labelsSha256: string;
  width: number;
  height: number;
  split: 0 | 1;
}

async function sha256(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}

/**
 * The image/label pairs of one set (`images/` and `labels/` of matching names) and the keys
 * of those held out for validation: a field-level split, deterministic from the seed and the
 * set's index (20 % with the default valFraction; sets of fewer than 5 fields split nothing
 * here). Reads no pixels. Unpaired files are errors naming them.
 */
export async function splitSet(set: SetSpec, setIndex: number, valFraction: number, seed: number): Promise<{ pairs: FilePair[]; valKeys: Set<string> }> {
  let images: string[], labels: string[];
  try {
    [images, labels] = await Promise.all([findImages(join(set.dir, 'images')), findAnnotationFiles(join(set.dir, 'labels'))]);
  } catch {
    throw new NucsegError(`set '${set.name}' needs images/ and labels/ folders`, { file: set.dir });
  }
  // labels/: label images, QuPath GeoJSON or ImageJ ROI zips (corrected annotations), by name
  const { pairs, unpairedGt, unpairedPred } = pairFiles(labels, images, { key: annotationStem });
  if (unpairedGt.length || unpairedPred.length) {
    const f = [...unpairedGt, ...unpairedPred][0];
    throw new NucsegError(`set '${set.name}': ${relative('.', f)} has no matching ${unpairedGt.includes(f) ? 'image' : 'label'} file`);
  }
  if (pairs.length === 0) throw new NucsegError(`set '${set.name}' has no image/label pairs`, { file: set.dir });
  const order = pairs.map((p, i) => ({ p, r: rngUniform(seed, 7919 * (setIndex + 1), i) })).sort((a, b) => a.r - b.r);
  const nVal = pairs.length >= 5 ? Math.max(1, Math.round(valFraction * pairs.length)) : 0;
  return { pairs, valKeys: new Set(order.slice(0, nVal).map((o) => o.p.key)) };
}

/**
 * Loads every (image, label) pair of each set: images normalized to 0..1 (percentiles),
 * labels as uint32. Fields are split into train/validation per set: with 5 or more fields a
 * `valFraction` share of whole fields goes to validation (no field in both); with fewer,
 * both splits sample all fields. Each field becomes one source per scale factor: factors
 * below 1 are resized here (area for the image, nearest for labels), factors >= 1 are
 * applied while sampling. Mismatched or unreadable pairs are errors naming the pair.
 */
export async function loadSources(sets: readonly SetSpec[], scales: readonly number[], valFraction: number, seed: number): Promise<{ sources: RoiSource[]; files: SourceFile[] }> {
  const sources: RoiSource[] = [];
  const files: SourceFile[] = [];
  for (const [si, set] of sets.entries()) {
    const { pairs, valKeys } = await splitSet(set, si, valFraction, seed);
    for (const pair of pairs) {
      const im = await readImage(pair.pred);
      // GeoJSON and ROI zips are rasterized on the field's pixel grid (lib/annotations)
      const lb = annotationKind(pair.gt) === 'labels' ? await readLabels(pair.gt) : (await annotationsToLabels(pair.gt, { width: im.width, height: im.height })).labels;
      if (im.width !== lb.width || im.height !== lb.height) {
        throw new NucsegError(`image ${relative('.', pair.pred)} is ${im.width}x${im.height} but its labels ${relative('.', pair.gt)} are ${lb.width}x${lb.height}`);
      }
      if (im.sampleFormat === 'float' && im.data instanceof Float64Array) im.data = Float32Array.from(im.data);
      try {
        assertFinite(im);
      } catch (e) {
        throw new NucsegError((e as Error).message, { file: pair.pred });
      }
      const norm = normalizeImage(im);
      const lab32 = lb.data instanceof Uint32Array ? lb.data : Uint32Array.from(lb.data);
      const split: 0 | 1 = valKeys.has(pair.key) ? 1 : 0;
      files.push({ set: set.name, image: pair.pred, labels: pair.gt, imageSha256: await sha256(pair.pred), labelsSha256: await sha256(pair.gt), width: im.width, height: im.height, split });
      for (const s of scales) {
        if (s >= 1) {
          sources.push({ image: { data: norm.data, width: norm.width, height: norm.height }, labels: { data: lab32, width: lb.width, height: lb.height }, set: si, split, zoom: s });
        } else {
          const w = Math.max(1, Math.round(im.width * s)), h = Math.max(1, Math.round(im.height * s));
          const img = resize({ data: norm.data, width: norm.width, height: norm.height }, w, h, { interpolation: 'area' });
          const lab = resize({ data: lab32, width: lb.width, height: lb.height }, w, h, { interpolation: 'nearest' });
          sources.push({ image: img, labels: lab, set: si, split, zoom: 1 });
        }
      }
    }
  }
  return { sources, files };
}
