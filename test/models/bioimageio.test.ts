// bioimage.io packages (issue 17): nucseg models export --format bioimageio, models import and
// --model package.zip, for nucseg's own packages and an FPN2-WS package from elsewhere.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { PNG } from 'pngjs';
import { parse, stringify } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportBioimageio } from '../../lib/bioimageio/export.js';
import { readImage } from '../../lib/image/read.js';
import { importBioimageio } from '../../lib/models/bioimageio-import.js';
import { readCard, type ModelCard } from '../../lib/models/card.js';
import { ort } from '../../lib/models/onnx.js';
import { DEFAULT_MODEL, findModel, modelsDir } from '../../lib/models/registry.js';
import { verifyModel } from '../../lib/models/verify.js';
import { segment } from '../../lib/segment/segment.js';
import { decodeNpy, encodeNpy } from '../../lib/util/npy.js';
import { modelSpecProblems } from '../helpers/bioimageio-spec.js';
import { DSB, REPO, dsbManifest } from '../helpers/data.js';
import { python, tempDir } from '../helpers/tools.js';

const MODEL = 'nuclei-fpn2ws-dsb-fast';
// a real 256 x 256 DSB field with a few dozen nuclei: the cover, and the field segmented both ways
const FIELD = join(DSB, 'train', 'images', `${dsbManifest().filter((r) => r.width === 256 && r.height === 256 && r.n_nuclei >= 25).sort((a, b) => (a.id < b.id ? -1 : 1))[2].id}.tif`);

let dir: string, zip: string, entries: Record<string, Uint8Array>, rdf: Record<string, unknown>;
beforeAll(async () => {
  dir = tempDir('nucseg-bioimageio-');
  zip = join(dir, 'fast.zip');
  await exportBioimageio(MODEL, { out: zip, cover: FIELD, device: 'cpu' });
  entries = unzipSync(readFileSync(zip));
  rdf = parse(new TextDecoder().decode(entries['rdf.yaml'])) as Record<string, unknown>;
});

/** The package rewritten: rdf.yaml changed by `edit`, files left out by name. */
function repack(name: string, edit: (r: Record<string, unknown>) => void, drop: string[] = []): string {
  const r = structuredClone(rdf);
  edit(r);
  const files: Record<string, Uint8Array> = { ...entries, 'rdf.yaml': strToU8(stringify(r)) };
  for (const d of drop) delete files[d];
  const path = join(dir, name);
  writeFileSync(path, zipSync(files, { level: 0 }));
  return path;
}

/** The CLI (dist/, as installed) on `args`: exit code and stderr. */
function nucseg(args: string[]): { code: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [join(REPO, 'bin', 'nucseg.js'), ...args], { encoding: 'utf8' });
  return { code: r.status, stderr: r.stderr };
}

describe('nucseg models export --format bioimageio', () => {
  it('writes an rdf.yaml with the spec 0.5 required keys and types, and the files it names', () => {
    expect(modelSpecProblems(rdf, new Map(Object.entries(entries)))).toEqual([]);
    expect(rdf.format_version).toMatch(/^0\.5\./);
    expect(JSON.stringify(rdf.cite)).toContain('10.1002/cyto.a.24257'); // Zaki et al. 2020
    const onnx = (rdf.weights as { onnx: Record<string, unknown> }).onnx;
    const card = JSON.parse(readFileSync(join(modelsDir(), `${MODEL}.card.json`), 'utf8')) as ModelCard;
    expect(onnx).toEqual({ source: `${MODEL}.onnx`, sha256: card.weights.onnx.sha256, opset_version: card.weights.onnx.opset_version });
    // the checker catches what the spec requires
    const broken = structuredClone(rdf);
    delete broken.cite;
    (broken.outputs as { description: string }[])[0].description = 'x'.repeat(129);
    (broken.weights as { onnx: { opset_version: number } }).onnx.opset_version = 5;
    expect(modelSpecProblems(broken, new Map(Object.entries(entries))).map((p) => p.split(':')[0])).toEqual(['cite', 'outputs[0].description', 'weights.onnx.opset_version']);
  });

  it('documents the seeded watershed with the card parameters, and has a 2:1 cover from the field', async () => {
    const { card } = await findModel(MODEL);
    const readme = new TextDecoder().decode(entries['README.md']);
    for (const [k, v] of Object.entries(card.postprocessing)) expect(readme).toContain(`| \`${k}\` | \`${JSON.stringify(v)}\` |`);
    expect(readme).toMatch(/^## Validation$/m);
    const png = PNG.sync.read(Buffer.from(entries['cover.png']));
    expect(png.width).toBe(2 * png.height);
    const yellow = (k: number) => png.data[4 * k] === 255 && png.data[4 * k + 1] === 220 && png.data[4 * k + 2] === 0;
    let left = 0, right = 0;
    for (let k = 0; k < png.width * png.height; k++) if (yellow(k)) (k % png.width < png.height ? left++ : right++);
    expect([left, right > 1000]).toEqual([0, true]); // the field, and the same field with the outlines of its nuclei
  });

  it("test tensors reproduce with ONNX Runtime within the card's tolerance", async () => {
    const t = (id: string) => decodeNpy(entries[`test_${id}.npy`]);
    const input = t('image');
    expect(input.shape).toEqual([1, 1, 64, 64]);
    const session = await ort.InferenceSession.create(entries[`${MODEL}.onnx`]);
    const out = await session.run({ image: new ort.Tensor('float32', input.data as Float32Array, input.shape) });
    const tolerance = ((rdf.config as { nucseg: { card: ModelCard } }).nucseg.card.test.tolerance);
    for (const id of ['distance', 'border']) {
      const ref = t(id), got = out[id].data as Float32Array;
      expect(ref.shape).toEqual([1, 1, 64, 64]);
      let worst = 0;
      for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - ref.data[i]));
      expect(worst).toBeLessThanOrEqual(tolerance);
    }
    await session.release();
    // the .npy writer and reader agree (and numpy's layout: 64-byte aligned data)
    const a = decodeNpy(encodeNpy(new Float32Array([1.5, -2, 3, 4, 5, 6]), [2, 3]));
    expect([a.shape, a.dtype, Array.from(a.data)]).toEqual([[2, 3], 'float32', [1.5, -2, 3, 4, 5, 6]]);
    expect((entries['test_image.npy'].length - 64 * 64 * 4) % 64).toBe(0);
  });
});

describe('nucseg models import / --model package.zip', () => {
  it('import(export(m)) gives the card back and segments a real field exactly as m does', async () => {
    const { path, card } = await importBioimageio(zip, { out: join(dir, 'imported') });
    const original = await readCard(join(modelsDir(), `${MODEL}.card.json`));
    expect(card).toEqual(original);
    const field = await readImage(FIELD);
    const ref = await segment(field, { model: MODEL, device: 'cpu' });
    const fromImport = await segment(field, { model: path, device: 'cpu' });
    const fromZip = await segment(field, { model: zip, device: 'cpu' });
    expect(ref.count).toBeGreaterThan(15);
    expect(Buffer.from(fromImport.labels.data.buffer).equals(Buffer.from(ref.labels.data.buffer))).toBe(true);
    expect(Buffer.from(fromZip.labels.data.buffer).equals(Buffer.from(ref.labels.data.buffer))).toBe(true);
    expect((await verifyModel(zip)).ok).toBe(true);
  });

  it('runs an FPN2-WS package from elsewhere (no config.nucseg) with the default post-processing', async () => {
    const foreign = repack('foreign.zip', (r) => {
      delete r.config;
      r.name = 'Some FPN2 WS nuclei';
      r.description = 'distance and border maps from another lab';
    });
    const { path, card } = await importBioimageio(foreign, { out: join(dir, 'foreign') });
    const defaults = await readCard(join(modelsDir(), `${DEFAULT_MODEL}.card.json`));
    expect(path).toMatch(/some-fpn2-ws-nuclei\.onnx$/);
    expect([card.name, card.postprocessing, card.tile, card.diameter]).toEqual(['Some FPN2 WS nuclei', defaults.postprocessing, defaults.tile, undefined]);
    const r = await segment(await readImage(FIELD), { model: foreign, device: 'cpu' });
    expect(r.count).toBeGreaterThan(15);
    const v = await verifyModel(foreign); // its test tensors, through the card built from rdf.yaml
    expect([v.ok, v.maxDifference <= v.tolerance]).toEqual([true, true]);
    // a package whose outputs are not FPN2-WS maps says so
    const other = repack('other.zip', (r) => {
      delete r.config;
      (r.outputs as { id: string }[])[1].id = 'probability';
    });
    await expect(importBioimageio(other, { out: join(dir, 'other') })).rejects.toThrow(/other\.zip: outputs are distance, probability; nucseg runs FPN2-WS packages/);
  });

  it('a foreign package whose input tensor has another name runs with that name (the card says it)', async () => {
    // the same weights with the graph input renamed 'image' -> 'raw' (ONNX, by Python's onnx)
    const src = join(dir, 'src.onnx'), renamed = join(dir, 'raw.onnx');
    writeFileSync(src, entries[`${MODEL}.onnx`]);
    python(String.raw`
import sys, onnx
m = onnx.load(sys.argv[1])
for i in m.graph.input:
    if i.name == 'image': i.name = 'raw'
for n in m.graph.node:
    for k, x in enumerate(n.input):
        if x == 'image': n.input[k] = 'raw'
onnx.save(m, sys.argv[2])
`, [src, renamed]);
    const weights = new Uint8Array(readFileSync(renamed));
    const r = structuredClone(rdf);
    delete r.config;
    (r.inputs as { id: string }[])[0].id = 'raw';
    (r.weights as { onnx: { sha256: string } }).onnx.sha256 = createHash('sha256').update(weights).digest('hex');
    const path = join(dir, 'raw-input.zip');
    writeFileSync(path, zipSync({ ...entries, [`${MODEL}.onnx`]: weights, 'rdf.yaml': strToU8(stringify(r)) }, { level: 0 }));
    const { card } = await importBioimageio(path, { out: join(dir, 'raw-input') });
    expect(card.inputs[0].name).toBe('raw');
    const ref = await segment(await readImage(FIELD), { model: MODEL, device: 'cpu' });
    const got = await segment(await readImage(FIELD), { model: path, device: 'cpu' });
    expect(got.count).toBe(ref.count);
    expect((await verifyModel(path)).ok).toBe(true);
  });

  it('bad packages: one error line naming the file, exit code 1, no stack trace', () => {
    const corrupt = join(dir, 'corrupt.zip');
    writeFileSync(corrupt, readFileSync(zip).subarray(0, 4000));
    const noRdf = repack('no-rdf.zip', () => {}, ['rdf.yaml']);
    const noWeights = repack('no-weights.zip', () => {}, [`${MODEL}.onnx`]);
    const cases: [string[], RegExp][] = [
      [['models', 'import', corrupt, '--out', dir], /corrupt\.zip: not a readable zip file/],
      [['models', 'import', noRdf, '--out', dir], /no-rdf\.zip: no rdf\.yaml in the package/],
      [['segment', FIELD, '--model', noWeights, '--out', join(dir, 'seg')], /no-weights\.zip: ONNX weights file '.*\.onnx' named in rdf\.yaml is missing from the package/],
    ];
    for (const [args, message] of cases) {
      const r = nucseg(args);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('the CLI exports and imports (dist/)', async () => {
    const out = join(dir, 'cli.zip');
    expect(nucseg(['models', 'export', MODEL, '--format', 'bioimageio', '--out', out]).code).toBe(0);
    expect(nucseg(['models', 'import', out, '--out', join(dir, 'cli')]).code).toBe(0);
    await expect(readCard(join(dir, 'cli', `${MODEL}.card.json`))).resolves.toMatchObject({ name: MODEL });
    expect(nucseg(['models', 'export', MODEL, '--format', 'onnx', '--out', out]).stderr).toMatch(/unknown --format 'onnx'/);
  });
});
