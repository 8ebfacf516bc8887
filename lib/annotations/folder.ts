import { readdir, stat } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { findImages, pairFiles } from '../image/discover.js';
import { NucsegError } from '../util/errors.js';
import { annotationKind, type AnnotationOutput } from './convert.js';

/** One file of a folder conversion: the annotation file, the field it lies on, the output. */
export interface ConversionJob {
  input: string;
  like: string | undefined;
  output: string;
}

const OUTPUT_EXT: Record<AnnotationOutput, string> = { labels: '.tif', geojson: '.geojson', 'roi-zip': '.zip' };

/**
 * The name an annotation file pairs with its field by: the file name without its annotation
 * extension, then without an image extension and a `.labels` suffix, so `A01.geojson`,
 * `A01.tif.geojson` (QuPath's export name), `A01.zip` and `A01.labels.tif` all give 'A01'.
 *
 * @example
 * ```ts
 * import { annotationStem } from 'nucseg';
 * annotationStem('qupath/A01.tif.geojson'); // 'A01'
 * ```
 */
export function annotationStem(file: string): string {
  let name = basename(file).replace(/\.(geojson|json|roi|zip|tiff?|png)$/i, '');
  name = name.replace(/\.(tiff?|png)$/i, '');
  return name.replace(/\.labels$/i, '');
}

/**
 * Annotation files below `dir` (any depth: label images, GeoJSON, .roi, ROI zips), sorted;
 * hidden files and folders are left out.
 *
 * @example
 * ```ts
 * import { findAnnotationFiles } from 'nucseg';
 * const files = await findAnnotationFiles('set/labels'); // ['set/labels/A01.geojson', 'set/labels/A02.tif', ...]
 * ```
 */
export async function findAnnotationFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      const p = join(d, e.name);
      // a symbolic link counts as what it points to (sets are often links to shared data)
      const st = e.isSymbolicLink() ? await stat(p).catch(() => undefined) : e;
      if (st?.isDirectory()) await walk(p);
      else if (st?.isFile() && annotationKind(p)) out.push(p);
    }
  };
  await walk(dir);
  return out.sort();
}

/**
 * Plans converting every annotation file below `inDir` to `outDir` (same sub-folders, name
 * annotationStem + .tif / .geojson / .zip). `like` is one field for all files, or a folder
 * of fields paired by name (annotationStem with the image's name); a file without its field,
 * two inputs with the same output, or an empty folder throw a NucsegError before anything is
 * written.
 *
 * @example
 * ```ts
 * import { planFolderConversion } from 'nucseg';
 * const jobs = await planFolderConversion('qupath-export/', 'images/', 'labels', 'labels/');
 * // [{ input: 'qupath-export/A01.tif.geojson', like: 'images/A01.tif', output: 'labels/A01.tif' }, ...]
 * ```
 */
export async function planFolderConversion(inDir: string, like: string | undefined, to: AnnotationOutput, outDir: string): Promise<ConversionJob[]> {
  const files = await findAnnotationFiles(inDir);
  if (files.length === 0) throw new NucsegError('no annotation files (.tif, .tiff, .png, .geojson, .json, .roi, .zip) in the folder', { file: inDir });
  let fields: Map<string, string> | undefined;
  if (like && (await stat(like).then((s) => s.isDirectory(), () => false))) {
    fields = new Map();
    for (const f of await findImages(like)) {
      const k = annotationStem(f);
      if (fields.has(k)) throw new NucsegError(`two fields named ${k}: ${fields.get(k)} and ${f}`, { file: like });
      fields.set(k, f);
    }
  }
  const outputs = new Map<string, string>();
  return files.map((input) => {
    const stem = annotationStem(input);
    const output = join(outDir, relative(inDir, join(input, '..')), stem + OUTPUT_EXT[to]);
    if (resolve(output) === resolve(input)) throw new NucsegError('would be overwritten by its own conversion (choose another --out)', { file: input });
    const other = outputs.get(output);
    if (other) throw new NucsegError(`${other} and ${input} would both be written to ${output}`, { file: inDir });
    outputs.set(output, input);
    let field = like;
    if (fields) {
      field = fields.get(stem);
      if (!field && annotationKind(input) !== 'labels') throw new NucsegError(`no field named ${stem} in ${like} (--like) for it`, { file: input });
    }
    return { input, like: field, output };
  });
}

/**
 * Pairs annotation files with images by name (annotationStem on both sides), as
 * `augment --set` pairs labels/ with images/ when labels/ holds GeoJSON or ROI zips. Two
 * files of one side with the same name are an error (ambiguous).
 *
 * @example
 * ```ts
 * import { pairAnnotationFiles } from 'nucseg';
 * const { pairs } = pairAnnotationFiles(['l/A01.tif.geojson', 'l/A02.zip'], ['i/A01.tif', 'i/A02.tif']);
 * // pairs: [{ key: 'A01', annotation: 'l/A01.tif.geojson', image: 'i/A01.tif' }, { key: 'A02', ... }]
 * ```
 */
export function pairAnnotationFiles(annotations: readonly string[], images: readonly string[]): { pairs: { key: string; annotation: string; image: string }[]; unpairedAnnotations: string[]; unpairedImages: string[] } {
  const r = pairFiles(annotations, images, { key: annotationStem, duplicate: (k, a, b) => `two files named ${k}: ${a} and ${b}` });
  return { pairs: r.pairs.map((p) => ({ key: p.key, annotation: p.gt, image: p.pred })), unpairedAnnotations: r.unpairedGt, unpairedImages: r.unpairedPred };
}
