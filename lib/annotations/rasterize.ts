import type { LabelImage } from '../image/types.js';
import { NucsegError } from '../util/errors.js';
import type { AnnotationObject, Geometry, Ring } from './types.js';

/**
 * Calls `span(y, x0, x1)` for each run of pixels x0..x1 (inclusive) of row y whose centre
 * (x + 0.5, y + 0.5) is inside `rings` by the even-odd rule, clipped to width x height.
 *
 * The rule at the boundary (it matters only for vertices off the pixel-corner grid): an edge
 * counts for a row when its end points lie on different sides of the row's centre line, the
 * upper end inclusive (y1 <= cy < y2); a centre exactly on a left edge is inside, on a right
 * edge outside. Outlines along pixel edges (integer vertices, as nucseg, QuPath's pixel
 * outlines and ImageJ's traced ROIs write them) never meet a centre, so they give back
 * exactly the pixels they enclose.
 *
 * @example
 * ```ts
 * import { scanRings } from 'nucseg';
 * const rows: number[][] = [];
 * scanRings([[[1, 1], [3, 1], [3, 3], [1, 3]]], 4, 4, (y, x0, x1) => rows.push([y, x0, x1]));
 * // rows: [[1, 1, 2], [2, 1, 2]]: the 2 x 2 square of pixels (1..2, 1..2)
 * ```
 */
export function scanRings(rings: readonly Ring[], width: number, height: number, span: (y: number, x0: number, x1: number) => void): void {
  // edges as [row0, row1 (exclusive), x at the row0 centre, dx per row]
  const edges: number[][] = [];
  for (const ring of rings) {
    const n = ring.length;
    for (let i = 0; i < n; i++) {
      const [ax, ay] = ring[i];
      const [bx, by] = ring[(i + 1) % n];
      if (ay === by) continue;
      const [x1, y1, x2, y2] = ay < by ? [ax, ay, bx, by] : [bx, by, ax, ay];
      // rows whose centre y + 0.5 is in [y1, y2)
      const r0 = Math.max(0, Math.ceil(y1 - 0.5));
      const r1 = Math.min(height, Math.ceil(y2 - 0.5));
      if (r0 >= r1) continue;
      const slope = (x2 - x1) / (y2 - y1);
      edges.push([r0, r1, x1, y1, slope]);
    }
  }
  if (edges.length === 0) return;
  edges.sort((a, b) => a[0] - b[0]);
  let next = 0;
  let active: number[][] = [];
  const xs: number[] = [];
  for (let y = edges[0][0]; y < height; y++) {
    while (next < edges.length && edges[next][0] === y) active.push(edges[next++]);
    active = active.filter((e) => e[1] > y);
    if (active.length === 0) {
      if (next >= edges.length) break;
      y = edges[next][0] - 1;
      continue;
    }
    const cy = y + 0.5;
    xs.length = 0;
    for (const e of active) xs.push(e[4] === 0 ? e[2] : e[2] + (cy - e[3]) * e[4]);
    xs.sort((a, b) => a - b);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      // pixels with xa <= x + 0.5 < xb
      const x0 = Math.max(0, Math.ceil(xs[k] - 0.5));
      const x1 = Math.min(width, Math.ceil(xs[k + 1] - 0.5)) - 1;
      if (x0 <= x1) span(y, x0, x1);
    }
  }
}

/**
 * Calls `span` for the pixels whose centre is inside or on the ellipse inscribed in the box
 * (x, y, width, height): ImageJ's OvalRoi mask rule,
 * ((px + 0.5 - cx) / a)^2 + ((py + 0.5 - cy) / b)^2 <= 1 with centre (cx, cy) the box's
 * centre and half-axes a = width / 2, b = height / 2.
 *
 * @example
 * ```ts
 * import { scanEllipse } from 'nucseg';
 * let n = 0;
 * scanEllipse({ x: 0, y: 0, width: 3, height: 3 }, 8, 8, (y, x0, x1) => (n += x1 - x0 + 1)); // n: 9
 * ```
 */
export function scanEllipse(e: { x: number; y: number; width: number; height: number }, width: number, height: number, span: (y: number, x0: number, x1: number) => void): void {
  if (!(e.width > 0 && e.height > 0)) return;
  const a = e.width / 2, b = e.height / 2, cx = e.x + a, cy = e.y + b;
  const px0 = Math.max(0, Math.floor(e.x)), px1 = Math.min(width - 1, Math.ceil(e.x + e.width) - 1);
  const py0 = Math.max(0, Math.floor(e.y)), py1 = Math.min(height - 1, Math.ceil(e.y + e.height) - 1);
  for (let py = py0; py <= py1; py++) {
    const yy = py + 0.5 - cy;
    let start = -1;
    for (let px = px0; px <= px1 + 1; px++) {
      const xx = px + 0.5 - cx;
      const inside = px <= px1 && (xx * xx) / (a * a) + (yy * yy) / (b * b) <= 1;
      if (inside && start < 0) start = px;
      else if (!inside && start >= 0) {
        span(py, start, px - 1);
        start = -1;
      }
    }
  }
}

/**
 * Calls `span` for every run of pixels of one geometry: scanEllipse for an oval, scanRings
 * per group for rings (so pixels in two groups come twice; rasterizeObjects counts them once).
 *
 * @example
 * ```ts
 * import { scanGeometry } from 'nucseg';
 * scanGeometry({ kind: 'ellipse', x: 0, y: 0, width: 4, height: 2 }, 8, 8, (y, x0, x1) => console.log(y, x0, x1)); // 0 0 3, 1 0 3
 * ```
 */
export function scanGeometry(g: Geometry, width: number, height: number, span: (y: number, x0: number, x1: number) => void): void {
  if (g.kind === 'ellipse') scanEllipse(g, width, height, span);
  else for (const group of g.groups) scanRings(group, width, height, span);
}

/** What rasterizing a set of objects gives besides the label image. */
export interface RasterizeResult {
  labels: LabelImage;
  /** The label id of each object, in input order. */
  ids: number[];
  /** 'kept': every object asked for a distinct id (GeoJSON `label`, names `nucleus N`) and
   * got it; 'renumbered': objects are 1..n in file order. */
  idSource: 'kept' | 'renumbered';
  /** Pixels claimed by two or more objects (each counted once per later claim). */
  overlapPixels: number;
  /** Per pair of overlapping objects: the earlier one's id, the later one's (which won), pixels. */
  overlaps: { earlier: number; later: number; pixels: number }[];
  /** Objects with no pixel centre inside them (outside the field, or thinner than a pixel). */
  empty: string[];
}

const MAX_ID = 0xffffffff;

/**
 * Rasterizes objects to a label image of the given size: each object's pixels are those whose
 * centre lies inside it (scanRings / scanEllipse); where objects overlap the later object in
 * the list wins and the overlap is counted. Ids: the ids the objects ask for when every
 * object asks for one and no two ask for the same, else 1..n in input order.
 *
 * @example
 * ```ts
 * import { rasterizeObjects } from 'nucseg';
 * const r = rasterizeObjects([{ name: 'a', properties: {}, geometry: { kind: 'rings', groups: [[[[0, 0], [2, 0], [2, 2], [0, 2]]]] } }], 4, 4);
 * // r.labels.data: 1 1 0 0 / 1 1 0 0 / 0 0 0 0 / 0 0 0 0, r.overlapPixels: 0
 * ```
 */
export function rasterizeObjects(objects: readonly AnnotationObject[], width: number, height: number): RasterizeResult {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0 && width * height <= 2 ** 31)) {
    throw new NucsegError(`cannot make a ${width} x ${height} label image`);
  }
  const asked = objects.map((o) => o.requestedId);
  const keep = objects.length > 0 && asked.every((id) => id !== undefined && Number.isInteger(id) && id >= 1 && id <= MAX_ID) && new Set(asked).size === asked.length;
  const ids = keep ? (asked as number[]) : objects.map((_, i) => i + 1);
  const maxId = ids.reduce((m, v) => Math.max(m, v), 0);
  const data = maxId <= 0xffff ? new Uint16Array(width * height) : new Uint32Array(width * height);
  const pairs = new Map<string, { earlier: number; later: number; pixels: number }>();
  let overlapPixels = 0;
  const empty: string[] = [];
  objects.forEach((o, k) => {
    const id = ids[k];
    let pixels = 0;
    scanGeometry(o.geometry, width, height, (y, x0, x1) => {
      for (let i = y * width + x0, end = y * width + x1; i <= end; i++) {
        const prev = data[i];
        if (prev === id) continue;
        pixels++;
        if (prev !== 0) {
          overlapPixels++;
          const key = `${prev},${id}`;
          const p = pairs.get(key);
          if (p) p.pixels++;
          else pairs.set(key, { earlier: prev, later: id, pixels: 1 });
        }
        data[i] = id;
      }
    });
    if (pixels === 0) empty.push(o.name);
  });
  return { labels: { data, width, height }, ids, idSource: keep ? 'kept' : 'renumbered', overlapPixels, overlaps: [...pairs.values()], empty };
}
