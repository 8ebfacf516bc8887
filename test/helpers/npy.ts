import { readFileSync, writeFileSync } from 'node:fs';
import type { ImageData, PixelArray } from '../../lib/image/types.js';
import { decodeNpy, encodeNpy } from '../../lib/util/npy.js';

/** Reads a 2-D C-order .npy file (lib/util/npy.ts decodes it). */
export function readNpy(path: string): ImageData {
  const { data, shape } = decodeNpy(readFileSync(path), path);
  if (shape.length !== 2) throw new Error(`readNpy: ${path} is not 2-D (${shape.join('x')})`);
  return { data, width: shape[1], height: shape[0] };
}

/** Writes a 2-D image as .npy. */
export function writeNpy(path: string, im: ImageData): void {
  writeFileSync(path, encodeNpy(im.data, [im.height, im.width]));
}

export function crop<T extends PixelArray>(im: ImageData<T>, x0: number, y0: number, w: number, h: number): ImageData<T> {
  const C = im.data.constructor as new (n: number) => T;
  const out = new C(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[y * w + x] = im.data[(y0 + y) * im.width + x0 + x];
  return { data: out, width: w, height: h };
}

/** Largest absolute difference between two equally long arrays (NaN if lengths differ). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return NaN;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
