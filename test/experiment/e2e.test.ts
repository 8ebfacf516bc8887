// experiments/smoke.yaml end to end with the real CLI (augment, train, segment, score,
// summary, report): results.csv holds the F1 nucseg score gives, report.html opens in headless
// Chromium with those numbers and no console errors, and a second run does nothing.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { runExperiment } from '../../lib/experiment/run.js';
import { scoreFiles } from '../../lib/score/files.js';
import { REPO } from '../helpers/data.js';
import { CHROMIUM, visitPage } from '../helpers/browser.js';
import { tempDir } from '../helpers/tools.js';

describe('nucseg experiment, end to end with the real CLI', () => {
  const hasTorch = spawnSync('/usr/bin/python3', ['-c', 'import torch, h5py, onnx'], { encoding: 'utf8' }).status === 0;

  it('experiments/smoke.yaml (fine-tune the shipped model vs random init, 3 training fields, 2 test fields): results.csv and report.html hold the F1 that score gives', async () => {
    expect(hasTorch, 'Debian python3-torch, python3-h5py and python3-onnx are needed (.ci/run installs them)').toBe(true);
    const plan = join(REPO, 'experiments', 'smoke.yaml');
    const out = tempDir('nucseg-exp-e2e-');
    const t0 = Date.now();
    const r = await runExperiment(plan, { out, cores: 2 });
    console.log(`experiment: ${r.jobs.total} jobs in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    // 2 strategies share one augmented set
    expect(r.jobs).toEqual({ all: 1, augment: 1, train: 2, segment: 2, score: 2, summary: 1, report: 1, total: 10 });
    const rows = parse(readFileSync(join(out, 'results.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows.map((x) => `${x.strategy}/${x.factor}/${x.value}/${x.init}/${x.replicate}/${x.test_set}/${x.iou}`)).toEqual(
      ['baseline/baseline/-/nuclei-fpn2ws-dsb', 'init-random/init/random/random'].flatMap((s) => ['0.5', '0.7', '0.9'].map((t) => `${s}/0/bbbc-test/${t}`)),
    );
    // the table holds what nucseg score gives for the same labels
    const testLabels = ['IXMtest_C07_s5_w12C9F2926-A017-4962-8660-72C9C20C86E4', 'IXMtest_G12_s6_w16850371E-A405-4D73-9816-F5F68F885D38'].map((n) => join(REPO, '..', 'shared', 'data', 'bbbc039-small', 'labels', `${n}.tif`));
    const refs: Record<string, number[]> = {};
    for (const s of ['baseline', 'init-random']) {
      const ref = await scoreFiles(testLabels, [join(out, 'segment', s, 'r0', 'bbbc-test')], { thresholds: [0.5, 0.7, 0.9] });
      const got = rows.filter((x) => x.strategy === s);
      expect(got.map((x) => Number(x.f1))).toEqual(ref.pooled.f1.map((f: number) => Number(f.toPrecision(6))));
      expect(got.map((x) => Number(x.tp))).toEqual(ref.pooled.tp);
      expect(Number(got[0].train_s)).toBeGreaterThan(0);
      refs[s] = ref.pooled.f1;
    }
    // fine-tuning the shipped model for one tiny cycle still finds the nuclei
    expect(refs.baseline[0]).toBeGreaterThan(0.5);
    const images = parse(readFileSync(join(out, 'results', 'images.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    expect(images).toHaveLength(2 * 2 * 3); // strategies x test images x thresholds
    const cycles = parse(readFileSync(join(out, 'results', 'cycles.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    expect(cycles.map((c) => `${c.strategy}/${c.cycle}`)).toEqual(['baseline/1', 'init-random/1']);
    expect(Number(cycles[0].train_loss)).toBeGreaterThan(0);
    const md = readFileSync(join(out, 'results', 'summary.md'), 'utf8').trim().split('\n');
    expect(md).toHaveLength(4);
    expect(md[2]).toMatch(/^\| baseline \| bbbc-test \| 1 \| 0\.\d{3} ± 0\.000 \| 0\.\d{3} ± 0\.000 \| 0\.\d{3} ± 0\.000 \|$/);
    const rec = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect(rec).toMatchObject({ status: 'complete', versions: { nucseg: expect.any(String), snakemake: expect.any(String) } });
    // the report: the factor table shows those F1 (3 decimals), the charts render, no errors
    if (CHROMIUM) {
      const v = await visitPage(join(out, 'report.html'), () => ({
        table: [...document.querySelectorAll('#factor-init tbody tr')].map((tr) => [...tr.children].map((c) => c.textContent ?? '')),
        charts: Object.keys((window as unknown as { nucseg: { views: object } }).nucseg.views).sort(),
      }));
      expect(v.errors).toEqual([]);
      expect(v.result.charts).toEqual(['f1-curves', 'image-f1', 'training']);
      expect(v.result.table.map((r) => r[0])).toEqual(['baseline', 'init-random']);
      for (const [k, s] of ['baseline', 'init-random'].entries()) expect(v.result.table[k].slice(3)).toEqual([refs[s][1], refs[s][2]].map((f) => `${f.toFixed(3)} ± 0.000`));
    }
    // nothing changed: nothing to run; no temporaries left
    expect((await runExperiment(plan, { out, dryRun: true })).jobs).toEqual({});
    expect(readdirSync(join(out, 'results')).sort()).toEqual(['cycles.csv', 'images.csv', 'summary.csv', 'summary.md']);
  }, 300_000);
});
