import type { ImageData, LabelImage } from '../image/types.js';
import type { SegmentationModel } from '../segment/model.js';
import type { ModelCard } from '../train/card.js';
import { NucsegError } from '../util/errors.js';
import { openModelSession, type InferenceDevice, type ort } from './onnx.js';

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

  /** The post-processing parameters (from the card). */
  protected abstract post(): object;

  settings(): Record<string, unknown> {
    return { model: this.name, sha256: this.opts.sha256 ?? this.card.weights.onnx.sha256, tile: this.card.tile, post: this.post() };
  }

  protected async open(): Promise<ort.InferenceSession> {
    this.opened ??= openModelSession(this.path, this.outputs, this.opts.device ?? 'auto', this.opts.threads ?? 0).then(({ session, device }) => {
      this.session = session;
      this.device = device;
    });
    await this.opened;
    return this.session!;
  }

  abstract segment(image: ImageData<Float32Array>, opts: { threads: number }): Promise<LabelImage>;

  async dispose(): Promise<void> {
    await this.session?.release();
  }
}
