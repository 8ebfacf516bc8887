import { NucsegError } from './errors.js';

/** The NumPy dtypes nucseg reads and writes (little-endian, C order). */
export type NpyDtype = 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'float64';
export type NpyData = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

/** An n-dimensional array as a .npy file holds it: flat data in C order, and its shape. */
export interface NpyArray {
  data: NpyData;
  shape: number[];
  dtype: NpyDtype;
}

type Ctor = { new (b: ArrayBuffer): NpyData; BYTES_PER_ELEMENT: number };
const DTYPES: Record<NpyDtype, { descr: string; ctor: Ctor }> = {
  uint8: { descr: '|u1', ctor: Uint8Array },
  int8: { descr: '|i1', ctor: Int8Array },
  uint16: { descr: '<u2', ctor: Uint16Array },
  int16: { descr: '<i2', ctor: Int16Array },
  uint32: { descr: '<u4', ctor: Uint32Array },
  int32: { descr: '<i4', ctor: Int32Array },
  float32: { descr: '<f4', ctor: Float32Array },
  float64: { descr: '<f8', ctor: Float64Array },
};
const MAGIC = '\x93NUMPY';

/** The dtype of a typed array (NumPy's name). */
function dtypeOf(data: NpyData): NpyDtype {
  const hit = (Object.keys(DTYPES) as NpyDtype[]).find((k) => data instanceof DTYPES[k].ctor);
  if (!hit) throw new NucsegError(`.npy: unsupported array type ${data.constructor.name}`);
  return hit;
}

/**
 * Encodes an array as a .npy file (format 1.0, little-endian, C order): what numpy.load reads.
 * `shape` defaults to one dimension; its product must be the data's length.
 *
 * @example
 * ```ts
 * import { encodeNpy, writeFileAtomic } from 'nucseg';
 * const tile = new Float32Array(64 * 64); // one normalized 64 x 64 tile
 * await writeFileAtomic('tile.npy', encodeNpy(tile, [1, 1, 64, 64])); // numpy.load('tile.npy').shape == (1, 1, 64, 64)
 * ```
 */
export function encodeNpy(data: NpyData, shape: number[] = [data.length]): Uint8Array {
  const n = shape.reduce((a, b) => a * b, 1);
  if (n !== data.length || shape.some((s) => !Number.isInteger(s) || s < 0)) throw new NucsegError(`.npy: shape (${shape.join(', ')}) does not hold ${data.length} values`);
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '${DTYPES[dtypeOf(data)].descr}', 'fortran_order': False, 'shape': (${dims}), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n'; // the data starts 64-byte aligned
  const out = new Uint8Array(10 + header.length + data.byteLength);
  for (let i = 0; i < MAGIC.length; i++) out[i] = MAGIC.charCodeAt(i);
  out.set([1, 0, header.length & 0xff, header.length >> 8], 6);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

/**
 * Decodes a .npy file (format 1.x-3.x, little-endian or byte-sized dtypes, C order); a file that
 * is none of these is a NucsegError naming `file`.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { decodeNpy } from 'nucseg';
 * const { data, shape, dtype } = decodeNpy(readFileSync('tile.npy'), 'tile.npy'); // Float32Array, [1, 1, 64, 64], 'float32'
 * ```
 */
export function decodeNpy(bytes: Uint8Array, file = '.npy'): NpyArray {
  const fail = (why: string): never => {
    throw new NucsegError(`not a .npy array nucseg reads (${why})`, { file });
  };
  if (bytes.length < 10 || String.fromCharCode(...bytes.subarray(0, 6)) !== MAGIC) fail('no NUMPY magic');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  if (major < 1 || major > 3) fail(`format version ${major}`);
  const hlen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = (major === 1 ? 10 : 12) + hlen;
  if (start > bytes.length) fail('header runs past the end');
  const header = new TextDecoder('latin1').decode(bytes.subarray(major === 1 ? 10 : 12, start));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1] ?? fail('no descr');
  if (/'fortran_order':\s*True/.test(header)) fail('Fortran order');
  const dims = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? fail('no shape');
  const shape = dims.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const dtype = (Object.keys(DTYPES) as NpyDtype[]).find((k) => DTYPES[k].descr === descr || DTYPES[k].descr.replace('|', '<') === descr) ?? fail(`dtype ${descr}`);
  const { ctor } = DTYPES[dtype];
  const n = shape.reduce((a, b) => a * b, 1);
  if (shape.some((s) => !Number.isInteger(s)) || start + n * ctor.BYTES_PER_ELEMENT !== bytes.length) fail(`shape (${dims}) does not match the file's ${bytes.length - start} data bytes`);
  const data = new ctor(bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + bytes.length) as ArrayBuffer);
  return { data, shape, dtype };
}
