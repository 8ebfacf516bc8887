import { availableParallelism } from 'node:os';
import type { ImageData } from '../image/types.js';
import { NucsegError } from '../util/errors.js';
import { addon } from './addon.js';
import { isTypedArray } from '../util/typed.js';

/** Argument checks shared by the kernel wrappers, so the addon only sees valid input. */
export function checkImage(im: ImageData, name: string): void {
  if (!im || typeof im !== 'object' || !ArrayBuffer.isView(im.data)) throw new NucsegError(`${name} must be an image { data, width, height }`);
  // each side below 2^31, and an empty image empty both ways (0 x 2^53 would make row loops spin: fuzz finding)
  if (!Number.isInteger(im.width) || !Number.isInteger(im.height) || im.width < 0 || im.height < 0 || im.width >= 2 ** 31 || im.height >= 2 ** 31 || (im.width === 0) !== (im.height === 0)) {
    throw new NucsegError(`${name}: invalid size ${im.width}x${im.height}`);
  }
  if (im.data.length !== im.width * im.height) {
    throw new NucsegError(`${name}: ${im.data.length} pixels do not match ${im.width}x${im.height}`);
  }
}

export function checkLabelImage(im: ImageData, name: string): void {
  checkImage(im, name);
  if (!(isTypedArray(im.data, Uint16Array) || isTypedArray(im.data, Uint32Array))) {
    throw new NucsegError(`${name}: label images must be Uint16Array or Uint32Array, got ${im.data.constructor.name}`);
  }
}

/** Options every kernel takes. */
export interface KernelOptions {
  /** Worker threads (default 0 = all cores). Results are identical for any value. */
  threads?: number;
}

/** The most threads nucseg starts for one pool or session: 4 × the cores available. */
export function maxThreads(): number {
  return 4 * availableParallelism();
}

/**
 * A thread count checked and bounded: a whole number >= 0 (0 = all cores) or a
 * NucsegError; counts above maxThreads() are lowered to it (results do not depend on it).
 */
export function boundThreads(t: number, name = 'threads'): number {
  if (!Number.isInteger(t) || t < 0) throw new NucsegError(`${name} must be a whole number >= 0, not ${t}`);
  return Math.min(t, maxThreads());
}

export function threadsOf(opts?: KernelOptions): number {
  return boundThreads(opts?.threads ?? 0);
}

/**
 * A binary mask as Uint8Array (non-zero = foreground). Any other TypedArray is converted
 * (non-zero = foreground); a Uint8Array is passed through without copying.
 */
export function asMask(im: ImageData, name: string): ImageData<Uint8Array> {
  checkImage(im, name);
  if (isTypedArray(im.data, Uint8Array)) return im as ImageData<Uint8Array>;
  return addon().nonzeroMask(im);
}

/**
 * An optional output image for a kernel (`out` option; undefined or null: none): a `type`
 * (default Uint32Array) image the size of `inputs[0]` that shares no memory with any of
 * `inputs` (the kernels read their inputs after they start writing). The kernel overwrites
 * every pixel, so a buffer reused across calls need not be cleared.
 */
export function checkOut<C extends typeof Uint32Array | typeof Float32Array = typeof Uint32Array>(
  out: ImageData | undefined | null,
  inputs: readonly (ImageData | null)[],
  type: C = Uint32Array as C,
  name = 'out',
): ImageData<InstanceType<C>> | undefined {
  if (out === undefined || out === null) return undefined;
  checkImage(out, name);
  if (!isTypedArray(out.data, type)) throw new NucsegError(`${name} must be a ${type.name} image, got ${out.data.constructor.name}`);
  const like = inputs[0]!;
  if (out.width !== like.width || out.height !== like.height) throw new NucsegError(`${name} is ${out.width}x${out.height}, expected ${like.width}x${like.height}`);
  const a = out.data;
  for (const im of inputs) {
    const b = im?.data;
    if (b && a.buffer === b.buffer && a.byteLength > 0 && b.byteLength > 0 && a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength) {
      throw new NucsegError(`${name} must not share memory with the inputs`);
    }
  }
  return out as ImageData<InstanceType<C>>;
}

/** A Gaussian sigma: a number in [0, 100] (a string such as '' is refused, not read as 0). */
export function checkSigma(sigma: unknown): number {
  if (!(typeof sigma === 'number' && sigma >= 0 && sigma <= 100)) throw new NucsegError(`sigma must be a number in [0, 100], not ${typeof sigma === 'string' ? `'${sigma}'` : sigma}`);
  return sigma;
}

export function checkGray(im: ImageData, name: string): void {
  checkImage(im, name);
  if (!(isTypedArray(im.data, Uint8Array) || isTypedArray(im.data, Uint16Array) || isTypedArray(im.data, Float32Array))) {
    throw new NucsegError(`${name}: image must be Uint8Array, Uint16Array or Float32Array, got ${im.data.constructor.name}`);
  }
}

/** Where a kernel with a CUDA path runs: 'auto' (CUDA when a GPU is usable and the image has
 * at least 4 Mpixels, else CPU), 'cpu', or 'cuda' (an error when unavailable). */
export type KernelDevice = 'auto' | 'cpu' | 'cuda';

/** The addon's numeric code for a KernelDevice (undefined = 'auto'): auto 0, cpu 1, cuda 2. */
export function deviceCode(opts?: { device?: KernelDevice }): number {
  const d = opts?.device ?? 'auto';
  if (d === 'auto') return 0;
  if (d === 'cpu') return 1;
  if (d === 'cuda') return 2;
  throw new NucsegError(`device must be 'auto', 'cpu' or 'cuda', not '${d}'`);
}
