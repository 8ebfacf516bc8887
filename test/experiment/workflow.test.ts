import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseJobStats, runExperiment } from '../../lib/experiment/run.js';
import { REPO } from '../helpers/data.js';
import { tempDir } from '../helpers/tools.js';
import { planYaml, tinyData } from './helpers.js';

/** The rules call a stand-in nucseg that writes plausible outputs at once: the workflow's structure, fast. */
const FAKE = ['/usr/bin/python3', join(REPO, 'test', 'experiment', 'fake-nucseg.py')];
const data = tinyData();

function setup(text = planYaml()) {
  const out = tempDir('nucseg-exp-wf-');
  const plan = join(data.dir, `plan-${out.split('-').pop()}.yaml`);
  writeFileSync(plan, text);
  const log = join(out, 'calls.log');
  process.env.FAKE_LOG = log;
  const calls = () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : []);
  const run = (dryRun = false) => runExperiment(plan, { out, dryRun, nucseg: FAKE, cores: 2 });
  return { out, plan, calls, run };
}

describe('experiment workflow (Snakemake, stand-in nucseg)', () => {
  it('parseJobStats reads the job table; nothing to do is {}', () => {
    const text = 'Building DAG of jobs...\nJob stats:\njob        count    min threads    max threads\n-------  -------  -------------  -------------\nall            1              1              1\ntrain          3              2              2\ntotal          4              1              2\n\nReasons:\n';
    expect(parseJobStats(text)).toEqual({ all: 1, train: 3, total: 4 });
    expect(parseJobStats('Building DAG of jobs...\nNothing to be done (all requested files are present and up to date).\n')).toEqual({});
  });

  it('dry run of a 2-factor one-at-a-time plan: the augmented set shared by baseline and cycles-2 is counted once; nothing runs', async () => {
    const { out, calls, run } = setup(planYaml('factors:\n  cycles: [2]\n  augmentation: [none]\nreplicates: 2\n'));
    const r = await run(true);
    // 3 strategies x 2 replicates x 1 test set; augmented sets: full (baseline, cycles-2) and none
    expect(r.jobs).toEqual({ all: 1, augment: 2, train: 6, segment: 6, score: 6, summary: 1, report: 1, total: 23 });
    expect(calls()).toEqual([]);
    expect(existsSync(join(out, 'Snakefile')) && existsSync(join(out, 'config.json'))).toBe(true);
    expect(existsSync(join(out, 'run.json'))).toBe(false);
  });

  it('runs, records run.json; a second run does nothing; a changed factor value reruns only its branch; snakemake runs directly in the folder', async () => {
    const { out, plan, calls, run } = setup();
    const first = await run();
    expect(first.jobs).toEqual({ all: 1, augment: 2, train: 3, segment: 3, score: 3, summary: 1, report: 1, total: 14 });
    expect(calls().filter((c) => c.startsWith('augment'))).toHaveLength(2);
    expect(calls().filter((c) => c.startsWith('train'))).toHaveLength(3);
    const rec = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect(rec).toMatchObject({ status: 'complete', exit_code: 0, plan_sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(rec.versions.snakemake).toMatch(/^\d+\.\d+/);
    // the tidy table: 3 strategies x 1 replicate x 1 test set x 3 thresholds, F1 as scored
    const rows = readFileSync(join(out, 'results.csv'), 'utf8').trim().split('\n');
    // a column per factor: each strategy's level of it
    expect(rows[0]).toBe('strategy,factor,value,cycles,augmentation,replicate,test_set,iou,tp,fp,fn,f1,precision,recall,splits,merges,train_s');
    expect(rows.slice(1).map((l) => l.split(',').slice(0, 8).join(','))).toEqual(
      ['baseline,baseline,-,1,full', 'cycles-2,cycles,2,2,full', 'augmentation-none,augmentation,none,1,none'].flatMap((s) => ['0.5', '0.7', '0.9'].map((t) => `${s},0,held,${t}`)),
    );
    const score = JSON.parse(readFileSync(join(out, 'scores', 'cycles-2', 'r0', 'held.json'), 'utf8'));
    expect(Number(rows[5].split(',')[11])).toBeCloseTo(score.pooled.f1[1], 5);
    const md = readFileSync(join(out, 'results', 'summary.md'), 'utf8');
    expect(md).toContain(`| cycles-2 | held | 1 | ${score.pooled.f1.map((f: number) => `${f.toFixed(3)} ± 0.000`).join(' | ')} |`);

    // nothing changed: nothing to do, nothing called
    const n = calls().length;
    expect((await run(true)).jobs).toEqual({});
    expect((await run()).jobs).toEqual({});
    expect(calls()).toHaveLength(n);
    // another way to call nucseg (a moved installation, another Node) reruns nothing either
    expect((await runExperiment(plan, { out, dryRun: true, nucseg: ['/usr/bin/python3', '-B', FAKE[1]] })).jobs).toEqual({});
    writeFileSync(plan, planYaml(undefined, '') + 'device: auto\n'); // nor another device
    expect((await run(true)).jobs).toEqual({});

    // cycles 2 -> 3: a new training branch on the shared augmented set, and the summary
    writeFileSync(plan, planYaml('factors:\n  cycles: [3]\n  augmentation: [none]\n'));
    expect((await run(true)).jobs).toEqual({ all: 1, train: 1, segment: 1, score: 1, summary: 1, report: 1, total: 6 });
    // preset none -> min-noise: its own augmented set too
    writeFileSync(plan, planYaml('factors:\n  cycles: [2]\n  augmentation: [min-noise]\n'));
    expect((await run(true)).jobs).toEqual({ all: 1, augment: 1, train: 1, segment: 1, score: 1, summary: 1, report: 1, total: 7 });
    // a baseline setting every strategy trains with (batch) reruns every training, not the augmented sets
    writeFileSync(plan, planYaml(undefined, '  init: random\n').replace('batch: 8', 'batch: 4'));
    expect((await run(true)).jobs).toEqual({ all: 1, train: 3, segment: 3, score: 3, summary: 1, report: 1, total: 12 });

    // the folder is a plain Snakemake workflow: with the original plan's config, nothing to do
    writeFileSync(plan, planYaml());
    await run(true);
    const direct = spawnSync('snakemake', ['--cores', '1', '--dry-run'], { cwd: out, encoding: 'utf8', env: { ...process.env } });
    expect(direct.status).toBe(0);
    expect(direct.stdout + direct.stderr).toContain('Nothing to be done');
  }, 120_000);

  it('a run killed in the middle of training (Snakemake and its job, as a crash would) resumes and finishes the rest', async () => {
    const { out, calls, run } = setup();
    process.env.FAKE_SLEEP = '5';
    try {
      const first = run();
      const failed = first.then(() => null, (e: Error) => e);
      const deadline = Date.now() + 60_000;
      while (!calls().some((c) => c.startsWith('train')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(calls().some((c) => c.startsWith('train'))).toBe(true);
      const pid = Number(readFileSync(join(out, '.nucseg-snakemake.pid'), 'utf8'));
      process.kill(-pid, 'SIGKILL'); // its process group: Snakemake and the running job; its lock stays
      expect((await failed)?.message).toMatch(/experiment failed/);
      expect(existsSync(join(out, '.snakemake', 'locks'))).toBe(true);
      const before = calls().length;
      process.env.FAKE_SLEEP = '0';
      const r = await run(); // the stale lock is lifted
      expect(r.jobs.train).toBeGreaterThanOrEqual(1);
      expect(r.jobs.augment ?? 0).toBeLessThan(2); // an augmented set finished before the kill is not redone
      expect(r.jobs.total).toBeLessThan(14);
      expect(calls().length - before).toBe(r.jobs.total - 2); // every job but all and summary calls nucseg once
      expect(existsSync(join(out, 'results', 'summary.md'))).toBe(true);
      expect(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')).status).toBe('complete');
      expect((await run(true)).jobs).toEqual({});
    } finally {
      process.env.FAKE_SLEEP = '0';
    }
  }, 120_000);
});
