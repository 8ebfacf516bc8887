import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { NucsegError } from '../util/errors.js';
import type { SegmentFilesOptions } from './batch.js';
import { channelFilter, discoverInputs } from './inputs.js';
import { pickJobOptions, type ImageResult, type InputFile } from './job.js';
import { processImage } from './process-image.js';
import { completedResult } from './resume.js';

export interface WatchOptions extends SegmentFilesOptions {
  /** How often to look for new files (ms, default 1000). */
  intervalMs?: number;
  /** A file is complete when its size and modification time have not changed for this long (ms, default 2000). */
  settleMs?: number;
  /** Called for every image processed (or found already done at start). */
  onResult?: (r: ImageResult) => void;
  /** Called when the folder is being watched and the backlog is done (once per quiet period). */
  onIdle?: () => void;
}

/**
 * Watches a folder (recursively) and segments each new image once it is complete: its size
 * and modification time unchanged for `settleMs` (an acquisition still writing it is
 * left alone), or at once when it was renamed into the folder complete. Outputs and resume
 * markers are those of segmentFiles, so a restarted watch redoes nothing. A file that fails
 * (e.g. read while still being written) is reported and retried once it changes again. Runs
 * until `signal` aborts; resolves with every result of this session. A missing folder, or an
 * output folder equal to it, is an error at once.
 *
 * @example
 * ```ts
 * import { watchFolder } from 'nucseg';
 * const stop = new AbortController();
 * process.once('SIGINT', () => stop.abort()); // in-flight images finish
 * const results = await watchFolder('examples/fields/images', {
 *   out: 'results',
 *   model: 'classic',
 *   signal: stop.signal,
 *   onResult: (r) => console.log(r.name, r.status, r.count),
 *   onIdle: () => stop.abort(), // here: stop once the backlog is done
 * });
 * ```
 */
export async function watchFolder(dir: string, opts: WatchOptions): Promise<ImageResult[]> {
  const st0 = await stat(dir).catch(() => undefined);
  if (!st0) throw new NucsegError('no such folder to watch', { file: dir });
  if (!st0.isDirectory()) throw new NucsegError('not a folder (nucseg watch watches a folder)', { file: dir });
  if (resolve(opts.out) === resolve(dir)) throw new NucsegError('the output folder is the watched folder: give --out another folder (outputs inside the input would be taken for new images)', { file: dir });
  const interval = opts.intervalMs ?? 1000;
  const settle = opts.settleMs ?? 2000;
  const jobOpts = pickJobOptions(opts);
  const wanted = channelFilter(opts);
  const seen = new Map<string, { size: number; mtimeMs: number; since: number }>();
  const handled = new Set<string>();
  // files whose last attempt failed, with the size and time they had: retried when these change
  const failed = new Map<string, { size: number; mtimeMs: number }>();
  const results: ImageResult[] = [];
  let idleSignalled = false;
  while (!opts.signal?.aborted) {
    let files: InputFile[] = [];
    try {
      files = await discoverInputs([dir], opts.out);
    } catch {
      files = [];
    }
    let pending = 0;
    for (const f of files) {
      if (opts.signal?.aborted) break;
      if (handled.has(f.file)) continue;
      if (!wanted(f)) {
        handled.add(f.file);
        continue;
      }
      const st = await stat(f.file).catch(() => undefined);
      if (!st) continue;
      const bad = failed.get(f.file);
      if (bad && bad.size === st.size && bad.mtimeMs === st.mtimeMs) continue; // unchanged since it failed
      const prev = seen.get(f.file);
      const now = Date.now();
      if (!prev || prev.size !== st.size || prev.mtimeMs !== st.mtimeMs) {
        // first sight: a file renamed in complete is older than the settle time already
        seen.set(f.file, { size: st.size, mtimeMs: st.mtimeMs, since: prev ? now : Math.min(now, st.mtimeMs) });
        if (prev || now - st.mtimeMs < settle) {
          pending++;
          continue;
        }
      } else if (now - prev.since < settle) {
        pending++;
        continue;
      }
      const done = !opts.force ? await completedResult(f, opts.out, jobOpts) : undefined;
      const r = done ?? (await processImage(f, opts.out, jobOpts, opts.threads ?? 0));
      // a file that failed (e.g. still incomplete) is reported, then retried once it changes
      if (r.status === 'failed') failed.set(f.file, { size: st.size, mtimeMs: st.mtimeMs });
      else {
        failed.delete(f.file);
        handled.add(f.file);
      }
      results.push(r);
      opts.onResult?.(r);
      idleSignalled = false;
    }
    if (pending === 0 && !idleSignalled) {
      idleSignalled = true;
      opts.onIdle?.();
    }
    await new Promise<void>((r) => {
      // one abort listener per wait, removed when the wait ends (no listener leak on long watches)
      const onAbort = () => {
        clearTimeout(t);
        r();
      };
      const t = setTimeout(() => {
        opts.signal?.removeEventListener('abort', onAbort);
        r();
      }, interval);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
  return results;
}
