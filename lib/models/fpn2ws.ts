import type { ImageData, LabelImage } from '../image/types.js';
import { connectedComponents, relabelSequential, removeSmallObjects } from '../kernels/components.js';
import { binaryClosing } from '../kernels/morphology.js';
import { watershed } from '../kernels/watershed.js';
import type { ModelCard } from '../train/card.js';
import { NucsegError } from '../util/errors.js';
import { OnnxModel, type OnnxModelOptions } from './onnx-model.js';

export interface Fpn2wsPost {
  seedThreshold: number;
  seedClosingRadius: number;
  foregroundThreshold: number;
  minArea: number;
}

/** The FPN2-WS post-processing parameters of a card (the seed paper's seeds > 0.6 by default). */
export function postFromCard(card: ModelCard): Fpn2wsPost {
  const p = card.postprocessing as Record<string, number | null>;
  return {
    seedThreshold: p.seed_threshold ?? 0.6,
    seedClosingRadius: p.seed_closing_radius ?? 0,
    foregroundThreshold: p.foreground_threshold ?? 0.05,
    minArea: p.min_area ?? 0,
  };
}

/**
 * FPN2-WS instances from the two maps: seeds = distance > seedThreshold (closed with a
 * disk, then labelled), foreground = distance > foregroundThreshold (or a seed), seeded
 * watershed on border − distance inside the foreground, small objects dropped.
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
 * An exported FPN2-WS model run with ONNX Runtime: the normalized field is cut into the
 * card's tiles (overlapping; each output pixel taken from the tile that owns it, so the
 * maps have no seams), tiles are run in batches, then fpn2wsInstances turns the stitched
 * maps into nuclei.
 */
export class Fpn2wsModel extends OnnxModel {
  constructor(path: string, card: ModelCard, opts: OnnxModelOptions = {}) {
    super(path, card, opts, 'fpn2ws', ['distance', 'border']);
  }

  protected post(): Fpn2wsPost {
    return postFromCard(this.card);
  }

  /** Distance and border maps of a normalized image (tiles stitched without seams). */
  async predict(image: ImageData<Float32Array>): Promise<{ distance: ImageData<Float32Array>; border: ImageData<Float32Array> }> {
    const { width: W, height: H } = image;
    const dist = new Float32Array(W * H), bord = new Float32Array(W * H);
    for await (const { tiles, out, size: T } of this.runTiles(image)) {
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
    }
    return { distance: { data: dist, width: W, height: H }, border: { data: bord, width: W, height: H } };
  }

  async segment(image: ImageData<Float32Array>, { threads }: { threads: number }): Promise<LabelImage> {
    const { distance, border } = await this.predict(image);
    return fpn2wsInstances(distance, border, postFromCard(this.card), threads);
  }
}
