// Accuracy of the default model (and the classic one) through the whole pipeline:
// `nucseg segment` then `nucseg score`, pooled F1 at IoU 0.5 / 0.7 / 0.9, on the DSB2018
// fields the shipped model held out for validation (`nucseg augment --seed 0` split) and on
// BBBC039 (never trained on). Slow (~90 fields): run with `npm run bench -- --only accuracy`.
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DEFAULT_MODEL, loadConfig, scoreFiles, segmentFiles, splitSet } from '../../../dist/lib/index.js';

export const ops = [];

async function pooledF1(images, labels, model, out) {
  rmSync(out, { recursive: true, force: true });
  const t = performance.now();
  let n = 0;
  for await (const r of segmentFiles(images, { out, model, device: 'cpu', csv: false })) if (r.status === 'done') n++;
  const seconds = (performance.now() - t) / 1000;
  const s = await scoreFiles(labels, out, { thresholds: [0.5, 0.7, 0.9] });
  return { f1: s.pooled.f1, fields: n, seconds };
}

export async function run({ shared, repo, quick }) {
  if (quick) return [];
  const rows = [];
  const dsb = join(shared, 'data', 'dsb2018-fluo', 'train');
  const cfg = await loadConfig();
  // the fields `nucseg augment --seed 0` holds out (the split alone: no pixels read)
  const { pairs, valKeys } = await splitSet({ name: 'dsb', dir: dsb }, 0, cfg.valFraction, 0);
  const val = pairs.filter((p) => valKeys.has(p.key)).map((p) => ({ image: p.pred, labels: p.gt }));
  const dir = join(repo, 'bench-out', 'accuracy-dsb-val');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'images'), { recursive: true });
  mkdirSync(join(dir, 'labels'));
  for (const f of val) {
    symlinkSync(f.image, join(dir, 'images', basename(f.image)));
    symlinkSync(f.labels, join(dir, 'labels', basename(f.labels)));
  }
  const bbbc = join(shared, 'data', 'bbbc039-small');
  for (const model of [DEFAULT_MODEL, 'classic']) {
    for (const [name, images, labels] of [
      [`dsb2018 validation (${val.length} fields)`, join(dir, 'images'), join(dir, 'labels')],
      ['bbbc039-small (10 fields)', join(bbbc, 'images'), join(bbbc, 'labels')],
    ]) {
      const r = await pooledF1(images, labels, model, join(repo, 'bench-out', `accuracy-${model}`));
      const f = r.f1.map((v) => v.toFixed(3)).join(' / ');
      console.log(`${model} on ${name}: F1 ${f} (IoU 0.5 / 0.7 / 0.9), ${(r.fields / r.seconds).toFixed(2)} fields/s`);
      rows.push({ kernel: `${model}: pooled F1 ${f} at IoU 0.5 / 0.7 / 0.9 (time = whole folder)`, input: name, ours1: r.seconds * 1000, oursN: r.seconds * 1000 });
    }
  }
  return rows;
}
