// `nucseg experiment run --executor slurm` (issue 16): the experiment workflow's jobs on Slurm
// through Snakemake's generic cluster mode (`--cluster "sbatch …"`; Snakemake 7.21's own
// `--slurm` executor needs slurmdbd accounting). Snakemake schedules and submits; nucseg
// writes the sbatch command, a job script that records each job's exit code, and the
// `--cluster-status` script that turns squeue's state (or that record) into Snakemake's
// running / success / failed, so that a job cancelled or killed by Slurm is seen as failed and
// resubmitted (`--restart-times`).
import { chmod, mkdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { userInfo } from 'node:os';
import { writeFileAtomic } from '../util/atomic.js';
import { NucsegError } from '../util/errors.js';
import { gpuArg, runTool, sbatchError, type SlurmRequests } from '../util/slurm.js';

export interface ExperimentSlurmOptions extends SlurmRequests {
  /** Jobs queued or running at once (snakemake --jobs; default 100). */
  jobs?: number;
}

/**
 * Memory (MB) and time (minutes) each rule asks for when --mem / --time are not given:
 * segmentation as `nucseg segment --executor slurm` measured it (2 GB), generous guesses for
 * the others (training: 8 GB and a day). Rules not listed get `other`.
 */
export const RULE_REQUESTS: Record<string, { memMb: number; minutes: number }> = {
  augment: { memMb: 4096, minutes: 120 },
  train: { memMb: 8192, minutes: 1440 },
  segment: { memMb: 2048, minutes: 120 },
  score: { memMb: 2048, minutes: 60 },
  summary: { memMb: 1024, minutes: 10 },
  other: { memMb: 2048, minutes: 120 },
};

/** Where the Slurm pieces live in the experiment folder. */
const files = (out: string) => ({ dir: join(out, '.nucseg', 'slurm'), records: join(out, '.nucseg', 'slurm', 'jobs'), logs: join(out, 'logs', 'slurm') });

const q = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
/** Braces doubled: Snakemake formats the --cluster string and the job script with str.format. */
const literal = (s: string) => s.replace(/[{}]/g, (c) => c + c);

/**
 * The sbatch arguments of one job: `rule` gets its request of RULE_REQUESTS unless --mem /
 * --time are given, and GPUs only when it is `train`. `cpus` may be Snakemake's `{threads}`.
 *
 * @example
 * ```ts
 * jobArgs('train', 4, { partition: 'gpu', gpusPerJob: 1 });
 * // [ '--cpus-per-task=4', '--mem=8192M', '--time=1440', '--partition=gpu', '--gpus=1' ]
 * ```
 */
export function jobArgs(rule: string, cpus: number | string, o: ExperimentSlurmOptions): string[] {
  const d = RULE_REQUESTS[rule] ?? RULE_REQUESTS.other;
  return [`--cpus-per-task=${cpus}`, `--mem=${o.mem ?? `${d.memMb}M`}`, `--time=${o.time ?? d.minutes}`, ...(o.partition ? [`--partition=${o.partition}`] : []), ...(rule === 'train' && o.gpusPerJob ? [gpuArg(o.gpusPerJob)] : []), ...(o.sbatchArgs ?? [])];
}

/**
 * The `--cluster` command: sbatch with the job name and log file, and every request, with
 * Snakemake's substitutions where a request depends on the rule: `{threads}`,
 * `{resources.mem_mb}` and `{resources.runtime}` (set per rule by `--set-resources`, see
 * snakemakeArgs) and `{resources.nucseg_sbatch}` (the train rule's GPUs).
 *
 * @example
 * ```ts
 * clusterCommand('/exp', { partition: 'gpu', gpusPerJob: 1 });
 * // "sbatch --parsable --job-name=nucseg.{rule} --output=/exp/logs/slurm/{rule}.%j.out --cpus-per-task={threads} --mem={resources.mem_mb}M --time={resources.runtime} --partition=gpu {resources.nucseg_sbatch}"
 * ```
 */
export function clusterCommand(out: string, o: ExperimentSlurmOptions): string {
  const fixed = (a: readonly string[]) => a.map((x) => literal(q(x)));
  return [
    'sbatch', '--parsable', '--job-name=nucseg.{rule}', `--output=${literal(q(files(out).logs + '/'))}{rule}.%j.out`, '--cpus-per-task={threads}',
    ...(o.mem ? fixed([`--mem=${o.mem}`]) : ['--mem={resources.mem_mb}M']),
    ...(o.time ? fixed([`--time=${o.time}`]) : ['--time={resources.runtime}']),
    ...fixed([...(o.partition ? [`--partition=${o.partition}`] : []), ...(o.sbatchArgs ?? [])]),
    ...(o.gpusPerJob ? ['{resources.nucseg_sbatch}'] : []),
  ].join(' ');
}

/** The job script: Snakemake's job in a subshell, then its exit code recorded as jobs/<Slurm job id>.rc. */
function jobScript(records: string): string {
  return ['#!/bin/bash', '# written by nucseg experiment run --executor slurm', '# properties = {properties}', '( {exec_job} )', 'rc=$?', `echo "$rc" > ${literal(q(records))}/"$SLURM_JOB_ID.rc"`, 'exit "$rc"', ''].join('\n');
}

/**
 * The --cluster-status script: `status.py <job id>` prints running, success or failed. The
 * job's recorded exit code decides when it is there; otherwise squeue's state (kept 5
 * minutes after a job ends); a job gone from squeue without a record failed (a Slurm
 * state of failure is written to jobs/<id>.state for the error message).
 */
const STATUS_PY = String.raw`#!/usr/bin/env python3
# written by nucseg experiment run --executor slurm: Snakemake's --cluster-status command
import os, subprocess, sys

jobid = sys.argv[1].split(";")[0]
records = os.path.join(os.path.dirname(os.path.abspath(__file__)), "jobs")
WAITING = {"PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "SUSPENDED", "REQUEUED", "REQUEUE_FED",
           "REQUEUE_HOLD", "RESIZING", "SIGNALING", "STAGE_OUT", "STOPPED", "RESV_DEL_HOLD"}

def recorded():
    try:
        with open(os.path.join(records, jobid + ".rc")) as f:
            rc = f.read().strip()
    except OSError:
        return None
    return "success" if rc == "0" else "failed" if rc else None

def answer(status, state=None):
    if state:
        with open(os.path.join(records, jobid + ".state"), "w") as f:
            f.write(state + "\n")
    print(status)
    sys.exit(0)

if recorded():
    answer(recorded())
try:
    p = subprocess.run(["squeue", "-h", "-t", "all", "-j", jobid, "-o", "%T"], capture_output=True, text=True, timeout=60)
except (OSError, subprocess.TimeoutExpired):
    answer("running")  # ask again at the next check
if p.returncode != 0 and "Invalid job id" not in p.stderr:
    answer("running")  # the controller is busy or restarting
state = (p.stdout.split() or [""])[0]
if state in WAITING:
    answer("running")
if recorded():  # it ended between the two looks
    answer(recorded())
answer("success" if state == "COMPLETED" else "failed", state if state != "COMPLETED" else None)
`;

/**
 * The Snakemake arguments of cluster mode: `--cluster` (clusterCommand), the status and
 * cancel commands, the job script, `--jobs`, `--restart-times` (retries), `--max-threads`
 * (= cores: every job's threads, inside the job as in its request) and the per-rule
 * requests as `--default-resources` / `--set-resources`.
 *
 * @example
 * ```ts
 * snakemakeArgs('/exp', 2, { partition: 'cpu', jobs: 50 }).slice(0, 6);
 * // [ '--jobs', '50', '--max-threads', '2', '--restart-times', '2' ]
 * ```
 */
export function snakemakeArgs(out: string, cores: number, o: ExperimentSlurmOptions): string[] {
  const f = files(out);
  const per = Object.entries(RULE_REQUESTS).filter(([r]) => r !== 'other').flatMap(([r, d]) => [`${r}:mem_mb=${d.memMb}`, `${r}:runtime=${d.minutes}`]);
  if (o.gpusPerJob) per.push(`train:nucseg_sbatch=${gpuArg(o.gpusPerJob)}`);
  return [
    '--jobs', String(o.jobs ?? 100), '--max-threads', String(cores), '--restart-times', String(o.retries ?? 2),
    '--cluster', clusterCommand(out, o), '--cluster-status', join(f.dir, 'status.py'), '--cluster-cancel', 'scancel',
    '--jobscript', join(f.dir, 'jobscript.sh'), '--latency-wait', '60',
    '--default-resources', `mem_mb=${RULE_REQUESTS.other.memMb}`, `runtime=${RULE_REQUESTS.other.minutes}`, "nucseg_sbatch=''",
    '--set-resources', ...per,
  ];
}

/**
 * Gets an experiment folder ready for cluster mode: writes the job and status scripts,
 * creates the log folder, and asks sbatch (`--test-only`, nothing is submitted) whether it
 * accepts every rule's request, so that a wrong partition, time or sbatch argument is one
 * clear line before anything runs. Returns the Snakemake arguments (snakemakeArgs).
 *
 * @example
 * ```ts
 * const args = await prepareSlurm('exp', 2, { partition: 'gpu', gpusPerJob: 1 }, process.env);
 * // throws NucsegError('sbatch failed: Invalid partition name specified (train jobs: --cpus-per-task=2 --mem=8192M --time=1440 --partition=gpu --gpus=1)') on a cluster without it
 * ```
 */
export async function prepareSlurm(out: string, cores: number, o: ExperimentSlurmOptions, env: NodeJS.ProcessEnv): Promise<string[]> {
  const f = files(out);
  await Promise.all([mkdir(f.records, { recursive: true }), mkdir(f.logs, { recursive: true })]);
  await writeFileAtomic(join(f.dir, 'jobscript.sh'), jobScript(f.records));
  await writeFileAtomic(join(f.dir, 'status.py'), STATUS_PY);
  await chmod(join(f.dir, 'status.py'), 0o755);
  const seen = new Set<string>();
  for (const rule of Object.keys(RULE_REQUESTS)) {
    const args = jobArgs(rule, rule === 'score' || rule === 'summary' ? 1 : cores, o);
    if (seen.has(args.join(' '))) continue;
    seen.add(args.join(' '));
    const failed = sbatchError(await runTool('sbatch', ['--test-only', '--job-name=nucseg-check', ...args, '--wrap', 'true'], env), ` (${rule === 'other' ? 'jobs' : `${rule} jobs`}: ${args.join(' ')})`);
    if (failed) throw failed;
  }
  return snakemakeArgs(out, cores, o);
}

/**
 * The environment of Snakemake in cluster mode: `env` with $USER set (Snakemake's cluster
 * mode reads it; a container or cron job may not have it).
 *
 * @example
 * ```ts
 * slurmEnv({ PATH: '/usr/bin' }).USER; // 'alice'
 * ```
 */
export function slurmEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return env.USER ? env : { ...env, USER: userInfo().username };
}

/**
 * The clear line for a Snakemake run that failed on Slurm, or undefined: the last job that
 * failed (rule and Slurm job id from Snakemake's "Error executing rule … on cluster"),
 * what became of it (exit code or Slurm state, from the records the job and status scripts
 * write) and its Slurm log; or sbatch's own error when a submission failed.
 *
 * @example
 * ```ts
 * await slurmFailure('Error executing rule train on cluster (jobid: 4, external: 13, jobscript: …)', 'exp');
 * // 'rule train failed on Slurm (job 13: CANCELLED; Slurm log: logs/slurm/train.13.out)'
 * ```
 */
export async function slurmFailure(output: string, out: string): Promise<string | undefined> {
  const jobs = [...output.matchAll(/Error executing rule (\w+) on cluster \(jobid: \d+, external: (\d+)/g)];
  const last = jobs.at(-1);
  if (last) {
    const [, rule, id] = last;
    const read = (ext: string) => readFile(join(files(out).records, id + ext), 'utf8').then((t) => t.trim(), () => '');
    const rc = await read('.rc');
    const what = rc ? `exit code ${rc}` : (await read('.state')) || 'ended without a trace';
    return `rule ${rule} failed on Slurm (job ${id}: ${what}${jobs.length > 1 ? `, ${jobs.length} failed attempts in all` : ''}; Slurm log: ${relative(out, join(files(out).logs, `${rule}.${id}.out`))})`;
  }
  const sbatch = [...output.matchAll(/^sbatch: error: (.*)$/gm)].at(-1);
  return sbatch ? `sbatch failed: ${sbatch[1].trim()}` : undefined;
}
