import { stat } from 'node:fs/promises';
import { fileSha256 } from './card.js';
import { ClassicModel, type ClassicOptions } from './classic.js';
import type { SegmentationModel } from './model.js';
import { NucsegError } from '../util/errors.js';
import { Fpn2wsModel } from './fpn2ws.js';
import { MrcnnModel } from './mrcnn.js';
import type { InferenceDevice } from './onnx.js';
import { DEFAULT_MODEL, findModel } from './registry.js';

export interface ModelSpec {
  /** 'classic', a bundled model name, or a path to an .onnx file with its card (default DEFAULT_MODEL). */
  model?: string;
  classic?: ClassicOptions;
  device?: InferenceDevice;
  batch?: number;
  threads?: number;
}

const cache = new Map<string, Promise<SegmentationModel>>();
// sha256 of model files by path, valid while size and mtime are unchanged: the same model is
// loaded with other device/threads settings (resume keys, run.json) without hashing 25 MB again
const hashes = new Map<string, { size: number; mtimeMs: number; sha: string }>();

async function modelSha256(path: string): Promise<string> {
  const st = await stat(path);
  const h = hashes.get(path);
  if (h && h.size === st.size && h.mtimeMs === st.mtimeMs) return h.sha;
  const sha = await fileSha256(path);
  hashes.set(path, { size: st.size, mtimeMs: st.mtimeMs, sha });
  return sha;
}

/**
 * The model a spec names, loaded once per process (ONNX sessions are reused across images).
 * The ONNX file's sha256 must match its card.
 *
 * @example
 * ```ts
 * import { loadModel, normalizeImage, readImage } from 'nucseg';
 * const model = await loadModel({ model: 'nuclei-fpn2ws-dsb', device: 'cpu' }); // the same spec again: the same model
 * const labels = await model.segment(normalizeImage(await readImage('examples/fields/images/dsb-3ebd2ab3.tif')), { threads: 0, diameter: null });
 * ```
 */
export function loadModel(spec: ModelSpec): Promise<SegmentationModel> {
  const name = spec.model ?? DEFAULT_MODEL;
  if (name === 'classic') return Promise.resolve(new ClassicModel(spec.classic));
  const key = JSON.stringify([name, spec.device ?? 'auto', spec.batch ?? 4, spec.threads ?? 0]);
  let m = cache.get(key);
  if (!m) {
    m = (async () => {
      const { path, card } = await findModel(name);
      const sha = await modelSha256(path);
      if (sha !== card.weights.onnx.sha256) throw new NucsegError(`sha256 ${sha.slice(0, 12)}… does not match its card (${card.weights.onnx.sha256.slice(0, 12)}…): the file is not the model the card describes`, { file: path });
      if (card.architecture.type === 'mrcnn') return new MrcnnModel(path, card, { device: spec.device, batch: spec.batch, threads: spec.threads, sha256: sha });
      if (card.architecture.type !== 'fpn2ws') throw new NucsegError(`${card.architecture.type} models are not supported`, { file: path });
      return new Fpn2wsModel(path, card, { device: spec.device, batch: spec.batch, threads: spec.threads, sha256: sha });
    })();
    cache.set(key, m);
    m.catch(() => cache.delete(key));
  }
  return m;
}
