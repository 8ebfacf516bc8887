// Deep-model inference on the CPU: end-to-end time of one 2048² field with the shipped
// FPN2-WS model (read, normalize, tiles, ONNX Runtime, stitching, post-processing, CSV) next
// to the model-only time (ONNX Runtime on the same tiles), and the overhead between them.
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { findModel, openSession, processImage, readImage, segmentFiles, tileGrid } from '../../../dist/lib/index.js';
import * as ort from 'onnxruntime-node';

export const ops = [];

export async function run({ inputs, repo, shared }) {
  const field = join(inputs, 'real2048_gray8.tif');
  const { path, card } = await findModel('nuclei-fpn2ws-dsb');
  const T = card.tile.size, batch = 4;
  const tiles = tileGrid(2048, 2048, T, card.tile.overlap);
  const { session } = await openSession(path, 'cpu', 0);
  const inputsT = [];
  for (let i = 0; i < tiles.length; i += batch) {
    const n = Math.min(batch, tiles.length - i);
    inputsT.push(new ort.Tensor('float32', new Float32Array(n * T * T).map(() => Math.random()), [n, 1, T, T]));
  }
  await session.run({ image: inputsT[0] });
  let t = performance.now();
  for (const x of inputsT) await session.run({ image: x });
  const modelMs = performance.now() - t;
  const out = join(repo, 'bench-out', 'inference-e2e');
  const job = { file: field, name: 'field' };
  const opts = { model: 'nuclei-fpn2ws-dsb', device: 'cpu', batch, csv: true };
  await processImage(job, out, opts, 0);
  t = performance.now();
  const r = await processImage(job, out, opts, 0);
  const e2eMs = performance.now() - t;
  console.log(`FPN2-WS 2048² field on CPU: model only ${modelMs.toFixed(0)} ms (${tiles.length} tiles), end to end ${e2eMs.toFixed(0)} ms (${r.count} nuclei): overhead ${((e2eMs / modelMs - 1) * 100).toFixed(1)} %`);
  // a folder of fields: the 10 BBBC039 fields (520 x 696), segmentFiles end to end (read,
  // normalize, tiles, ORT, post-processing, label TIFF + CSV) vs ORT alone on the same batches
  const folder = join(shared, 'data', 'bbbc039-small', 'images');
  const names = readdirSync(folder).sort();
  const batches = [];
  for (const n of names) {
    const im = await readImage(join(folder, n));
    const g = tileGrid(Math.max(im.width, T), Math.max(im.height, T), T, card.tile.overlap);
    for (let i = 0; i < g.length; i += batch) {
      const k = Math.min(batch, g.length - i);
      batches.push(new ort.Tensor('float32', new Float32Array(k * T * T).map(() => Math.random()), [k, 1, T, T]));
    }
  }
  t = performance.now();
  for (const x of batches) await session.run({ image: x });
  const folderModelMs = performance.now() - t;
  const fout = join(repo, 'bench-out', 'inference-folder');
  rmSync(fout, { recursive: true, force: true });
  t = performance.now();
  for await (const r of segmentFiles(folder, { out: fout, model: 'nuclei-fpn2ws-dsb', device: 'cpu', batch, csv: true })) if (r.status !== 'done') throw new Error(`${r.name}: ${r.error}`);
  const folderMs = performance.now() - t;
  const fo = ((folderMs / folderModelMs - 1) * 100).toFixed(1);
  console.log(`FPN2-WS folder of ${names.length} fields on CPU: model only ${folderModelMs.toFixed(0)} ms, end to end ${folderMs.toFixed(0)} ms (${((names.length * 1000) / folderMs).toFixed(2)} fields/s): overhead ${fo} %`);
  return [
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
