import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCard, fileSha256 } from '../../lib/models/card.js';
import { verifyModel } from '../../lib/models/verify.js';
import { parseCsv } from '../../lib/util/csv.js';
import { BBBC039, REPO } from '../helpers/data.js';
import { tempDir } from '../helpers/tools.js';

const BIN = join(REPO, 'bin', 'nucseg.js');
const SHIPPED = join(REPO, 'models-onnx', 'nuclei-fpn2ws-dsb.onnx');

function nucseg(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a model on its card's test input with ONNX Runtime (nucseg models verify); max abs difference to the card. */
async function checkAgainstCard(model: string): Promise<number> {
  return (await verifyModel(model)).maxDifference;
}

describe('shipped models', () => {
  const shipped = readdirSync(join(REPO, 'models-onnx')).filter((f) => f.endsWith('.onnx')).map((f) => join(REPO, 'models-onnx', f));

  it('every shipped model: its sha256 matches its card, the card validates, and ONNX Runtime reproduces the card test pair', async () => {
    expect(shipped).toContain(SHIPPED);
    expect(shipped.length).toBeGreaterThanOrEqual(2); // the default and nuclei-fpn2ws-dsb-fast
    for (const model of shipped) {
      const card = await readCard(model.replace(/\.onnx$/, '.card.json'));
      expect(await fileSha256(model), model).toBe(card.weights.onnx.sha256);
      expect(card.name).toBe(basename(model, '.onnx'));
      expect(card.architecture.type).toBe('fpn2ws');
      expect(card.validation.bbbc039['f1@0.5']).toBeGreaterThan(0.8);
      expect(await checkAgainstCard(model), model).toBeLessThan(card.test.tolerance);
    }
  });

  it('a card that does not match the schema is refused with a clear error', async () => {
    const p = join(tempDir(), 'bad.card.json');
    writeFileSync(p, JSON.stringify({ format_version: 'nucseg.card/1', name: 'x' }));
    await expect(readCard(p)).rejects.toThrow(/bad\.card\.json: model card does not match its schema/);
  });
});

describe('nucseg train', () => {
  const hasTorch = spawnSync('/usr/bin/python3', ['-c', 'import torch, h5py, onnx'], { encoding: 'utf8' }).status === 0;

  it('trains a few steps on a tiny HDF5 set; ONNX Runtime loads the model and matches PyTorch; fine-tunes from it', async () => {
    expect(hasTorch, 'Debian python3-torch, python3-h5py and python3-onnx are needed (.ci/run installs them)').toBe(true);
    const d = tempDir('nucseg-train-');
    const h5 = join(d, 'tiny.h5');
    expect(nucseg(['augment', '--set', `u2os=${BBBC039}`, '--rois', '24', '--roi-size', '64', '--out', h5, '--quiet']).code).toBe(0);
    const out = join(d, 'm.onnx');
    let r = nucseg(['train', '--data', h5, '--cycles', '1', '--batch', '8', '--out', out, '--quiet', '--python', '/usr/bin/python3']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const card = await readCard(join(d, 'm.card.json'));
    expect(card.training.cycles).toBe(1);
    expect(await fileSha256(out)).toBe(card.weights.onnx.sha256);
    expect(await checkAgainstCard(out)).toBeLessThan(card.test.tolerance);
    // transfer learning: initialize from the exported model
    r = nucseg(['train', '--data', h5, '--cycles', '1', '--batch', '8', '--init', out, '--out', join(d, 'ft.onnx'), '--json', '--python', '/usr/bin/python3']);
    expect(r.code).toBe(0);
    const start = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((e) => e.event === 'start');
    expect(start.loaded_weights).toBeGreaterThan(100);
    const cyc = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((e) => e.event === 'cycle');
    expect(cyc.encoder_frozen).toBe(true);
    // the light head (one decoder for both maps) takes the encoder and pyramid of a full-resolution model
    const lite = join(d, 'lite.onnx');
    r = nucseg(['train', '--data', h5, '--cycles', '1', '--batch', '8', '--head', 'lite', '--init', out, '--out', lite, '--json', '--python', '/usr/bin/python3']);
    expect(r.code).toBe(0);
    const liteStart = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((e) => e.event === 'start');
    // encoder (60 tensors) and pyramid (16) transfer, the decoder starts fresh: at most 76 (the
    // shipped model gives all 76; a model exported without --float16 a few less, as above)
    expect(liteStart.loaded_weights).toBeGreaterThanOrEqual(70);
    expect(liteStart.loaded_weights).toBeLessThanOrEqual(76);
    const liteCard = await readCard(join(d, 'lite.card.json'));
    expect(liteCard.architecture.head).toBe('lite');
    expect(await checkAgainstCard(lite)).toBeLessThan(liteCard.test.tolerance);
    expect(nucseg(['train', '--data', h5, '--head', 'unet', '--out', join(d, 'x.onnx'), '--python', '/usr/bin/python3']).stderr).toContain('--head must be fullres, lite, fpn');
    expect(readdirSync(d).filter((f) => f.includes('.tmp'))).toEqual([]);
  }, 300_000);

  it("a short training from random weights gets a seed threshold its distance maps reach (it found no nucleus at 0.6); a fine-tuned nuclei model keeps the default", async () => {
    // the CPU paper plan's baseline (experiments/paper-ablations.yaml): 3 BBBC039 fields, 200
    // ROIs of 128², 4 cycles from random weights; seed 0 predicted distances peaking at 0.53
    const d = tempDir('nucseg-train-cal-');
    const names = readdirSync(join(BBBC039, 'images')).sort();
    for (const [set, pick] of [['few', names.slice(0, 3)], ['test', names.slice(3, 5)]] as const)
      for (const sub of ['images', 'labels']) {
        mkdirSync(join(d, set, sub), { recursive: true });
        for (const n of pick) copyFileSync(join(BBBC039, sub, n), join(d, set, sub, n));
      }
    const h5 = join(d, 'few.h5');
    expect(nucseg(['augment', '--set', `few=${join(d, 'few')}`, '--rois', '200', '--roi-size', '128', '--out', h5, '--quiet']).code).toBe(0);
    const out = join(d, 'random.onnx');
    const r = nucseg(['train', '--data', h5, '--cycles', '4', '--batch', '8', '--seed', '0', '--out', out, '--quiet', '--python', '/usr/bin/python3']);
    expect(r.code, r.stderr).toBe(0);
    const card = await readCard(join(d, 'random.card.json'));
    const cal = (card as unknown as { postprocessing_calibration: { core_distance_q25: number; seed_threshold: number; default_seed_threshold: number } }).postprocessing_calibration;
    expect(cal.default_seed_threshold).toBe(0.6);
    expect(cal.seed_threshold).toBeCloseTo(Math.min(0.6, Math.max(0.1, 0.8 * cal.core_distance_q25)), 3);
    expect(card.postprocessing.seed_threshold).toBe(cal.seed_threshold);
    const seg = nucseg(['segment', join(d, 'test', 'images'), '--model', out, '--out', join(d, 'seg'), '--quiet', '--no-csv']);
    expect(seg.code, seg.stderr).toBe(0);
    const summary = join(d, 'seg', 'summary.csv');
    const counts = parseCsv(readFileSync(summary, 'utf8'), summary).map((row) => Number(row.count)); // by name: summary.csv gains columns
    expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThan(40); // 2 fields, ~150 nuclei each
    // a nuclei model fine-tuned for a cycle: its cores stay near 1, so the default stands
    const ft = join(d, 'ft.onnx');
    expect(nucseg(['train', '--data', h5, '--cycles', '1', '--batch', '8', '--init', SHIPPED, '--out', ft, '--quiet', '--python', '/usr/bin/python3']).code).toBe(0);
    const ftCard = await readCard(join(d, 'ft.card.json'));
    expect(ftCard.postprocessing.seed_threshold).toBe(0.6);
  }, 300_000);

  it('trains a Mask R-CNN a few steps; ONNX Runtime matches PyTorch; segment runs it on a real field and merges tiles', async () => {
    expect(hasTorch, 'Debian python3-torch, python3-h5py and python3-onnx are needed (.ci/run installs them)').toBe(true);
    const d = tempDir('nucseg-mrcnn-');
    const h5 = join(d, 'tiny.h5');
    expect(nucseg(['augment', '--set', `u2os=${BBBC039}`, '--rois', '16', '--roi-size', '128', '--out', h5, '--quiet']).code).toBe(0);
    const out = join(d, 'mr.onnx');
    // a few steps teach little: export every detection (score >= 0) so the test pair has some
    const r = nucseg(['train', '--data', h5, '--arch', 'mrcnn', '--cycles', '2', '--batch', '4', '--export-min-score', '0', '--out', out, '--json', '--python', '/usr/bin/python3']);
    expect(r.code, r.stderr).toBe(0);
    const events = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(events.find((e) => e.event === 'start')).toMatchObject({ arch: 'mrcnn' });
    expect(events.filter((e) => e.event === 'cycle')).toHaveLength(2);
    // nucseg train checked the export itself: ONNX Runtime vs PyTorch on the card's test input
    expect(events.find((e) => e.event === 'verified').max_difference).toBeLessThan(1e-3);
    const card = await readCard(join(d, 'mr.card.json'));
    expect(card.architecture.type).toBe('mrcnn');
    expect(card.outputs.map((o) => o.name)).toEqual(['boxes', 'scores', 'masks', 'image_index']);
    expect(card.weights.onnx.opset_version).toBeGreaterThanOrEqual(17);
    // the card's test pair holds PyTorch's 8 best detections; ONNX Runtime must reproduce them
    expect((card.test.scores as number[]).length).toBe(8);
    expect(await checkAgainstCard(out)).toBeLessThan(card.test.tolerance);
    // end to end through segment(): a 200x240 crop of a real field in 128-px tiles (overlap
    // 64), pasted and merged; labels are 1..count, each nucleus one connected piece >= min_area
    // dynamic batch: the same input twice gives the same detections twice, grouped by image
    const { openSession, ort } = await import('../../lib/models/onnx.js');
    const { session } = await openSession(out, 'cpu');
    const x = Float32Array.from(card.test.input as number[]);
    const two = new Float32Array(2 * x.length);
    two.set(x);
    two.set(x, x.length);
    const shape = card.test.input_shape as number[];
    const o = await session.run({ image: new ort.Tensor('float32', two, [2, ...shape.slice(1)]) });
    const k = (o.scores.data as Float32Array).length / 2;
    expect(k).toBeGreaterThan(0);
    expect(Array.from(o.image_index.data as Float32Array)).toEqual([...Array(k).fill(0), ...Array(k).fill(1)]);
    const sc = o.scores.data as Float32Array;
    for (let i = 0; i < k; i++) expect(Math.abs(sc[i] - sc[k + i])).toBeLessThan(1e-5);
    await session.release();
    // and paste them all (the card's post-processing threshold lowered; the ONNX file is unchanged)
    const cardFile = join(d, 'mr.card.json');
    writeFileSync(cardFile, JSON.stringify({ ...card, postprocessing: { ...card.postprocessing, score_threshold: 0 } }));
    const { segment } = await import('../../lib/segment/segment.js');
    const { readImage } = await import('../../lib/image/read.js');
    const { regionStats, keepLargestComponent } = await import('../../lib/kernels/components.js');
    const full = await readImage(join(BBBC039, 'images', readdirSync(join(BBBC039, 'images')).sort()[0]));
    const im = { data: new Uint16Array(240 * 200), width: 240, height: 200 };
    for (let y = 0; y < 200; y++) for (let x = 0; x < 240; x++) im.data[y * 240 + x] = full.data[(150 + y) * full.width + 200 + x];
    const res = await segment(im, { model: out, device: 'cpu' });
    expect([res.model, res.device]).toEqual(['mr', 'cpu']);
    const st = regionStats(res.labels);
    expect(st.ids.length).toBe(res.count);
    if (res.count) expect(st.ids[st.ids.length - 1]).toBe(res.count);
    expect(Math.min(...st.area, Infinity)).toBeGreaterThanOrEqual(16);
    expect(res.count).toBeGreaterThan(0);
    expect(keepLargestComponent(res.labels).data).toEqual(res.labels.data);
  }, 300_000);

  it('--init imagenet uses torchvision ImageNet weights only from disk: loads them when present, a clear error when not', () => {
    const d = tempDir('nucseg-imagenet-');
    const h5 = join(d, 'tiny.h5');
    expect(nucseg(['augment', '--set', `u2os=${BBBC039}`, '--rois', '12', '--roi-size', '64', '--out', h5, '--quiet']).code).toBe(0);
    const run = (torchHome: string) =>
      spawnSync(process.execPath, [BIN, 'train', '--data', h5, '--cycles', '1', '--batch', '8', '--init', 'imagenet', '--out', join(d, 'm.onnx'), '--json', '--python', '/usr/bin/python3'], { encoding: 'utf8', env: { ...process.env, TORCH_HOME: torchHome } });
    let r = run(join(d, 'empty'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/ImageNet weights for resnet18 are not on disk \(expected .*resnet18-f37072fd\.pth\); nucseg never downloads weights/);
    expect(existsSync(join(d, 'm.onnx'))).toBe(false);
    // a checkpoint in torchvision's format (random weights here: nothing may be downloaded)
    const home = join(d, 'torch');
    execFileSync('/usr/bin/python3', ['-c', `import os,sys,torch,torchvision
p=os.path.join(sys.argv[1],'hub','checkpoints'); os.makedirs(p)
torch.save(torchvision.models.resnet18().state_dict(), os.path.join(p,'resnet18-f37072fd.pth'))`, home]);
    r = run(home);
    expect(r.status, r.stderr).toBe(0);
    const start = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((e) => e.event === 'start');
    // every conv and norm affine tensor of the ResNet-18 encoder: 20 convs + 20 norms x 2
    expect(start.loaded_weights).toBe(60);
  }, 300_000);

  it('reports a missing Python or a Python without torch clearly', () => {
    const out = tempDir(); // every failed run below aims here: nothing may be left in it
    let r = nucseg(['train', '--data', join(REPO, 'package.json'), '--out', join(out, 'x.onnx'), '--python', '/nonexistent/python3']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no Python with PyTorch found \(\/nonexistent\/python3: not found\)/);
    const fake = join(tempDir(), 'fakepy');
    writeFileSync(fake, '#!/bin/sh\necho torch,h5py\n', { mode: 0o755 });
    r = nucseg(['train', '--data', join(REPO, 'package.json'), '--out', join(out, 'x.onnx'), '--python', fake]);
    expect(r.stderr).toMatch(/lacks torch, h5py/);
    r = nucseg(['train', '--data', join(tempDir(), 'missing.h5'), '--out', join(out, 'x.onnx')]);
    expect(r.stderr).toMatch(/missing\.h5: no such file/);
    expect(readdirSync(out)).toEqual([]);
  });
});
