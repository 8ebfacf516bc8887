// Accuracy through the whole pipeline (`segmentFiles` then `scoreFiles`, pooled F1 at IoU
// 0.5 / 0.7 / 0.9, default options: automatic diameter) on the DSB2018 fields the shipped
// model held out for validation (`nucseg augment --seed 0` split) and on BBBC039 (never
// trained on), for the default model and the classic one, plus a scale test: the same
// fields resampled x2, x3 and x4 (bilinear images, nearest labels; made here from the
// real fields), which no model was shown at that size.
//   npm run bench -- --only accuracy            (slow: ~90 fields x 4 scales x 2 models)
// Environment: NUCSEG_ACC_MODELS=name,name,... (default: the default model and classic;
// an .onnx path works; 'name@D' runs it with --diameter D instead of auto),
// NUCSEG_ACC_SCALES=1,2,3,4, NUCSEG_ACC_SETS=dsb,bbbc039.
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DEFAULT_MODEL, kernels, loadConfig, readImage, readLabels, scoreFiles, segmentFiles, splitSet, writeLabels } from '../../../dist/lib/index.js';

export const ops = [];

async function pooledF1(images, labels, model, diameter, out) {
  rmSync(out, { recursive: true, force: true });
  const t = performance.now();
  let n = 0;
  for await (const r of segmentFiles(images, { out, model, diameter, device: 'cpu', csv: false })) {
    if (r.status === 'done') n++;
    else if (r.status === 'failed') console.error(`  ${r.name}: ${r.error}`);
  }
  const seconds = (performance.now() - t) / 1000;
  const s = await scoreFiles(labels, out, { thresholds: [0.5, 0.7, 0.9] });
  return { f1: s.pooled.f1, fields: n, seconds };
}

/** The fields of `src` (images/, labels/) resampled by `k` into `dst` (once). */
async function resampled(src, dst, k) {
  if (existsSync(join(dst, 'done'))) return dst;
  rmSync(dst, { recursive: true, force: true });
  mkdirSync(join(dst, 'images'), { recursive: true });
  mkdirSync(join(dst, 'labels'));
  const { readdirSync, writeFileSync } = await import('node:fs');
  for (const f of readdirSync(join(src, 'labels'))) {
    const im = await readImage(join(src, 'images', f));
    const lab = await readLabels(join(src, 'labels', f));
    const W = im.width * k, H = im.height * k;
    const img16 = im.data instanceof Uint16Array ? im : { data: Uint16Array.from(im.data), width: im.width, height: im.height };
    await writeLabels(join(dst, 'images', f), kernels.resize(img16, W, H, { interpolation: 'bilinear' }));
    await writeLabels(join(dst, 'labels', f), kernels.resize(lab, W, H, { interpolation: 'nearest' }));
  }
  writeFileSync(join(dst, 'done'), '');
  return dst;
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
  const sets = { dsb: [`dsb2018 validation (${val.length} fields)`, dir], bbbc039: ['bbbc039-small (10 fields)', join(shared, 'data', 'bbbc039-small')] };
  const want = (process.env.NUCSEG_ACC_SETS ?? 'dsb,bbbc039').split(',');
  const scales = (process.env.NUCSEG_ACC_SCALES ?? '1,2,3,4').split(',').map(Number);
  const models = (process.env.NUCSEG_ACC_MODELS ?? `${DEFAULT_MODEL},classic`).split(',');
  for (const spec of models) {
    const [model, d] = spec.split('@');
    const diameter = d ? Number(d) : 'auto';
    for (const key of want) {
      const [name, src] = sets[key];
      for (const k of scales) {
        const folder = k === 1 ? src : await resampled(src, join(repo, 'bench-out', `accuracy-${key}-x${k}`), k);
        const r = await pooledF1(join(folder, 'images'), join(folder, 'labels'), model, diameter, join(repo, 'bench-out', 'accuracy-run'));
        const f = r.f1.map((v) => v.toFixed(3)).join(' / ');
        const input = `${name}${k === 1 ? '' : ` resampled x${k}`}`;
        console.log(`${spec} on ${input}: F1 ${f} (IoU 0.5 / 0.7 / 0.9), ${(r.fields / r.seconds).toFixed(2)} fields/s`);
        rows.push({ kernel: `${spec}: pooled F1 ${f} at IoU 0.5 / 0.7 / 0.9 (time = whole folder)`, input, ours1: r.seconds * 1000, oursN: r.seconds * 1000 });
      }
    }
  }
  return rows;
}
