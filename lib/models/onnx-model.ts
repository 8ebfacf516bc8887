import type { Profile } from '../util/profile.js';
import type { ImageData, LabelImage } from '../image/types.js';
import type { SegmentCallOptions, SegmentationModel } from './model.js';
import { tileGrid, type Tile } from './tiling.js';
import type { ModelCard } from './card.js';
import { NucsegError } from '../util/errors.js';
import { openModelSession, ort, type InferenceDevice } from './onnx.js';
import { modelDiameter, runScale } from './scale.js';

export interface OnnxModelOptions {
  device?: InferenceDevice;
  /** Tiles per inference run (models exported with a dynamic batch). */
  batch?: number;
  threads?: number;
  /** The file's sha256 when already computed (part of the resume key). */
  sha256?: string;
}

/**
 * What every exported nucseg model shares: its card (architecture and outputs checked), an
 * ONNX Runtime session opened on first use on the chosen device, and the settings that make
 * up the resume key. Subclasses add inference and post-processing.
 */
export abstract class OnnxModel implements SegmentationModel {
  readonly name: string;
  protected session?: ort.InferenceSession;
  private opened?: Promise<void>;
  /** The device ONNX Runtime runs on, once opened. */
  device?: string;

  constructor(
    protected readonly path: string,
    protected readonly card: ModelCard,
    protected readonly opts: OnnxModelOptions,
    arch: ModelCard['architecture']['type'],
    private readonly outputs: readonly string[],
  ) {
    this.name = card.name;
    if (card.architecture.type !== arch) throw new NucsegError(`model card says ${card.architecture.type}, not ${arch}`, { file: path });
    const outs = card.outputs.map((o) => o.name).sort().join(',');
    if (outs !== [...outputs].sort().join(',')) throw new NucsegError(`${arch} cards need outputs ${outputs.join(', ')}, not ${outs}`, { file: path });
  }

  /** The post-processing parameters (from the card); part of settings() as `post`. */
  protected abstract postprocessing(): object;

  settings(): Record<string, unknown> {
    return { model: this.name, sha256: this.opts.sha256 ?? this.card.weights.onnx.sha256, tile: this.card.tile, post: this.postprocessing(), diameter: modelDiameter(this.card) };
  }

  /** Automatic scale: the card's training diameter against the field's (lib/models/scale.ts). */
  scaleFor(diameter: number | null): number {
    return runScale(diameter, modelDiameter(this.card));
  }

  protected async open(): Promise<ort.InferenceSession> {
    this.opened ??= openModelSession(this.path, this.card.inputs[0].name, this.outputs, this.opts.device ?? 'auto', this.opts.threads ?? 0).then(({ session, device }) => {
      this.session = session;
      this.device = device;
    });
    await this.opened;
    return this.session!;
  }

  /**
   * Runs the card's overlapping tiles of a normalized image (fields smaller than a tile are
   * reflect-padded up to one) in batches of `batch`, yielding each batch's tiles and outputs
   * in order. The next batch is queued before the caller handles this one; onnxruntime-node
   * runs a session synchronously on this thread when its turn comes, so this orders work
   * rather than overlapping it (overlap across images comes from segmentFiles' --jobs).
   */
  protected async *runTiles(image: ImageData<Float32Array>, profile?: Profile): AsyncGenerator<{ tiles: Tile[]; out: ort.InferenceSession.OnnxValueMapType; size: number }> {
    const session = await this.open();
    const T = this.card.tile.size;
    const { width: W, height: H } = image;
    const PW = Math.max(W, T), PH = Math.max(H, T);
    const t0p = performance.now();
    const padded = PW === W && PH === H ? image.data : reflectPad(image, PW, PH);
    profile?.add('tiles', performance.now() - t0p);
    const tiles = tileGrid(PW, PH, T, this.card.tile.overlap);
    const batch = Math.max(1, this.opts.batch ?? 4);
    const run = (t0: number) => {
      const tc = performance.now();
      const group = tiles.slice(t0, t0 + batch);
      const input = new Float32Array(group.length * T * T);
      group.forEach((t, k) => {
        for (let y = 0; y < T; y++) input.set(padded.subarray((t.y + y) * PW + t.x, (t.y + y) * PW + t.x + T), k * T * T + y * T);
      });
      profile?.add('tiles', performance.now() - tc);
      return { group, out: session.run({ [this.card.inputs[0].name]: new ort.Tensor('float32', input, [group.length, 1, T, T]) }) };
    };
    let next = tiles.length ? run(0) : undefined;
    for (let t0 = 0; next; t0 += batch) {
      const cur = next;
      const tm = performance.now();
      const out = await cur.out; // ONNX Runtime computes while this waits (same thread)
      profile?.add('model', performance.now() - tm);
      next = t0 + batch < tiles.length ? run(t0 + batch) : undefined;
      yield { tiles: cur.group, out, size: T };
    }
  }

  abstract segment(image: ImageData<Float32Array>, opts: SegmentCallOptions): Promise<LabelImage>;

  async dispose(): Promise<void> {
    await this.session?.release();
  }
}

/** Reflects an image into a larger PW × PH one (fields smaller than a tile). */
export function reflectPad(im: ImageData<Float32Array>, PW: number, PH: number): Float32Array {
  const out = new Float32Array(PW * PH);
  const r = (i: number, n: number) => {
    if (n === 1) return 0;
    const p = 2 * n;
    i %= p;
    if (i < 0) i += p;
    return i < n ? i : p - 1 - i;
  };
  for (let y = 0; y < PH; y++) for (let x = 0; x < PW; x++) out[y * PW + x] = im.data[r(y, im.height) * im.width + r(x, im.width)];
  return out;
}
