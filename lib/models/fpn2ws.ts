import { timed, type Profile } from '../util/profile.js';
import type { ImageData, LabelImage } from '../image/types.js';
import { connectedComponents, relabelSequential, removeSmallObjects } from '../kernels/components.js';
import { binaryClosing } from '../kernels/morphology.js';
import { watershed } from '../kernels/watershed.js';
import type { ModelCard } from './card.js';
import { NucsegError } from '../util/errors.js';
import type { SegmentCallOptions } from './model.js';
import { resize } from '../kernels/resize.js';
import { OnnxModel, type OnnxModelOptions } from './onnx-model.js';
import { resizeImage } from './scale.js';

export interface Fpn2wsPost {
  seedThreshold: number;
  seedClosingRadius: number;
  foregroundThreshold: number;
  minArea: number;
}

/**
 * The FPN2-WS post-processing parameters of a card. No fallbacks: the card schema requires
 * and types each one (the Python evaluation reads the same card), and a card that was not
 * read through readCard is checked here.
 *
 * @example
 * ```ts
 * import { findModel, postFromCard } from 'nucseg';
 * const { card } = await findModel('nuclei-fpn2ws-dsb');
 * const post = postFromCard(card); // { seedThreshold, seedClosingRadius, foregroundThreshold, minArea }
 * ```
 */
export function postFromCard(card: ModelCard): Fpn2wsPost {
  const p = card.postprocessing as Record<string, unknown>;
  const get = (k: string, ok: (v: number) => boolean) => {
    const v = p[k];
    if (typeof v !== 'number' || !ok(v)) throw new NucsegError(`model card: postprocessing.${k} must be ${k.endsWith('radius') || k === 'min_area' ? 'a whole number >= 0' : 'a number in [0, 1]'}, not ${JSON.stringify(v)}`);
    return v;
  };
  const unit = (v: number) => v >= 0 && v <= 1;
  const whole = (v: number) => Number.isInteger(v) && v >= 0;
  return {
    seedThreshold: get('seed_threshold', unit),
    seedClosingRadius: get('seed_closing_radius', whole),
    foregroundThreshold: get('foreground_threshold', unit),
    minArea: p.min_area === null ? 0 : get('min_area', whole),
  };
}

/** Post-processing sizes (model pixels) for maps resized back from a model run at `scale`. */
export function scalePost(p: Fpn2wsPost, scale: number): Fpn2wsPost {
  return { ...p, seedClosingRadius: Math.round(p.seedClosingRadius / scale), minArea: Math.round(p.minArea / (scale * scale)) };
}

/**
 * FPN2-WS instances from the two maps: seeds = distance > seedThreshold (closed with a
 * disk, then labelled), foreground = distance > foregroundThreshold (or a seed), seeded
 * watershed on border − distance inside the foreground, small objects dropped.
 *
 * @example
 * ```ts
 * import { findModel, Fpn2wsModel, fpn2wsInstances, normalizeImage, postFromCard, readImage } from 'nucseg';
 * const { path, card } = await findModel('nuclei-fpn2ws-dsb');
 * const model = new Fpn2wsModel(path, card, { device: 'cpu' });
 * const { distance, border } = await model.predict(normalizeImage(await readImage('examples/fields/images/dsb-3ebd2ab3.tif')));
 * const labels = fpn2wsInstances(distance, border, { ...postFromCard(card), minArea: 30 }); // other post-processing, same maps
 * await model.dispose();
 * ```
 */
export function fpn2wsInstances(distance: ImageData<Float32Array>, border: ImageData<Float32Array>, p: Fpn2wsPost, threads = 0): LabelImage {
  const { width, height } = distance;
  const n = width * height;
  const seed = new Uint8Array(n), fg = new Uint8Array(n), elev = new Float32Array(n);
  const D = distance.data, B = border.data;
  for (let i = 0; i < n; i++) {
    const d = D[i];
    if (!(d >= 0 && d <= 1) || !(B[i] >= 0 && B[i] <= 1)) throw new NucsegError('model output is not a map in [0, 1] (NaN or out of range)');
    seed[i] = d > p.seedThreshold ? 1 : 0;
    elev[i] = B[i] - d;
  }
  const seeds = p.seedClosingRadius > 0 ? binaryClosing({ data: seed, width, height }, p.seedClosingRadius, { threads }) : { data: seed, width, height };
  const markers = connectedComponents(seeds, { connectivity: 8, threads });
  for (let i = 0; i < n; i++) fg[i] = D[i] > p.foregroundThreshold || seeds.data[i] ? 1 : 0;
  let labels: LabelImage = watershed({ data: elev, width, height }, markers.labels, { mask: { data: fg, width, height }, connectivity: 4 });
  if (p.minArea > 0) labels = removeSmallObjects(labels, p.minArea, { threads });
  return relabelSequential(labels, { threads }).labels;
}

/**
 * The labelled area (px) and the part of it in nuclei whose peak predicted distance is below
 * `peak`: a nucleus the model saw clearly has a centre near 1 in the normalized distance map.
 *
 * @example
 * ```ts
 * import { lowConfidenceArea } from 'nucseg';
 * const distance = { data: new Float32Array([0.9, 0.5, 0.3, 0.2]), width: 4, height: 1 };
 * const labels = { data: new Uint16Array([1, 1, 2, 2]), width: 4, height: 1 };
 * lowConfidenceArea(distance, labels, 0.75); // { low: 2, total: 4 }: nucleus 2 peaks at 0.3
 * ```
 */
export function lowConfidenceArea(distance: ImageData<Float32Array>, labels: LabelImage, peak: number): { low: number; total: number } {
  const L = labels.data, D = distance.data;
  let n = 0;
  for (let i = 0; i < L.length; i++) if (L[i] > n) n = L[i];
  const top = new Float32Array(n + 1), area = new Float64Array(n + 1);
  for (let i = 0; i < L.length; i++) {
    const l = L[i];
    if (!l) continue;
    area[l]++;
    if (D[i] > top[l]) top[l] = D[i];
  }
  let low = 0, total = 0;
  for (let l = 1; l <= n; l++) {
    total += area[l];
    if (top[l] < peak) low += area[l];
  }
  return { low, total };
}

/**
 * An exported FPN2-WS model run with ONNX Runtime: the normalized field is cut into the
 * card's tiles (overlapping; each output pixel taken from the tile that owns it, so the
 * maps have no seams), tiles are run in batches, then fpn2wsInstances turns the stitched
 * maps into nuclei.
 *
 * @example
 * ```ts
 * import { findModel, Fpn2wsModel, normalizeImage, readImage } from 'nucseg';
 * const { path, card } = await findModel('nuclei-fpn2ws-dsb'); // loadModel() also checks the sha256 and caches
 * const model = new Fpn2wsModel(path, card, { device: 'cpu', batch: 4 });
 * const labels = await model.segment(normalizeImage(await readImage('examples/fields/images/dsb-3ebd2ab3.tif')), { threads: 0, diameter: null });
 * await model.dispose();
 * ```
 */
export class Fpn2wsModel extends OnnxModel {
  constructor(path: string, card: ModelCard, opts: OnnxModelOptions = {}) {
    super(path, card, opts, 'fpn2ws', ['distance', 'border']);
  }

  protected postprocessing(): Fpn2wsPost {
    return postFromCard(this.card);
  }

  /** Distance and border maps of a normalized image (tiles stitched without seams). */
  async predict(image: ImageData<Float32Array>, profile?: Profile): Promise<{ distance: ImageData<Float32Array>; border: ImageData<Float32Array> }> {
    const { width: W, height: H } = image;
    const dist = new Float32Array(W * H), bord = new Float32Array(W * H);
    for await (const { tiles, out, size: T } of this.runTiles(image, profile)) {
      const ts = performance.now();
      const d = out.distance.data as Float32Array, b = out.border.data as Float32Array;
      const n = tiles.length * T * T;
      if (d.length !== n || b.length !== n) throw new NucsegError(`model output has the wrong shape (${out.distance.dims.join('x')})`, { file: this.path });
      tiles.forEach((t, k) => {
        for (let y = Math.max(t.own.y0, 0); y < Math.min(t.own.y1, H); y++)
          for (let x = Math.max(t.own.x0, 0); x < Math.min(t.own.x1, W); x++) {
            const s = k * T * T + (y - t.y) * T + (x - t.x);
            dist[y * W + x] = d[s];
            bord[y * W + x] = b[s];
          }
      });
      profile?.add('stitch', performance.now() - ts);
    }
    return { distance: { data: dist, width: W, height: H }, border: { data: bord, width: W, height: H } };
  }

  /** Test-time augmentation: the maps of the image and of its three flips (x, y, both), flipped back and averaged. */
  async predictFlips(image: ImageData<Float32Array>, profile?: Profile): Promise<{ distance: ImageData<Float32Array>; border: ImageData<Float32Array> }> {
    const { width: W, height: H } = image;
    const d = new Float32Array(W * H), b = new Float32Array(W * H);
    for (const [fx, fy] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      const m = await this.predict(fx || fy ? flip(image, fx, fy) : image, profile);
      const md = fx || fy ? flip(m.distance, fx, fy).data : m.distance.data, mb = fx || fy ? flip(m.border, fx, fy).data : m.border.data;
      for (let i = 0; i < d.length; i++) {
        d[i] += md[i] / 4;
        b[i] += mb[i] / 4;
      }
    }
    return { distance: { data: d, width: W, height: H }, border: { data: b, width: W, height: H } };
  }

  /**
   * Nuclei of a normalized field. With automatic scale (scaleFor(diameter) != 1) the model
   * runs on the field resized by that factor, and its maps are resized back (bilinear) so
   * instances are made, and their boundaries placed, on the field's own pixel grid; the
   * card's sizes (closing radius, min area: model pixels) are scaled to match.
   */
  async segment(image: ImageData<Float32Array>, { threads, diameter, tta, profile, confidence }: SegmentCallOptions): Promise<LabelImage> {
    const post = postFromCard(this.card);
    const s = this.scaleFor(diameter ?? null);
    const predict = (im: ImageData<Float32Array>) => (tta ? this.predictFlips(im, profile) : this.predict(im, profile));
    const { width: W, height: H } = image;
    let d: ImageData<Float32Array>, b: ImageData<Float32Array>, p = post;
    if (s === 1) ({ distance: d, border: b } = await predict(image));
    else {
      const maps = await predict(timed(profile, 'resize', () => resizeImage(image, s, threads)));
      const back = (m: ImageData<Float32Array>) => resize(m, W, H, { interpolation: 'bilinear', threads });
      [d, b] = timed(profile, 'resize', () => [back(maps.distance), back(maps.border)]);
      p = scalePost(post, s);
    }
    const labels = timed(profile, 'instances', () => fpn2wsInstances(d, b, p, threads));
    if (confidence) {
      const a = lowConfidenceArea(d, labels, (1 + post.seedThreshold) / 2);
      confidence.low += a.low;
      confidence.total += a.total;
    }
    return labels;
  }
}

/** An image mirrored left-right (fx) and/or top-bottom (fy); its own inverse. */
function flip(im: ImageData<Float32Array>, fx: boolean, fy: boolean): ImageData<Float32Array> {
  const { width: W, height: H, data } = im;
  const out = new Float32Array(W * H);
  for (let y = 0; y < H; y++) {
    const src = (fy ? H - 1 - y : y) * W;
    if (fx) for (let x = 0; x < W; x++) out[y * W + x] = data[src + W - 1 - x];
    else out.set(data.subarray(src, src + W), y * W);
  }
  return { data: out, width: W, height: H };
}
