// Segmenting on a Slurm cluster (issue 16): the shards of shard.ts as one `sbatch --array` job
// array, watched with `squeue` (no accounting needed: each task writes its exit code to
// <out>/.nucseg/slurm/task-K.rc at its end), a failed or vanished task resubmitted (bounded),
// then the shards collected into the summary.csv and run.json of one run.
import { readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../util/atomic.js';
import { NucsegError } from '../util/errors.js';
import { packagePath } from '../util/package.js';
import { gpuArg, runTool, sbatchError } from '../util/slurm.js';
import type { SegmentFilesOptions } from './batch.js';
import { readImage } from '../image/read.js';
import { selectInputs } from './inputs.js';
import { collectShards, shardIndices } from './shard.js';

export interface SlurmOptions extends Omit<SegmentFilesOptions, 'shard' | 'signal' | 'onStart' | 'profile'> {
  /** Number of shards = array tasks (>= 1). */
  shards: number;
  partition?: string;
  /** --cpus-per-task (default: `jobs`); --mem (e.g. '4G'); --time (e.g. '01:00:00'); GPUs per task (sbatch --gpus). */
  cpusPerTask?: number;
  mem?: string;
  time?: string;
  gpusPerJob?: number;
  /** More sbatch arguments, e.g. ['--account=lab', '--qos=short']. */
  sbatchArgs?: readonly string[];
  /** Resubmissions per shard whose task failed or vanished (default 2). */
  retries?: number;
  /** Return right after submission (the job id), without waiting or collecting. */
  noWait?: boolean;
  /** Milliseconds between squeue polls (default 5000). */
  pollMs?: number;
  /** Called after every poll. */
  onProgress?: (p: SlurmProgress) => void;
  /** Stop waiting (the tasks are cancelled with scancel). */
  signal?: AbortSignal;
  /** Environment of sbatch/squeue/scancel and so of the tasks (default process.env; e.g. with SLURM_CONF). */
  env?: NodeJS.ProcessEnv;
  /** The command that runs nucseg in a task (default: this Node and this package's bin/nucseg.js). */
  nucseg?: readonly string[];
}

export interface SlurmProgress {
  shards: number;
  /** Shards finished (exit code 0, or 1 = some images failed), running, pending (queued or resubmitted). */
  finished: number;
  running: number;
  pending: number;
  /** Resubmissions so far. */
  retries: number;
  jobIds: string[];
}

export interface SlurmResult {
  /** True only when every shard finished, was collected, and every image is done (or was already). */
  ok: boolean;
  /** The array job first submitted, then one per resubmission ('<id>' for --array=K). */
  jobIds: string[];
  /** The batch script (in <out>/.nucseg/slurm/). */
  script: string;
  shards: number;
  /** From the collected run.json (absent with noWait or when a shard gave up). */
  images?: number;
  done?: number;
  skipped?: number;
  failed?: number;
  failures: { file: string; error?: string }[];
  /** Shards that failed more than `retries` times (their task-K.out says why). */
  gaveUp: number[];
  retried: number[];
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The CLI flags that reproduce `opts` (the settings that decide the outputs, and jobs/threads). */
export function segmentArgs(opts: Omit<SegmentFilesOptions, 'out'>): string[] {
  const a: string[] = [];
  const v = (flag: string, x: unknown) => x !== undefined && x !== null && a.push(flag, String(x));
  v('--model', opts.model);
  v('--device', opts.device);
  v('--batch', opts.batch);
  v('--diameter', opts.diameter);
  if (opts.tta) a.push('--tta');
  v('--threshold', opts.classic?.threshold);
  v('--min-area', opts.classic?.minArea);
  v('--max-area', opts.classic?.maxArea);
  v('--normalize', opts.normalize?.mode);
  if (opts.normalize?.low !== undefined || opts.normalize?.high !== undefined) a.push('--percentiles', `${opts.normalize.low ?? 1},${opts.normalize.high ?? 99.8}`);
  if (opts.normalize?.range) a.push('--range', opts.normalize.range.join(','));
  v('--z', opts.z);
  v('--stack-channel', opts.stackChannel);
  v('--channel', opts.channel);
  v('--name-pattern', opts.namePattern);
  v('--threads', opts.threads);
  v('--jobs', opts.jobs);
  if (opts.overlay) a.push('--overlay');
  if (opts.geojson) a.push('--geojson');
  if (opts.roiZip) a.push('--roi-zip');
  if (opts.thumbnails) a.push('--thumbnails');
  if (opts.csv === false) a.push('--no-csv');
  if (opts.tile) a.push('--tile', String(opts.tile.size), '--overlap', String(opts.tile.overlap));
  if (opts.force) a.push('--force');
  return a;
}

/**
 * What one array task asks for when --mem / --time are not given, from measurements on a
 * 2-vCPU machine with the default model (README, cluster section): peak RSS 0.97 GB for a
 * 2048² field with small nuclei (enlarged 1.74x) and 0.70 GB for 520x696 fields, so 2 GB for
 * fields up to 4.2 Mpx and 1 GB more per 4.2 Mpx beyond; 28 s per 2048² field on 2 CPUs (0.95
 * s per 520x696 field), so 2 x 28 s per started 4.2 Mpx per field (halved per doubling of
 * CPUs, never below a quarter), at least 10 minutes.
 *
 * @example
 * ```ts
 * import { defaultRequests } from 'nucseg';
 * defaultRequests({ fields: 120, maxPixels: 2048 * 2048, cpusPerTask: 2 }); // { mem: '2G', time: '01:52:00' }
 * ```
 */
export function defaultRequests(shard: { fields: number; maxPixels: number; cpusPerTask: number }): { mem: string; time: string } {
  const blocks = Math.max(1, Math.ceil(shard.maxPixels / (2048 * 2048)));
  const speed = Math.min(4, Math.max(1, shard.cpusPerTask / 2));
  const seconds = Math.max(600, Math.ceil((shard.fields * blocks * 56) / speed / 60) * 60);
  const hms = [Math.floor(seconds / 3600), Math.floor((seconds % 3600) / 60), seconds % 60].map((v) => String(v).padStart(2, '0')).join(':');
  return { mem: `${1 + blocks}G`, time: hms };
}

const slurmDir = (out: string) => join(out, '.nucseg', 'slurm');
const rcFile = (out: string, k: number) => join(slurmDir(out), `task-${k}.rc`);

/** The batch script: one array task = one shard; its exit code goes to task-K.rc at its end. */
function batchScript(inputs: readonly string[], opts: SlurmOptions, out: string, cmd: readonly string[]): string {
  const n = opts.shards, dir = slurmDir(out);
  const sb = (x: string) => `#SBATCH ${x}`;
  const lines = ['#!/bin/bash', `# written by nucseg: ${n} shard(s) of a segment run into ${out}`, sb('--job-name=nucseg'), sb(`--output=${join(dir, 'task-%a.out')}`), sb(`--chdir=${process.cwd()}`), sb(`--cpus-per-task=${opts.cpusPerTask ?? opts.jobs ?? 1}`)];
  if (opts.mem) lines.push(sb(`--mem=${opts.mem}`));
  if (opts.time) lines.push(sb(`--time=${opts.time}`));
  if (opts.partition) lines.push(sb(`--partition=${opts.partition}`));
  if (opts.gpusPerJob) lines.push(sb(gpuArg(opts.gpusPerJob)));
  const args = [...cmd, 'segment', ...inputs, '--out', out, ...segmentArgs(opts), '--quiet'].map(q).join(' ');
  lines.push(
    // the shard count is fixed here: a resubmitted task is an array of one (SLURM_ARRAY_TASK_COUNT=1)
    `K=$SLURM_ARRAY_TASK_ID; N=${n}`,
    `RC=${q(join(dir, 'task-'))}$K.rc`,
    '# tests only: flag files fail the task once or hang it once (to be cancelled), before any work',
    'F=${NUCSEG_SLURM_FAIL_DIR:-/nonexistent}; if rm "$F/hang-$K" 2>/dev/null; then sleep 600; fi',
    'if rm "$F/fail-$K" 2>/dev/null; then rc=75; echo "nucseg: failing task $K once (test flag)" >&2',
    `else ${args} --shard "$K/$N"; rc=$?; fi`,
    'echo "$rc" > "$RC.$SLURM_JOB_ID" && mv -f "$RC.$SLURM_JOB_ID" "$RC"',
    'exit "$rc"',
    '',
  );
  return lines.join('\n');
}

/** sbatch --parsable; the job id, or one clear NucsegError line. */
async function sbatch(script: string, array: string, opts: SlurmOptions): Promise<string> {
  const r = await runTool('sbatch', ['--parsable', `--array=${array}`, ...(opts.sbatchArgs ?? []), script], opts.env);
  const id = /^(\d+)(;\S+)?\s*$/.exec(r.stdout.trim());
  const failed = sbatchError(id || r.code !== 0 ? r : { ...r, code: -1 });
  if (failed) throw failed;
  return id![1];
}

/** States of the tasks still in the queue, by shard: squeue -h -r -j ids (squeue's error line when it fails). */
async function queued(ids: readonly string[], opts: SlurmOptions, shardOf: Map<string, number>): Promise<Map<number, string> | string> {
  const r = await runTool('squeue', ['-h', '-r', '-j', ids.join(','), '-o', '%i %T'], opts.env);
  if (r.code !== 0 && !/Invalid job id/i.test(r.stderr)) return r.stderr.trim().split('\n').pop() || `exit code ${r.code}`;
  const m = new Map<number, string>();
  for (const line of r.stdout.trim().split('\n')) {
    const [id, state] = line.trim().split(/\s+/);
    const k = id ? shardOf.get(id) ?? shardOf.get(id.split('_')[0]) : undefined;
    if (k !== undefined && state) m.set(k, state);
  }
  return m;
}

const readRc = async (out: string, k: number) => {
  const t = await readFile(rcFile(out, k), 'utf8').catch(() => '');
  return /^\d+\s*$/.test(t) ? Number(t) : undefined;
};
const sleep = (ms: number, signal?: AbortSignal) => new Promise<void>((res) => {
  const t = setTimeout(res, ms);
  signal?.addEventListener('abort', () => (clearTimeout(t), res()), { once: true });
});

/**
 * Segments `inputs` on a Slurm cluster: `opts.shards` shards as one `sbatch --array` job array
 * running `nucseg segment --shard K/N` (same settings), waits (squeue every `pollMs`, progress
 * through `onProgress`), resubmits a shard whose task failed or vanished (up to `retries`
 * times; exit code 1 = some images failed is final, as locally), then collects the shards.
 * Inputs are read by the tasks from the current folder (shared file system assumed).
 *
 * @example
 * ```ts
 * import { submitSlurm } from 'nucseg';
 * const r = await submitSlurm(['plate/'], { out: 'results', model: 'classic', shards: 8, partition: 'cpu', mem: '4G', time: '01:00:00', onProgress: (p) => console.log(`${p.finished}/${p.shards} shards`) });
 * console.log(r.ok, r.done, r.jobIds); // true 3456 [ '812' ]
 * ```
 */
export async function submitSlurm(inputs: string | readonly string[], options: SlurmOptions): Promise<SlurmResult> {
  const list = typeof inputs === 'string' ? [inputs] : [...inputs];
  let opts = options;
  const n = opts.shards;
  if (!Number.isInteger(n) || n < 1 || n > 10000) throw new NucsegError(`--shards must be a whole number in [1, 10000], not '${n}'`);
  if (!list.length) throw new NucsegError('no inputs: give images, folders or globs');
  const out = resolve(opts.out);
  if (!opts.mem || !opts.time) {
    // measured defaults (defaultRequests) for the largest shard; plate fields share one size, so one field is read
    const files = await selectInputs(list, { out, channel: opts.channel, namePattern: opts.namePattern });
    const perShard = new Array<number>(n).fill(0);
    for (const k of shardIndices(files, n, opts.namePattern)) perShard[k]++;
    const fields = Math.max(0, ...perShard);
    const one = files.length ? await readImage(files[0].file).catch(() => null) : null;
    const req = defaultRequests({ fields, maxPixels: one ? one.width * one.height : 2048 * 2048, cpusPerTask: opts.cpusPerTask ?? opts.jobs ?? 1 });
    opts = { ...opts, mem: opts.mem ?? req.mem, time: opts.time ?? req.time };
  }
  const dir = slurmDir(out);
  const cmd = opts.nucseg ?? [process.execPath, packagePath('bin', 'nucseg.js')];
  const script = join(dir, 'segment.sbatch');
  await writeFileAtomic(script, batchScript(list, opts, out, cmd)).catch((e: unknown) => {
    throw e instanceof NucsegError ? e : new NucsegError(`cannot write the batch script (${(e as Error).message})`, { file: dir });
  });
  const forget = (k: number) => Promise.all([rm(rcFile(out, k), { force: true }), rm(join(out, '.nucseg', 'shards', `shard-${k}-of-${n}.json`), { force: true })]);
  const all = Array.from({ length: n }, (_, k) => k);
  await Promise.all(all.map(forget));
  const first = await sbatch(script, `0-${n - 1}`, opts);
  const jobIds = [first];
  const shardOf = new Map<string, number>(all.map((k) => [`${first}_${k}`, k]));
  const result: SlurmResult = { ok: false, jobIds, script, shards: n, failures: [], gaveUp: [], retried: [] };
  if (opts.noWait) return result;

  const retries = opts.retries ?? 2, tries = new Map<number, number>();
  const finished = new Set<number>(), missingPolls = new Map<number, number>();
  let active = new Set(all), lastSqueue = Date.now();
  while (active.size && !opts.signal?.aborted) {
    await sleep(opts.pollMs ?? 5000, opts.signal);
    const states = await queued(jobIds, opts, shardOf);
    if (typeof states === 'string') {
      // squeue failed (controller busy or restarting): ask again, for 10 minutes at most
      if (Date.now() - lastSqueue > 600_000) throw new NucsegError(`squeue has failed for 10 minutes (${states}); the job(s) ${jobIds.join(', ')} may still run: nucseg segment --out ${out} --collect once they are done`);
      continue;
    }
    lastSqueue = Date.now();
    let running = 0;
    for (const k of active) {
      const rc = await readRc(out, k);
      const state = states.get(k);
      if (rc === undefined && (state === 'RUNNING' || state === 'COMPLETING')) running++;
      // a task in the queue is left alone; one gone without its rc file twice in a row vanished
      const gone = rc === undefined && !state ? (missingPolls.get(k) ?? 0) + 1 : 0;
      missingPolls.set(k, gone);
      const vanished = gone >= 2;
      if (rc === undefined && !vanished) continue;
      if (rc === 0 || (rc === 1 && (await shardRecorded(out, k, n)))) {
        finished.add(k);
        continue;
      }
      if (state) continue; // rc written, task still exiting
      const t = (tries.get(k) ?? 0) + 1;
      tries.set(k, t);
      if (t > retries) {
        result.gaveUp.push(k);
        finished.add(k);
        continue;
      }
      await forget(k);
      const id = await sbatch(script, String(k), opts);
      jobIds.push(id);
      shardOf.set(`${id}_${k}`, k);
      result.retried.push(k);
    }
    active = new Set([...active].filter((k) => !finished.has(k)));
    opts.onProgress?.({ shards: n, finished: finished.size, running, pending: active.size - running, retries: result.retried.length, jobIds: [...jobIds] });
  }
  if (opts.signal?.aborted) {
    await runTool('scancel', jobIds, opts.env);
    return result;
  }
  if (result.gaveUp.length) return result;
  const missing = await collectShards(out);
  if (missing.length) throw new NucsegError(`shard(s) ${missing.map((s) => `${s.index}/${s.count}`).join(', ')} finished without recording their results (see ${dir}/task-K.out)`, { file: out });
  const runJson = JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as { images: number; done: number; skipped: number; failed: number; failures: { file: string; error?: string }[] };
  Object.assign(result, { images: runJson.images, done: runJson.done, skipped: runJson.skipped, failed: runJson.failed, failures: runJson.failures });
  result.ok = runJson.failed === 0 && runJson.done + runJson.skipped === runJson.images;
  return result;
}

const shardRecorded = (out: string, k: number, n: number) =>
  readFile(join(out, '.nucseg', 'shards', `shard-${k}-of-${n}.json`)).then(
    () => true,
    () => false,
  );
