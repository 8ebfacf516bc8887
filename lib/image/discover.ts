import { realpath, stat } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { NucsegError } from '../util/errors.js';

/** File extensions nucseg reads as images. */
export const IMAGE_EXTENSIONS = ['.tif', '.tiff', '.png'];

/**
 * The image files nucseg writes, by kind (the one list of them): `nucseg segment`'s labels
 * and overlays, `nucseg score --errors-dir`'s error panels. Input discovery skips some of
 * them: segmenting skips labels and overlays, scoring overlays and error panels (scoring
 * reads labels).
 */
export const OUTPUT_SUFFIXES = { labels: '.labels.tif', overlay: '.overlay.png', errors: '.errors.png', thumbnail: '.thumb.png' } as const;
export type OutputKind = keyof typeof OUTPUT_SUFFIXES;

/** Whether `file` is one of nucseg's own output images of these kinds (by its suffix, any case). */
export function isOwnOutput(file: string, kinds: readonly OutputKind[]): boolean {
  const lower = file.toLowerCase();
  return kinds.some((k) => lower.endsWith(OUTPUT_SUFFIXES[k]));
}

/** An image file found by expandImages, with its path below the input folder it came from. */
export interface FoundImage {
  /** Absolute path. */
  file: string;
  /** Path below its input folder (the file name for file and glob inputs), native separators. */
  rel: string;
}

/**
 * Expands files, folders (recursively) and glob patterns into image files (.tif, .tiff,
 * .png), without duplicates, hidden files or nucseg's temporary files. Symbolic links are
 * followed, but each real file is taken once (link loops and aliases do not repeat it),
 * under the shortest of the paths that reach it. A path that does not exist, or a pattern
 * that matches no image, is an error naming it.
 */
export async function expandImages(inputs: string | readonly string[]): Promise<FoundImage[]> {
  const list = typeof inputs === 'string' ? [inputs] : inputs;
  // keyed by real path: the first input that reaches a file keeps it
  const out = new Map<string, FoundImage>();
  const isImage = (f: string) => IMAGE_EXTENSIONS.some((e) => f.toLowerCase().endsWith(e));
  const addAll = async (files: [string, string][]) => {
    const images = files.map(([f, rel]) => ({ file: resolve(f), rel })).filter((f) => isImage(f.file) && !basename(f.file).startsWith('.'));
    const reals = await Promise.all(images.map((f) => realpath(f.file).catch(() => f.file)));
    const batch = new Map<string, FoundImage>();
    images.forEach((f, i) => {
      const prev = batch.get(reals[i]);
      if (!out.has(reals[i]) && (!prev || shorter(f.rel, prev.rel))) batch.set(reals[i], f);
    });
    for (const [real, found] of batch) out.set(real, found);
  };
  for (const input of list) {
    const st = await stat(input).catch(() => undefined);
    if (st?.isFile()) {
      await addAll([[input, basename(input)]]);
    } else if (st?.isDirectory()) {
      const files = await glob(IMAGE_EXTENSIONS.map((e) => `**/*${e}`), { cwd: input, caseSensitiveMatch: false, dot: false, followSymbolicLinks: true });
      await addAll(files.map((f) => [join(input, f), f.split('/').join(sep)]));
    } else if (isDynamicPattern(input)) {
      const files = (await glob(input, { absolute: true, caseSensitiveMatch: false, dot: false, followSymbolicLinks: true })).filter(isImage);
      if (files.length === 0) throw new NucsegError('pattern matches no .tif/.tiff/.png files', { file: input });
      await addAll(files.map((f) => [f, basename(f)]));
    } else {
      throw new NucsegError('no such file or folder', { file: input });
    }
  }
  return [...out.values()];
}

/** Whether path `a` names a file more directly than `b`: fewer folders, then fewer characters, then sort order. */
function shorter(a: string, b: string): boolean {
  const da = a.split(sep).length, db = b.split(sep).length;
  if (da !== db) return da < db;
  if (a.length !== b.length) return a.length < b.length;
  return a < b;
}

/**
 * Expands files, folders (recursively) and glob patterns into a sorted list of image files
 * (see expandImages). nucseg's overlay and error-panel PNGs are skipped.
 *
 * @example
 * ```ts
 * import { findImages } from 'nucseg';
 * const files = await findImages(['examples/fields/images', 'examples/pred/*.tif']); // 6 absolute paths, sorted
 * ```
 */
export async function findImages(inputs: string | readonly string[]): Promise<string[]> {
  return (await expandImages(inputs))
    .map((f) => f.file)
    .filter((f) => !isOwnOutput(f, ['overlay', 'errors']))
    .sort();
}

/**
 * The name two files are paired by: the file name without folders, image extension and a
 * trailing `.labels` (what `nucseg segment` appends), so `A01.labels.tif` pairs `A01.png`.
 *
 * @example
 * ```ts
 * import { pairingKey } from 'nucseg';
 * pairingKey('results/A01.labels.tif'); // 'A01'
 * pairingKey('gt/A01.png'); // 'A01'
 * ```
 */
export function pairingKey(file: string): string {
  let name = basename(file);
  const lower = name.toLowerCase();
  for (const e of IMAGE_EXTENSIONS) if (lower.endsWith(e)) name = name.slice(0, -e.length);
  if (name.toLowerCase().endsWith('.labels')) name = name.slice(0, -'.labels'.length);
  return name;
}

export interface FilePair {
  key: string;
  gt: string;
  pred: string;
}

/**
 * Pairs ground-truth and prediction files by pairingKey (or `opts.key`). Returns the pairs
 * (sorted by key) and the files of either side that have no partner. Two files of one side
 * with the same key are an error (ambiguous; `opts.duplicate` words it).
 *
 * @example
 * ```ts
 * import { findImages, pairFiles } from 'nucseg';
 * const { pairs, unpairedGt, unpairedPred } = pairFiles(await findImages('examples/gt'), await findImages('examples/pred'));
 * for (const { key, gt, pred } of pairs) console.log(key, gt, pred); // dsb-4bf6a5ec …/gt/dsb-4bf6a5ec.tif …/pred/dsb-4bf6a5ec.labels.tif
 * ```
 */
export function pairFiles(
  gtFiles: readonly string[],
  predFiles: readonly string[],
  opts: { key?: (file: string) => string; duplicate?: (key: string, first: string, second: string, side: string) => string } = {},
): { pairs: FilePair[]; unpairedGt: string[]; unpairedPred: string[] } {
  const key = opts.key ?? pairingKey;
  const duplicate = opts.duplicate ?? ((k, a, b, side) => `two ${side} files have the name "${k}": ${relative('.', a)} and ${relative('.', b)}`);
  const index = (files: readonly string[], side: string) => {
    const m = new Map<string, string>();
    for (const f of files) {
      const k = key(f);
      const prev = m.get(k);
      if (prev) throw new NucsegError(duplicate(k, prev, f, side));
      m.set(k, f);
    }
    return m;
  };
  const g = index(gtFiles, 'ground-truth'), p = index(predFiles, 'prediction');
  const pairs: FilePair[] = [];
  const unpairedGt: string[] = [];
  for (const [k, f] of g) {
    const q = p.get(k);
    if (q) pairs.push({ key: k, gt: f, pred: q });
    else unpairedGt.push(f);
  }
  const unpairedPred = [...p].filter(([k]) => !g.has(k)).map(([, f]) => f);
  pairs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { pairs, unpairedGt, unpairedPred };
}
