import { NucsegError } from '../util/errors.js';
import type { Ring } from './types.js';

// Writes ImageJ .roi files (format: see roi-decode.ts), version 227 as ImageJ 1.52 writes.
const VERSION = 227;
const HEADER = 64, HEADER2 = 64;

/** The header both kinds share: magic, version, type, bounding box, header2 and the name. */
function frame(bodyBytes: number, name: string, type: number, box: [number, number, number, number]): { buf: Uint8Array; view: DataView; body: number } {
  const buf = new Uint8Array(HEADER + bodyBytes + HEADER2 + 2 * name.length);
  const view = new DataView(buf.buffer);
  buf.set([0x49, 0x6f, 0x75, 0x74]); // "Iout"
  view.setUint16(4, VERSION);
  buf[6] = type;
  const [left, top, right, bottom] = box;
  view.setInt16(8, top);
  view.setInt16(10, left);
  view.setInt16(12, bottom);
  view.setInt16(14, right);
  const h2 = HEADER + bodyBytes;
  view.setInt32(60, h2);
  view.setInt32(h2 + 16, h2 + HEADER2); // name offset
  view.setInt32(h2 + 20, name.length); // name length (UTF-16 units)
  for (let i = 0; i < name.length; i++) view.setUint16(h2 + HEADER2 + 2 * i, name.charCodeAt(i));
  return { buf, view, body: HEADER };
}

/** Bounding box [left, top, right, bottom] of rings, checked to fit ImageJ's 16-bit header fields. */
function bounds(rings: readonly Ring[], name: string): [number, number, number, number] {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const r of rings)
    for (const [x, y] of r) {
      x0 = Math.min(x0, x);
      y0 = Math.min(y0, y);
      x1 = Math.max(x1, x);
      y1 = Math.max(y1, y);
    }
  if (!(x0 >= 0 && y0 >= 0 && x1 <= 32767 && y1 <= 32767)) throw new NucsegError(`${name}: outline outside 0..32767 px, which ImageJ's ROI header cannot hold`);
  return [Math.floor(x0), Math.floor(y0), Math.ceil(x1), Math.ceil(y1)];
}

/**
 * One ImageJ traced ROI (type 8: an outline along pixel edges, integer vertices) named `name`.
 * The ring's closing vertex (a repeat of the first) is dropped: ImageJ closes polygons itself.
 *
 * @example
 * ```ts
 * import { encodeTracedRoi } from 'nucseg';
 * const bytes = encodeTracedRoi([[2, 1], [4, 1], [4, 3], [2, 3], [2, 1]], 'nucleus 1'); // a 2 x 2 px square
 * ```
 */
export function encodeTracedRoi(ring: Ring, name: string): Uint8Array {
  const pts = ring.length > 1 && ring[0][0] === ring[ring.length - 1][0] && ring[0][1] === ring[ring.length - 1][1] ? ring.slice(0, -1) : ring;
  if (pts.length > 65535) throw new NucsegError(`${name}: ${pts.length} vertices, more than an ImageJ polygon ROI holds (65535)`);
  if (pts.some(([x, y]) => !Number.isInteger(x) || !Number.isInteger(y))) throw new NucsegError(`${name}: a traced ROI needs integer vertices`);
  const box = bounds([pts], name);
  const n = pts.length;
  const { buf, view } = frame(4 * n, name, 8, box);
  view.setUint16(16, n);
  pts.forEach(([x, y], i) => {
    view.setInt16(HEADER + 2 * i, x - box[0]);
    view.setInt16(HEADER + 2 * n + 2 * i, y - box[1]);
  });
  return buf;
}

/**
 * One ImageJ composite ROI (a ShapeRoi: type 1 with a float path in image coordinates of
 * MOVETO, LINETO... and CLOSE per ring), which ImageJ fills even-odd: outer rings with their
 * holes, or several pieces, in one ROI.
 *
 * @example
 * ```ts
 * import { encodeCompositeRoi } from 'nucseg';
 * const withHole = encodeCompositeRoi([[[0, 0], [4, 0], [4, 4], [0, 4]], [[1, 1], [1, 3], [3, 3], [3, 1]]], 'nucleus 2');
 * ```
 */
export function encodeCompositeRoi(rings: readonly Ring[], name: string): Uint8Array {
  const closedless = rings.map((r) => (r.length > 1 && r[0][0] === r[r.length - 1][0] && r[0][1] === r[r.length - 1][1] ? r.slice(0, -1) : r));
  const path: number[] = [];
  for (const r of closedless) {
    r.forEach(([x, y], i) => path.push(i === 0 ? 0 : 1, x, y));
    path.push(4);
  }
  const box = bounds(closedless, name);
  const { buf, view } = frame(4 * path.length, name, 1, box);
  view.setInt32(36, path.length);
  path.forEach((v, i) => view.setFloat32(HEADER + 4 * i, v));
  return buf;
}
