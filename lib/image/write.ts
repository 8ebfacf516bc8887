import { deflateSync } from 'node:zlib';
import { writeFileAtomic } from '../util/atomic.js';
import { NucsegError } from '../util/errors.js';
import type { LabelImage } from './types.js';
import { isTypedArray } from '../util/typed.js';

// A small baseline-TIFF encoder for label images. The maintained JS TIFF libraries either
// only decode (geotiff.js's writer, utif) or cannot write uncompressed 16/32-bit
// grayscale with Deflate, so this writes the few tags a label image needs: one IFD,
// Deflate (Adobe, 8) strips, no predictor (the most widely supported combination: read by
// tifffile, libtiff/OpenCV, Fiji/ImageJ and napari).

const ROWS_TARGET_BYTES = 64 * 1024;

/**
 * Smallest unsigned type that holds every label: 'uint16' up to 65,535, else 'uint32'.
 *
 * @example
 * ```ts
 * import { labelDtype } from 'nucseg';
 * labelDtype({ data: new Uint32Array([0, 1, 2]), width: 3, height: 1 }); // 'uint16'
 * labelDtype({ data: new Uint32Array([0, 70000]), width: 2, height: 1 }); // 'uint32'
 * ```
 */
export function labelDtype(labels: LabelImage): 'uint16' | 'uint32' {
  if (isTypedArray(labels.data, Uint16Array)) return 'uint16';
  let max = 0;
  const d = labels.data;
  for (let i = 0; i < d.length; i++) if (d[i] > max) max = d[i];
  return max > 0xffff ? 'uint32' : 'uint16';
}

/**
 * Encodes labels as a Deflate-compressed uint16 (or uint32 when needed) TIFF.
 *
 * @example
 * ```ts
 * import { decodeImage, encodeLabelsTiff, toLabels } from 'nucseg';
 * const labels = { data: new Uint32Array([0, 70000, 70000, 1]), width: 2, height: 2 };
 * const tiff = encodeLabelsTiff(labels); // uint32: a label exceeds 65,535
 * const back = toLabels(await decodeImage(tiff, 'labels.tif'), 'labels.tif'); // back.data: Uint32Array [0, 70000, 70000, 1]
 * ```
 */
export function encodeLabelsTiff(labels: LabelImage): Uint8Array {
  const { width, height } = labels;
  if (!(width > 0 && height > 0) || labels.data.length !== width * height) {
    throw new NucsegError(`label image size ${width}x${height} does not match its ${labels.data.length} pixels`);
  }
  const dtype = labelDtype(labels);
  const bytesPer = dtype === 'uint16' ? 2 : 4;
  const pixels = dtype === 'uint16' && !isTypedArray(labels.data, Uint16Array) ? Uint16Array.from(labels.data) : labels.data;
  const raw = new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  if (!littleEndianHost()) throw new Error('nucseg: big-endian hosts are not supported');
  const rowsPerStrip = Math.max(1, Math.min(height, Math.floor(ROWS_TARGET_BYTES / (width * bytesPer))));
  const strips: Buffer[] = [];
  for (let y = 0; y < height; y += rowsPerStrip) {
    const rows = Math.min(rowsPerStrip, height - y);
    strips.push(deflateSync(raw.subarray(y * width * bytesPer, (y + rows) * width * bytesPer), { level: 4 }));
  }

  type Tag = [code: number, type: number, values: number[]];
  const SHORT = 3, LONG = 4;
  const nStrips = strips.length;
  const tags: Tag[] = [
    [256, LONG, [width]],
    [257, LONG, [height]],
    [258, SHORT, [bytesPer * 8]],
    [259, SHORT, [8]], // Adobe Deflate
    [262, SHORT, [1]], // BlackIsZero
    [273, LONG, new Array(nStrips).fill(0)], // StripOffsets, filled below
    [277, SHORT, [1]],
    [278, LONG, [rowsPerStrip]],
    [279, LONG, strips.map((s) => s.length)],
    [284, SHORT, [1]],
    [339, SHORT, [1]], // unsigned integer
  ];
  const ifdOffset = 8;
  const ifdSize = 2 + tags.length * 12 + 4;
  let extra = ifdOffset + ifdSize;
  const extraOffsets = new Map<number, number>();
  for (const [code, type, values] of tags) {
    const size = values.length * (type === SHORT ? 2 : 4);
    if (size > 4) {
      extraOffsets.set(code, extra);
      extra += size + (size & 1);
    }
  }
  let dataOffset = extra;
  const stripOffsets = strips.map((s) => {
    const o = dataOffset;
    dataOffset += s.length;
    return o;
  });
  tags[5][2] = stripOffsets;
  if (dataOffset > 0xffffffff) throw new NucsegError('label image too large for a classic TIFF (over 4 GB compressed)');

  const out = new Uint8Array(dataOffset);
  const dv = new DataView(out.buffer);
  out[0] = 0x49; out[1] = 0x49; dv.setUint16(2, 42, true); dv.setUint32(4, ifdOffset, true);
  dv.setUint16(ifdOffset, tags.length, true);
  tags.forEach(([code, type, values], i) => {
    const p = ifdOffset + 2 + i * 12;
    dv.setUint16(p, code, true);
    dv.setUint16(p + 2, type, true);
    dv.setUint32(p + 4, values.length, true);
    const put = (at: number, v: number) => (type === SHORT ? dv.setUint16(at, v, true) : dv.setUint32(at, v, true));
    const ext = extraOffsets.get(code);
    if (ext === undefined) values.forEach((v, k) => put(p + 8 + k * 2 * (type === SHORT ? 1 : 2), v));
    else {
      dv.setUint32(p + 8, ext, true);
      values.forEach((v, k) => put(ext + k * (type === SHORT ? 2 : 4), v));
    }
  });
  dv.setUint32(ifdOffset + 2 + tags.length * 12, 0, true);
  strips.forEach((s, i) => out.set(s, stripOffsets[i]));
  return out;
}

function littleEndianHost(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

/**
 * Writes an instance label image as a Deflate-compressed TIFF: uint16, or uint32 when a
 * label exceeds 65,535. The file appears under `path` only when complete (temporary name,
 * fsync, rename), so a crash never leaves a half-written file.
 *
 * @example
 * ```ts
 * import { writeLabels } from 'nucseg';
 * const labels = { data: new Uint16Array([0, 1, 1, 0, 2, 2]), width: 3, height: 2 }; // two nuclei
 * await writeLabels('two-nuclei.labels.tif', labels);
 * ```
 */
export async function writeLabels(path: string, labels: LabelImage): Promise<void> {
  await writeFileAtomic(path, encodeLabelsTiff(labels));
}
