// Resuming a batch: the key of the settings that decide an image's outputs, and the
// completion marker each finished image leaves (written after all its outputs).
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { writeFileAtomic } from '../util/atomic.js';
import { VERSION } from '../version.js';
import { DEFAULT_MODEL } from '../models/registry.js';
import type { ImageJobOptions, ImageResult, InputFile } from './job.js';
import { outputPaths } from './paths.js';
import { resolveModel } from './segment.js';

/**
 * A key that changes whenever anything that changes the outputs changes: the model's
 * identity and post-processing (`model.settings()`: for ONNX models the weights' sha256, the
 * card's tile, post-processing and training diameter) and the options that model uses
 * (classic parameters only for the classic model; the device and batch never change labels).
 *
 * @example
 * ```ts
 * import { ClassicModel, settingsKey } from 'nucseg';
 * const opts = { model: 'classic', classic: { diameter: 30 } };
 * const key = settingsKey(opts, new ClassicModel(opts.classic).settings()); // 16 hex digits
 * ```
 */
export function settingsKey(opts: ImageJobOptions, modelSettings: Record<string, unknown> = {}): string {
  const model = opts.model ?? DEFAULT_MODEL;
  const o = { nucseg: VERSION, model, modelSettings, classic: model === 'classic' ? (opts.classic ?? {}) : null, diameter: opts.diameter ?? 'auto', tta: !!opts.tta, normalize: opts.normalize ?? {}, tile: opts.tile ?? null, maxWholePixels: opts.maxWholePixels ?? null, z: opts.z ?? null, stackChannel: opts.stackChannel ?? null, csv: opts.csv ?? true, overlay: !!opts.overlay, geojson: !!opts.geojson, namePattern: opts.namePattern ?? null, ...(opts.roiZip ? { roiZip: true } : {}) };
  return createHash('sha256').update(JSON.stringify(o)).digest('hex').slice(0, 16);
}

/** settingsKey with the settings of the model these options name (loaded once per process and cached). */
export async function resumeKey(opts: ImageJobOptions, threads = 0): Promise<string> {
  const model = await resolveModel({ ...opts, threads, model: opts.model ?? DEFAULT_MODEL, profile: undefined });
  return settingsKey(opts, model.settings());
}

/** What `<out>/.nucseg/<name>.json` holds once an image's outputs are complete. */
interface Marker {
  key: string;
  input: { size: number; mtimeMs: number };
  result: ImageResult;
}

/**
 * The finished result recorded for this image, if its outputs are complete for these settings.
 *
 * @example
 * ```ts
 * import { completedResult, processImage } from 'nucseg';
 * const job = { file: 'examples/fields/images/dsb-3ebd2ab3.tif', name: 'dsb-3ebd2ab3' }, opts = { model: 'classic' };
 * const r = (await completedResult(job, 'results', opts)) ?? (await processImage(job, 'results', opts));
 * ```
 */
export async function completedResult(job: InputFile, out: string, opts: ImageJobOptions, threads = 0): Promise<ImageResult | undefined> {
  const p = outputPaths(out, job.name, opts);
  const key = await resumeKey(opts, threads);
  try {
    const m = JSON.parse(await readFile(p.marker, 'utf8')) as Marker;
    const st = await stat(job.file);
    if (m.key !== key || m.input.size !== st.size || m.input.mtimeMs !== st.mtimeMs) return undefined;
    // a requested output that is missing (e.g. thumbnails asked for on a rerun) redoes the image
    for (const f of [p.labels, p.csv, p.overlay, p.geojson, p.roiZip, p.thumbnail]) if (f) await stat(f);
    return { ...m.result, status: 'skipped' };
  } catch {
    return undefined;
  }
}

/** Records `result` as the complete outputs of an input of this size and time for these settings (call after every output is written). */
export async function writeCompletionMarker(marker: string, input: { size: number; mtimeMs: number }, result: ImageResult, opts: ImageJobOptions, threads = 0): Promise<void> {
  const m: Marker = { key: await resumeKey(opts, threads), input: { size: input.size, mtimeMs: input.mtimeMs }, result };
  await writeFileAtomic(marker, JSON.stringify(m));
}
