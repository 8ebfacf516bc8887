import { readFileSync, writeFileSync } from 'node:fs';
import type { ImageData, PixelArray } from '../../lib/image/types.js';

const DTYPES: Record<string, new (b: ArrayBuffer) => PixelArray> = {
  '<u1': Uint8Array,
  '|u1': Uint8Array,
  '<u2': Uint16Array,
  '<u4': Uint32Array,
  '<i4': Int32Array,
  '<f4': Float32Array,
  '<f8': Float64Array,
};

/** Reads a 2-D C-order .npy file (the formats NumPy writes for these dtypes). */
export function readNpy(path: string): ImageData {
  const b = readFileSync(path);
  const hl = b.readUInt16LE(8);
  const header = b.subarray(10, 10 + hl).toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(header)![1];
  const shape = /'shape':\s*\((\d+),\s*(\d+)\)/.exec(header)!;
  const Ctor = DTYPES[descr];
  if (!Ctor) throw new Error(`readNpy: unsupported dtype ${descr}`);
  const body = b.subarray(10 + hl);
  const data = new Ctor(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer);
  return { data, width: Number(shape[2]), height: Number(shape[1]) };
}

/** Writes a 2-D image as .npy. */
export function writeNpy(path: string, im: ImageData): void {
  const descr = Object.entries(DTYPES).find(([k, C]) => im.data instanceof C && !k.startsWith('|'))![0];
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${im.height}, ${im.width}), }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header = header + ' '.repeat(pad) + '\n';
  const h = Buffer.alloc(10);
  h.write('\x93NUMPY', 0, 'latin1');
  h[6] = 1;
  h[7] = 0;
  h.writeUInt16LE(header.length, 8);
  writeFileSync(path, Buffer.concat([h, Buffer.from(header, 'latin1'), Buffer.from(im.data.buffer, im.data.byteOffset, im.data.byteLength)]));
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
