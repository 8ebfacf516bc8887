import { fileSha256 } from '../train/card.js';
import { openSession, ort } from './onnx.js';
import { findModel } from './registry.js';

export interface VerifyResult {
  path: string;
  sha256: string;
  sha256Matches: boolean;
  /** Largest |output − card test output| over both maps; tolerance from the card. */
  maxDifference: number;
  tolerance: number;
  ok: boolean;
  /** Why the test pair could not run, if it could not. */
  error?: string;
}

/** Checks a model against its card: file sha256, and the card's test input reproduces its test outputs. */
export async function verifyModel(nameOrPath: string): Promise<VerifyResult> {
  const { path, card } = await findModel(nameOrPath);
  const sha256 = await fileSha256(path);
  const sha256Matches = sha256 === card.weights.onnx.sha256;
  let maxDifference = 0;
  let error: string | undefined;
  try {
    const { session } = await openSession(path, 'cpu');
    const out = await session.run({ image: new ort.Tensor('float32', Float32Array.from(card.test.input), card.test.input_shape) });
    for (const k of ['distance', 'border'] as const) {
      const ref = card.test[k] ?? [];
      const got = out[k].data as Float32Array;
      if (got.length !== ref.length) maxDifference = Infinity;
      else got.forEach((v, i) => (maxDifference = Math.max(maxDifference, Math.abs(v - ref[i]))));
    }
    await session.release();
  } catch (e) {
    maxDifference = Infinity;
    error = (e as Error).message;
  }
  return { path, sha256, sha256Matches, maxDifference, tolerance: card.test.tolerance, ok: sha256Matches && maxDifference <= card.test.tolerance, error };
}
