import { join } from 'node:path';
import { OUTPUT_SUFFIXES } from '../image/discover.js';
import type { ImageJobOptions } from './job.js';

/** Where one image's outputs go; undefined for the outputs these options do not write. */
export interface OutputPaths {
  labels: string;
  csv: string | undefined;
  overlay: string | undefined;
  geojson: string | undefined;
  roiZip: string | undefined;
  /** A small PNG of the field with outlines, for `nucseg report`. */
  thumbnail: string | undefined;
  /** The completion marker (resume key, input size and time, result), written last. */
  marker: string;
}

/**
 * The output files of the image named `name` (see InputFile) in the output folder `out`.
 *
 * @example
 * ```ts
 * import { outputPaths } from 'nucseg';
 * const p = outputPaths('results', 'plate1/A01', { overlay: true });
 * // p.labels: 'results/plate1/A01.labels.tif', p.csv: 'results/plate1/A01.csv',
 * // p.overlay: 'results/plate1/A01.overlay.png', p.geojson: undefined,
 * // p.marker: 'results/.nucseg/plate1/A01.json'
 * ```
 */
export function outputPaths(out: string, name: string, opts: ImageJobOptions): OutputPaths {
  const base = join(out, ...name.split('/'));
  return {
    labels: `${base}${OUTPUT_SUFFIXES.labels}`,
    csv: opts.csv === false ? undefined : `${base}.csv`,
    overlay: opts.overlay ? `${base}${OUTPUT_SUFFIXES.overlay}` : undefined,
    geojson: opts.geojson ? `${base}.geojson` : undefined,
    roiZip: opts.roiZip ? `${base}.rois.zip` : undefined,
    thumbnail: opts.thumbnails ? `${base}${OUTPUT_SUFFIXES.thumbnail}` : undefined,
    // the output name's folders mirrored below .nucseg/ (a/b and a__b must not share a marker)
    marker: `${join(out, '.nucseg', ...name.split('/'))}.json`,
  };
}
