import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { readImage } from '../image/read.js';
import type { ImageData } from '../image/types.js';
import { writeLabels } from '../image/write.js';
import { writeFileAtomic } from '../util/atomic.js';
import { isUserError } from '../util/errors.js';
import { Profile, timed, timedAsync } from '../util/profile.js';
import { DEFAULT_MODEL } from '../models/registry.js';
import type { ImageJobOptions, ImageResult, InputFile } from './job.js';
import { measureNuclei, measurementsCsv } from './measurements.js';
import { normalizeImage } from './normalize.js';
import { labelsToRoiZip } from '../annotations/roi-zip.js';
import { labelsToGeoJson, renderOverlay } from './outputs.js';
import { outputPaths } from './paths.js';
import { fieldQc, renderThumbnail } from './qc.js';
import { compileNamePattern, parsePlateName, type PlateInfo } from './plate.js';
import { writeCompletionMarker } from './resume.js';
import { segment } from './segment.js';
import { isTypedArray } from '../util/typed.js';

/**
 * Segments one image and writes its outputs (labels, CSV, overlay, GeoJSON), each to a
 * temporary name then renamed; the completion marker is written last, so an interrupted
 * image is redone on the next run. Never throws for bad input: returns status 'failed'.
 *
 * @example
 * ```ts
 * import { processImage } from 'nucseg';
 * const job = { file: 'examples/fields/images/dsb-3ebd2ab3.tif', name: 'dsb-3ebd2ab3' };
 * const r = await processImage(job, 'results', { model: 'classic', overlay: true });
 * if (r.status === 'failed') console.error(r.error);
 * else console.log(`${r.count} nuclei in`, r.outputs);
 * ```
 */
export async function processImage(job: InputFile, out: string, opts: ImageJobOptions, threads = 0): Promise<ImageResult> {
  const t0 = performance.now();
  let plate: PlateInfo = {};
  const prof = opts.profile ? new Profile() : undefined;
  try {
    plate = parsePlateName(job.file, opts.namePattern ? compileNamePattern(opts.namePattern) : undefined);
    const st = await stat(job.file);
    const raw = await timedAsync(prof, 'decode', () => readImage(job.file, { ...(opts.z === undefined ? { projection: 'max' as const } : { page: opts.z }), channel: opts.stackChannel }));
    if (raw.sampleFormat === 'int' || raw.bitsPerSample > 16 && raw.sampleFormat !== 'float') {
      // 32-bit integer intensities: convert to float for the pipeline
      raw.data = Float32Array.from(raw.data as ArrayLike<number>);
    }
    const r = await segment(raw, { ...opts, threads, model: opts.model ?? DEFAULT_MODEL, profile: prof });
    const p = outputPaths(out, job.name, opts);
    await mkdir(dirname(p.labels), { recursive: true });
    await timedAsync(prof, 'writes', () => writeLabels(p.labels, r.labels));
    const outputs = [p.labels];
    const intensity = isTypedArray(raw.data, Uint8Array) || isTypedArray(raw.data, Uint16Array) || isTypedArray(raw.data, Float32Array) ? (raw as ImageData<Uint8Array | Uint16Array | Float32Array>) : null;
    const rows = await timedAsync(prof, 'measurements', () => measureNuclei(r.labels, intensity, threads));
    if (p.csv) {
      await timedAsync(prof, 'writes', () => writeFileAtomic(p.csv!, measurementsCsv(job.name, plate, rows)));
      outputs.push(p.csv);
    }
    // the field normalized once, for the overlay and the thumbnail alike (only when one is written)
    let norm: ReturnType<typeof normalizeImage> | undefined;
    const normalized = () => (norm ??= normalizeImage(raw, { ...opts.normalize, range: [r.normalization.lo, r.normalization.hi] }));
    if (p.overlay) {
      await timedAsync(prof, 'overlay/geojson', () => writeFileAtomic(p.overlay!, renderOverlay(normalized(), r.labels)));
      outputs.push(p.overlay);
    }
    if (p.thumbnail) {
      await timedAsync(prof, 'overlay/geojson', () => writeFileAtomic(p.thumbnail!, renderThumbnail(normalized(), r.labels)));
      outputs.push(p.thumbnail);
    }
    if (p.geojson) {
      const extra: Record<number, Record<string, number>> = {};
      for (const row of rows) extra[row.label] = { area: row.area, mean_intensity: row.mean_intensity, eccentricity: row.eccentricity, solidity: row.solidity };
      await timedAsync(prof, 'overlay/geojson', () => writeFileAtomic(p.geojson!, JSON.stringify(labelsToGeoJson(r.labels, extra))));
      outputs.push(p.geojson);
    }
    if (p.roiZip) {
      await timedAsync(prof, 'overlay/geojson', () => writeFileAtomic(p.roiZip!, labelsToRoiZip(r.labels)));
      outputs.push(p.roiZip);
    }
    const meanArea = rows.length ? rows.reduce((a, x) => a + x.area, 0) / rows.length : 0;
    const qc = timed(prof, 'measurements', () => fieldQc(raw, r.labels, rows, r.lowConfidence));
    const result: ImageResult = { file: job.file, name: job.name, status: 'done', plate, count: r.count, meanArea, diameter: r.diameter, diameterSource: r.diameterSource, scale: r.scale, model: r.model, device: r.device, seconds: (performance.now() - t0) / 1000, outputs, qc };
    await timedAsync(prof, 'writes', () => writeCompletionMarker(p.marker, st, result, opts, threads));
    if (prof) {
      const wall = performance.now() - t0;
      prof.add('other', Math.max(0, wall - prof.total()));
      result.profile = prof.ms;
    }
    return result;
  } catch (e) {
    // one line naming the file; a bug keeps no stack here, but says what to report
    const msg = isUserError(e)
      ? e.file ? e.message : `${job.file}: ${e.message}`
      : `${job.file}: internal error (a bug in nucseg: please report it with this file and the output of 'nucseg info'): ${String((e as Error)?.message ?? e).split('\n')[0]}`;
    return { file: job.file, name: job.name, status: 'failed', plate, error: msg, seconds: (performance.now() - t0) / 1000 };
  }
}
