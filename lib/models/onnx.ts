import * as ort from 'onnxruntime-node';
import { NucsegError } from '../util/errors.js';

export type InferenceDevice = 'auto' | 'cpu' | 'cuda' | 'webgpu';

/**
 * Opens an ONNX Runtime session on the requested device. 'auto' tries CUDA (only where its
 * provider libraries are installed), then WebGPU, then the CPU, and reports which it got;
 * an explicit device that cannot start is an error naming the model and the reason.
 */
export async function openSession(path: string, device: InferenceDevice = 'auto', threads = 0): Promise<{ session: ort.InferenceSession; device: Exclude<InferenceDevice, 'auto'> }> {
  const order: Exclude<InferenceDevice, 'auto'>[] = device === 'auto' ? ['cuda', 'webgpu', 'cpu'] : [device];
  const errors: string[] = [];
  for (const d of order) {
    try {
      const session = await ort.InferenceSession.create(path, {
        executionProviders: [d],
        graphOptimizationLevel: 'all',
        ...(threads > 0 ? { intraOpNumThreads: threads } : {}),
      });
      return { session, device: d };
    } catch (e) {
      errors.push(`${d}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  throw new NucsegError(`cannot start ONNX Runtime (${errors.join('; ')})`, { file: path });
}

export { ort };
