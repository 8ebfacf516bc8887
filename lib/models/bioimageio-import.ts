// bioimage.io package -> a nucseg model (an .onnx file with its card), for nucseg-exported
// packages (config.nucseg.card) and FPN2-WS packages from elsewhere (card built from rdf.yaml).
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { writeFileAtomic } from '../util/atomic.js';
import { NucsegError } from '../util/errors.js';
import { packagePath } from '../util/package.js';
import { readCard, validateCard, type ModelCard } from './card.js';
import { onnxWeights, readBioimageioPackage, testArray, type BioimageioPackage } from './bioimageio-package.js';
import { sha256Hex } from './bioimageio-rdf.js';
import { DEFAULT_MODEL } from './registry.js';

type Tensor = { id?: unknown; axes?: unknown; data?: { type?: unknown }; description?: unknown; test_tensor?: unknown };
type Weights = ReturnType<typeof onnxWeights>;

/** The card's test block from the package's test tensors (the arrays the card holds inline). */
function testBlock(pkg: BioimageioPackage, tolerance: number): ModelCard['test'] {
  const [input, ...outputs] = [...(pkg.rdf.inputs as Tensor[]), ...(pkg.rdf.outputs as Tensor[])];
  const a = testArray(pkg, input);
  const test: ModelCard['test'] = { input_shape: a.shape, input: Array.from(a.data), tolerance };
  for (const o of outputs) test[String(o.id)] = Array.from(testArray(pkg, o).data);
  return test;
}

/** The package's card when nucseg wrote it (config.nucseg.card), its test arrays restored. */
function nucsegCard(pkg: BioimageioPackage, card: ModelCard, w: Weights): ModelCard {
  if (card.weights?.onnx?.sha256 !== w.sha256) throw new NucsegError('config.nucseg.card describes other weights than the package holds (sha256 differs)', { file: pkg.file });
  return { ...card, test: testBlock(pkg, card.test.tolerance) };
}

/** Axis types (b, c, y, x) of a spec-0.5 tensor; anything else is a clear error. */
function checkAxes(pkg: BioimageioPackage, t: Tensor): Record<string, unknown>[] {
  const axes = Array.isArray(t.axes) ? (t.axes as Record<string, unknown>[]) : [];
  const kinds = axes.map((a) => (a.type === 'space' ? String(a.id ?? 'x') : String(a.type)));
  const channels = (axes[1]?.channel_names as unknown[] | undefined)?.length;
  if (kinds.join(',') !== 'batch,channel,y,x' || channels !== 1) throw new NucsegError(`tensor '${String(t.id)}' has axes ${kinds.join(', ') || '(none)'}${channels && channels !== 1 ? ` with ${channels} channels` : ''}; nucseg runs 2-D models on tensors with axes batch, channel (1), y, x`, { file: pkg.file });
  return axes;
}

/** The tile a foreign model runs on: the default model's size, fitted to the input's y axis (fixed or min + n step). */
function foreignTile(y: unknown, fallback: ModelCard['tile']): ModelCard['tile'] {
  if (typeof y === 'number') return { size: y, overlap: Math.min(fallback.overlap, y >> 2), multiple_of: y };
  const p = (y ?? {}) as { min?: number; step?: number };
  const min = p.min ?? 1, step = p.step ?? 1;
  return { size: min + Math.max(0, Math.ceil((fallback.size - min) / step)) * step, overlap: fallback.overlap, multiple_of: step };
}

/**
 * A card for an FPN2-WS package nucseg did not write: one float32 input (batch, channel, y, x)
 * of any name, outputs `distance` and `border` in [0, 1]; names, axes and test tensors from
 * rdf.yaml. What rdf.yaml cannot say comes from the default model's card (DEFAULT_MODEL):
 * seeded-watershed post-processing, tile overlap and test tolerance; the nucleus diameter is
 * the default for cards without one (models-onnx/preprocessing.json, diameter.default_model).
 */
async function foreignCard(pkg: BioimageioPackage, w: Weights): Promise<ModelCard> {
  const rdf = pkg.rdf;
  const inputs = (rdf.inputs ?? []) as Tensor[], outputs = (rdf.outputs ?? []) as Tensor[];
  if (inputs.length !== 1) throw new NucsegError(`rdf.yaml has ${inputs.length} inputs; nucseg runs models with one input image`, { file: pkg.file });
  const outIds = outputs.map((o) => String(o.id)).sort().join(', ');
  if (outIds !== 'border, distance') throw new NucsegError(`outputs are ${outIds || '(none)'}; nucseg runs FPN2-WS packages whose outputs are the distance and border maps (or packages it exported itself)`, { file: pkg.file });
  const dtype = (t: Tensor) => String(t.data?.type ?? 'float32');
  for (const t of [...inputs, ...outputs]) {
    checkAxes(pkg, t);
    if (dtype(t) !== 'float32') throw new NucsegError(`tensor '${String(t.id)}' is ${dtype(t)}; nucseg's models take and give float32`, { file: pkg.file });
  }
  const defaults = await readCard(packagePath('models-onnx', `${DEFAULT_MODEL}.card.json`));
  const tensor = (t: Tensor) => ({ name: String(t.id), axes: 'bcyx', data_type: 'float32', ...(t.description ? { description: String(t.description) } : {}) });
  const authors = Array.isArray(rdf.authors) ? (rdf.authors as { name?: unknown }[]).map((a) => ({ name: String(a?.name ?? 'unknown') })) : [];
  return {
    format_version: 'nucseg.card/1',
    name: String(rdf.name ?? basename(pkg.file, '.zip')),
    description: `${String(rdf.description ?? '')} (imported from a bioimage.io package; post-processing, tile overlap and test tolerance: nucseg's defaults, from ${DEFAULT_MODEL})`,
    authors: authors.length ? authors : [{ name: 'unknown' }],
    license: String(rdf.license ?? 'unknown'),
    architecture: { type: 'fpn2ws', source: 'bioimage.io package' },
    inputs: [tensor(inputs[0])],
    outputs: outputs.map(tensor),
    tile: foreignTile(checkAxes(pkg, inputs[0])[2].size, defaults.tile),
    postprocessing: defaults.postprocessing,
    training: { data: `bioimage.io package ${basename(pkg.file)}`, cycles: null, optimizer: null, lr: null, seed: null },
    validation: {},
    versions: { torch: null, onnx_opset: w.opset },
    weights: { onnx: { source: w.name, sha256: w.sha256, opset_version: w.opset } },
    test: testBlock(pkg, defaults.test.tolerance),
  };
}

/** The nucseg card of a package: config.nucseg.card (nucseg's own packages) or one built from rdf.yaml. */
async function cardFromPackage(pkg: BioimageioPackage, w: Weights): Promise<ModelCard> {
  const own = ((pkg.rdf.config as Record<string, unknown> | undefined)?.nucseg as { card?: ModelCard } | undefined)?.card;
  const card = own ? nucsegCard(pkg, own, w) : await foreignCard(pkg, w);
  if (!(w.opset >= 17)) throw new NucsegError(`ONNX opset ${w.opset}: nucseg runs models exported with opset 17 or later`, { file: pkg.file });
  return validateCard(card, `${pkg.file} (${own ? 'config.nucseg.card' : 'card built from rdf.yaml'})`);
}

/** A file name for a model name. */
function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '') || 'model';
}

/**
 * Unpacks a bioimage.io model package into `out` as `<name>.onnx` and `<name>.card.json` (both
 * written atomically), a model every nucseg command runs (`--model out/<name>.onnx`). A
 * nucseg-exported package gives its card back (config.nucseg.card, test arrays from the
 * .npy tensors); an FPN2-WS package from elsewhere gets a card built from rdf.yaml with
 * nucseg's default post-processing (see foreignCard). Bad packages are one NucsegError naming the zip.
 *
 * @example
 * ```ts
 * import { importBioimageio, loadModel } from 'nucseg';
 * const { path, card } = await importBioimageio('fast.bioimageio.zip', { out: 'models' });
 * const model = await loadModel({ model: path, device: 'cpu' }); // models/nuclei-fpn2ws-dsb-fast.onnx
 * ```
 */
export async function importBioimageio(zip: string, opts: { out: string }): Promise<{ path: string; card: ModelCard }> {
  return unpack(await readZip(zip), zip, opts.out);
}

/** A package's bytes; a missing or unreadable file is a NucsegError naming it. */
function readZip(zip: string): Promise<Uint8Array> {
  return readFile(zip).catch((e: NodeJS.ErrnoException) => {
    throw new NucsegError(e.code === 'ENOENT' ? 'no such file' : `cannot read (${e.code ?? e.message})`, { file: zip });
  });
}

/** importBioimageio on the zip's bytes; the card is written last, so a folder with a card holds a whole model. */
async function unpack(bytes: Uint8Array, zip: string, out: string): Promise<{ path: string; card: ModelCard }> {
  const pkg = readBioimageioPackage(bytes, zip);
  const w = onnxWeights(pkg);
  const card = await cardFromPackage(pkg, w);
  const name = slug(card.name);
  const path = resolve(out, `${name}.onnx`);
  const written: ModelCard = { ...card, weights: { onnx: { ...card.weights.onnx, source: `${name}.onnx` } } };
  await writeFileAtomic(path, w.bytes);
  await writeFileAtomic(join(out, `${name}.card.json`), JSON.stringify(written, null, 1));
  return { path, card: written };
}

/**
 * The model of a package given as `--model package.zip`: unpacked once into a cache folder
 * named by the zip's sha256 (under the OS temporary folder, nucseg-bioimageio/), reused while
 * the zip is unchanged.
 *
 * @example
 * ```ts
 * import { packagedModel } from 'nucseg';
 * const { path, card } = await packagedModel('fast.bioimageio.zip'); // what findModel('fast.bioimageio.zip') returns
 * ```
 */
export async function packagedModel(zip: string): Promise<{ path: string; card: ModelCard }> {
  const bytes = await readZip(zip);
  const dir = join(tmpdir(), 'nucseg-bioimageio', sha256Hex(bytes).slice(0, 24));
  const cached = existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith('.card.json')) : undefined;
  const onnx = cached && join(dir, cached.replace(/\.card\.json$/, '.onnx'));
  if (cached && onnx && existsSync(onnx)) return { path: onnx, card: await readCard(join(dir, cached)) };
  return unpack(bytes, zip, dir);
}
