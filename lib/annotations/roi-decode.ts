import { NucsegError } from '../util/errors.js';
import { idFromName } from './geojson.js';
import type { AnnotationObject, Ring } from './types.js';

// The ImageJ .roi format (big-endian), as ImageJ's RoiDecoder/RoiEncoder document it: a
// 64-byte header ("Iout", version, type, bounding box, coordinate count, ...), then the
// coordinates, then (version >= 218) a 64-byte "header2" whose offset is at byte 60 and which
// holds the name. Composite ROIs (a ShapeRoi: byte 36 holds the length of a float path of
// java.awt.geom segments) are filled even-odd, as ImageJ fills them.

/** ImageJ ROI types by their code (byte 6). */
export const ROI_TYPES = ['polygon', 'rect', 'oval', 'line', 'freeline', 'polyline', 'noRoi', 'freehand', 'traced', 'angle', 'point'] as const;
const AREA_POLYGONS = new Set([0, 7, 8]);
const SUB_PIXEL = 128;
const SUBTYPE_TEXT = 1, SUBTYPE_IMAGE = 4;

/** What decoding one .roi gives: an object with an area, or why it was skipped. */
export type DecodedRoi = { object: AnnotationObject } | { name: string; skipped: string };

/** Bounds-checked big-endian reads that throw a NucsegError naming the ROI. */
class Reader {
  constructor(readonly b: Uint8Array, readonly where: string) {}
  fail(reason: string): never {
    throw new NucsegError(reason, { file: this.where });
  }
  need(end: number, what: string): void {
    if (!(end <= this.b.length)) this.fail(`truncated: ${what} needs ${end} bytes, the ROI has ${this.b.length}`);
  }
  u8(o: number): number {
    this.need(o + 1, `offset ${o}`);
    return this.b[o];
  }
  u16(o: number): number {
    this.need(o + 2, `offset ${o}`);
    return (this.b[o] << 8) | this.b[o + 1];
  }
  /** ImageJ's getShort: signed, but below -5000 read as unsigned (coordinates past 32767). */
  short(o: number): number {
    const v = this.u16(o);
    const s = v >= 0x8000 ? v - 0x10000 : v;
    return s < -5000 ? v : s;
  }
  i32(o: number): number {
    this.need(o + 4, `offset ${o}`);
    return ((this.b[o] << 24) | (this.b[o + 1] << 16) | (this.b[o + 2] << 8) | this.b[o + 3]) | 0;
  }
  f32(o: number): number {
    this.need(o + 4, `offset ${o}`);
    return new DataView(this.b.buffer, this.b.byteOffset + o, 4).getFloat32(0, false);
  }
  finite(o: number, what: string): number {
    const v = this.f32(o);
    if (!Number.isFinite(v)) this.fail(`${what} is not a finite number (${v})`);
    return v;
  }
}

/** The name in header2 (UTF-16BE), if the ROI has one that fits in the file. */
function header2Name(r: Reader): string | undefined {
  const h2 = r.i32(60);
  if (h2 <= 0 || h2 + 64 > r.b.length) return undefined;
  const off = r.i32(h2 + 16), len = r.i32(h2 + 20);
  if (off <= 0 || len <= 0 || len > 4096 || off + 2 * len > r.b.length) return undefined;
  let s = '';
  for (let i = 0; i < len; i++) s += String.fromCharCode(r.u16(off + 2 * i));
  return s;
}

/** Points along a quadratic (k = 2) or cubic (k = 3) Bézier from p0, 8 segments. */
function flatten(p0: [number, number], c: number[]): [number, number][] {
  const pts: [number, number][] = [];
  const P = [p0, ...Array.from({ length: c.length / 2 }, (_, i) => [c[2 * i], c[2 * i + 1]] as [number, number])];
  for (let s = 1; s <= 8; s++) {
    const t = s / 8;
    let q = P.map((p) => [...p] as [number, number]);
    while (q.length > 1) q = q.slice(1).map((p, i) => [q[i][0] + (p[0] - q[i][0]) * t, q[i][1] + (p[1] - q[i][1]) * t] as [number, number]);
    pts.push(q[0]);
  }
  return pts;
}

/** The sub-paths of a composite ROI's float path (MOVETO 0, LINETO 1, QUADTO 2, CUBICTO 3, CLOSE 4). */
function compositeRings(r: Reader, count: number): Ring[] {
  r.need(64 + 4 * count, `a composite path of ${count} values`);
  const rings: Ring[] = [];
  let cur: Ring | null = null;
  let start: [number, number] = [0, 0];
  const ARGS = [2, 2, 4, 6, 0];
  for (let i = 0; i < count; ) {
    const op = r.f32(64 + 4 * i);
    if (!(op >= 0 && op <= 4 && Number.isInteger(op))) r.fail(`composite path value ${i + 1}: ${op} is not a segment type (0-4)`);
    if (i + 1 + ARGS[op] > count) r.fail(`composite path ends inside a segment (value ${i + 1} of ${count})`);
    const a = Array.from({ length: ARGS[op] }, (_, k) => r.finite(64 + 4 * (i + 1 + k), `composite path value ${i + 2 + k}`));
    i += 1 + ARGS[op];
    if (op === 0) {
      if (cur && cur.length >= 3) rings.push(cur);
      start = [a[0], a[1]];
      cur = [start];
    } else if (op === 4) {
      if (cur && cur.length >= 3) rings.push(cur);
      cur = null;
    } else {
      if (!cur) cur = [start];
      const last = cur[cur.length - 1];
      if (op === 1) cur.push([a[0], a[1]]);
      else cur.push(...flatten(last, a));
    }
    if (rings.length + (cur ? 1 : 0) > 1_000_000) r.fail('composite path has more than a million sub-paths');
  }
  if (cur && cur.length >= 3) rings.push(cur);
  return rings;
}

/** The vertices of a polygon, freehand or traced ROI (integer, or float with sub-pixel resolution). */
function polygonRing(r: Reader, n: number, left: number, top: number, subPixel: boolean): Ring {
  if (n === 0) r.fail('polygon ROI without coordinates');
  r.need(64 + 4 * n + (subPixel ? 8 * n : 0), `${n} coordinates`);
  const ring: Ring = [];
  for (let i = 0; i < n; i++) {
    if (subPixel) ring.push([r.finite(64 + 4 * n + 4 * i, `x ${i + 1}`), r.finite(64 + 8 * n + 4 * i, `y ${i + 1}`)]);
    else ring.push([left + Math.max(0, r.short(64 + 2 * i)), top + Math.max(0, r.short(64 + 2 * n + 2 * i))]);
  }
  return ring;
}

/**
 * Decodes one ImageJ .roi file. Area ROIs become objects: polygon, freehand and traced (their
 * vertices, sub-pixel when the ROI has them; a spline-fit ROI is read as its control
 * polygon), rectangle (rounded corners are ignored), oval (ImageJ's OvalRoi mask rule) and
 * composite (all sub-paths, even-odd; curves flattened). Lines, points, text and image ROIs
 * are returned as skipped. Anything malformed (a truncated file, bad magic, an unknown type, a
 * coordinate count or path longer than the file, non-finite values) throws a NucsegError
 * naming `where` (the file, or `zip: entry`); no input makes it throw anything else.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { decodeRoi } from 'nucseg';
 * const d = decodeRoi(readFileSync('nucleus.roi'), 'nucleus.roi');
 * if ('object' in d) console.log(d.object.name, d.object.objectType); // 'nucleus' 'traced'
 * ```
 */
export function decodeRoi(bytes: Uint8Array, where: string, fallbackName = where.replace(/^.*[/\\:]\s*/, '').replace(/\.roi$/i, '')): DecodedRoi {
  const r = new Reader(bytes, where);
  if (bytes.length < 64) r.fail(`truncated: ${bytes.length} bytes, an ImageJ ROI header has 64`);
  if (bytes[0] !== 0x49 || bytes[1] !== 0x6f || bytes[2] !== 0x75 || bytes[3] !== 0x74) r.fail('not an ImageJ ROI (no "Iout" magic)');
  const version = r.u16(4), type = r.u8(6);
  const top = r.short(8), left = r.short(10), bottom = r.short(12), right = r.short(14);
  const n = r.u16(16), shapeSize = r.i32(36), subtype = r.u16(48), options = r.u16(50);
  const subPixel = (options & SUB_PIXEL) !== 0 && version >= 222;
  const name = (version >= 218 ? header2Name(r) : undefined) ?? fallbackName;
  const typeName = shapeSize > 0 ? 'composite' : (ROI_TYPES[type] ?? `type ${type}`);
  const properties: Record<string, unknown> = { roiType: typeName, version, position: r.i32(56) };
  const object = (geometry: AnnotationObject['geometry']): DecodedRoi => ({ object: { name, requestedId: idFromName(name), objectType: typeName, properties, geometry } });
  if (shapeSize > 0) {
    if (type !== 1) r.fail(`composite ROI with type ${type} (ImageJ writes them as type 1)`);
    return object({ kind: 'rings', groups: [compositeRings(r, shapeSize)] });
  }
  if (shapeSize < 0) r.fail(`negative composite path length ${shapeSize}`);
  if (type >= ROI_TYPES.length) r.fail(`unknown ROI type ${type}`);
  if ((type === 1 || type === 2) && version >= 218 && (subtype === SUBTYPE_TEXT || subtype === SUBTYPE_IMAGE)) return { name, skipped: `a ${subtype === SUBTYPE_TEXT ? 'text' : 'image'} ROI has no area` };
  if (type === 1 || type === 2) {
    const box = subPixel && version >= 223
      ? { x: r.finite(18, 'x'), y: r.finite(22, 'y'), width: r.finite(26, 'width'), height: r.finite(30, 'height') }
      : { x: left, y: top, width: right - left, height: bottom - top };
    if (!(box.width >= 0 && box.height >= 0)) r.fail(`negative size ${box.width} x ${box.height}`);
    if (type === 2) return object({ kind: 'ellipse', ...box });
    const { x, y, width: w, height: h } = box;
    return object({ kind: 'rings', groups: [[[[x, y], [x + w, y], [x + w, y + h], [x, y + h]]]] });
  }
  if (AREA_POLYGONS.has(type)) return object({ kind: 'rings', groups: [[polygonRing(r, n, left, top, subPixel)]] });
  return { name, skipped: `a ${ROI_TYPES[type]} ROI has no area` };
}
