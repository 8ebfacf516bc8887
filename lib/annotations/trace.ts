import type { ImageData, LabelImage } from '../image/types.js';
import { connectedComponents, regionStats } from '../kernels/components.js';
import type { Ring } from './types.js';

/** One label's outline: a polygon (outer ring, then its holes) per 8-connected piece. */
export interface LabelOutline {
  id: number;
  /** Pixels of the label. */
  area: number;
  /** One entry per 8-connected piece, in raster order of each piece's first pixel. */
  polygons: Ring[][];
}

// directions: 0 right, 1 down, 2 left, 3 up (y down); the object is kept on the right
const DX = [1, 0, -1, 0], DY = [0, 1, 0, -1];

/**
 * Follows one boundary of a binary mask from vertex (sx, sy) heading `d0`, the mask on the
 * right, along pixel edges; at a vertex where two mask pixels touch only by a corner it keeps
 * them joined (8-connected objects, 4-connected background). Marks the edges it walks in
 * `seen` and returns the vertices where the direction changes, the start first and last.
 */
function walk(m: ImageData<Uint8Array>, seen: Uint8Array, sx: number, sy: number, d0: number): Ring {
  const { width: w, height: h, data } = m;
  const inside = (x: number, y: number) => x >= 0 && y >= 0 && x < w && y < h && data[y * w + x] !== 0;
  const mark = (x: number, y: number, d: number) => (seen[(y * (w + 1) + x) * 4 + d] = 1);
  const pts: Ring = [[sx, sy]];
  mark(sx, sy, d0);
  let x = sx + DX[d0], y = sy + DY[d0], d = d0;
  const limit = 4 * (w + 2) * (h + 2) + 8;
  for (let steps = 0; steps < limit && !(x === sx && y === sy); steps++) {
    let al: boolean, ar: boolean; // the pixels ahead-left and ahead-right of vertex (x, y)
    if (d === 0) [al, ar] = [inside(x, y - 1), inside(x, y)];
    else if (d === 1) [al, ar] = [inside(x, y), inside(x - 1, y)];
    else if (d === 2) [al, ar] = [inside(x - 1, y), inside(x - 1, y - 1)];
    else [al, ar] = [inside(x - 1, y - 1), inside(x, y - 1)];
    const nd = al ? (d + 3) % 4 : ar ? d : (d + 1) % 4;
    if (nd !== d) pts.push([x, y]);
    d = nd;
    mark(x, y, d);
    x += DX[d];
    y += DY[d];
  }
  pts.push([sx, sy]);
  return pts;
}

/**
 * The rings of one 8-connected mask: the outer ring first (clockwise on screen, from the
 * top-left corner of the first pixel in raster order, heading right), then one ring per hole
 * (a 4-connected piece of background the mask encloses), in raster order of each hole's
 * first pixel, from its top-left corner heading down (the other orientation). Vertices are
 * pixel corners where the outline turns. The rings filled even-odd with pixel-centre
 * sampling (scanRings) give back exactly the mask's pixels.
 *
 * @example
 * ```ts
 * import { maskRings } from 'nucseg';
 * const ring = { data: new Uint8Array([1, 1, 1, 1, 0, 1, 1, 1, 1]), width: 3, height: 3 };
 * maskRings(ring); // [[[0,0],[3,0],[3,3],[0,3],[0,0]], [[1,1],[1,2],[2,2],[2,1],[1,1]]]
 * ```
 */
export function maskRings(m: ImageData<Uint8Array>): Ring[] {
  const { width: w, height: h, data } = m;
  const seen = new Uint8Array((w + 1) * (h + 1) * 4);
  const first = data.findIndex((v) => v !== 0);
  if (first < 0) return [];
  const rings = [walk(m, seen, first % w, Math.floor(first / w), 0)];
  for (let y = 1; y < h; y++)
    for (let x = 1; x < w; x++) {
      const i = y * w + x;
      // a hole's first pixel: background with the mask to its left and above
      if (data[i] === 0 && data[i - 1] !== 0 && data[i - w] !== 0 && !seen[(y * (w + 1) + x) * 4 + 1]) rings.push(walk(m, seen, x, y, 1));
    }
  return rings;
}

/**
 * The outline of every label of a label image as polygons with holes, in pixel-corner
 * coordinates (pixel (x, y) covers [x, x+1) x [y, y+1)): one polygon per 8-connected piece
 * of the label, each its outer ring and hole rings (maskRings). A label in several pieces
 * (or with a piece inside its own hole) keeps all of them, so rasterizing the outlines
 * (pixel centres inside, even-odd per polygon, union over polygons) gives back the labels
 * exactly. Labels in ascending id order.
 *
 * @example
 * ```ts
 * import { labelOutlines, readLabels } from 'nucseg';
 * const outlines = labelOutlines(await readLabels('examples/fields/labels/dsb-3ebd2ab3.tif'));
 * outlines[0].polygons[0][0]; // label 1's outer ring: [[x, y], ...] back to its first vertex
 * ```
 */
export function labelOutlines(labels: LabelImage): LabelOutline[] {
  const st = regionStats(labels);
  const out: LabelOutline[] = [];
  for (let k = 0; k < st.ids.length; k++) {
    const id = st.ids[k];
    const x0 = st.x0[k], y0 = st.y0[k];
    const w = st.x1[k] - x0 + 1, h = st.y1[k] - y0 + 1;
    const mask = new Uint8Array(w * h);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) if (labels.data[(y + y0) * labels.width + x + x0] === id) mask[y * w + x] = 1;
    const cc = connectedComponents({ data: mask, width: w, height: h }, { connectivity: 8 });
    const pieces: ImageData<Uint8Array>[] = [];
    if (cc.count <= 1) pieces.push({ data: mask, width: w, height: h });
    else
      for (let p = 1; p <= cc.count; p++) {
        const piece = new Uint8Array(w * h);
        for (let i = 0; i < piece.length; i++) if (cc.labels.data[i] === p) piece[i] = 1;
        pieces.push({ data: piece, width: w, height: h });
      }
    const polygons = pieces.map((pm) => maskRings(pm).map((r) => r.map(([x, y]) => [x + x0, y + y0] as [number, number])));
    out.push({ id, area: st.area[k], polygons });
  }
  return out;
}
