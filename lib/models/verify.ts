import { fileSha256 } from './card.js';
import { openSession, ort } from './onnx.js';
import { findModel } from './registry.js';

export interface VerifyResult {
  path: string;
  sha256: string;
  sha256Matches: boolean;
  /** Largest |output − card test output| over every output the card tests; tolerance from the card. */
  maxDifference: number;
  tolerance: number;
  ok: boolean;
  /** Why the test pair could not run, if it could not. */
  error?: string;
}

/**
 * Checks a model against its card: file sha256, and the card's test input reproduces its test outputs.
 *
 * @example
 * ```ts
 * import { verifyModel } from 'nucseg';
 * const v = await verifyModel('nuclei-fpn2ws-dsb');
 * if (!v.ok) console.error(v.error ?? `output differs by ${v.maxDifference} (tolerance ${v.tolerance})`);
 * ```
 */
export async function verifyModel(nameOrPath: string): Promise<VerifyResult> {
  const { path, card } = await findModel(nameOrPath);
  const sha256 = await fileSha256(path);
  const sha256Matches = sha256 === card.weights.onnx.sha256;
  let maxDifference = 0;
  let error: string | undefined;
  try {
    const { session } = await openSession(path, 'cpu');
    const out = await session.run({ [card.inputs[0].name]: new ort.Tensor('float32', Float32Array.from(card.test.input), card.test.input_shape) });
    // FPN2-WS cards hold whole maps; Mask R-CNN cards the leading (best-scoring) detections
    const leading = card.architecture.type === 'mrcnn';
    let tested = 0;
    for (const { name } of card.outputs) {
      const ref = card.test[name] as number[] | undefined;
      if (!ref) continue;
      tested++;
      const got = out[name]?.data as Float32Array | undefined;
      if (!got || (leading ? got.length < ref.length : got.length !== ref.length)) maxDifference = Infinity;
      else for (let i = 0; i < ref.length; i++) maxDifference = Math.max(maxDifference, Math.abs(got[i] - ref[i]));
    }
    if (!tested) throw new Error('the card has no test outputs');
    await session.release();
  } catch (e) {
    maxDifference = Infinity;
    error = (e as Error).message;
  }
  return { path, sha256, sha256Matches, maxDifference, tolerance: card.test.tolerance, ok: sha256Matches && maxDifference <= card.test.tolerance, error };
}
