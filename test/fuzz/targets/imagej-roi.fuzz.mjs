// Jazzer.js target: ImageJ ROI files and ROI Manager zips, untrusted bytes from Fiji users
// (lib/annotations/roi-decode.ts decodeRoi, lib/annotations/roi-zip.ts readRoiZip with
// fflate), and rasterizing what they decode to (lib/annotations/rasterize.ts) on a 64 x 64
// field. Contract (common.mjs): return or throw a NucsegError, nothing else, no hang.
//
// Input: 1 byte, then
//   mode 0: the bytes are one .roi file;
//   mode 1: the bytes are a zip (its .roi entries are decoded);
//   mode 2: a valid ROI of the target's own (traced, composite with a hole, oval, sub-pixel
//           freehand, picked by the rest of the byte) with pairs (offset, value) from the
//           bytes written over it: header fields and counts that lie about the file reach
//           the bounds checks far more often than random files do.
//   mode 3: a zip holding the mode-2 ROI twice plus the raw bytes as a third entry.
import { zipSync } from 'fflate';
import { rasterizeObjects } from '../../../dist/lib/annotations/rasterize.js';
import { decodeRoi } from '../../../dist/lib/annotations/roi-decode.js';
import { encodeCompositeRoi, encodeTracedRoi } from '../../../dist/lib/annotations/roi-encode.js';
import { readRoiZip } from '../../../dist/lib/annotations/roi-zip.js';
import { expectOnlyUserErrors } from './common.mjs';

function header(type, box, n, options = 0, version = 227) {
  const b = new Uint8Array(64 + 8 * n + 12 * n);
  const v = new DataView(b.buffer);
  b.set([0x49, 0x6f, 0x75, 0x74]);
  v.setUint16(4, version);
  b[6] = type;
  v.setInt16(8, box[1]);
  v.setInt16(10, box[0]);
  v.setInt16(12, box[3]);
  v.setInt16(14, box[2]);
  v.setUint16(16, n);
  v.setUint16(50, options);
  return { b, v };
}

const oval = header(2, [3, 4, 20, 13], 0).b.subarray(0, 64);
const freehand = (() => {
  const pts = [[2.5, 3.25], [20.75, 4.5], [15.5, 30.125], [1.25, 22.5]];
  const { b, v } = header(7, [1, 3, 21, 31], pts.length, 128, 228);
  pts.forEach(([x, y], i) => {
    v.setInt16(64 + 2 * i, Math.floor(x) - 1);
    v.setInt16(64 + 2 * pts.length + 2 * i, Math.floor(y) - 3);
    v.setFloat32(64 + 4 * pts.length + 4 * i, x);
    v.setFloat32(64 + 8 * pts.length + 4 * i, y);
  });
  return b.subarray(0, 64 + 12 * pts.length);
})();
const VALID = [
  encodeTracedRoi([[5, 5], [12, 5], [12, 7], [15, 7], [15, 14], [5, 14], [5, 5]], 'nucleus 3'),
  encodeCompositeRoi([[[10, 10], [30, 10], [30, 30], [10, 30]], [[15, 15], [15, 25], [25, 25], [25, 15]]], 'with hole'),
  oval,
  freehand,
];

function mutated(data) {
  const roi = Uint8Array.from(VALID[(data[0] >> 2) % VALID.length]);
  for (let i = 1; i + 1 < data.length; i += 2) roi[data[i] % roi.length] = data[i + 1];
  return roi;
}

function decodeAndFill(bytes) {
  const d = decodeRoi(bytes, 'fuzz.roi');
  if ('object' in d) rasterizeObjects([d.object], 64, 64);
}

export function fuzz(data) {
  if (data.length < 1) return;
  const mode = data[0] & 3;
  const rest = data.subarray(1);
  expectOnlyUserErrors(() => {
    if (mode === 0) decodeAndFill(rest);
    else if (mode === 2) decodeAndFill(mutated(data));
    else {
      const zip = mode === 1 ? rest : zipSync({ 'a.roi': mutated(data), 'b.roi': mutated(data), 'c.roi': rest.subarray(0, 4096) });
      const set = readRoiZip(zip, 'fuzz.zip');
      rasterizeObjects(set.objects, 64, 64);
    }
  });
}
