import { NucsegError } from '../util/errors.js';

// TIFF field type -> bytes per value (TIFF 6.0 + BigTIFF).
const TYPE_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4, 16: 8, 17: 8, 18: 8 };
const MAX_IFDS = 100_000;

/**
 * Walks the IFD chain of a (Big)TIFF and checks that every directory and every tag value
 * lies inside the file, before the decoder library sees the bytes. This keeps a corrupt
 * or hostile header (a tag claiming 10^9 values, an IFD loop, an offset past the end) from
 * making the decoder allocate huge arrays or spin. Throws NucsegError naming `path`.
 */
export function checkTiffStructure(buf: Uint8Array, path: string): void {
  const fail = (why: string): never => {
    throw new NucsegError(`corrupt TIFF: ${why}`, { file: path });
  };
  const len = buf.length;
  if (len < 8) fail('file too short for a TIFF header');
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const le = buf[0] === 0x49;
  const magic = dv.getUint16(2, le);
  const big = magic === 43;
  if (magic !== 42 && !big) fail(`bad magic number ${magic}`);
  if (big && len < 16) fail('file too short for a BigTIFF header');
  const u64 = (p: number) => {
    const v = dv.getBigUint64(p, le);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail('offset out of range');
    return Number(v);
  };
  const entrySize = big ? 20 : 12;
  const countSize = big ? 8 : 2;
  const inline = big ? 8 : 4;
  let ifd = big ? u64(8) : dv.getUint32(4, le);
  const seen = new Set<number>();
  let nIfd = 0;
  while (ifd !== 0) {
    if (seen.has(ifd)) fail('IFD chain loops');
    seen.add(ifd);
    if (++nIfd > MAX_IFDS) fail(`more than ${MAX_IFDS} IFDs`);
    if (ifd < 8 || ifd + countSize > len) fail('IFD offset points outside the file');
    const n = big ? u64(ifd) : dv.getUint16(ifd, le);
    const end = ifd + countSize + n * entrySize + inline;
    if (n === 0 || end > len) fail('IFD runs past the end of the file');
    for (let i = 0; i < n; i++) {
      const p = ifd + countSize + i * entrySize;
      const type = dv.getUint16(p + 2, le);
      const size = TYPE_SIZE[type];
      if (size === undefined) fail(`unknown field type ${type} in tag ${dv.getUint16(p, le)}`);
      const count = big ? u64(p + 4) : dv.getUint32(p + 4, le);
      const bytes = count * size;
      if (bytes > inline) {
        const off = big ? u64(p + 12) : dv.getUint32(p + 8, le);
        if (off + bytes > len) fail(`tag ${dv.getUint16(p, le)} claims ${count} values past the end of the file`);
      }
    }
    ifd = big ? u64(end - 8) : dv.getUint32(end - 4, le);
  }
}
