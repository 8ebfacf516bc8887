import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runExperiment } from '../../lib/experiment/run.js';
import { scoreFiles } from '../../lib/score/files.js';
import { REPO } from '../helpers/data.js';
import { tempDir } from '../helpers/tools.js';
import { planYaml, tinyData } from './helpers.js';

describe('nucseg experiment, end to end with the real CLI', () => {
  const hasTorch = spawnSync('/usr/bin/python3', ['-c', 'import torch, h5py, onnx'], { encoding: 'utf8' }).status === 0;

  it('a tiny plan (fine-tune the shipped model vs random init, 3 training fields, 2 test fields) gives the summary table with the F1 that score gives', async () => {
    expect(hasTorch, 'Debian python3-torch, python3-h5py and python3-onnx are needed (.ci/run installs them)').toBe(true);
    const data = tinyData();
    const plan = join(data.dir, 'plan.yaml');
    const shipped = join(REPO, 'models-onnx', 'nuclei-fpn2ws-dsb.onnx');
    writeFileSync(plan, planYaml('factors:\n  init: [random]\npython: /usr/bin/python3\n', `  init: ${shipped}\n`));
    const out = tempDir('nucseg-exp-e2e-');
    const t0 = Date.now();
    const r = await runExperiment(plan, { out, cores: 2 });
    const seconds = (Date.now() - t0) / 1000;
    console.log(`experiment: ${r.jobs.total} jobs in ${seconds.toFixed(1)} s`);
    // 2 strategies share one augmented set
    expect(r.jobs).toEqual({ all: 1, augment: 1, train: 2, segment: 2, score: 2, summary: 1, total: 9 });
    const lines = readFileSync(join(out, 'results', 'scores.csv'), 'utf8').trim().split('\n');
    const head = lines[0].split(',');
    const rows = lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [head[i], v])));
    expect(rows.map((x) => `${x.strategy}/${x.factor}/${x.value}/${x.replicate}/${x.test_set}/${x.iou}`)).toEqual(
      ['baseline/baseline/-', 'init-random/init/random'].flatMap((s) => ['0.5', '0.7', '0.9'].map((t) => `${s}/0/held/${t}`)),
    );
    // the table holds what nucseg score gives for the same labels
    for (const s of ['baseline', 'init-random']) {
      const ref = await scoreFiles([join(data.dir, 'test', 'labels')], [join(out, 'segment', s, 'r0', 'held')], { thresholds: [0.5, 0.7, 0.9] });
      const got = rows.filter((x) => x.strategy === s);
      expect(got.map((x) => Number(x.f1))).toEqual(ref.pooled.f1.map((f: number) => Number(f.toPrecision(6))));
      expect(got.map((x) => Number(x.tp))).toEqual(ref.pooled.tp);
      expect(Number(got[0].train_s)).toBeGreaterThan(0);
    }
    // fine-tuning the shipped model for one tiny cycle still finds the nuclei
    expect(Number(rows[0].f1)).toBeGreaterThan(0.5);
    const md = readFileSync(join(out, 'results', 'summary.md'), 'utf8').trim().split('\n');
    expect(md).toHaveLength(4);
    expect(md[2]).toMatch(/^\| baseline \| held \| 1 \| 0\.\d{3} ± 0\.000 \| 0\.\d{3} ± 0\.000 \| 0\.\d{3} ± 0\.000 \|$/);
    const summary = readFileSync(join(out, 'results', 'summary.csv'), 'utf8').trim().split('\n');
    expect(summary[0]).toBe('strategy,factor,value,test_set,replicates,f1@0.5_mean,f1@0.7_mean,f1@0.9_mean,f1@0.5_sd,f1@0.7_sd,f1@0.9_sd');
    expect(summary.slice(1).map((l) => l.split(',').slice(0, 5).join(','))).toEqual(['baseline,baseline,-,held,1', 'init-random,init,random,held,1']);
    const rec = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect(rec).toMatchObject({ status: 'complete', versions: { nucseg: expect.any(String), snakemake: expect.any(String) } });
    // nothing changed: nothing to run; no temporaries left
    expect((await runExperiment(plan, { out, dryRun: true })).jobs).toEqual({});
    expect(readdirSync(join(out, 'results')).sort()).toEqual(['scores.csv', 'scores.json', 'summary.csv', 'summary.md']);
  }, 240_000);
});
