// Deep-model inference on the CPU: end-to-end time of one 2048² field with the shipped
// FPN2-WS model (read, normalize, tiles, ONNX Runtime, stitching, post-processing, CSV) next
// to the model-only time (ONNX Runtime on the same tiles), and the overhead between them.
// With automatic scale a field may be resized before the model: "the same tiles" are those
// of the field at the scale the pipeline chose (ImageResult.scale).
// NUCSEG_BENCH_COMPARE=<model>[@diameter][,<model>[@diameter]...] also times those models end
// to end on the same inputs in the same run, alternating with the default (medians of 3).
// NUCSEG_BENCH_DEVICE=webgpu|cuda runs both sides on that device instead of the CPU.
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { findModel, openSession, processImage, Profile, readImage, segmentFiles, tileGrid } from '../../../dist/lib/index.js';
import * as ort from 'onnxruntime-node';
import { median } from '../harness.mjs';

export const ops = [];

const device = process.env.NUCSEG_BENCH_DEVICE ?? 'cpu';

export async function run({ inputs, repo, shared }) {
  const field = join(inputs, 'real2048_gray8.tif');
  const { path, card } = await findModel('nuclei-fpn2ws-dsb');
  const T = card.tile.size, batch = 4;
  const job = { file: field, name: 'field' };
  const out = join(repo, 'bench-out', 'inference-e2e');
  const opts = { model: 'nuclei-fpn2ws-dsb', device, batch, csv: true };
  const first = await processImage(job, out, opts, 0); // warm-up, and the scale the pipeline runs this field at
  const side = (n) => Math.max(T, Math.max(1, Math.round(n * first.scale)));
  const tiles = tileGrid(side(2048), side(2048), T, card.tile.overlap);
  const { session } = await openSession(path, device, 0);
  const inputsT = [];
  for (let i = 0; i < tiles.length; i += batch) {
    const n = Math.min(batch, tiles.length - i);
    inputsT.push(new ort.Tensor('float32', new Float32Array(n * T * T).map(() => Math.random()), [n, 1, T, T]));
  }
  await session.run({ image: inputsT[0] });
  let t = performance.now();
  for (const x of inputsT) await session.run({ image: x });
  const modelMs = performance.now() - t;
  t = performance.now();
  const r = await processImage(job, out, opts, 0);
  const e2eMs = performance.now() - t;
  console.log(`FPN2-WS 2048² field on ${device} (diameter ${r.diameter?.toFixed(1)} px, scale ${r.scale.toFixed(3)}): model only ${modelMs.toFixed(0)} ms (${tiles.length} tiles), end to end ${e2eMs.toFixed(0)} ms (${r.count} nuclei): overhead ${((e2eMs / modelMs - 1) * 100).toFixed(1)} %`);
  // a folder of fields: the 10 BBBC039 fields (520 x 696), segmentFiles end to end (read,
  // normalize, tiles, ORT, post-processing, label TIFF + CSV) vs ORT alone on the same batches
  const folder = join(shared, 'data', 'bbbc039-small', 'images');
  const names = readdirSync(folder).sort();
  const batches = [];
  const scales = new Map();
  for await (const r of segmentFiles(folder, { out: join(repo, 'bench-out', 'inference-scales'), model: 'nuclei-fpn2ws-dsb', device, batch, csv: false, force: true })) scales.set(r.file, r.scale);
  for (const n of names) {
    const im = await readImage(join(folder, n));
    const s = scales.get(join(folder, n)) ?? 1;
    const g = tileGrid(Math.max(Math.round(im.width * s), T), Math.max(Math.round(im.height * s), T), T, card.tile.overlap);
    for (let i = 0; i < g.length; i += batch) {
      const k = Math.min(batch, g.length - i);
      batches.push(new ort.Tensor('float32', new Float32Array(k * T * T).map(() => Math.random()), [k, 1, T, T]));
    }
  }
  // alternating rounds (model only, then end to end), medians: both see the same machine load
  const rounds = Number(process.env.NUCSEG_BENCH_ROUNDS ?? 5);
  const fout = join(repo, 'bench-out', 'inference-folder');
  const modelRuns = [], e2eRuns = [];
  for (let round = 0; round < rounds; round++) {
    t = performance.now();
    for (const x of batches) await session.run({ image: x });
    modelRuns.push(performance.now() - t);
    rmSync(fout, { recursive: true, force: true });
    t = performance.now();
    for await (const r of segmentFiles(folder, { out: fout, model: 'nuclei-fpn2ws-dsb', device, batch, csv: true })) if (r.status !== 'done') throw new Error(`${r.name}: ${r.error}`);
    e2eRuns.push(performance.now() - t);
  }
  const folderModelMs = median(modelRuns), folderMs = median(e2eRuns);
  const fo = ((folderMs / folderModelMs - 1) * 100).toFixed(1);
  console.log(`  per round: overhead ${e2eRuns.map((e, i) => `${((e / modelRuns[i] - 1) * 100).toFixed(1)} %`).join(', ')}`);
  console.log(`FPN2-WS folder of ${names.length} fields on ${device} (medians of ${rounds} alternating rounds): model only ${folderModelMs.toFixed(0)} ms, end to end ${folderMs.toFixed(0)} ms (${((names.length * 1000) / folderMs).toFixed(2)} fields/s): overhead ${fo} %`);
  // the time budget per field (issue 14): where a 2048² field's and a BBBC039 field's time goes,
  // default model and classic (the same table as `nucseg segment --profile`)
  for (const [label, file] of [['2048² mosaic', field], ['BBBC039 field', join(folder, names[0])]]) {
    for (const model of ['nuclei-fpn2ws-dsb', 'classic']) {
      const r = await processImage({ file, name: 'budget' }, join(repo, 'bench-out', 'inference-budget'), { model, device, batch, csv: true, profile: true }, 0);
      console.log(`time budget, ${label}, ${model} (${r.seconds.toFixed(2)} s):\n${Profile.from(r.profile).table()}`);
    }
  }
  const rows = [];
  if (process.env.NUCSEG_BENCH_COMPARE) {
    // other models vs the default, same run, alternating: one 2048² field and the BBBC039 folder, medians of 3
    const others = process.env.NUCSEG_BENCH_COMPARE.split(',').map((spec) => {
      const [other, d] = spec.split('@');
      return [other, { ...opts, model: other, diameter: d ? Number(d) : 'auto' }];
    });
    const variants = [['default', opts], ...others];
    const times = new Map(variants.map(([n]) => [n, { field: [], folder: [] }]));
    for (let rep = 0; rep < 3; rep++) {
      for (const [n, o] of variants) {
        let t0 = performance.now();
        await processImage(job, join(repo, 'bench-out', 'inference-cmp'), o, 0);
        times.get(n).field.push(performance.now() - t0);
        t0 = performance.now();
        for await (const r of segmentFiles(folder, { ...o, out: join(repo, 'bench-out', 'inference-cmp-folder'), force: true })) if (r.status !== 'done') throw new Error(`${r.name}: ${r.error}`);
        times.get(n).folder.push(performance.now() - t0);
      }
    }
    const a = times.get('default');
    for (const [other] of others) {
      const b = times.get(other);
      console.log(`default vs ${other}: 2048² field ${median(a.field).toFixed(0)} vs ${median(b.field).toFixed(0)} ms, BBBC039 folder (${names.length}) ${median(a.folder).toFixed(0)} vs ${median(b.folder).toFixed(0)} ms`);
      rows.push({ kernel: `default model end to end vs ${other} (median of 3, alternating)`, input: 'real2048_gray8.tif', ours1: median(a.field), oursN: median(a.field), peer: { peer: other, threads: 2, median_ms: median(b.field) } });
      rows.push({ kernel: `default model end to end vs ${other} (median of 3, alternating)`, input: `bbbc039-small/images (${names.length} fields)`, ours1: median(a.folder), oursN: median(a.folder), peer: { peer: other, threads: 2, median_ms: median(b.folder) } });
    }
  }
  return [
    ...rows,
    {
      kernel: `FPN2-WS folder end-to-end vs model-only (${names.length} fields, ${batches.length} batches; overhead ${fo} %)`,
      input: 'bbbc039-small/images',
      ours1: folderMs,
      oursN: folderMs,
      peer: { peer: 'ONNX Runtime alone on the same batches', threads: 2, median_ms: folderModelMs },
      goal: 'overhead <= 15 %',
      pass: folderMs <= 1.15 * folderModelMs,
    },
    {
      kernel: `FPN2-WS end-to-end vs model-only (${tiles.length} tiles of ${T}², batch ${batch}; overhead ${((e2eMs / modelMs - 1) * 100).toFixed(1)} %)`,
      input: 'real2048_gray8.tif',
      ours1: e2eMs,
      oursN: e2eMs,
      peer: { peer: 'ONNX Runtime alone on the same tiles', threads: 2, median_ms: modelMs },
      goal: 'overhead <= 15 %',
      pass: e2eMs <= 1.15 * modelMs,
    },
  ];
}
