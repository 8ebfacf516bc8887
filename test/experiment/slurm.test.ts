import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterCommand, jobArgs, snakemakeArgs } from '../../lib/experiment/slurm.js';
import { runExperiment, type ExperimentOptions } from '../../lib/experiment/run.js';
import { NucsegError } from '../../lib/util/errors.js';
import { REPO } from '../helpers/data.js';
import { slurmMissing, startSlurm, stopSlurm } from '../helpers/slurm.js';
import { tempDir } from '../helpers/tools.js';
import { planYaml, tinyData } from './helpers.js';

// Issue 16: `nucseg experiment run --executor slurm` on a real single-node Slurm cluster
// (scripts/slurm-single-node.sh): Snakemake's cluster mode submits each job with sbatch; the
// rules call a stand-in nucseg (fake-nucseg.py) so that a plan runs in seconds.
const missing = slurmMissing();
if (missing) console.warn(missing); // said, never silent
const FAKE = ['/usr/bin/python3', join(REPO, 'test', 'experiment', 'fake-nucseg.py')];
/** 2 strategies sharing one augmented set: augment 1, train 2, segment 2, score 2, summary 1, report 1 (+ all). */
const PLAN = planYaml('factors:\n  cycles: [2]\n');
const JOBS = { all: 1, augment: 1, train: 2, segment: 2, score: 2, summary: 1, report: 1, total: 10 };
/** 1 CPU and 1 GB per job, so that both cores of a small runner work at once. */
const REQUESTS = { mem: '1G', time: '00:10:00', jobs: 4 };

/** results.csv without train_s (Snakemake's timing of each training). */
function table(out: string): string[] {
  const [head, ...rows] = readFileSync(join(out, 'results.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
  const keep = head.map((_, i) => i).filter((i) => head[i] !== 'train_s');
  expect(keep).toHaveLength(head.length - 1);
  return [head, ...rows].map((r) => keep.map((i) => r[i]).join(','));
}

/** Runs the nucseg command (bin/nucseg.js) in `env`. */
const nucseg = (args: string[], env: NodeJS.ProcessEnv) => spawnSync(process.execPath, [join(REPO, 'bin', 'nucseg.js'), ...args], { env, encoding: 'utf8' });

describe('the Slurm requests of the experiment jobs', () => {
  it('per rule unless --mem / --time are given; GPUs for the train rule only; braces and spaces kept literal', () => {
    expect(jobArgs('train', 4, { partition: 'gpu', gpusPerJob: 1 })).toEqual(['--cpus-per-task=4', '--mem=8192M', '--time=1440', '--partition=gpu', '--gpus=1']);
    expect(jobArgs('segment', 4, { partition: 'gpu', gpusPerJob: 1, mem: '3G', sbatchArgs: ['--qos=short'] })).toEqual(['--cpus-per-task=4', '--mem=3G', '--time=120', '--partition=gpu', '--qos=short']);
    const cmd = clusterCommand('/e x', { partition: 'gpu', gpusPerJob: 1, time: '01:00:00', sbatchArgs: ['--comment={x}'] });
    expect(cmd).toBe("sbatch --parsable --job-name=nucseg.{rule} --output='/e x/logs/slurm/'{rule}.%j.out --cpus-per-task={threads} --mem={resources.mem_mb}M --time=01:00:00 --partition=gpu '--comment={{x}}' {resources.nucseg_sbatch}");
    const args = snakemakeArgs('/e', 2, { gpusPerJob: 2, retries: 0 });
    expect(args.slice(0, 6)).toEqual(['--jobs', '100', '--max-threads', '2', '--restart-times', '0']);
    expect(args.filter((a) => a.includes('nucseg_sbatch='))).toEqual(["nucseg_sbatch=''", 'train:nucseg_sbatch=--gpus=2']);
  });
});

describe.skipIf(!!missing)(missing ?? 'nucseg experiment run --executor slurm on a single-node cluster', () => {
  let env: NodeJS.ProcessEnv;
  const data = tinyData();
  const plan = join(data.dir, 'plan.yaml');
  writeFileSync(plan, PLAN);
  let local = '';
  // CI=true: Snakemake checks its cluster jobs every second instead of every 10 s
  const run = (out: string, extra: Partial<ExperimentOptions> = {}, vars: NodeJS.ProcessEnv = {}) =>
    runExperiment(plan, { out, nucseg: FAKE, cores: 1, slurm: REQUESTS, ...extra, env: { ...env, CI: 'true', ...vars } });
  beforeAll(async () => {
    env = startSlurm();
    local = tempDir('nucseg-exp-local-');
    await runExperiment(plan, { out: local, nucseg: FAKE, cores: 2 });
  }, 120_000);
  afterAll(() => stopSlurm());

  it('a tiny plan completes through Snakemake and sbatch with the table of a local run; a rerun submits nothing', async () => {
    const out = tempDir('nucseg-exp-slurm-');
    const log = join(out, 'calls.log');
    const t0 = Date.now();
    const r = await run(out, {}, { FAKE_LOG: log });
    console.log(`tiny plan, ${r.jobs.total} jobs: ${(Date.now() - t0) / 1000} s on Slurm`);
    expect(r.jobs).toEqual(JOBS);
    expect(table(out)).toEqual(table(local));
    // every job that calls nucseg (at least) ran as a Slurm job: its exit code recorded, its log in logs/slurm/
    const submitted = r.output.match(/Submitted job \d+ with external jobid '\d+'/g) ?? [];
    expect(submitted.length).toBeGreaterThanOrEqual(7);
    const records = readdirSync(join(out, '.nucseg', 'slurm', 'jobs')).filter((f) => f.endsWith('.rc'));
    expect(records).toHaveLength(submitted.length);
    for (const f of records) expect(readFileSync(join(out, '.nucseg', 'slurm', 'jobs', f), 'utf8').trim()).toBe('0');
    expect(readdirSync(join(out, 'logs', 'slurm')).filter((f) => /^train\.\d+\.out$/.test(f))).toHaveLength(2);
    expect(readFileSync(log, 'utf8').trim().split('\n')).toHaveLength(8); // nucseg called once per job (not all, summary)
    expect(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'))).toMatchObject({ status: 'complete', executor: 'slurm' });
    const again = await run(out);
    expect(again.jobs).toEqual({});
    expect(again.output).not.toMatch(/Submitted job/);
  }, 120_000);

  it('a job cancelled with scancel while it runs is resubmitted and the run completes; with --retries 0 the run fails with one clear line', async () => {
    const out = tempDir('nucseg-exp-slurm-');
    const log = join(out, 'calls.log');
    const cancelled = scancelTraining(out, log, env);
    const r = await run(out, {}, { FAKE_LOG: log, FAKE_SLEEP: '3' });
    const id = await cancelled;
    expect(id).toMatch(/^\d+$/);
    expect(r.output).toContain(`Error executing rule train on cluster (jobid: `);
    expect(r.output).toContain(`external: ${id},`);
    expect(r.output).toMatch(/Trying to restart job \d+\./);
    expect(readFileSync(join(out, '.nucseg', 'slurm', 'jobs', `${id}.state`), 'utf8').trim()).toBe('CANCELLED');
    expect(table(out)).toEqual(table(local));
    // the cancelled training ran twice; nothing else did
    const calls = readFileSync(log, 'utf8').trim().split('\n');
    expect(calls.filter((c) => c.startsWith('train'))).toHaveLength(3);
    expect(calls.filter((c) => !c.startsWith('train'))).toHaveLength(6);

    const failing = tempDir('nucseg-exp-slurm-');
    const gone = scancelTraining(failing, join(failing, 'calls.log'), env);
    const err = await run(failing, { slurm: { ...REQUESTS, retries: 0 } }, { FAKE_LOG: join(failing, 'calls.log'), FAKE_SLEEP: '3' }).then(() => undefined, (e: Error) => e);
    const gid = await gone;
    expect(err).toBeInstanceOf(NucsegError);
    expect(err!.message).toBe(`${plan}: experiment failed: rule train failed on Slurm (job ${gid}: CANCELLED; Slurm log: logs/slurm/train.${gid}.out) (logs in ${join(failing, 'logs')})`);
    expect(JSON.parse(readFileSync(join(failing, 'run.json'), 'utf8')).status).toBe('failed');
    expect(existsSync(join(failing, 'results.csv'))).toBe(false);
  }, 180_000);

  it('sbatch argument errors are one clear line before anything is submitted; Slurm options need --executor slurm', async () => {
    const out = tempDir('nucseg-exp-slurm-');
    const bad = run(out, { slurm: { ...REQUESTS, partition: 'no-such-partition' } });
    await expect(bad).rejects.toThrow(NucsegError);
    await expect(bad).rejects.toThrow(/^sbatch failed: Invalid partition name specified \(augment jobs: --cpus-per-task=1 --mem=1G --time=00:10:00 --partition=no-such-partition\)$/);
    // the GPUs are asked for by the training jobs only: this cluster has none
    await expect(run(out, { slurm: { ...REQUESTS, gpusPerJob: 1 } })).rejects.toThrow(/^sbatch failed: Invalid generic resource \(gres\) specification \(train jobs: --cpus-per-task=1 --mem=1G --time=00:10:00 --gpus=1\)$/);
    await expect(run(out, { slurm: { time: 'soon' } })).rejects.toThrow(/^sbatch failed: Invalid --time specification \(augment jobs: --cpus-per-task=1 --mem=4096M --time=soon\)$/);
    await expect(run(out, {}, { PATH: '/nonexistent' })).rejects.toThrow(/^sbatch not found: --executor slurm needs a Slurm login node/);
    expect(existsSync(join(out, 'logs', 'slurm')) && readdirSync(join(out, 'logs', 'slurm'))).toEqual([]);

    // the command: one line on stderr, exit code 1
    const cli = (...args: string[]) => {
      const r = nucseg(['experiment', 'run', plan, '--out', out, ...args], env);
      return [r.stderr, r.status];
    };
    expect(cli('--executor', 'slurm', '--partition', 'no-such-partition', '--mem', '1G')).toEqual(['nucseg: sbatch failed: Invalid partition name specified (augment jobs: --cpus-per-task=1 --mem=1G --time=120 --partition=no-such-partition)\n', 1]);
    expect(cli('--partition', 'gpu')).toEqual(['nucseg: --partition is a Slurm request: add --executor slurm\n', 1]);
    expect(cli('--executor', 'slurm', '--gpus-per-job', '0')).toEqual(["nucseg: --gpus-per-job must be a whole number in [1, 64], not '0'\n", 1]);
    expect(cli('--executor', 'pbs')).toEqual(["nucseg: --executor must be local or slurm, not 'pbs'\n", 1]);
  }, 60_000);
});

/**
 * Waits (60 s at most) for a training job of the run in `out` to be at work (nucseg train
 * called for the model its Slurm log names, as `calls` shows), cancels it with scancel, and
 * gives its id ('' if none was).
 */
async function scancelTraining(out: string, calls: string, env: NodeJS.ProcessEnv): Promise<string> {
  const read = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8') : '');
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
    const running = spawnSync('squeue', ['-h', '-n', 'nucseg.train', '-t', 'RUNNING', '-o', '%i'], { env, encoding: 'utf8' }).stdout.trim().split('\n');
    const model = (id: string) => /output: (models\/\S+\.onnx)/.exec(read(join(out, 'logs', 'slurm', `train.${id}.out`)))?.[1];
    const busy = running.find((id) => id && model(id) && read(calls).includes(`train ${model(id)}\n`));
    if (busy) {
      spawnSync('scancel', [busy], { env });
      return busy;
    }
  }
  return '';
}
