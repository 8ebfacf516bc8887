// Minimal .npy reader for the benchmark inputs (2-D, C order).
import { readFileSync } from 'node:fs';

const DTYPES = { '|u1': Uint8Array, '<u1': Uint8Array, '<u2': Uint16Array, '<u4': Uint32Array, '<i4': Int32Array, '<f4': Float32Array, '<f8': Float64Array };

export function readNpy(path) {
  const b = readFileSync(path);
  const hl = b.readUInt16LE(8);
  const header = b.subarray(10, 10 + hl).toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  const shape = /'shape':\s*\((\d+),\s*(\d+)\)/.exec(header);
  const body = b.subarray(10 + hl);
  const data = new DTYPES[descr](body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength));
  return { data, width: Number(shape[2]), height: Number(shape[1]) };
}
