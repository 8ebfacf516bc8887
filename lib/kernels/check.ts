import type { ImageData } from '../image/types.js';
import { NucsegError } from '../util/errors.js';

/** Argument checks shared by the kernel wrappers, so the addon only sees valid input. */
export function checkImage(im: ImageData, name: string): void {
  if (!im || typeof im !== 'object' || !ArrayBuffer.isView(im.data)) throw new NucsegError(`${name} must be an image { data, width, height }`);
  if (!Number.isInteger(im.width) || !Number.isInteger(im.height) || im.width < 0 || im.height < 0) {
    throw new NucsegError(`${name}: invalid size ${im.width}x${im.height}`);
  }
  if (im.data.length !== im.width * im.height) {
    throw new NucsegError(`${name}: ${im.data.length} pixels do not match ${im.width}x${im.height}`);
  }
}

export function checkLabelImage(im: ImageData, name: string): void {
  checkImage(im, name);
  if (!(im.data instanceof Uint16Array || im.data instanceof Uint32Array)) {
    throw new NucsegError(`${name}: label images must be Uint16Array or Uint32Array, got ${im.data.constructor.name}`);
  }
}
