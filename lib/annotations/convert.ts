import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { readImage, readLabels } from '../image/read.js';
import type { LabelImage } from '../image/types.js';
import { writeLabels } from '../image/write.js';
import { writeFileAtomic } from '../util/atomic.js';
import { NucsegError } from '../util/errors.js';
import { labelsToFeatureCollection, parseGeoJson, type GeoJsonReadOptions } from './geojson.js';
import { rasterizeObjects, type RasterizeResult } from './rasterize.js';
import { decodeRoi } from './roi-decode.js';
import { labelsToRoiZip, readRoiZip } from './roi-zip.js';
import type { AnnotationSet } from './types.js';

/** What a file holds, by its extension. */
export type AnnotationKind = 'labels' | 'geojson' | 'roi' | 'roi-zip';
/** What convert writes. */
export type AnnotationOutput = 'labels' | 'geojson' | 'roi-zip';

const MAX_ANNOTATION_BYTES = 1 << 30;

/**
 * The kind of an annotation file by its extension: .tif/.tiff/.png labels, .geojson/.json
 * GeoJSON, .roi one ImageJ ROI, .zip an ImageJ ROI Manager zip; undefined for anything else.
 *
 * @example
 * ```ts
 * import { annotationKind } from 'nucseg';
 * annotationKind('RoiSet.zip'); // 'roi-zip'
 * ```
 */
export function annotationKind(path: string): AnnotationKind | undefined {
  const e = extname(path).toLowerCase();
  if (e === '.tif' || e === '.tiff' || e === '.png') return 'labels';
  if (e === '.geojson' || e === '.json') return 'geojson';
  if (e === '.roi') return 'roi';
  if (e === '.zip') return 'roi-zip';
  return undefined;
}

/**
 * Reads a GeoJSON, .roi or ROI zip file into objects (parseGeoJson, decodeRoi, readRoiZip).
 * Files over 1 GiB, and unknown extensions, are refused with a NucsegError naming the file.
 *
 * @example
 * ```ts
 * import { readAnnotationFile } from 'nucseg';
 * const set = await readAnnotationFile('corrected.geojson'); // set.objects, set.skipped
 * ```
 */
export async function readAnnotationFile(path: string, opts: GeoJsonReadOptions = {}): Promise<AnnotationSet> {
  const kind = annotationKind(path);
  if (!kind || kind === 'labels') throw new NucsegError('not an annotation file (expected .geojson, .json, .roi or .zip)', { file: path });
  const size = await stat(path).then((s) => s.size, (e: NodeJS.ErrnoException) => {
    throw new NucsegError(e.code === 'ENOENT' ? 'no such file' : `cannot read (${e.code})`, { file: path, cause: e });
  });
  if (size > MAX_ANNOTATION_BYTES) throw new NucsegError(`${size} bytes, more than the ${MAX_ANNOTATION_BYTES} an annotation file may have`, { file: path });
  const bytes = await readFile(path);
  if (kind === 'geojson') return parseGeoJson(bytes.toString('utf8'), path, opts);
  if (kind === 'roi-zip') return readRoiZip(bytes, path);
  const d = decodeRoi(bytes, path);
  return 'object' in d ? { objects: [d.object], skipped: [] } : { objects: [], skipped: [{ name: d.name, reason: d.skipped }] };
}

/** Options of annotationsToLabels / convertAnnotations. */
export interface ConvertOptions extends GeoJsonReadOptions {
  /** Keep only objects of these types (QuPath objectType, e.g. 'detection'; ImageJ ROI type, e.g. 'traced'). */
  objectTypes?: readonly string[];
}

/** A label image from an annotation file, with what rasterizing it reported. */
export interface AnnotationLabels extends Omit<RasterizeResult, 'labels'> {
  labels: LabelImage;
  /** Objects rasterized, and objects without an area (or filtered out) that were not. */
  objects: number;
  skipped: { name: string; reason: string }[];
}

/**
 * A label image on a field's pixel grid from any annotation file: label images are read as
 * they are (and must have the field's size); GeoJSON and ImageJ ROIs are rasterized with
 * rasterizeObjects (pixel centres inside, even-odd, later object wins, overlaps counted).
 *
 * @example
 * ```ts
 * import { annotationsToLabels } from 'nucseg';
 * const r = await annotationsToLabels('corrected.geojson', { width: 1024, height: 1024 });
 * console.log(r.objects, 'nuclei,', r.overlapPixels, 'overlapping pixels');
 * ```
 */
export async function annotationsToLabels(path: string, size: { width: number; height: number } | undefined, opts: ConvertOptions = {}): Promise<AnnotationLabels> {
  if (annotationKind(path) === 'labels') {
    const labels = await readLabels(path);
    if (size && (labels.width !== size.width || labels.height !== size.height)) throw new NucsegError(`is ${labels.width} x ${labels.height}, the field is ${size.width} x ${size.height}`, { file: path });
    const ids = [...new Set(labels.data)].filter((v) => v !== 0).sort((a, b) => a - b);
    return { labels: { data: labels.data, width: labels.width, height: labels.height }, ids, idSource: 'kept', overlapPixels: 0, overlaps: [], empty: [], objects: ids.length, skipped: [] };
  }
  if (!size) throw new NucsegError('needs the field it annotates (--like <field.tif>) for its pixel grid', { file: path });
  const set = await readAnnotationFile(path, opts);
  const skipped = [...set.skipped];
  let objects = set.objects;
  if (opts.objectTypes) {
    const keep = new Set(opts.objectTypes);
    for (const o of objects) if (!keep.has(o.objectType ?? '')) skipped.push({ name: o.name, reason: `object type ${o.objectType ?? '(none)'} not selected` });
    objects = objects.filter((o) => keep.has(o.objectType ?? ''));
  }
  const r = rasterizeObjects(objects, size.width, size.height);
  return { ...r, objects: objects.length, skipped };
}

/**
 * Writes a label image as a label TIFF (writeLabels), GeoJSON (labelsToFeatureCollection) or
 * an ImageJ ROI zip (labelsToRoiZip), each atomically (temporary name, then rename).
 *
 * @example
 * ```ts
 * import { writeLabelsAs } from 'nucseg';
 * await writeLabelsAs(labels, 'field.zip', 'roi-zip');
 * ```
 */
export async function writeLabelsAs(labels: LabelImage, path: string, to: AnnotationOutput): Promise<void> {
  if (to === 'labels') await writeLabels(path, labels);
  else if (to === 'geojson') await writeFileAtomic(path, JSON.stringify(labelsToFeatureCollection(labels)));
  else await writeFileAtomic(path, labelsToRoiZip(labels));
}

/**
 * The size of the field a `--like` file has (an image or a label image, read in full).
 *
 * @example
 * ```ts
 * import { fieldSize } from 'nucseg';
 * const size = await fieldSize('plate1/A01_s1.tif'); // { width: 1024, height: 1024 }
 * ```
 */
export async function fieldSize(path: string): Promise<{ width: number; height: number }> {
  const im = await readImage(path);
  return { width: im.width, height: im.height };
}
