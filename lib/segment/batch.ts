import { createHash } from 'node:crypto';
import { readFile, stat, mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { Worker } from 'node:worker_threads';
import { expandImages } from '../image/discover.js';
import { readImage } from '../image/read.js';
import type { ImageData } from '../image/types.js';
import { writeLabels } from '../image/write.js';
import { removeStaleTemporaries, writeFileAtomic } from '../util/atomic.js';
import { csvCell } from '../util/csv.js';
import { NucsegError, isUserError } from '../util/errors.js';
import { maxThreads } from '../kernels/check.js';
import { VERSION } from '../version.js';
import type { ClassicOptions } from '../models/classic.js';
import { measureNuclei, measurementsCsv } from './measurements.js';
import { normalizeImage, type NormalizeOptions } from './normalize.js';
import { labelsToGeoJson, renderOverlay } from './outputs.js';
import { compileNamePattern, parsePlateName, type PlateInfo } from './plate.js';
import { resolveModel, segment } from './segment.js';
import { DEFAULT_MODEL } from '../models/registry.js';

/** Everything that decides the outputs of one image; serializable (sent to worker threads). */
export interface ImageJobOptions {
  /** A bundled model name (default DEFAULT_MODEL, the shipped FPN2-WS model), 'classic', or an .onnx path with its card. */
  model?: string;
  /** For ONNX models: 'auto' | 'cpu' | 'cuda' | 'webgpu', and tiles per batch. */
  device?: 'auto' | 'cpu' | 'cuda' | 'webgpu';
  batch?: number;
  classic?: ClassicOptions;
  /** Nucleus diameter in px, or 'auto' (default): estimated per field (see segment()). */
  diameter?: number | 'auto';
  /** Test-time augmentation (see SegmentOptions.tta). */
  tta?: boolean;
  normalize?: NormalizeOptions;
  tile?: { size: number; overlap: number };
  maxWholePixels?: number;
  /** Z plane (0-based) of multi-page stacks; default: maximum projection. */
  z?: number;
  /** Channel (0-based) of multi-channel ImageJ hyperstacks / OME-TIFFs (required for them). */
  stackChannel?: number;
  /** Which outputs besides the labels (CSV on by default). */
  csv?: boolean;
  overlay?: boolean;
  geojson?: boolean;
  /** Regular expression with named groups for plate metadata (see parsePlateName). */
  namePattern?: string;
}

export interface SegmentFilesOptions extends ImageJobOptions {
  /** Output folder (created). */
  out: string;
  /** Images processed at once (worker threads; default 1). */
  jobs?: number;
  /** Native threads in total (default all cores), shared among jobs. */
  threads?: number;
  /** Redo images whose outputs are complete. */
  force?: boolean;
  /** Only files whose parsed channel equals this. */
  channel?: string;
  /** Stop scheduling new images when aborted (in-flight images finish). */
  signal?: AbortSignal;
  /** Called once the inputs are known, before any image is processed. */
  onStart?: (files: readonly InputFile[]) => void;
}

/** The outcome for one input image. */
export interface ImageResult {
  file: string;
  /** Output name: the path below its input folder, without extension. */
  name: string;
  status: 'done' | 'skipped' | 'failed';
  plate: PlateInfo;
  count?: number;
  meanArea?: number;
  /** The nucleus diameter used (px), whether estimated ('auto') or given, and the factor the model resized the field by. */
  diameter?: number | null;
  diameterSource?: 'auto' | 'given';
  scale?: number;
  /** The model and the device it ran on (for ONNX models: what `--device auto` chose). */
  model?: string;
  device?: string;
  seconds?: number;
  outputs?: string[];
  error?: string;
}

export interface InputFile {
  file: string;
  name: string;
}

const OUTPUT_SUFFIXES = ['.labels.tif', '.overlay.png'];

/**
 * Expands files, folders (recursive) and globs into images with output names (relative
 * path below the input folder, without extension). Skips nucseg's own outputs and anything
 * inside `exclude` (the output folder). Errors name inputs that do not exist.
 */
export async function discoverInputs(inputs: readonly string[], exclude?: string): Promise<InputFile[]> {
  const ex = exclude ? resolve(exclude) + sep : undefined;
  const out = new Map<string, InputFile>();
  for (const { file, rel } of await expandImages(inputs)) {
    if ((ex && file.startsWith(ex)) || OUTPUT_SUFFIXES.some((s) => file.toLowerCase().endsWith(s))) continue;
    out.set(file, { file, name: rel.slice(0, rel.length - extname(rel).length).split(sep).join('/') });
  }
  const list = [...out.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const seen = new Map<string, string>();
  for (const f of list) {
    const prev = seen.get(f.name);
    if (prev) throw new NucsegError(`two inputs would write the same outputs "${f.name}": ${prev} and ${f.file}`);
    seen.set(f.name, f.file);
  }
  return list;
}

/**
 * A key that changes whenever anything that changes the outputs changes: the model's
 * identity and post-processing (`model.settings()`: for ONNX models the weights' sha256, the
 * card's tile, post-processing and training diameter) and the options that model uses
 * (classic parameters only for the classic model; the device and batch never change labels).
 */
export function settingsKey(opts: ImageJobOptions, modelSettings: Record<string, unknown> = {}): string {
  const model = opts.model ?? DEFAULT_MODEL;
  const o = { nucseg: VERSION, model, modelSettings, classic: model === 'classic' ? (opts.classic ?? {}) : null, diameter: opts.diameter ?? 'auto', tta: !!opts.tta, normalize: opts.normalize ?? {}, tile: opts.tile ?? null, maxWholePixels: opts.maxWholePixels ?? null, z: opts.z ?? null, stackChannel: opts.stackChannel ?? null, csv: opts.csv ?? true, overlay: !!opts.overlay, geojson: !!opts.geojson, namePattern: opts.namePattern ?? null };
  return createHash('sha256').update(JSON.stringify(o)).digest('hex').slice(0, 16);
}

/** settingsKey with the settings of the model these options name (loaded once per process and cached). */
export async function resumeKey(opts: ImageJobOptions, threads = 0): Promise<string> {
  const model = await resolveModel({ ...opts, threads, model: opts.model ?? DEFAULT_MODEL });
  return settingsKey(opts, model.settings());
}

export function outputPaths(out: string, name: string, opts: ImageJobOptions) {
  const base = join(out, ...name.split('/'));
  return {
    labels: `${base}.labels.tif`,
    csv: opts.csv === false ? undefined : `${base}.csv`,
    overlay: opts.overlay ? `${base}.overlay.png` : undefined,
    geojson: opts.geojson ? `${base}.geojson` : undefined,
    // the output name's folders mirrored below .nucseg/ (a/b and a__b must not share a marker)
    marker: `${join(out, '.nucseg', ...name.split('/'))}.json`,
  };
}

interface Marker {
  key: string;
  input: { size: number; mtimeMs: number };
  result: ImageResult;
}

/** The finished result recorded for this image, if its outputs are complete for these settings. */
export async function completedResult(job: InputFile, out: string, opts: ImageJobOptions, threads = 0): Promise<ImageResult | undefined> {
  const p = outputPaths(out, job.name, opts);
  const key = await resumeKey(opts, threads);
  try {
    const m = JSON.parse(await readFile(p.marker, 'utf8')) as Marker;
    const st = await stat(job.file);
    if (m.key !== key || m.input.size !== st.size || m.input.mtimeMs !== st.mtimeMs) return undefined;
    for (const f of [p.labels, p.csv, p.overlay, p.geojson]) if (f) await stat(f);
    return { ...m.result, status: 'skipped' };
  } catch {
    return undefined;
  }
}

/**
 * Segments one image and writes its outputs (labels, CSV, overlay, GeoJSON), each to a
 * temporary name then renamed; the completion marker is written last, so an interrupted
 * image is redone on the next run. Never throws for bad input: returns status 'failed'.
 */
export async function processImage(job: InputFile, out: string, opts: ImageJobOptions, threads = 0): Promise<ImageResult> {
  const t0 = performance.now();
  let plate: PlateInfo = {};
  try {
    plate = parsePlateName(job.file, opts.namePattern ? compileNamePattern(opts.namePattern) : undefined);
    const st = await stat(job.file);
    const raw = await readImage(job.file, { ...(opts.z === undefined ? { projection: 'max' as const } : { page: opts.z }), channel: opts.stackChannel });
    if (raw.sampleFormat === 'int' || raw.bitsPerSample > 16 && raw.sampleFormat !== 'float') {
      // 32-bit integer intensities: convert to float for the pipeline
      raw.data = Float32Array.from(raw.data as ArrayLike<number>);
    }
    const r = await segment(raw, { ...opts, threads, model: opts.model ?? DEFAULT_MODEL });
    const p = outputPaths(out, job.name, opts);
    await mkdir(dirname(p.labels), { recursive: true });
    await writeLabels(p.labels, r.labels);
    const outputs = [p.labels];
    const intensity = raw.data instanceof Uint8Array || raw.data instanceof Uint16Array || raw.data instanceof Float32Array ? (raw as ImageData<Uint8Array | Uint16Array | Float32Array>) : null;
    const rows = measureNuclei(r.labels, intensity, threads);
    if (p.csv) {
      await writeFileAtomic(p.csv, measurementsCsv(job.name, plate, rows));
      outputs.push(p.csv);
    }
    if (p.overlay) {
      await writeFileAtomic(p.overlay, renderOverlay(normalizeImage(raw, { ...opts.normalize, range: [r.normalization.lo, r.normalization.hi] }), r.labels));
      outputs.push(p.overlay);
    }
    if (p.geojson) {
      const extra: Record<number, Record<string, number>> = {};
      for (const row of rows) extra[row.label] = { area: row.area, mean_intensity: row.mean_intensity, eccentricity: row.eccentricity, solidity: row.solidity };
      await writeFileAtomic(p.geojson, JSON.stringify(labelsToGeoJson(r.labels, extra)));
      outputs.push(p.geojson);
    }
    const meanArea = rows.length ? rows.reduce((a, x) => a + x.area, 0) / rows.length : 0;
    const result: ImageResult = { file: job.file, name: job.name, status: 'done', plate, count: r.count, meanArea, diameter: r.diameter, diameterSource: r.diameterSource, scale: r.scale, model: r.model, device: r.device, seconds: (performance.now() - t0) / 1000, outputs };
    const marker: Marker = { key: await resumeKey(opts, threads), input: { size: st.size, mtimeMs: st.mtimeMs }, result };
    await writeFileAtomic(p.marker, JSON.stringify(marker));
    return result;
  } catch (e) {
    // one line naming the file; a bug keeps no stack here, but says what to report
    const msg = isUserError(e)
      ? e.file ? e.message : `${job.file}: ${e.message}`
      : `${job.file}: internal error (a bug in nucseg: please report it with this file and the output of 'nucseg info'): ${String((e as Error)?.message ?? e).split('\n')[0]}`;
    return { file: job.file, name: job.name, status: 'failed', plate, error: msg, seconds: (performance.now() - t0) / 1000 };
  }
}

/**
 * Segments every image of `inputs` (files, folders, globs) into `opts.out`, yielding one
 * result per image as it finishes. Images already done for the same settings are skipped
 * (unless `force`); `jobs` images run at once in worker threads; a failing image is
 * reported and the rest go on. Results come in completion order.
 */
export async function* segmentFiles(inputs: string | readonly string[], opts: SegmentFilesOptions): AsyncGenerator<ImageResult> {
  const list = typeof inputs === 'string' ? [inputs] : inputs;
  let files = await discoverInputs(list, opts.out);
  if (opts.channel !== undefined) {
    const re = opts.namePattern ? compileNamePattern(opts.namePattern) : undefined;
    files = files.filter((f) => parsePlateName(f.file, re).channel === opts.channel);
  }
  if (files.length === 0) {
    const inside = list.some((i) => resolve(opts.out) === resolve(i) || resolve(i).startsWith(resolve(opts.out) + sep));
    if (inside) throw new NucsegError(`no images found: the input is the output folder ${opts.out} (or inside it), whose files are skipped as outputs; give --out another folder`);
    throw new NucsegError(`no images found in ${list.join(', ')}${opts.channel !== undefined ? ` for channel ${opts.channel}` : ''}`);
  }
  opts.onStart?.(files);
  await mkdir(join(opts.out, '.nucseg'), { recursive: true }).catch((e) => {
    throw new NucsegError(`cannot create output folder (${(e as NodeJS.ErrnoException).code})`, { file: opts.out });
  });
  await removeStaleTemporaries(opts.out); // left by a killed earlier run
  const jobs = Math.max(1, Math.min(opts.jobs ?? 1, files.length, maxThreads()));
  const totalThreads = opts.threads && opts.threads > 0 ? opts.threads : availableParallelism();
  const threadsPer = Math.max(1, Math.floor(totalThreads / jobs));
  const jobOpts: ImageJobOptions = pickJobOptions(opts);

  const queue = [...files];
  const ready: ImageResult[] = [];
  let wake: (() => void) | undefined;
  const push = (r: ImageResult) => {
    ready.push(r);
    wake?.();
  };
  let running = 0;

  const next = async (): Promise<InputFile | undefined> => {
    while (queue.length) {
      if (opts.signal?.aborted) return undefined;
      const f = queue.shift()!;
      if (!opts.force) {
        const done = await completedResult(f, opts.out, jobOpts, threadsPer);
        if (done) {
          push(done);
          continue;
        }
      }
      return f;
    }
    return undefined;
  };

  const workers: Worker[] = [];
  const lanes: Promise<void>[] = [];
  // One lane per job. (onnxruntime-node runs inference synchronously on the calling JS
  // thread, so overlapping one image's inference with another's post-processing takes worker
  // threads — `jobs` > 1, each with its own session — not two lanes on this thread.)
  for (let j = 0; j < jobs; j++) {
    // workerData must be an object: geotiff's 'web-worker' dependency reads it on import
    // inside any worker thread and takes a missing one for its own worker.
    const worker = jobs > 1 ? new Worker(new URL('./worker.js', import.meta.url), { workerData: {} }) : undefined;
    if (worker) workers.push(worker);
    const run = (f: InputFile): Promise<ImageResult> =>
      worker
        ? new Promise((resolveResult, reject) => {
            const onMessage = (r: ImageResult) => {
              worker.off('error', onError);
              resolveResult(r);
            };
            const onError = (e: Error) => {
              worker.off('message', onMessage);
              reject(e);
            };
            worker.once('message', onMessage);
            worker.once('error', onError);
            worker.postMessage({ job: f, out: opts.out, opts: jobOpts, threads: threadsPer });
          })
        : processImage(f, opts.out, jobOpts, threadsPer);
    lanes.push(
      (async () => {
        for (let f = await next(); f; f = await next()) {
          running++;
          try {
            push(await run(f));
          } finally {
            running--;
          }
        }
      })(),
    );
  }
  let finished = false;
  const all = Promise.all(lanes).finally(() => {
    finished = true;
    wake?.();
  });
  try {
    while (!finished || ready.length) {
      if (ready.length) {
        yield ready.shift()!;
        continue;
      }
      await new Promise<void>((r) => {
        wake = r;
        if (finished || ready.length) r();
      });
      wake = undefined;
    }
    await all;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
    void running;
  }
}

export function pickJobOptions(o: ImageJobOptions): ImageJobOptions {
  return { model: o.model, device: o.device, batch: o.batch, classic: o.classic, diameter: o.diameter, tta: o.tta, normalize: o.normalize, tile: o.tile, maxWholePixels: o.maxWholePixels, z: o.z, stackChannel: o.stackChannel, csv: o.csv, overlay: o.overlay, geojson: o.geojson, namePattern: o.namePattern };
}

/** Writes `summary.csv` (one row per image) and `run.json` (settings, versions, outcome). */
export async function writeRunSummary(out: string, results: readonly ImageResult[], opts: SegmentFilesOptions, extra: Record<string, unknown> = {}): Promise<void> {
  const head = ['image', 'file', 'plate', 'well', 'field', 'z', 'channel', 'status', 'count', 'mean_area', 'diameter', 'diameter_source', 'scale', 'seconds', 'error'];
  const cell = (v: unknown) => {
    if (v === undefined || v === null) return '';
    if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(4);
    return csvCell(String(v));
  };
  const sorted = [...results].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const lines = [head.join(',')];
  for (const r of sorted) lines.push([r.name, relative(out, r.file), r.plate.plate, r.plate.well, r.plate.field, r.plate.z, r.plate.channel, r.status, r.count, r.meanArea, r.diameter, r.diameterSource, r.scale, r.seconds, r.error?.split('\n')[0]].map(cell).join(','));
  await writeFileAtomic(join(out, 'summary.csv'), lines.join('\n') + '\n');
  const count = (s: string) => results.filter((r) => r.status === s).length;
  const run = {
    nucseg: VERSION,
    node: process.version,
    settings: pickJobOptions(opts),
    settingsKey: await resumeKey(pickJobOptions(opts)).catch(() => settingsKey(opts)),
    model: opts.model ?? DEFAULT_MODEL,
    jobs: opts.jobs ?? 1,
    images: results.length,
    done: count('done'),
    skipped: count('skipped'),
    failed: count('failed'),
    devices: [...new Set(results.map((r) => r.device).filter(Boolean))],
    failures: results.filter((r) => r.status === 'failed').map((r) => ({ file: r.file, error: r.error })),
    // per field: the nucleus diameter used (px), 'auto' (estimated) or 'given', and the scale the model ran at
    diameters: sorted.filter((r) => r.status !== 'failed').map((r) => ({ image: r.name, diameter: r.diameter ?? null, source: r.diameterSource ?? null, scale: r.scale ?? null })),
    ...extra,
  };
  await writeFileAtomic(join(out, 'run.json'), JSON.stringify(run, null, 2) + '\n');
}
