// `nucseg segment` as a library call: the images of the inputs (inputs.ts), run `jobs` at a
// time (scheduler.ts) through processImage (process-image.ts), resuming from completion
// markers (resume.ts). The run summary is summary.ts.
import { mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { removeStaleTemporaries } from '../util/atomic.js';
import { NucsegError } from '../util/errors.js';
import { maxThreads } from '../kernels/check.js';
import { selectInputs } from './inputs.js';
import { pickJobOptions, type ImageJobOptions, type ImageResult, type InputFile } from './job.js';
import { scheduleImages } from './scheduler.js';
import { shardInputs, type Shard } from './shard.js';

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
  /** Only this shard of the inputs (a well's fields together; see shardInputs). */
  shard?: Shard;
  /** Called once the inputs are known, before any image is processed. */
  onStart?: (files: readonly InputFile[]) => void;
}

/**
 * Segments every image of `inputs` (files, folders, globs) into `opts.out`, yielding one
 * result per image as it finishes. Images already done for the same settings are skipped
 * (unless `force`); `jobs` images run at once in worker threads; a failing image is
 * reported and the rest go on. Results come in completion order.
 *
 * @example
 * ```ts
 * import { segmentFiles } from 'nucseg';
 * for await (const r of segmentFiles('examples/fields/images', { out: 'results', jobs: 2, overlay: true })) {
 *   console.log(r.name, r.status, r.count ?? r.error);
 * }
 * ```
 */
export async function* segmentFiles(inputs: string | readonly string[], opts: SegmentFilesOptions): AsyncGenerator<ImageResult> {
  const list = typeof inputs === 'string' ? [inputs] : inputs;
  const all = await selectInputs(list, opts);
  const files = opts.shard ? shardInputs(all, opts.shard, opts.namePattern) : all;
  opts.onStart?.(files);
  await mkdir(join(opts.out, '.nucseg'), { recursive: true }).catch((e) => {
    throw new NucsegError(`cannot create output folder (${(e as NodeJS.ErrnoException).code})`, { file: opts.out });
  });
  await removeStaleTemporaries(opts.out); // left by a killed earlier run
  const jobs = Math.max(1, Math.min(opts.jobs ?? 1, files.length, maxThreads()));
  const totalThreads = opts.threads && opts.threads > 0 ? opts.threads : availableParallelism();
  const threads = Math.max(1, Math.floor(totalThreads / jobs));
  yield* scheduleImages(files, { out: opts.out, opts: pickJobOptions(opts), jobs, threads, force: opts.force, signal: opts.signal });
}
