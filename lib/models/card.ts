import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { NucsegError } from '../util/errors.js';
import { packagePath } from '../util/package.js';

/** A model card (schema nucseg.card/1, models-onnx/card.schema.json). */
export interface ModelCard {
  format_version: 'nucseg.card/1';
  name: string;
  description: string;
  architecture: { type: 'fpn2ws' | 'mrcnn'; [k: string]: unknown };
  inputs: { name: string; axes: string; data_type: string }[];
  outputs: { name: string; axes: string; data_type: string }[];
  tile: { size: number; overlap: number; multiple_of?: number; batch?: number | null };
  postprocessing: Record<string, unknown> & { method: string };
  training: Record<string, unknown>;
  validation: Record<string, { 'f1@0.5': number; 'f1@0.7': number; 'f1@0.9': number }>;
  weights: { onnx: { source: string; sha256: string; opset_version: number } };
  /** A test input and the reference outputs by output name (FPN2-WS: whole maps; Mask R-CNN: the best 8 detections). */
  test: { input_shape: number[]; input: number[]; tolerance: number; [output: string]: number[] | number };
  [k: string]: unknown;
}


type Validator = ((d: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] };
let validator: Promise<Validator> | undefined;

/** The card schema compiled once per process (compiling it per card made reading cards slow). */
function cardValidator(): Promise<Validator> {
  validator ??= (async () => {
    const Ajv = (await import('ajv')).default as unknown as new (o: object) => { compile(s: object): Validator };
    return new Ajv({ allErrors: false, strict: false }).compile(JSON.parse(await readFile(packagePath('models-onnx', 'card.schema.json'), 'utf8')));
  })();
  return validator;
}

/**
 * Reads and validates a card; errors name the file and the first problem.
 *
 * @example
 * ```ts
 * import { join } from 'node:path';
 * import { DEFAULT_MODEL, modelsDir, readCard } from 'nucseg';
 * const card = await readCard(join(modelsDir(), `${DEFAULT_MODEL}.card.json`));
 * console.log(card.architecture.type, card.tile, card.postprocessing); // 'fpn2ws', { size, overlap, … }, …
 * ```
 */
export async function readCard(path: string): Promise<ModelCard> {
  let card: unknown;
  try {
    card = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new NucsegError(`cannot read model card (${(e as Error).message.split('\n')[0]})`, { file: path });
  }
  return validateCard(card, path);
}

/**
 * Checks a parsed card against its schema (models-onnx/card.schema.json); an error names
 * `file` (where the card came from) and the first problem.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { validateCard } from 'nucseg';
 * const card = await validateCard(JSON.parse(readFileSync('my.card.json', 'utf8')), 'my.card.json');
 * ```
 */
export async function validateCard(card: unknown, file: string): Promise<ModelCard> {
  const validate = await cardValidator();
  if (!validate(card)) {
    const e = validate.errors?.[0];
    throw new NucsegError(`model card does not match its schema: ${e?.instancePath || '(root)'} ${e?.message}`, { file });
  }
  return card as ModelCard;
}

/**
 * sha256 of a file, hex.
 *
 * @example
 * ```ts
 * import { fileSha256, findModel } from 'nucseg';
 * const { path, card } = await findModel('nuclei-fpn2ws-dsb');
 * const intact = (await fileSha256(path)) === card.weights.onnx.sha256;
 * ```
 */
export async function fileSha256(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}
