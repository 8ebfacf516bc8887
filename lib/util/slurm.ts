// What both Slurm executors share (issue 16): `nucseg segment --executor slurm` (its own job
// array, lib/segment/slurm.ts) and `nucseg experiment run --executor slurm` (Snakemake's
// cluster mode, lib/experiment/slurm.ts): running a Slurm client, one clear line when sbatch
// fails, and the sbatch requests that both commands take as options.
import { execFile } from 'node:child_process';
import { NucsegError } from './errors.js';

/** The sbatch requests common to both executors (CLI: --partition, --mem, --time, --gpus-per-job, --sbatch-args, --retries). */
export interface SlurmRequests {
  partition?: string;
  /** sbatch --mem, e.g. '4G'. */
  mem?: string;
  /** sbatch --time, e.g. '01:00:00'. */
  time?: string;
  /** GPUs per job (sbatch --gpus). */
  gpusPerJob?: number;
  /** More sbatch arguments, e.g. ['--account=lab', '--qos=short']. */
  sbatchArgs?: readonly string[];
  /** Resubmissions of a job that failed or was cancelled. */
  retries?: number;
}

/** What a Slurm client printed; `missing` when it is not installed. */
export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
  missing?: boolean;
}

/**
 * Runs a Slurm client (sbatch, squeue, scancel) and never throws: exit code, output, and
 * `missing` when the command is not on PATH. Two minutes at most.
 *
 * @example
 * ```ts
 * const r = await runTool('squeue', ['-h', '-j', '812', '-o', '%T'], process.env);
 * r.code === 0 ? r.stdout : r.stderr; // 'RUNNING\n'
 * ```
 */
export function runTool(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv | undefined): Promise<ToolResult> {
  return new Promise((res) => {
    execFile(cmd, args, { env: env ?? process.env, encoding: 'utf8', timeout: 120_000 }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: number | string }) | null;
      res({ code: e ? (typeof e.code === 'number' ? e.code : -1) : 0, stdout, stderr, missing: e?.code === 'ENOENT' });
    });
  });
}

/**
 * The one-line NucsegError for an sbatch call that failed (not installed, or refused: its
 * last error line, without sbatch's prefixes), or undefined when it succeeded.
 *
 * @example
 * ```ts
 * sbatchError({ code: 1, stdout: '', stderr: 'sbatch: error: Batch job submission failed: Invalid partition name specified\n' })?.message;
 * // 'sbatch failed: Batch job submission failed: Invalid partition name specified'
 * ```
 */
export function sbatchError(r: ToolResult, context = ''): NucsegError | undefined {
  if (r.missing) return new NucsegError('sbatch not found: --executor slurm needs a Slurm login node (install slurm-wlm, or load the slurm module)');
  if (r.code === 0) return undefined;
  const why = (r.stderr.trim().split('\n').filter(Boolean).pop() ?? `exit code ${r.code}`).replace(/^(?:sbatch: error:|allocation failure:)\s*/, '');
  return new NucsegError(`sbatch failed: ${why}${context}`);
}

/**
 * The sbatch request for `n` GPUs per job (`--gpus`; sbatch has no `--gpus-per-job`).
 *
 * @example
 * ```ts
 * gpuArg(2); // '--gpus=2'
 * ```
 */
export function gpuArg(n: number): string {
  return `--gpus=${n}`;
}
