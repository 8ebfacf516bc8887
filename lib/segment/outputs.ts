import { PNG } from 'pngjs';
import type { ImageData, LabelImage } from '../image/types.js';
import { connectedComponents, regionStats } from '../kernels/components.js';

/**
 * An overlay PNG: the normalized image in gray with each nucleus outline (label pixels with
 * a 4-neighbour of another label or background) in yellow.
 *
 * @example
 * ```ts
 * import { writeFile } from 'node:fs/promises';
 * import { normalizeImage, readImage, readLabels, renderOverlay } from 'nucseg';
 * const png = renderOverlay(normalizeImage(await readImage('examples/fields/images/dsb-3ebd2ab3.tif')), await readLabels('examples/fields/labels/dsb-3ebd2ab3.tif'));
 * await writeFile('dsb-3ebd2ab3.overlay.png', png);
 * ```
 */
export function renderOverlay(normalized: ImageData<Float32Array>, labels: LabelImage): Buffer {
  const { width: w, height: h } = labels;
  const png = new PNG({ width: w, height: h, colorType: 2, inputColorType: 2, inputHasAlpha: false });
  const out = Buffer.alloc(w * h * 3);
  const L = labels.data, N = normalized.data;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const v = L[i];
      const edge = v !== 0 && ((x > 0 && L[i - 1] !== v) || (x + 1 < w && L[i + 1] !== v) || (y > 0 && L[i - w] !== v) || (y + 1 < h && L[i + w] !== v));
      if (edge) {
        out[3 * i] = 255;
        out[3 * i + 1] = 220;
        out[3 * i + 2] = 0;
      } else {
        const g = Math.round(Math.max(0, Math.min(1, N[i])) * 255);
        out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = g;
      }
    }
  png.data = out;
  return PNG.sync.write(png, { colorType: 2, inputColorType: 2, inputHasAlpha: false });
}

/**
 * Outer contour of one label as a closed polygon of pixel-corner coordinates (origin at
 * the image's top-left corner, as QuPath and GeoJSON viewers expect), traced along pixel
 * edges with 8-connectivity; vertices only where the direction changes.
 *
 * @example
 * ```ts
 * import { traceContour } from 'nucseg';
 * const labels = { data: new Uint16Array([1, 1, 0, 1, 1, 0]), width: 3, height: 2 };
 * traceContour(labels, 1, 0, 0, 1, 1); // the 2 x 2 square's corners: [[0,0],[2,0],[2,2],[0,2],[0,0]]
 * ```
 */
export function traceContour(labels: LabelImage, id: number, x0: number, y0: number, x1: number, y1: number): [number, number][] {
  const { width: w, data } = labels;
  const inside = (x: number, y: number) => x >= x0 && x <= x1 && y >= y0 && y <= y1 && data[y * w + x] === id;
  // first pixel in raster order
  let sx = -1, sy = -1;
  for (let y = y0; y <= y1 && sx < 0; y++)
    for (let x = x0; x <= x1; x++)
      if (data[y * w + x] === id) {
        sx = x;
        sy = y;
        break;
      }
  if (sx < 0) return [];
  // directions: 0 right, 1 down, 2 left, 3 up (y down); object kept on the right-hand side
  const DX = [1, 0, -1, 0], DY = [0, 1, 0, -1];
  const ahead = (x: number, y: number, d: number): [boolean, boolean] => {
    switch (d) {
      case 0: return [inside(x, y - 1), inside(x, y)];
      case 1: return [inside(x, y), inside(x - 1, y)];
      case 2: return [inside(x - 1, y), inside(x - 1, y - 1)];
      default: return [inside(x - 1, y - 1), inside(x, y - 1)];
    }
  };
  const pts: [number, number][] = [[sx, sy]];
  let x = sx + 1, y = sy, d = 0;
  const limit = 4 * (x1 - x0 + 2) * (y1 - y0 + 2) + 8;
  for (let steps = 0; steps < limit; steps++) {
    if (x === sx && y === sy) break;
    const [al, ar] = ahead(x, y, d);
    const nd = al ? (d + 3) % 4 : ar ? d : (d + 1) % 4;
    if (nd !== d) pts.push([x, y]);
    d = nd;
    x += DX[d];
    y += DY[d];
  }
  pts.push([sx, sy]);
  return pts;
}

/**
 * The holes of one label as rings (pixel-corner coordinates, opposite orientation to the
 * outer ring): the pieces of its bounding box that are not the label and do not reach the
 * box's edge (4-connected, the complement of the 8-connected object), each traced like an
 * object. A nucleus with a hole then has the area its pixels have.
 */
export function holeRings(labels: LabelImage, id: number, x0: number, y0: number, x1: number, y1: number): [number, number][][] {
  const W = x1 - x0 + 3, H = y1 - y0 + 3; // the box with a 1-px margin, so the outside is one piece
  const { width: w, data } = labels;
  const other = new Uint8Array(W * H);
  let any = false;
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const gx = x + x0 - 1, gy = y + y0 - 1;
      const isId = gx >= x0 && gx <= x1 && gy >= y0 && gy <= y1 && data[gy * w + gx] === id;
      other[y * W + x] = isId ? 0 : 1;
      if (!isId && x > 0 && y > 0 && x < W - 1 && y < H - 1) any = true;
    }
  if (!any) return [];
  const cc = connectedComponents({ data: other, width: W, height: H }, { connectivity: 4 });
  const outside = cc.labels.data[0];
  const rings: [number, number][][] = [];
  const box = new Map<number, [number, number, number, number]>();
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const l = cc.labels.data[y * W + x];
      if (!l || l === outside) continue;
      const b = box.get(l);
      if (!b) box.set(l, [x, y, x, y]);
      else {
        b[0] = Math.min(b[0], x);
        b[2] = Math.max(b[2], x);
        b[3] = y;
      }
    }
  for (const [l, [bx0, by0, bx1, by1]] of box) {
    const ring = traceContour(cc.labels, l, bx0, by0, bx1, by1);
    if (ring.length >= 4) rings.push(ring.map(([x, y]) => [x + x0 - 1, y + y0 - 1] as [number, number]).reverse());
  }
  return rings;
}

/**
 * GeoJSON FeatureCollection with one Polygon per nucleus, in QuPath's import format
 * (objectType 'detection', classification 'Nucleus'); coordinates in pixels.
 *
 * @example
 * ```ts
 * import { writeFile } from 'node:fs/promises';
 * import { labelsToGeoJson, readLabels } from 'nucseg';
 * const geo = labelsToGeoJson(await readLabels('examples/fields/labels/dsb-3ebd2ab3.tif')); // measurements: { area } unless given per label
 * await writeFile('dsb-3ebd2ab3.geojson', JSON.stringify(geo)); // drag into QuPath
 * ```
 */
export function labelsToGeoJson(labels: LabelImage, extra: Record<number, Record<string, number>> = {}): object {
  const st = regionStats(labels);
  const features = [];
  for (let k = 0; k < st.ids.length; k++) {
    const id = st.ids[k];
    const ring = traceContour(labels, id, st.x0[k], st.y0[k], st.x1[k], st.y1[k]);
    if (ring.length < 4) continue;
    features.push({
      type: 'Feature',
      id: String(id),
      geometry: { type: 'Polygon', coordinates: [ring, ...holeRings(labels, id, st.x0[k], st.y0[k], st.x1[k], st.y1[k])] },
      properties: { objectType: 'detection', name: `nucleus ${id}`, label: id, classification: { name: 'Nucleus', color: [255, 220, 0] }, measurements: extra[id] ?? { area: st.area[k] } },
    });
  }
  return { type: 'FeatureCollection', features };
}
