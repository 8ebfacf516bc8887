import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { strToU8, zipSync, type Zippable } from 'fflate';
import { stringify } from 'yaml';
import { writeFileAtomic } from '../util/atomic.js';
import { NucsegError } from '../util/errors.js';
import { encodeNpy } from '../util/npy.js';
import type { ModelCard } from '../models/card.js';
import { packageCover, packageReadme } from './docs.js';
import { PACKAGE_FILES, rdfFromCard, sha256Hex, testTensorName, type PackagedFile } from '../models/bioimageio-rdf.js';
import type { InferenceDevice } from '../models/onnx.js';
import { findModel } from '../models/registry.js';

export interface BioimageioExportOptions {
  /** The .zip to write (atomically). */
  out: string;
  /** A field image for the cover (segmented with the model); default: the card's test input. */
  cover?: string;
  /** Where the cover field is segmented (default 'auto'). */
  device?: InferenceDevice;
}

export interface BioimageioExportResult {
  out: string;
  /** The files inside the zip. */
  files: string[];
  /** rdf.yaml's content. */
  rdf: Record<string, unknown>;
}

/** The card's test pair as .npy files by tensor id (float32, bcyx; outputs one channel each). */
function testTensors(card: ModelCard): Record<string, Uint8Array> {
  const shape = card.test.input_shape;
  const out: Record<string, Uint8Array> = { [card.inputs[0].name]: encodeNpy(Float32Array.from(card.test.input), shape) };
  for (const { name } of card.outputs) {
    const ref = card.test[name];
    if (!Array.isArray(ref)) throw new NucsegError(`the model card has no test output '${name}' (a bioimage.io package needs a test tensor per output)`);
    out[name] = encodeNpy(Float32Array.from(ref), [shape[0], 1, ...shape.slice(2)]);
  }
  return out;
}

/**
 * Packages a nucseg FPN2-WS model for the bioimage.io ecosystem: a zip holding rdf.yaml
 * (bioimage.io model spec 0.5, lib/models/bioimageio-rdf.ts), README.md (with the seeded
 * watershed nucseg applies and its parameters), cover.png, the ONNX weights (sha256 checked
 * against the card) and the card's test pair as .npy. `nucseg models import` and
 * `--model package.zip` read it back.
 *
 * @example
 * ```ts
 * import { exportBioimageio } from 'nucseg';
 * const r = await exportBioimageio('nuclei-fpn2ws-dsb-fast', { out: 'fast.bioimageio.zip', cover: 'examples/fields/images/dsb-3ebd2ab3.tif', device: 'cpu' });
 * console.log(r.files); // [ 'rdf.yaml', 'README.md', 'cover.png', 'nuclei-fpn2ws-dsb-fast.onnx', 'test_image.npy', … ]
 * ```
 */
export async function exportBioimageio(model: string, opts: BioimageioExportOptions): Promise<BioimageioExportResult> {
  const { path, card } = await findModel(model);
  if (card.architecture.type !== 'fpn2ws') throw new NucsegError(`bioimage.io export supports FPN2-WS models; this one is ${card.architecture.type}`, { file: path });
  const weights = new Uint8Array(await readFile(path));
  const weightsName = basename(path);
  const weightsSha = sha256Hex(weights);
  if (weightsSha !== card.weights.onnx.sha256) throw new NucsegError('sha256 does not match its card: the file is not the model the card describes', { file: path });
  const npys = testTensors(card);
  const tests: Record<string, PackagedFile> = {};
  for (const [id, bytes] of Object.entries(npys)) tests[id] = { source: testTensorName(id), sha256: sha256Hex(bytes) };
  const exported: ModelCard = { ...card, weights: { onnx: { ...card.weights.onnx, source: weightsName } } };
  const rdf = rdfFromCard(exported, { weights: { source: weightsName, sha256: weightsSha }, tests, timestamp: new Date().toISOString() });
  const zip: Zippable = {
    [PACKAGE_FILES.rdf]: strToU8(stringify(rdf, { aliasDuplicateObjects: false })),
    [PACKAGE_FILES.readme]: strToU8(packageReadme(exported)),
    [PACKAGE_FILES.cover]: [new Uint8Array(await packageCover(card, model, { field: opts.cover, device: opts.device })), { level: 0 }],
    [weightsName]: [weights, { level: 0 }],
  };
  for (const [id, bytes] of Object.entries(npys)) zip[testTensorName(id)] = bytes;
  await writeFileAtomic(opts.out, zipSync(zip, { level: 6 }));
  return { out: opts.out, files: Object.keys(zip), rdf };
}
