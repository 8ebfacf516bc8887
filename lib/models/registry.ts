import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readCard, type ModelCard } from './card.js';
import { NucsegError } from '../util/errors.js';
import { packagePath } from '../util/package.js';

/** The model `segment` and `watch` use when none is named: the shipped FPN2-WS generalist. */
export const DEFAULT_MODEL = 'nuclei-fpn2ws-dsb';

/**
 * Where the bundled models live (models-onnx/ in the package).
 *
 * @example
 * ```ts
 * import { bundledModels, modelsDir } from 'nucseg';
 * console.log(modelsDir(), bundledModels()); // …/models-onnx [ 'nuclei-fpn2ws-dsb', 'nuclei-fpn2ws-dsb-fast' ]
 * ```
 */
export function modelsDir(): string {
  return packagePath('models-onnx');
}

/**
 * Names of the bundled models (an .onnx file with a card next to it).
 *
 * @example
 * ```ts
 * import { bundledModels } from 'nucseg';
 * bundledModels(); // [ 'nuclei-fpn2ws-dsb', 'nuclei-fpn2ws-dsb-fast' ]
 * ```
 */
export function bundledModels(): string[] {
  return readdirSync(modelsDir())
    .filter((f) => f.endsWith('.onnx') && existsSync(join(modelsDir(), f.replace(/\.onnx$/, '.card.json'))))
    .map((f) => f.replace(/\.onnx$/, ''))
    .sort();
}

/**
 * A bundled model by name, any .onnx path with `<name>.card.json` beside it, or a bioimage.io
 * model package (.zip: nucseg's own export, or an FPN2-WS package; unpacked once into a cache,
 * lib/models/bioimageio-import.ts).
 *
 * @example
 * ```ts
 * import { findModel } from 'nucseg';
 * const { path, card } = await findModel('nuclei-fpn2ws-dsb'); // or 'my.onnx' with my.card.json beside it, or 'model.zip'
 * console.log(path, card.name, card.architecture.type);
 * ```
 */
export async function findModel(nameOrPath: string): Promise<{ path: string; card: ModelCard }> {
  // loaded on demand: the zip and YAML readers are not needed to run a bundled model
  if (/\.zip$/i.test(nameOrPath)) return (await import('./bioimageio-import.js')).packagedModel(nameOrPath);
  const path = nameOrPath.endsWith('.onnx') ? resolve(nameOrPath) : join(modelsDir(), `${nameOrPath}.onnx`);
  if (!existsSync(path)) {
    if (nameOrPath.endsWith('.onnx')) throw new NucsegError('no such model file', { file: nameOrPath });
    throw new NucsegError(`unknown model '${nameOrPath}' (bundled: classic, ${bundledModels().join(', ')}; or give a path to an .onnx file with its .card.json, or a bioimage.io package .zip)`);
  }
  const cardPath = path.replace(/\.onnx$/, '.card.json');
  if (!existsSync(cardPath)) throw new NucsegError(`model has no card (expected ${cardPath})`, { file: path });
  return { path, card: await readCard(cardPath) };
}
