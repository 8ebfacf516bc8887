import { stat } from 'node:fs/promises';
import { basename, relative, resolve } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { NucsegError } from '../util/errors.js';

/** File extensions nucseg reads as images. */
export const IMAGE_EXTENSIONS = ['.tif', '.tiff', '.png'];

/**
 * Expands files, folders (recursively) and glob patterns into a sorted list of image files
 * (.tif, .tiff, .png). A path that does not exist, or a pattern that matches nothing, is
 * an error naming it. Hidden files, nucseg's temporary files and its overlay / error-panel
 * PNGs are skipped.
 */
export async function findImages(inputs: string | readonly string[]): Promise<string[]> {
  const list = typeof inputs === 'string' ? [inputs] : inputs;
  const out = new Set<string>();
  for (const input of list) {
    let st;
    try {
      st = await stat(input);
    } catch {
      st = undefined;
    }
    if (st?.isFile()) {
      out.add(resolve(input));
    } else if (st?.isDirectory()) {
      const files = await glob(IMAGE_EXTENSIONS.map((e) => `**/*${e}`), { cwd: input, absolute: true, caseSensitiveMatch: false, dot: false });
      files.forEach((f) => out.add(resolve(f)));
    } else if (isDynamicPattern(input)) {
      const files = await glob(input, { absolute: true, caseSensitiveMatch: false, dot: false });
      const images = files.filter((f) => IMAGE_EXTENSIONS.some((e) => f.toLowerCase().endsWith(e)));
      if (images.length === 0) throw new NucsegError('pattern matches no .tif/.tiff/.png files', { file: input });
      images.forEach((f) => out.add(resolve(f)));
    } else {
      throw new NucsegError('no such file or folder', { file: input });
    }
  }
  // nucseg's own non-label outputs (overlays, error panels) are never inputs
  const own = ['.overlay.png', '.errors.png'];
  return [...out].filter((f) => !basename(f).startsWith('.') && !own.some((s) => f.toLowerCase().endsWith(s))).sort();
}

/**
 * The name two files are paired by: the file name without folders, image extension and a
 * trailing `.labels` (what `nucseg segment` appends), so `A01.labels.tif` pairs `A01.png`.
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
 * Pairs ground-truth and prediction files by pairingKey. Returns the pairs (sorted by
 * key) and the files of either side that have no partner. Two files of one side with the
 * same key are an error (ambiguous).
 */
export function pairFiles(gtFiles: readonly string[], predFiles: readonly string[]): { pairs: FilePair[]; unpairedGt: string[]; unpairedPred: string[] } {
  const index = (files: readonly string[], side: string) => {
    const m = new Map<string, string>();
    for (const f of files) {
      const k = pairingKey(f);
      const prev = m.get(k);
      if (prev) throw new NucsegError(`two ${side} files have the name "${k}": ${relative('.', prev)} and ${relative('.', f)}`);
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
