import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRequests, submitSlurm, type SlurmProgress } from '../../lib/segment/slurm.js';
import { NucsegError } from '../../lib/util/errors.js';
import { BBBC039, REPO, dsbLabelFiles } from '../helpers/data.js';
import { slurmMissing, startSlurm, stopSlurm } from '../helpers/slurm.js';
import { summaryRows, tempDir } from '../helpers/tools.js';

// Issue 16: `nucseg segment --executor slurm` as a library call (submitSlurm) on a real
// single-node Slurm cluster (scripts/slurm-single-node.sh): a job array of shards, progress,
// a failed task resubmitted, the shards collected into the summary of one run.
const missing = slurmMissing();
if (missing) console.warn(missing); // said, never silent
const images = join(BBBC039, 'images');
const runJson = (out: string) => JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));

describe.skipIf(!!missing)(missing ?? 'Slurm executor on a single-node cluster', () => {
  let env: NodeJS.ProcessEnv;
  const dir = tempDir();
  const sub = (name: string) => (mkdirSync(join(dir, name)), join(dir, name));
  // 1 CPU and 1 GB per task, so that both cores of a small runner work at once
  const base = { model: 'classic', mem: '1G', cpusPerTask: 1, pollMs: 300 };
  beforeAll(() => {
    env = startSlurm();
  }, 60_000);
  afterAll(() => {
    stopSlurm();
    rmSync(dir, { recursive: true, force: true });
  });

  it('20 fields in 4 shards as one job array give the summary.csv, labels, CSVs and run.json of one local run', async () => {
    const whole = join(dir, 'whole'), out = join(dir, 'slurm');
    // the 10 BBBC039 fields (ImageXpress names: shards keep a well's fields together) and 10 DSB2018 fields
    const twenty = sub('twenty');
    for (const f of readdirSync(images)) copyFileSync(join(images, f), join(twenty, f));
    for (const f of dsbLabelFiles(10)) copyFileSync(f.replace(join('train', 'labels'), join('train', 'images')), join(twenty, basename(f)));
    const t0 = Date.now();
    const local = spawnSync(process.execPath, [join(REPO, 'bin', 'nucseg.js'), 'segment', twenty, '--out', whole, '--model', 'classic'], { encoding: 'utf8' });
    expect(local.status, local.stderr).toBe(0);
    const seen: SlurmProgress[] = [];
    const t1 = Date.now();
    const r = await submitSlurm(twenty, { ...base, out, shards: 4, time: '00:10:00', env, onProgress: (p) => seen.push(p) });
    console.log(`20 fields, classic: ${(t1 - t0) / 1000} s locally, ${(Date.now() - t1) / 1000} s as 4 Slurm array tasks (submit, run, poll every ${base.pollMs} ms, collect)`);
    expect(r.gaveUp).toEqual([]);
    expect([r.ok, r.images, r.done, r.failed, r.jobIds.length, r.retried]).toEqual([true, 20, 20, 0, 1, []]);
    expect(summaryRows(out)).toEqual(summaryRows(whole));
    const run = runJson(out);
    expect([run.images, run.done, run.failed, run.shards]).toEqual([20, 20, 0, 4]);
    expect(run.settingsKey).toBe(runJson(whole).settingsKey);
    const outputs = readdirSync(whole).filter((f) => f.endsWith('.labels.tif') || (f.endsWith('.csv') && f !== 'summary.csv'));
    expect(outputs).toHaveLength(40);
    for (const f of outputs) expect(readFileSync(join(out, f)).equals(readFileSync(join(whole, f))), f).toBe(true);
    // every task wrote its exit code; the batch script asked for what we gave
    for (const k of [0, 1, 2, 3]) expect(readFileSync(join(out, '.nucseg', 'slurm', `task-${k}.rc`), 'utf8').trim()).toBe('0');
    const script = readFileSync(r.script, 'utf8');
    for (const line of ['#SBATCH --mem=1G', '#SBATCH --time=00:10:00', '#SBATCH --cpus-per-task=1', 'N=4']) expect(script).toContain(line);
    expect(seen.at(-1)).toMatchObject({ shards: 4, finished: 4, running: 0, pending: 0, retries: 0 });
  }, 90_000);

  it('a task that fails is resubmitted and the run completes; past the retries a shard is given up', async () => {
    const flags = sub('flags-' + Math.random().toString(36).slice(2)), out = join(dir, 'retry');
    const four = readdirSync(images).sort().slice(0, 4).map((f) => join(images, f));
    writeFileSync(join(flags, 'fail-1'), '');
    const r = await submitSlurm(four, { ...base, out, shards: 2, env: { ...env, NUCSEG_SLURM_FAIL_DIR: flags } });
    expect(existsSync(join(flags, 'fail-1'))).toBe(false); // the flag was honoured once
    expect([r.ok, r.done, r.retried, r.gaveUp, r.jobIds.length]).toEqual([true, 4, [1], [], 2]);
    expect(readFileSync(join(out, '.nucseg', 'slurm', 'task-1.out'), 'utf8')).toBe(''); // the resubmitted task's log replaced the failed one's
    expect(runJson(out).shards).toBe(2);
    // retries: 0, the only shard fails: given up, not ok, nothing collected
    writeFileSync(join(flags, 'fail-0'), '');
    const g = await submitSlurm(four.slice(0, 1), { ...base, out: join(dir, 'gaveup'), shards: 1, retries: 0, env: { ...env, NUCSEG_SLURM_FAIL_DIR: flags } });
    expect([g.ok, g.gaveUp, g.retried]).toEqual([false, [0], []]);
    expect(existsSync(join(dir, 'gaveup', 'summary.csv'))).toBe(false);
  }, 60_000);

  it('a task cancelled while it runs is resubmitted; a corrupt image fails the run as locally, without retries', async () => {
    const flags = sub('flags-' + Math.random().toString(36).slice(2)), out = join(dir, 'cancel');
    const four = readdirSync(images).sort().slice(0, 4).map((f) => join(images, f));
    writeFileSync(join(flags, 'hang-1'), '');
    let cancelled = '';
    const r = await submitSlurm(four, {
      ...base,
      out,
      shards: 2,
      env: { ...env, NUCSEG_SLURM_FAIL_DIR: flags },
      onProgress: (p) => {
        const task = `${p.jobIds[0]}_1`;
        const q = spawnSync('squeue', ['-h', '-r', '-j', p.jobIds[0], '-o', '%i %T'], { env, encoding: 'utf8' }).stdout;
        if (!cancelled && q.includes(`${task} RUNNING`)) spawnSync('scancel', [(cancelled = task)], { env });
      },
    });
    expect(cancelled).not.toBe('');
    expect([r.ok, r.done, r.retried, r.gaveUp, r.jobIds.length]).toEqual([true, 4, [1], [], 2]);
    expect(runJson(out).done).toBe(4); // nothing done twice
    // a corrupt field: reported by its shard (exit code 1), not retried, the others complete
    const mixed = sub('mixed-inputs');
    for (const f of four.slice(0, 2)) writeFileSync(join(mixed, f.split('/').pop()!), readFileSync(f));
    writeFileSync(join(mixed, 'corrupt_Z99_s1.tif'), Buffer.from('II*\0 this is no TIFF'));
    const m = await submitSlurm(mixed, { ...base, out: join(dir, 'mixed'), shards: 2, env });
    expect([m.ok, m.images, m.done, m.failed, m.retried, m.gaveUp]).toEqual([false, 3, 2, 1, [], []]);
    expect(m.failures.map((f) => f.file)).toEqual([join(mixed, 'corrupt_Z99_s1.tif')]);
  }, 60_000);

  it('sbatch errors are one clear line; noWait returns the job id at once', async () => {
    const bad = submitSlurm(images, { ...base, out: join(dir, 'bad'), shards: 2, partition: 'no-such-partition', env });
    await expect(bad).rejects.toThrow(NucsegError);
    await expect(bad).rejects.toThrow(/^sbatch failed: Batch job submission failed: Invalid partition name specified$/);
    // GPUs go as sbatch --gpus (sbatch has no --gpus-per-job); this cluster has none to give
    await expect(submitSlurm(images, { ...base, out: join(dir, 'bad'), shards: 2, gpusPerJob: 1, env })).rejects.toThrow(/^sbatch failed: (Batch job submission failed: )?Invalid generic resource \(gres\) specification$/);
    await expect(submitSlurm(images, { ...base, out: join(dir, 'bad'), shards: 2, env: { ...env, PATH: '/nonexistent' } })).rejects.toThrow(/^sbatch not found: --executor slurm needs a Slurm login node/);
    await expect(submitSlurm(images, { ...base, out: join(dir, 'bad'), shards: 0, env })).rejects.toThrow(/--shards must be a whole number/);
    const t0 = Date.now();
    const r = await submitSlurm(images, { ...base, out: join(dir, 'nowait'), shards: 2, noWait: true, env });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r.jobIds).toHaveLength(1);
    expect(r.jobIds[0]).toMatch(/^\d+$/);
    expect(r.ok).toBe(false);
    spawnSync('scancel', [r.jobIds[0]], { env });
    // aborted while waiting: the tasks are cancelled, the result is not ok
    const abort = new AbortController();
    const a = await submitSlurm(images, { ...base, out: join(dir, 'aborted'), shards: 2, env, signal: abort.signal, onProgress: () => abort.abort() });
    expect([a.ok, a.jobIds.length]).toEqual([false, 1]);
    expect(spawnSync('squeue', ['-h', '-j', a.jobIds[0], '-t', 'PENDING,RUNNING'], { env, encoding: 'utf8' }).stdout).toBe('');
  });

  it('the CLI: nucseg segment --executor slurm --shards 2 submits, waits, collects and exits 0', () => {
    const out = join(dir, 'cli');
    const r = spawnSync(process.execPath, [join(REPO, 'bin', 'nucseg.js'), 'segment', images, '--out', out, '--model', 'classic', '--executor', 'slurm', '--shards', '2', '--mem', '1G', '--cpus-per-task', '1'], { env, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/segmented 10 of 10 image\(s\) in 2 Slurm task\(s\)/);
    expect([runJson(out).done, runJson(out).shards]).toEqual([10, 2]);
    // --time not given: the measured default for 5 fields of 520x696 per task (at least 10 minutes)
    const script = readFileSync(join(out, '.nucseg', 'slurm', 'segment.sbatch'), 'utf8');
    expect(script).toContain('#SBATCH --mem=1G');
    expect(script).toContain('#SBATCH --time=00:10:00');
    const bad = spawnSync(process.execPath, [join(REPO, 'bin', 'nucseg.js'), 'segment', images, '--out', out, '--executor', 'slurm'], { env, encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  }, 120_000);

  it('defaultRequests: 2 GB and 56 s per 2048² field on 2 CPUs, more memory and time for larger fields, faster with more CPUs, 10 minutes at least', () => {
    expect(defaultRequests({ fields: 120, maxPixels: 2048 * 2048, cpusPerTask: 2 })).toEqual({ mem: '2G', time: '01:52:00' });
    expect(defaultRequests({ fields: 120, maxPixels: 4096 * 4096, cpusPerTask: 2 })).toEqual({ mem: '5G', time: '07:28:00' });
    expect(defaultRequests({ fields: 120, maxPixels: 2048 * 2048, cpusPerTask: 8 })).toEqual({ mem: '2G', time: '00:28:00' });
    expect(defaultRequests({ fields: 3, maxPixels: 520 * 696, cpusPerTask: 1 })).toEqual({ mem: '2G', time: '00:10:00' });
  });
});
