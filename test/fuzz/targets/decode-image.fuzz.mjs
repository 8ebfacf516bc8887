// Jazzer.js target: decoding untrusted image bytes, as readImage/readLabels do
// (lib/image/read.ts decodeImage: the TIFF guard, geotiff.js with nucseg's bounded LZW and
// Deflate decoders (lib/image/tiff-codecs.ts), the per-page header checks, pngjs for PNG;
// then toLabels). The first byte picks the read options; the rest is the file.
import { decodeImage, toLabels } from '../../../dist/lib/image/read.js';
import { expectOnlyUserErrors, known } from './common.mjs';

// tiff-rowsperstrip-float (docs/fuzzing.md): a RowsPerStrip tag that is not a whole number
// >= 1 (e.g. stored as FLOAT 5.6e-44) makes geotiff.js loop until the heap runs out. True when
// any IFD of the (Big)TIFF has such a tag, so the target can skip it while that is unfixed.
function oddRowsPerStrip(b) {
  try {
    if (b.length < 8 || !((b[0] === 0x49 && b[1] === 0x49) || (b[0] === 0x4d && b[1] === 0x4d))) return false;
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength), le = b[0] === 0x49;
    const big = dv.getUint16(2, le) === 43;
    let ifd = big ? Number(dv.getBigUint64(8, le)) : dv.getUint32(4, le);
    for (let k = 0; k < 64 && ifd > 0 && ifd < b.length; k++) {
      const n = big ? Number(dv.getBigUint64(ifd, le)) : dv.getUint16(ifd, le);
      const first = ifd + (big ? 8 : 2), size = big ? 20 : 12;
      for (let i = 0; i < n && first + (i + 1) * size <= b.length; i++) {
        const p = first + i * size;
        if (dv.getUint16(p, le) !== 278) continue;
        const type = dv.getUint16(p + 2, le), v = big ? p + 12 : p + 8;
        if (![3, 4, 16].includes(type)) return true;
        const value = type === 3 ? dv.getUint16(v, le) : type === 4 ? dv.getUint32(v, le) : Number(dv.getBigUint64(v, le));
        if (value < 1) return true;
      }
      const next = first + n * size;
      if (next + (big ? 8 : 4) > b.length) break;
      ifd = big ? Number(dv.getBigUint64(next, le)) : dv.getUint32(next, le);
    }
  } catch {
    return false;
  }
  return false;
}

export async function fuzz(data) {
  if (data.length < 1) return;
  const o = data[0];
  const opts = {};
  if (o & 1) opts.projection = 'max';
  if (o & 2) opts.page = (o >> 2) & 3;
  if (o & 0x10) opts.maxPixels = 4096;
  // a copy: decodeImage may hand the buffer's ArrayBuffer to geotiff.js
  const bytes = Buffer.from(data.subarray(1));
  if (known('tiff-rowsperstrip-float') && oddRowsPerStrip(bytes)) return;
  await expectOnlyUserErrors(async () => {
    const im = await decodeImage(bytes, (o & 0x20) ? 'fuzz.png' : 'fuzz.tif', opts);
    if (im.data.length !== im.width * im.height) throw new Error(`decoded ${im.data.length} pixels for ${im.width}x${im.height}`);
    toLabels(im, 'fuzz.tif');
  });
}
