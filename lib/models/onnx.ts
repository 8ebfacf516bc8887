import { boundThreads } from '../kernels/check.js';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { NucsegError } from '../util/errors.js';

export type InferenceDevice = 'auto' | 'cpu' | 'cuda' | 'webgpu';

/** The folder holding onnxruntime-node's native libraries for this platform. */
function ortBinDir(): string | undefined {
  try {
    const main = createRequire(import.meta.url).resolve('onnxruntime-node');
    return join(dirname(main), '..', 'bin', 'napi-v6', process.platform, process.arch);
  } catch {
    return undefined;
  }
}

/**
 * Whether onnxruntime-node's CUDA execution provider libraries are installed (see README).
 *
 * @example
 * ```ts
 * import { cudaProviderInstalled, gpuVisible } from 'nucseg';
 * if (gpuVisible() && !cudaProviderInstalled()) console.log('a GPU but no CUDA provider: see the README to install it');
 * ```
 */
export function cudaProviderInstalled(): boolean {
  const dir = ortBinDir();
  return !!dir && (existsSync(join(dir, 'libonnxruntime_providers_cuda.so')) || existsSync(join(dir, 'onnxruntime_providers_cuda.dll')));
}

/**
 * Whether a GPU device is visible. On Linux: an NVIDIA device node or a DRM render node (a
 * software Vulkan driver alone does not count); elsewhere assumed, and WebGPU decides.
 *
 * @example
 * ```ts
 * import { gpuVisible } from 'nucseg';
 * const device = gpuVisible() ? 'auto' : 'cpu'; // e.g. skip probing GPU providers on a CPU-only node
 * ```
 */
export function gpuVisible(): boolean {
  if (process.platform !== 'linux') return true;
  if (existsSync('/dev/nvidia0')) return true;
  try {
    return readdirSync('/dev/dri').some((f) => f.startsWith('renderD'));
  } catch {
    return false;
  }
}

/**
 * The devices 'auto' tries, in order: CUDA where its provider is installed and a GPU is visible, WebGPU where a GPU is visible, then the CPU.
 *
 * @example
 * ```ts
 * import { autoDeviceOrder } from 'nucseg';
 * autoDeviceOrder(); // ['cpu'] without a GPU; ['cuda', 'webgpu', 'cpu'] with one and the CUDA provider
 * ```
 */
export function autoDeviceOrder(): Exclude<InferenceDevice, 'auto'>[] {
  const gpu = gpuVisible();
  return [...(gpu && cudaProviderInstalled() ? (['cuda'] as const) : []), ...(gpu ? (['webgpu'] as const) : []), 'cpu'];
}

/**
 * Opens an ONNX Runtime session on the requested device. 'auto' tries the devices of
 * autoDeviceOrder() and reports which it got (probing nothing that cannot be there, so a
 * CPU-only machine prints no provider warnings); an explicit device that cannot start is an
 * error naming the model and the reason.
 *
 * @example
 * ```ts
 * import { findModel, openSession } from 'nucseg';
 * const { path } = await findModel('nuclei-fpn2ws-dsb');
 * const { session, device } = await openSession(path, 'auto'); // device: what 'auto' got ('cpu' without a GPU)
 * console.log(device, session.inputNames, session.outputNames); // … [ 'image' ] [ 'distance', 'border' ]
 * await session.release();
 * ```
 */
export async function openSession(path: string, device: InferenceDevice = 'auto', threads = 0): Promise<{ session: ort.InferenceSession; device: Exclude<InferenceDevice, 'auto'> }> {
  const order: Exclude<InferenceDevice, 'auto'>[] = device === 'auto' ? autoDeviceOrder() : [device];
  const errors: string[] = [];
  for (const d of order) {
    if (d === 'cuda' && !cudaProviderInstalled()) {
      errors.push("cuda: onnxruntime-node's CUDA execution provider is not installed (see the README, 'Building, GPU and ONNX Runtime')");
      continue;
    }
    if (d === 'webgpu' && !gpuVisible()) {
      // not probed: Dawn would print Vulkan adapter noise before failing
      errors.push('webgpu: no GPU is visible on this machine (no /dev/nvidia0 or /dev/dri/renderD*)');
      continue;
    }
    try {
      const session = await ort.InferenceSession.create(path, {
        executionProviders: [d],
        graphOptimizationLevel: 'all',
        // ORT's threads spin between operators by default and then compete with the native
        // post-processing for the same cores: end to end ~5 % faster on a folder without it
        extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
        ...(threads > 0 ? { intraOpNumThreads: boundThreads(threads, '--threads') } : {}),
      });
      return { session, device: d };
    } catch (e) {
      errors.push(`${d}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  throw new NucsegError(`cannot start ONNX Runtime (${errors.join('; ')})`, { file: path });
}

/**
 * openSession for a model whose card promises one input (named `input`: the card's
 * inputs[0].name, `image` for nucseg's own models) and the given outputs: a file that has
 * other inputs or outputs is an error naming it (the card does not describe it).
 */
export async function openModelSession(path: string, input: string, outputs: readonly string[], device: InferenceDevice = 'auto', threads = 0): Promise<{ session: ort.InferenceSession; device: Exclude<InferenceDevice, 'auto'> }> {
  const r = await openSession(path, device, threads);
  const ins = r.session.inputNames.join(','), outs = [...r.session.outputNames].sort().join(',');
  if (ins !== input || outs !== [...outputs].sort().join(',')) throw new NucsegError(`the ONNX file does not match its card (inputs ${ins}, outputs ${outs})`, { file: path });
  return r;
}

export { ort };
