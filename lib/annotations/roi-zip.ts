import { unzipSync, zipSync } from 'fflate';
import type { LabelImage } from '../image/types.js';
import { NucsegError } from '../util/errors.js';
import { decodeRoi } from './roi-decode.js';
import { encodeCompositeRoi, encodeTracedRoi } from './roi-encode.js';
import { labelOutlines } from './trace.js';
import type { AnnotationSet } from './types.js';

/** Limits on what a ROI zip may unpack to (ImageJ itself refuses .roi entries over 5 MB). */
const MAX_ENTRY = 16 << 20, MAX_TOTAL = 512 << 20, MAX_ENTRIES = 1_000_000;

/**
 * Reads an ImageJ ROI Manager zip (its `.roi` entries, in zip order; other entries are
 * ignored) into objects as decodeRoi reads each. A corrupt zip, an entry that would unpack to
 * more than 16 MiB (512 MiB in all), a zip without .roi entries or a malformed ROI throws one
 * NucsegError naming the file (and the entry).
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { readRoiZip } from 'nucseg';
 * const set = readRoiZip(readFileSync('RoiSet.zip'), 'RoiSet.zip'); // set.objects, set.skipped
 * ```
 */
export function readRoiZip(bytes: Uint8Array, file: string): AnnotationSet {
  let total = 0, count = 0;
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, {
      filter: (f) => {
        if (!/\.roi$/i.test(f.name) || f.name.endsWith('/')) return false;
        if (f.originalSize > MAX_ENTRY) throw new NucsegError(`${f.name}: unpacks to ${f.originalSize} bytes (more than ${MAX_ENTRY} for one ROI)`, { file });
        total += f.originalSize;
        if (total > MAX_TOTAL || ++count > MAX_ENTRIES) throw new NucsegError(`unpacks to more than ${MAX_TOTAL} bytes or ${MAX_ENTRIES} ROIs`, { file });
        return true;
      },
    });
  } catch (e) {
    if (e instanceof NucsegError) throw e;
    throw new NucsegError(`not a readable zip (${(e as Error)?.message ?? e})`, { file, cause: e });
  }
  const names = Object.keys(entries);
  if (names.length === 0) throw new NucsegError('no .roi entries in the zip', { file });
  const set: AnnotationSet = { objects: [], skipped: [] };
  for (const n of names) {
    const d = decodeRoi(entries[n], `${file}: ${n}`, n.replace(/^.*\//, '').replace(/\.roi$/i, ''));
    if ('object' in d) set.objects.push(d.object);
    else set.skipped.push({ name: d.name, reason: d.skipped });
  }
  return set;
}

/**
 * An ImageJ ROI Manager zip of a label image: one ROI per label named `nucleus N` (entry
 * `nucleus-N.roi`), in ascending id order; a traced ROI (the outline along pixel edges) for
 * a label in one piece without holes, else a composite ROI of all its rings (holes and
 * pieces), which ImageJ fills even-odd. Reading it back (readRoiZip + rasterizeObjects) gives
 * the same labels. Deterministic: the same labels give the same bytes.
 *
 * @example
 * ```ts
 * import { labelsToRoiZip, readLabels, writeFileAtomic } from 'nucseg';
 * await writeFileAtomic('RoiSet.zip', labelsToRoiZip(await readLabels('field.labels.tif'))); // open in Fiji's ROI Manager
 * ```
 */
export function labelsToRoiZip(labels: LabelImage): Uint8Array {
  const files: Record<string, [Uint8Array, { mtime: Date }]> = {};
  const mtime = new Date(1980, 0, 1);
  for (const { id, polygons } of labelOutlines(labels)) {
    const name = `nucleus ${id}`;
    const rings = polygons.flat();
    files[`nucleus-${id}.roi`] = [rings.length === 1 ? encodeTracedRoi(rings[0], name) : encodeCompositeRoi(rings, name), { mtime }];
  }
  return zipSync(files, { level: 6, mtime });
}
