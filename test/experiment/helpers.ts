import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BBBC039 } from '../helpers/data.js';
import { tempDir } from '../helpers/tools.js';

/** A folder with two datasets (train: 3 BBBC039 fields, test: 2 others; copies: augment's labels/ listing skips symlinks) for plans to name. */
export function tinyData(): { dir: string; names: string[] } {
  const dir = tempDir('nucseg-exp-data-');
  const names = ['IXMtest_A16_s3_w1032BE329-E21B-4E1B-B4B8-58700685EE0C', 'IXMtest_B20_s2_w159B9FE71-035A-4DED-B0CA-C76916C968BC', 'IXMtest_B21_s3_w141E785B1-44FE-4ED0-9CCE-6FF076EFE9FE', 'IXMtest_C07_s5_w12C9F2926-A017-4962-8660-72C9C20C86E4', 'IXMtest_G12_s6_w16850371E-A405-4D73-9816-F5F68F885D38'];
  for (const [set, pick] of [['train', names.slice(0, 3)], ['test', names.slice(3)]] as const) {
    for (const sub of ['images', 'labels']) {
      mkdirSync(join(dir, set, sub), { recursive: true });
      for (const n of pick) copyFileSync(join(BBBC039, sub, `${n}.tif`), join(dir, set, sub, `${n}.tif`));
    }
  }
  return { dir, names };
}

/** A plan text: two datasets, a tiny baseline, `extra` YAML appended (top-level keys). */
export function planYaml(extra = 'factors:\n  cycles: [2]\n  augmentation: [none]\n', baseline = ''): string {
  return `name: t
datasets:
  u2os: { path: train, role: train }
  held: { path: test, role: test }
baseline:
  cycles: 1
  rois: 24
  roi_size: 64
  batch: 8
  sets: [u2os]
${baseline}${extra}`;
}

