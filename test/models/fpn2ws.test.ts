import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readImage, readLabels } from '../../lib/image/read.js';
import { Fpn2wsModel, fpn2wsInstances, postFromCard } from '../../lib/models/fpn2ws.js';
import { loadModel } from '../../lib/models/load.js';
import { findModel } from '../../lib/models/registry.js';
import { openSession, ort } from '../../lib/models/onnx.js';
import { score } from '../../lib/score/metrics.js';
import { normalizeImage } from '../../lib/segment/normalize.js';
import { segment } from '../../lib/segment/segment.js';
import { BBBC039 } from '../helpers/data.js';
import { tempDir } from '../helpers/tools.js';

const field = readdirSync(join(BBBC039, 'images')).sort()[5];

describe('shipped FPN2-WS model in the pipeline', () => {
  it('segments a real field it never saw, matching ground truth well', async () => {
    const im = await readImage(join(BBBC039, 'images', field));
    const gt = await readLabels(join(BBBC039, 'labels', field));
    const r = await segment(im, { model: 'nuclei-fpn2ws-dsb', device: 'cpu' });
    expect([r.model, r.device]).toEqual(['nuclei-fpn2ws-dsb', 'cpu']);
    const s = score(gt, r.labels, { thresholds: [0.5, 0.7] });
    // the card's pooled F1 on BBBC039 is 0.92 / 0.88; one field, a floor below that
    expect(s.f1[0]).toBeGreaterThan(0.85);
    expect(s.f1[1]).toBeGreaterThan(0.75);
  });

  it('is the default model of segment()', async () => {
    const im = await readImage(join(BBBC039, 'images', field));
    const r = await segment(im, { device: 'cpu' });
    expect(r.model).toBe('nuclei-fpn2ws-dsb');
    expect(r.count).toBeGreaterThan(50);
  });

  it('tiled maps agree with one whole-field inference away from the borders', async () => {
    const { path, card } = await findModel('nuclei-fpn2ws-dsb');
    const model = new Fpn2wsModel(path, card, { device: 'cpu' });
    const im = normalizeImage(await readImage(join(BBBC039, 'images', field)));
    const tiled = await model.predict(im);
    // whole field in one run (cropped to a multiple of 32)
    const W = 672, H = 512;
    const crop = new Float32Array(W * H);
    for (let y = 0; y < H; y++) crop.set(im.data.subarray(y * im.width, y * im.width + W), y * W);
    const { session } = await openSession(path, 'cpu');
    const out = await session.run({ image: new ort.Tensor('float32', crop, [1, 1, H, W]) });
    const d = out.distance.data as Float32Array;
    let sum = 0, n = 0, big = 0;
    for (let y = 32; y < H - 32; y++)
      for (let x = 32; x < W - 32; x++) {
        const diff = Math.abs(d[y * W + x] - tiled.distance.data[y * im.width + x]);
        sum += diff;
        n++;
        if (diff > 0.1) big++;
      }
    expect(sum / n).toBeLessThan(0.01);
    expect(big / n).toBeLessThan(0.005);
  });

  it('bad models and outputs give clear errors', async () => {
    const d = tempDir();
    const { path, card } = await findModel('nuclei-fpn2ws-dsb');
    // a corrupt copy: the card's sha256 no longer matches
    writeFileSync(join(d, 'broken.onnx'), readFileSync(path).subarray(0, 100000));
    copyFileSync(path.replace(/\.onnx$/, '.card.json'), join(d, 'broken.card.json'));
    await expect(loadModel({ model: join(d, 'broken.onnx') })).rejects.toThrow(/broken\.onnx: sha256 .* does not match its card/);
    // a corrupt file whose card claims it: ONNX Runtime refuses it, named
    const m = new Fpn2wsModel(join(d, 'broken.onnx'), card, { device: 'cpu' });
    await expect(m.predict({ data: new Float32Array(256 * 256), width: 256, height: 256 })).rejects.toThrow(/broken\.onnx: cannot start ONNX Runtime/);
    await expect(findModel(join(d, 'none.onnx'))).rejects.toThrow(/none\.onnx: no such model file/);
    // NaN maps
    const nan = { data: new Float32Array(16).fill(NaN), width: 4, height: 4 };
    expect(() => fpn2wsInstances(nan, nan, postFromCard(card))).toThrow(/NaN or out of range/);
  });
});

describe('execution devices', () => {
  // which devices 'auto' tries in which environment: test/models/devices.test.ts
  it('an explicit device that cannot start is a clear error naming the model and the reason', async () => {
    const { cudaProviderInstalled, gpuVisible } = await import('../../lib/models/onnx.js');
    const im = { data: new Float32Array(256 * 256), width: 256, height: 256 };
    if (!cudaProviderInstalled()) {
      const m = await loadModel({ model: 'nuclei-fpn2ws-dsb', device: 'cuda' });
      await expect(m.segment(im, { threads: 0 })).rejects.toThrow(/nuclei-fpn2ws-dsb\.onnx: cannot start ONNX Runtime \(cuda: onnxruntime-node's CUDA execution provider is not installed/);
    }
    if (!gpuVisible()) {
      const m = await loadModel({ model: 'nuclei-fpn2ws-dsb', device: 'webgpu' });
      await expect(m.segment(im, { threads: 0 })).rejects.toThrow(/cannot start ONNX Runtime \(webgpu: /);
    }
  });
});

describe('nucseg models', () => {
  it('list, info and verify the bundled model; verify fails on a tampered copy', async () => {
    const { spawnSync } = await import('node:child_process');
    const { REPO } = await import('../helpers/data.js');
    const bin = join(REPO, 'bin', 'nucseg.js');
    const run = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
    expect(run(['models', 'list']).stdout).toMatch(/nuclei-fpn2ws-dsb\s+\(fpn2ws; dsb-validation F1/);
    expect(JSON.parse(run(['models', 'info', 'nuclei-fpn2ws-dsb']).stdout).architecture.type).toBe('fpn2ws');
    const ok = run(['models', 'verify', 'nuclei-fpn2ws-dsb']);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/sha256 matches the card[\s\S]*OK/);
    const d = tempDir();
    const { path } = await findModel('nuclei-fpn2ws-dsb');
    const bytes = Buffer.from(readFileSync(path));
    copyFileSync(path.replace(/\.onnx$/, '.card.json'), join(d, 't.card.json'));
    bytes[Math.floor(bytes.length / 2)] ^= 0xff; // one byte in the middle (weights)
    writeFileSync(join(d, 't.onnx'), bytes);
    const bad = run(['models', 'verify', join(d, 't.onnx')]);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/sha256 DIFFERS from the card/);
  });
});

describe('FPN2-WS card post-processing and test-time augmentation', () => {
  it('rejects card post-processing values of the wrong type or range, naming the field', async () => {
    const { card } = await findModel('nuclei-fpn2ws-dsb');
    const bad = (post: object) => () => postFromCard({ ...card, postprocessing: { ...card.postprocessing, ...post } });
    expect(bad({ seed_threshold: 'abc' })).toThrow(/postprocessing.seed_threshold/);
    expect(bad({ foreground_threshold: 1.5 })).toThrow(/postprocessing.foreground_threshold/);
    expect(bad({ seed_closing_radius: 1.5 })).toThrow(/seed_closing_radius/);
    expect(postFromCard(card).seedThreshold).toBe(card.postprocessing.seed_threshold);
  });

  it('the card schema refuses a string seed_threshold and a huge tile (readCard)', async () => {
    const { readCard } = await import('../../lib/models/card.js');
    const { path } = await findModel('nuclei-fpn2ws-dsb');
    const card = JSON.parse(readFileSync(path.replace(/\.onnx$/, '.card.json'), 'utf8'));
    const dir = tempDir();
    for (const [edit, re] of [
      [(c: any) => (c.postprocessing.seed_threshold = 'abc'), /seed_threshold/],
      [(c: any) => (c.tile.size = 100000), /tile\/size/],
      [(c: any) => delete c.postprocessing.foreground_threshold, /foreground_threshold/],
    ] as const) {
      const c = structuredClone(card);
      edit(c);
      const f = join(dir, 'm.card.json');
      writeFileSync(f, JSON.stringify(c));
      await expect(readCard(f)).rejects.toThrow(re);
    }
  });

  it('TTA maps are exactly flip-equivariant and TTA does not lose accuracy', async () => {
    const { path, card } = await findModel('nuclei-fpn2ws-dsb');
    const model = new Fpn2wsModel(path, card, { device: 'cpu' });
    const full = normalizeImage(await readImage(join(BBBC039, 'images', field)));
    const W = 200, H = 160;
    const im = { data: new Float32Array(W * H), width: W, height: H };
    for (let y = 0; y < H; y++) im.data.set(full.data.subarray((100 + y) * full.width + 100, (100 + y) * full.width + 100 + W), y * W);
    const flipped = { data: new Float32Array(W * H), width: W, height: H };
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) flipped.data[y * W + x] = im.data[y * W + W - 1 - x];
    const a = await model.predictFlips(im), b = await model.predictFlips(flipped);
    let diff = 0;
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) diff = Math.max(diff, Math.abs(a.distance.data[y * W + x] - b.distance.data[y * W + W - 1 - x]));
    expect(diff).toBeLessThan(1e-5);
    // ... while the plain maps are not (the network itself is not equivariant)
    const p = await model.predict(im), q = await model.predict(flipped);
    let plain = 0;
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) plain = Math.max(plain, Math.abs(p.distance.data[y * W + x] - q.distance.data[y * W + W - 1 - x]));
    expect(plain).toBeGreaterThan(1e-3);
    const raw = await readImage(join(BBBC039, 'images', field));
    const gt = await readLabels(join(BBBC039, 'labels', field));
    const f1 = async (tta: boolean) => score(gt, (await segment(raw, { device: 'cpu', tta })).labels, { thresholds: [0.7] }).f1[0];
    expect(await f1(true)).toBeGreaterThan((await f1(false)) - 0.02);
  });
});
