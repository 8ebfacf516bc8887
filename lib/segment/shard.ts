// Sharding a batch (issue 16): `--shard K/N` runs a deterministic 1/N of the inputs, a well's
// fields together, so N cluster jobs (a Slurm array) share a plate; each shard leaves its
// results in <out>/.nucseg/shards/, and the last one to finish (or `--collect`) merges them
// into the summary.csv and run.json an unsharded run would have written.
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic.js';
import { NucsegError } from '../util/errors.js';
import type { SegmentFilesOptions } from './batch.js';
import type { ImageResult, InputFile } from './job.js';
import { compileNamePattern, parsePlateName } from './plate.js';
import { writeRunSummary } from './summary.js';

/** Shard `index` (0-based) of `count`. */
export interface Shard {
  index: number;
  count: number;
}

/**
 * Parses 'K/N' (0 <= K < N): what `--shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT`
 * gives for `sbatch --array=0-(N-1)`.
 *
 * @example
 * ```ts
 * import { parseShard } from 'nucseg';
 * parseShard('2/8'); // { index: 2, count: 8 }
 * ```
 */
export function parseShard(spec: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(spec.trim());
  const index = m ? Number(m[1]) : NaN, count = m ? Number(m[2]) : NaN;
  if (!(count >= 1 && count <= 100000 && index >= 0 && index < count)) throw new NucsegError(`--shard must be K/N with 0 <= K < N (e.g. 0/4 ... 3/4), not '${spec}'`);
  return { index, count };
}

/**
 * The inputs of one shard: inputs are grouped by well (plate and well parsed from the file
 * name, see parsePlateName; a file without a well is its own group), the groups sorted by
 * key and dealt round-robin, so a given input list always splits the same way, every file
 * is in exactly one shard, and a well's fields stay together. Keeps the input order.
 *
 * @example
 * ```ts
 * import { shardInputs } from 'nucseg';
 * const files = [{ file: 'p_A01_s1.tif', name: 'p_A01_s1' }, { file: 'p_A01_s2.tif', name: 'p_A01_s2' }, { file: 'p_B01_s1.tif', name: 'p_B01_s1' }];
 * shardInputs(files, { index: 0, count: 2 }); // both A01 fields
 * ```
 */
export function shardInputs(files: readonly InputFile[], shard: Shard, namePattern?: string): InputFile[] {
  const of = shardIndices(files, shard.count, namePattern);
  return files.filter((_, i) => of[i] === shard.index);
}

/** The shard (0-based, of `count`) of each input, as shardInputs deals them: every shard in one pass over the names. */
export function shardIndices(files: readonly InputFile[], count: number, namePattern?: string): number[] {
  const re = namePattern ? compileNamePattern(namePattern) : undefined;
  const key = (f: InputFile) => {
    const p = parsePlateName(f.file, re);
    return p.well ? `well\u0000${p.plate ?? ''}\u0000${p.well}` : `file\u0000${f.name}`;
  };
  const keys = files.map(key);
  const order = new Map([...new Set(keys)].sort().map((k, i) => [k, i % count]));
  return keys.map((k) => order.get(k)!);
}

/** What one shard leaves in <out>/.nucseg/shards/. */
interface ShardRecord {
  shard: Shard;
  results: ImageResult[];
  opts: SegmentFilesOptions;
  seconds: number;
  interrupted: boolean;
}

const shardDir = (out: string) => join(out, '.nucseg', 'shards');
const shardFile = (out: string, s: Shard) => join(shardDir(out), `shard-${s.index}-of-${s.count}.json`);

/** Records a finished shard's results (then call collectShards). */
export async function writeShardRecord(out: string, shard: Shard, results: readonly ImageResult[], opts: SegmentFilesOptions, extra: { seconds: number; interrupted: boolean }): Promise<void> {
  const rec: ShardRecord = { shard, results: [...results], opts: { ...opts, signal: undefined, onStart: undefined }, ...extra };
  await mkdir(shardDir(out), { recursive: true });
  await writeFileAtomic(shardFile(out, shard), JSON.stringify(rec));
}

/**
 * Merges the shards of a sharded run in `out` into summary.csv and run.json (rows sorted by
 * image as an unsharded run writes them; run.json adds `shards` and the sum of the shards'
 * seconds). Returns the shards still missing (nothing is written then), or [] when merged.
 *
 * @example
 * ```ts
 * import { collectShards } from 'nucseg';
 * const missing = await collectShards('results'); // e.g. [{ index: 3, count: 8 }] while shard 3 runs
 * ```
 */
export async function collectShards(out: string): Promise<Shard[]> {
  let names: string[];
  try {
    names = (await readdir(shardDir(out))).filter((f) => /^shard-\d+-of-\d+\.json$/.test(f));
  } catch {
    names = [];
  }
  if (!names.length) throw new NucsegError('no shards to collect (no .nucseg/shards/ here: was it segmented with --shard K/N?)', { file: out });
  const recs = await Promise.all(names.map(async (f) => JSON.parse(await readFile(join(shardDir(out), f), 'utf8')) as ShardRecord));
  const count = Math.max(...recs.map((r) => r.shard.count));
  const have = new Set(recs.filter((r) => r.shard.count === count).map((r) => r.shard.index));
  const missing: Shard[] = [];
  for (let i = 0; i < count; i++) if (!have.has(i)) missing.push({ index: i, count });
  if (missing.length) return missing;
  const mine = recs.filter((r) => r.shard.count === count).sort((a, b) => a.shard.index - b.shard.index);
  const results = mine.flatMap((r) => r.results);
  await writeRunSummary(out, results, mine[0].opts, { shards: count, seconds: mine.reduce((a, r) => a + r.seconds, 0), interrupted: mine.some((r) => r.interrupted) });
  return [];
}
