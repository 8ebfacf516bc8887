import type { ImageData, LabelImage, PixelArray } from '../image/types.js';
import { regionStats } from '../kernels/components.js';
import { NucsegError } from '../util/errors.js';

/** One tile: its rectangle in the image and the part of it this tile owns. */
export interface Tile {
  x: number;
  y: number;
  width: number;
  height: number;
  /** Owned rectangle [x0, x1) × [y0, y1) in image coordinates: tiles' owned parts partition the image. */
  own: { x0: number; y0: number; x1: number; y1: number };
}

/**
 * Covers a width × height image with tiles of `size` (smaller at the end if the image is
 * smaller) overlapping by `overlap` pixels. Each pixel is owned by exactly one tile: the
 * one whose interior (tile minus half the overlap on inner sides) holds it. An overlap
 * above half the tile is clamped to half (step ≥ size / 2, so at most ~4× the untiled
 * work): a 64 px tile overlapping by 63 would otherwise step 1 px, ~4,000× the work.
 *
 * @example
 * ```ts
 * import { tileGrid } from 'nucseg';
 * const tiles = tileGrid(1000, 600, 512, 64); // 3 x 2 tiles of 512 px
 * tiles.map((t) => t.own); // their owned rectangles partition the 1000 x 600 image
 * ```
 */
export function tileGrid(width: number, height: number, size: number, overlap: number): Tile[] {
  if (!(Number.isInteger(size) && size > 0)) throw new NucsegError(`tile size must be a positive whole number, not ${size}`);
  if (!(Number.isInteger(overlap) && overlap >= 0 && overlap < size)) throw new NucsegError(`tile overlap must be a whole number in [0, ${size}), not ${overlap}`);
  const starts = (n: number) => {
    if (n <= size) return [0];
    const step = size - Math.min(overlap, Math.floor(size / 2));
    const out: number[] = [];
    for (let s = 0; ; s += step) {
      if (s + size >= n) {
        out.push(n - size);
        break;
      }
      out.push(s);
    }
    return out;
  };
  const xs = starts(width), ys = starts(height);
  const cut = (ss: number[], n: number, i: number, len: number) => {
    // boundary between tile i and i+1: middle of their overlap
    const a = i === 0 ? 0 : Math.floor((ss[i - 1] + len + ss[i]) / 2);
    const b = i === ss.length - 1 ? n : Math.floor((ss[i] + len + ss[i + 1]) / 2);
    return [a, b];
  };
  const tiles: Tile[] = [];
  const tw = Math.min(size, width), th = Math.min(size, height);
  ys.forEach((y, j) =>
    xs.forEach((x, i) => {
      const [x0, x1] = cut(xs, width, i, tw);
      const [y0, y1] = cut(ys, height, j, th);
      tiles.push({ x, y, width: tw, height: th, own: { x0, y0, x1, y1 } });
    }),
  );
  return tiles;
}

/**
 * Copies a tile out of an image (same pixel type).
 *
 * @example
 * ```ts
 * import { cropTile, readImage, tileGrid } from 'nucseg';
 * const field = await readImage('examples/fields/images/dsb-3ebd2ab3.tif');
 * const [first] = tileGrid(field.width, field.height, 128, 32);
 * const part = cropTile(field, first); // same pixel type, first.width x first.height
 * ```
 */
export function cropTile<T extends PixelArray>(image: ImageData<T>, t: Tile): ImageData<T> {
  const C = image.data.constructor as new (n: number) => T;
  const out = new C(t.width * t.height);
  for (let y = 0; y < t.height; y++) {
    const s = (t.y + y) * image.width + t.x;
    out.set(image.data.subarray(s, s + t.width) as never, y * t.width);
  }
  return { data: out, width: t.width, height: t.height };
}

/**
 * Stitches instance labels of tiles into one image: each object is kept by the tile that
 * owns its centroid, pasted onto pixels not yet taken; an object that mostly (> 50 % of
 * its pixels) lands on an object already pasted is the same nucleus seen twice and is
 * dropped. Objects must be smaller than half the overlap for the result to be seam-free.
 *
 * @example
 * ```ts
 * import { cropTile, LabelStitcher, normalizeImage, readImage, segmentClassic, tileGrid } from 'nucseg';
 * const field = normalizeImage(await readImage('examples/fields/images/dsb-3ebd2ab3.tif'));
 * const stitcher = new LabelStitcher(field.width, field.height);
 * for (const t of tileGrid(field.width, field.height, 128, 64)) stitcher.add(t, segmentClassic(cropTile(field, t), { diameter: 20 }));
 * const labels = stitcher.finish(); // one label per nucleus across tile seams
 * ```
 */
export class LabelStitcher {
  readonly labels: Uint32Array;
  private next = 1;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.labels = new Uint32Array(width * height);
  }

  add(tile: Tile, labels: LabelImage): void {
    if (labels.width !== tile.width || labels.height !== tile.height) throw new NucsegError('tile labels have the wrong size');
    const st = regionStats(labels);
    const keep = new Map<number, number>();
    for (let k = 0; k < st.ids.length; k++) {
      const cx = tile.x + st.cx[k], cy = tile.y + st.cy[k];
      if (cx >= tile.own.x0 - 0.5 && cx < tile.own.x1 - 0.5 && cy >= tile.own.y0 - 0.5 && cy < tile.own.y1 - 0.5) keep.set(st.ids[k], k);
    }
    if (keep.size === 0) return;
    // count already-taken pixels per kept object
    const taken = new Float64Array(st.ids.length);
    const d = labels.data, G = this.labels, W = this.width;
    for (let y = 0; y < tile.height; y++)
      for (let x = 0; x < tile.width; x++) {
        const v = d[y * tile.width + x];
        if (!v) continue;
        const k = keep.get(v);
        if (k !== undefined && G[(tile.y + y) * W + tile.x + x]) taken[k]++;
      }
    const ids = new Map<number, number>();
    for (const [v, k] of keep) if (taken[k] * 2 <= st.area[k]) ids.set(v, this.next++);
    for (let y = 0; y < tile.height; y++)
      for (let x = 0; x < tile.width; x++) {
        const v = d[y * tile.width + x];
        if (!v) continue;
        const id = ids.get(v);
        const gi = (tile.y + y) * W + tile.x + x;
        if (id !== undefined && !G[gi]) G[gi] = id;
      }
  }

  /** The stitched labels renumbered 1..N in raster order of first pixel (uint16 when N <= 65535). */
  finish(): LabelImage {
    const lut = new Uint32Array(this.next);
    let n = 0;
    const G = this.labels;
    for (let i = 0; i < G.length; i++) {
      const v = G[i];
      if (v && !lut[v]) lut[v] = ++n;
    }
    // uint32 results are renumbered in place (no second full-size array for huge fields)
    const out = n <= 0xffff ? new Uint16Array(G.length) : G;
    for (let i = 0; i < G.length; i++) out[i] = lut[G[i]];
    return { data: out, width: this.width, height: this.height };
  }
}
