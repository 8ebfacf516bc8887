import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlan } from '../../lib/experiment/plan.js';
import { augmentKey, strategies } from '../../lib/experiment/strategies.js';
import { workflowConfig, writeWorkflow } from '../../lib/experiment/workflow.js';
import { tempDir } from '../helpers/tools.js';
import { PRESETS } from '../../lib/augment/config.js';
import { AUGMENT_PRESET_NAMES } from '../../lib/experiment/schema.js';
import { REPO } from '../helpers/data.js';
import { planYaml, tinyData } from './helpers.js';

const data = tinyData();
function writePlan(text: string, name = 'plan.yaml'): string {
  const p = join(data.dir, name);
  writeFileSync(p, text);
  return p;
}

describe('experiment plan', () => {
  it('loads a valid plan: datasets resolved, defaults filled, one-at-a-time strategies with a shared augmented set', async () => {
    const plan = await loadPlan(writePlan(planYaml()));
    expect(plan.datasets.u2os.images).toHaveLength(3);
    expect(plan.testSets).toEqual(['held']);
    expect(plan.baseline).toMatchObject({ arch: 'fpn2ws', init: 'random', encoder: 'resnet18', augmentation: 'full', rois: 24 });
    expect(plan.seeds).toEqual([0]);
    expect(plan.iou).toEqual([0.5, 0.7, 0.9]);
    expect(plan.sha256).toMatch(/^[0-9a-f]{64}$/);
    const s = strategies(plan);
    expect(s.map((x) => x.name)).toEqual(['baseline', 'cycles-2', 'augmentation-none']);
    // cycles do not change the augmented set; the preset does
    expect(s[1].augment).toBe(s[0].augment);
    expect(s[2].augment).not.toBe(s[0].augment);
    expect(augmentKey(plan, { ...plan.baseline, batch: 4, encoder: 'resnet34' })).toBe(s[0].augment);
    const cfg = workflowConfig(plan, ['nucseg']);
    expect(Object.keys(cfg.augment)).toHaveLength(2);
    expect(cfg.strategies['cycles-2'].train_args).toEqual(['--arch', 'fpn2ws', '--init', 'random', '--cycles', '2', '--batch', '8', '--encoder', 'resnet18']);
    expect(cfg.augment[s[2].augment].args).toEqual(['--set', `u2os=${join(data.dir, 'train')}`, '--rois', '24', '--roi-size', '64', '--preset', 'none', '--seed', '0']);
    expect(cfg.strategies['augmentation-none']).toMatchObject({ factor: 'augmentation', value: 'none' });
    expect(cfg.device).toBe('cpu');
    expect(workflowConfig(await loadPlan(writePlan(planYaml('device: cuda\n'))), ['nucseg']).device).toBe('cuda');
  });

  it('a grid crosses every factor value; replicates give seeds; a factor value equal to the baseline is not trained twice', async () => {
    const plan = await loadPlan(writePlan(planYaml('design: grid\nfactors:\n  cycles: [1, 2]\n  rois: [24, 48]\nreplicates: 3\n')));
    expect(strategies(plan).map((x) => x.name)).toEqual(['baseline', 'rois-48', 'cycles-2', 'cycles-2_rois-48']);
    expect(plan.seeds).toEqual([0, 1, 2]);
    const oat = await loadPlan(writePlan(planYaml('factors:\n  cycles: [1, 3]\nreplicates: [4, 9]\n')));
    expect(strategies(oat).map((x) => x.name)).toEqual(['baseline', 'cycles-3']);
    expect(oat.seeds).toEqual([4, 9]);
  });

  it('the example plan shipped in examples/experiment loads', async () => {
    const plan = await loadPlan(join(REPO, 'examples', 'experiment', 'plan.yaml'));
    expect(strategies(plan).map((x) => x.name)).toEqual(['baseline', 'init-random', 'augmentation-none']);
    expect(plan.baseline.init).toBe(join(REPO, 'models-onnx', 'nuclei-fpn2ws-dsb.onnx'));
  });

  const bad: [string, string, RegExp][] = [
    ['unknown factor', planYaml('factors:\n  learning_rate: [0.1]\n'), /plan\.yaml: factors\.learning_rate: unknown factor \(known: arch, init/],
    ['ROIs <= 0', planYaml('', '  # comment\n').replace('rois: 24', 'rois: 0'), /plan\.yaml: baseline\.rois: must be >= 1$/],
    ['ROIs <= 0 in a factor', planYaml('factors:\n  rois: [10, -5]\n'), /plan\.yaml: factors\.rois\.1: must be >= 1$/],
    ['missing folder', planYaml().replace('path: test', 'path: nowhere'), /plan\.yaml: datasets\.held\.path: .*nowhere has no images\/ folder$/],
    ['unknown dataset in sets', planYaml().replace('sets: [u2os]', 'sets: [u2os, hela]'), /plan\.yaml: baseline\.sets: unknown dataset 'hela' \(datasets: u2os, held\)$/],
    ['training on a test set', planYaml().replace('sets: [u2os]', 'sets: [held]'), /plan\.yaml: baseline\.sets: dataset 'held' has role test, not train$/],
    ['unknown top-level key', planYaml('replicate: 2\n'), /plan\.yaml: replicate: unknown key$/],
    ['bad preset', planYaml('factors:\n  augmentation: [min-gamma]\n'), /plan\.yaml: factors\.augmentation\.0: must be equal to one of the allowed values \(full, none, min-blur/],
    ['missing baseline', 'datasets:\n  a: { path: train }\n', /plan\.yaml: baseline: is required$/],
    ['missing init model', planYaml('factors:\n  init: [models/none.onnx]\n'), /plan\.yaml: factors\.init\[0\]: no such model .*models\/none\.onnx$/],
    ['not YAML', 'datasets: [a\n', /plan\.yaml: invalid plan: /],
    ['no test set', planYaml('test_sets: [u2os]\n'), /plan\.yaml: test_sets: dataset 'u2os' has role train, not test$/],
  ];
  for (const [what, text, err] of bad) {
    it(`a bad plan is one clear line naming the file and key: ${what}`, async () => {
      const e = await loadPlan(writePlan(text)).catch((x: Error) => x);
      expect(e).toBeInstanceOf(Error);
      expect((e as Error).message).toMatch(err);
      expect((e as Error).message).not.toContain('\n');
    });
  }

  it('a missing plan file is a one-line error', async () => {
    await expect(loadPlan(join(data.dir, 'nope.yaml'))).rejects.toThrow(/nope\.yaml: cannot read plan \(ENOENT\)/);
  });

  it('augmentation as a config file: augment --config, the file an input, its bytes in the cache key; the presets are augment\'s', async () => {
    expect([...AUGMENT_PRESET_NAMES].sort()).toEqual(Object.keys(PRESETS).sort());
    writeFileSync(join(data.dir, 'noblur.yaml'), 'blur: { p: 0 }\n');
    const plan = await loadPlan(writePlan(planYaml('factors:\n  augmentation: [noblur.yaml]\n')));
    const [base, cfgStrategy] = strategies(plan);
    expect(cfgStrategy.name).toBe('augmentation-noblur');
    const cfg = workflowConfig(plan, ['nucseg']);
    const a = cfg.augment[cfgStrategy.augment];
    expect(a.args).toContain('--config');
    expect(a.args[a.args.indexOf('--config') + 1]).toBe(join(data.dir, 'noblur.yaml'));
    expect(a.args).not.toContain('--preset');
    expect(a.inputs).toContain(join(data.dir, 'noblur.yaml'));
    expect(cfgStrategy.augment).not.toBe(base.augment);
    writeFileSync(join(data.dir, 'noblur.yaml'), 'blur: { p: 0.1 }\n');
    expect(strategies(await loadPlan(writePlan(planYaml('factors:\n  augmentation: [noblur.yaml]\n'))))[1].augment).not.toBe(cfgStrategy.augment);
    await expect(loadPlan(writePlan(planYaml('factors:\n  augmentation: [missing.yaml]\n')))).rejects.toThrow(/factors.augmentation\[0\]: no such augmentation config/);
    await expect(loadPlan(writePlan(planYaml('factors:\n  augmentation: [blurry]\n')))).rejects.toThrow(/factors.augmentation/);
  });

  it('include/exclude pick files of a folder; the workflow copies them into data/<name>/ and reads them there', async () => {
    const text = `name: t
datasets:
  few: { path: train, role: train, include: ['IXMtest_A16*', 'IXMtest_B2*'] }
  rest: { path: train, role: test, exclude: ['IXMtest_A16*', 'IXMtest_B21*'] }
baseline: { cycles: 1, rois: 24, roi_size: 64, batch: 8, sets: [few] }
`;
    const plan = await loadPlan(writePlan(text));
    expect(plan.datasets.few.images.map((f) => f.split('/').pop()!.slice(0, 11))).toEqual(['IXMtest_A16', 'IXMtest_B20', 'IXMtest_B21']);
    expect(plan.datasets.rest.images.map((f) => f.split('/').pop()!.slice(0, 11))).toEqual(['IXMtest_B20']);
    expect(plan.datasets.rest.labels).toHaveLength(1);
    const out = tempDir('nucseg-exp-subset-');
    const cfg = await writeWorkflow(plan, out, ['nucseg']);
    expect(Object.values(cfg.augment)[0].args.slice(0, 2)).toEqual(['--set', 'few=data/few']);
    expect(readdirSync(join(out, 'data', 'few', 'images'))).toHaveLength(3);
    expect(readdirSync(join(out, 'data', 'few', 'labels'))).toHaveLength(3);
    expect(cfg.tests.rest.images).toBe(join('data', 'rest', 'images'));
    // a narrower selection replaces the copies
    await writeWorkflow(await loadPlan(writePlan(text.replace("'IXMtest_B2*'", "'IXMtest_B20*'"))), out, ['nucseg']);
    expect(readdirSync(join(out, 'data', 'few', 'images'))).toHaveLength(2);
    expect(readdirSync(join(out, 'data', 'rest', 'images'))).toHaveLength(1);
    await expect(loadPlan(writePlan(text.replace("['IXMtest_A16*', 'IXMtest_B2*'] }\n  rest", "['nothing*'] }\n  rest")))).rejects.toThrow(/that include\/exclude keep/);
  });
});
