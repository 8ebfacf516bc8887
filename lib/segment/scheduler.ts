// Running a batch's images: `jobs` lanes, each on its own worker thread when there is more
// than one, with images already done skipped as they come up.
import { Worker } from 'node:worker_threads';
import type { ImageJobOptions, ImageResult, InputFile } from './job.js';
import { processImage } from './process-image.js';
import { completedResult } from './resume.js';

export interface ScheduleOptions {
  /** Output folder. */
  out: string;
  /** The options every image runs with. */
  opts: ImageJobOptions;
  /** Lanes (images at once); with more than one, each runs on a worker thread. */
  jobs: number;
  /** Native threads per lane. */
  threads: number;
  /** Redo images whose outputs are complete. */
  force?: boolean;
  /** Stop taking new images when aborted (in-flight images finish). */
  signal?: AbortSignal;
}

/** A lane's way to run one image: on this thread, or posted to its own worker. */
function imageRunner(worker: Worker | undefined, s: ScheduleOptions): (f: InputFile) => Promise<ImageResult> {
  if (!worker) return (f) => processImage(f, s.out, s.opts, s.threads);
  return (f) =>
    new Promise((resolveResult, reject) => {
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
      worker.postMessage({ job: f, out: s.out, opts: s.opts, threads: s.threads });
    });
}

/**
 * Runs `files` in order through processImage, `jobs` at a time, yielding each result as it
 * finishes (completion order). Images with complete outputs for these settings are yielded
 * as 'skipped' unless `force`. Worker threads end when the generator does.
 */
export async function* scheduleImages(files: readonly InputFile[], s: ScheduleOptions): AsyncGenerator<ImageResult> {
  const queue = [...files];
  const ready: ImageResult[] = [];
  let wake: (() => void) | undefined;
  const push = (r: ImageResult) => {
    ready.push(r);
    wake?.();
  };

  const next = async (): Promise<InputFile | undefined> => {
    while (queue.length) {
      if (s.signal?.aborted) return undefined;
      const f = queue.shift()!;
      if (!s.force) {
        const done = await completedResult(f, s.out, s.opts, s.threads);
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
  for (let j = 0; j < s.jobs; j++) {
    // workerData must be an object: geotiff's 'web-worker' dependency reads it on import
    // inside any worker thread and takes a missing one for its own worker.
    const worker = s.jobs > 1 ? new Worker(new URL('./worker.js', import.meta.url), { workerData: {} }) : undefined;
    if (worker) workers.push(worker);
    const run = imageRunner(worker, s);
    lanes.push(
      (async () => {
        for (let f = await next(); f; f = await next()) push(await run(f));
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
  }
}
