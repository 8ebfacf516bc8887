import { spawn, spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { writeFileAtomic } from '../util/atomic.js';
import { NucsegError } from '../util/errors.js';
import { VERSION } from '../version.js';
import { loadPlan } from './plan.js';
import { prepareSlurm, slurmEnv, slurmFailure, type ExperimentSlurmOptions } from './slurm.js';
import { writeWorkflow } from './workflow.js';

export interface ExperimentOptions {
  /** Experiment folder (Snakefile, config.json, run.json and every output). */
  out: string;
  /** Snakemake --cores (default 1): the cores the jobs share; with `slurm`, the CPUs each job asks for. */
  cores?: number;
  /** Run the jobs on Slurm (Snakemake's cluster mode, lib/experiment/slurm.ts) with these requests. */
  slurm?: ExperimentSlurmOptions;
  /** Environment of Snakemake and so of the jobs (default process.env; e.g. with SLURM_CONF). */
  env?: NodeJS.ProcessEnv;
  /** Only list the jobs that would run (snakemake --dry-run); run.json is not written. */
  dryRun?: boolean;
  /** The snakemake executable (default: `snakemake` on PATH). */
  snakemake?: string;
  /** The nucseg CLI the rules call, as argv (default: this installation's node and bin/nucseg.js). */
  nucseg?: string[];
  /** Receives Snakemake's output as it comes (default: none). */
  onOutput?: (text: string) => void;
}

export interface ExperimentResult {
  /** Jobs per rule that ran (or, with dryRun, would run); `total` sums them. Empty when nothing was to do. */
  jobs: Record<string, number>;
  /** Snakemake's exit code. */
  code: number;
  /** Everything Snakemake printed. */
  output: string;
}

/**
 * Reads the "Job stats" table Snakemake prints (before a run and in a dry run): jobs per
 * rule and `total`. Nothing to do gives `{}`.
 *
 * @example
 * ```ts
 * import { parseJobStats } from 'nucseg';
 * parseJobStats('Job stats:\njob      count\n-----  -------\ntrain        2\ntotal        2\n'); // { train: 2, total: 2 }
 * ```
 */
export function parseJobStats(output: string): Record<string, number> {
  const at = output.indexOf('Job stats:');
  if (at < 0) return {};
  const jobs: Record<string, number> = {};
  for (const line of output.slice(at).split('\n').slice(1)) {
    const m = /^(\w+)\s+(\d+)(?:\s|$)/.exec(line.trim());
    if (m) {
      jobs[m[1]] = Number(m[2]);
      if (m[1] === 'total') break;
    } else if (line.trim() && !/^job\b|^-+/.test(line.trim())) break;
  }
  return jobs;
}

/**
 * `snakemake --version`, or a clear error when it is not installed.
 *
 * @example
 * ```ts
 * import { snakemakeVersion } from 'nucseg';
 * snakemakeVersion(); // '7.21.0' (Debian bookworm)
 * ```
 */
export function snakemakeVersion(exe = 'snakemake'): string {
  const r = spawnSync(exe, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new NucsegError(`${exe} not found: nucseg experiment needs Snakemake (Debian: apt-get install snakemake)`);
  return r.stdout.trim();
}

/**
 * Runs an experiment plan: validates it, writes the Snakemake workflow and its config into
 * `out`, and runs `snakemake --cores N` there (or `--dry-run`). What is already complete is
 * not redone; a killed run resumes; a changed parameter reruns only the jobs it affects.
 * A real run records the versions and the plan's sha256 in `out/run.json`. With `slurm`,
 * Snakemake submits the jobs with sbatch (its cluster mode) and resubmits a failed one.
 *
 * @example
 * ```ts
 * import { runExperiment } from 'nucseg';
 * const dry = await runExperiment('examples/experiment/plan.yaml', { out: 'exp', dryRun: true });
 * console.log(dry.jobs); // { all: 1, augment: 2, score: 3, segment: 3, summary: 1, report: 1, train: 3, total: 14 }
 * await runExperiment('examples/experiment/plan.yaml', { out: 'exp', cores: 2 }); // exp/results/summary.md
 * // the same jobs submitted to Slurm by Snakemake (lib/experiment/slurm.ts), training on a GPU
 * await runExperiment('plan.yaml', { out: 'exp', cores: 4, slurm: { partition: 'gpu', gpusPerJob: 1 } });
 * ```
 */
export async function runExperiment(planFile: string, opts: ExperimentOptions): Promise<ExperimentResult> {
  const plan = await loadPlan(planFile);
  const exe = opts.snakemake ?? 'snakemake';
  const version = snakemakeVersion(exe);
  const out = resolve(opts.out);
  const cores = opts.cores ?? 1;
  await writeWorkflow(plan, out, opts.nucseg);
  const env = opts.slurm ? slurmEnv(opts.env ?? process.env) : opts.env;
  const args = ['--cores', String(cores), '--rerun-incomplete', '--printshellcmds'];
  if (opts.dryRun) args.push('--dry-run');
  else if (opts.slurm) args.push(...(await prepareSlurm(out, cores, opts.slurm, env!)));
  if (opts.slurm?.gpusPerJob && plan.device === 'cpu') opts.onOutput?.("nucseg: note: the plan's device is cpu, so training will not use the GPUs it asks for (set device: auto in the plan)\n");
  const started = new Date().toISOString();
  const record = async (status: string, extra: object = {}) =>
    writeFileAtomic(resolve(out, 'run.json'), JSON.stringify({
      schema: 'nucseg.experiment-run/1', plan: plan.file, plan_sha256: plan.sha256, status, started, cores, executor: opts.slurm ? 'slurm' : 'local',
      versions: { nucseg: VERSION, node: process.version, snakemake: version }, ...extra,
    }, null, 2) + '\n');
  if (!opts.dryRun) await record('running');
  let r = await snakemake(exe, args, out, opts.onOutput, env);
  if (r.code !== 0 && LOCKED.test(r.output) && !alive(await readPid(out))) {
    // the lock of a run that was killed (its Snakemake is gone): lift it and go on
    await snakemake(exe, ['--unlock', '--cores', '1'], out, undefined, env);
    r = await snakemake(exe, args, out, opts.onOutput, env);
  }
  const { code, output } = r;
  const jobs = parseJobStats(output);
  if (!opts.dryRun) await record(code === 0 ? 'complete' : 'failed', { finished: new Date().toISOString(), exit_code: code, jobs });
  if (code !== 0) {
    const why = LOCKED.test(output)
      ? 'the folder is locked by another Snakemake run (if none is running, run `snakemake --unlock` there)'
      : ((opts.slurm && (await slurmFailure(output, out))) || (/^(?:Error in rule \w+|MissingInputException|WorkflowError|.*Exception).*$/m.exec(output)?.[0] ?? `snakemake exited with code ${code}`));
    throw new NucsegError(`experiment failed: ${why.trim()} (logs in ${resolve(out, 'logs')})`, { file: planFile });
  }
  return { jobs, code, output };
}

const LOCKED = /Directory cannot be locked/;
const PID_FILE = '.nucseg-snakemake.pid';

async function readPid(out: string): Promise<number | undefined> {
  const n = Number((await readFile(resolve(out, PID_FILE), 'utf8').catch(() => '')).trim());
  return n > 0 ? n : undefined;
}

function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs Snakemake in `cwd` in its own process group (a SIGINT or SIGTERM to nucseg stops it
 * and its jobs), its pid in .nucseg-snakemake.pid so a later run can tell a stale lock.
 */
async function snakemake(exe: string, args: string[], cwd: string, onOutput?: (s: string) => void, env?: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  const child = spawn(exe, args, { cwd, env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  if (child.pid) await writeFileAtomic(resolve(cwd, PID_FILE), `${child.pid}\n`);
  let output = '';
  const take = (b: Buffer) => {
    const s = b.toString('utf8');
    output += s;
    onOutput?.(s);
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  const forward = (sig: NodeJS.Signals) => () => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      // already gone
    }
  };
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  try {
    const code = await new Promise<number>((res, rej) => {
      child.on('error', rej);
      child.on('close', (c, sig) => res(c ?? (sig ? 128 : 1)));
    });
    return { code, output };
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}
