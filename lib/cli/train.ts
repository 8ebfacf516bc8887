import { Command, Option } from 'clipanion';
import { relative } from 'node:path';
import { FPN_HEADS, train, type FpnHead, type TrainEvent } from '../train/run.js';
import { NucsegError } from '../util/errors.js';
import { createProgress, type Progress } from '../util/progress.js';
import { NucsegCommand } from './base.js';
import { probability, wholeNumber } from './parse.js';

export class TrainCommand extends NucsegCommand {
  static override paths = [['train']];
  static override usage = Command.Usage({
    description: 'Train an FPN2-WS or Mask R-CNN nucleus model on an augmented HDF5 set and export ONNX + model card',
    details: `
      Runs the repo's PyTorch training code (models-onnx/training/train.py) with a Python that
      has torch, h5py and onnx (--python, NUCSEG_PYTHON, /usr/bin/python3, python3 on PATH).
      FPN2-WS: Adam 1e-3, MSE on the distance and border maps. Mask R-CNN (torchvision, ResNet
      encoder, small anchors): SGD 0.01 with warm-up and cosine decay. The checkpoint with the
      lowest validation loss is exported. --init <model.onnx> fine-tunes an existing nucseg model
      (encoder frozen for the first 2 cycles). Ctrl-C stops and writes nothing.
    `,
    examples: [
      ['Train from scratch', 'nucseg train --data train.h5 --cycles 5 --out my-model.onnx'],
      ['Train a Mask R-CNN', 'nucseg train --data train.h5 --arch mrcnn --cycles 5 --batch 4 --out my-mrcnn.onnx --float16'],
      ['Fine-tune the shipped model on your own fields', 'nucseg train --data mine.h5 --init models-onnx/nuclei-fpn2ws-dsb.onnx --cycles 5 --out mine.onnx'],
    ],
  });

  data = Option.String('--data', { required: true, description: 'HDF5 set from nucseg augment' });
  arch = Option.String('--arch', 'fpn2ws', { description: 'fpn2ws or mrcnn' });
  cycles = Option.String('--cycles', '5', { description: 'Passes over the training ROIs' });
  init = Option.String('--init', 'random', { description: "'random', 'imagenet' (torchvision's ImageNet encoder weights if already on disk; never downloaded) or a nucseg .onnx model to fine-tune" });
  out = Option.String('--out,-o', { required: true, description: 'Output .onnx (card written next to it)' });
  python = Option.String('--python', { description: 'Python interpreter with torch, h5py, onnx' });
  encoder = Option.String('--encoder', 'resnet18', { description: 'resnet18 or resnet34' });
  batch = Option.String('--batch', '16');
  device = Option.String('--device', 'auto', { description: 'auto, cpu or cuda' });
  seed = Option.String('--seed', '0');
  float16 = Option.Boolean('--float16', false, { description: 'Store weights as float16 (half the file)' });
  exportMinScore = Option.String('--export-min-score', { description: 'Mask R-CNN: lowest detection score the exported model returns (default 0.3)' });
  head = Option.String('--head', 'fullres', { description: "FPN2-WS heads: fullres (a decoder per map to full resolution, default), lite (one light full-resolution decoder, about fpn's CPU time) or fpn (the seed paper's stride-4 head)" });
  evaluate = Option.Array('--evaluate', { description: 'name=folder[:names file]: annotated fields (images/, labels/) scored with the final model, into the card (repeatable)' });
  tune = Option.String('--tune', { description: 'Tune the post-processing on this --evaluate set (grid search; the winner goes into the card)' });
  diameter = Option.String('--diameter', { description: 'Median nucleus diameter (px) of the training ROIs, recorded in the card for automatic scale' });
  quiet = Option.Boolean('--quiet', false);
  json = Option.Boolean('--json', false, { description: 'Print the training events as JSON lines' });

  async run(): Promise<number> {
    if (this.arch !== 'fpn2ws' && this.arch !== 'mrcnn') throw new NucsegError(`--arch must be fpn2ws or mrcnn, not '${this.arch}'`);
    if (this.encoder !== 'resnet18' && this.encoder !== 'resnet34') throw new NucsegError(`--encoder must be resnet18 or resnet34, not '${this.encoder}'`);
    if (!['auto', 'cpu', 'cuda'].includes(this.device)) throw new NucsegError(`--device must be auto, cpu or cuda, not '${this.device}'`);
    const cycles = wholeNumber(this.cycles, '--cycles', 1);
    if (!(FPN_HEADS as readonly string[]).includes(this.head)) throw new NucsegError(`--head must be ${FPN_HEADS.join(', ')}, not '${this.head}'`);
    const diameter = this.diameter === undefined ? undefined : Number(this.diameter);
    if (diameter !== undefined && !(diameter >= 2 && diameter <= 1000)) throw new NucsegError(`--diameter must be a number of pixels in [2, 1000], not '${this.diameter}'`);
    const abort = new AbortController();
    const onSigint = () => abort.abort();
    process.on('SIGINT', onSigint);
    let bar: Progress | undefined;
    let total = 0;
    const mode = this.quiet ? 'quiet' : 'auto';
    try {
      const r = await train({
        data: this.data, arch: this.arch, cycles, init: this.init, out: this.out, python: this.python, encoder: this.encoder,
        head: this.head as FpnHead, evaluate: this.evaluate, tune: this.tune, diameter,
        batch: wholeNumber(this.batch, '--batch', 1), device: this.device as 'auto', seed: wholeNumber(this.seed, '--seed', 0), float16: this.float16, signal: abort.signal,
        exportMinScore: this.exportMinScore !== undefined ? probability(this.exportMinScore, '--export-min-score') : undefined,
        onEvent: (e: TrainEvent) => {
          if (this.json) this.context.stdout.write(JSON.stringify(e) + '\n');
          if (e.event === 'start') {
            total = cycles * Number(e.train_rois);
            if (!this.quiet && !this.json) this.context.stderr.write(`training on ${e.device}${e.amp ? ' (bf16)' : ''}: ${e.train_rois} ROIs, ${e.val_rois} for validation, ${(Number(e.params) / 1e6).toFixed(1)} M parameters\n`);
            if (!this.json) bar = createProgress('train', total, mode);
          } else if (e.event === 'step') {
            bar?.update((Number(e.cycle) - 1) * (total / cycles) + Number(e.rois), `cycle ${e.cycle}/${e.cycles} loss ${Number(e.loss).toFixed(4)}`);
          } else if (e.event === 'cycle' && !this.quiet && !this.json) {
            bar?.update((Number(e.cycle) * total) / cycles, `cycle ${e.cycle}: train ${Number(e.train_loss).toFixed(5)}, validation ${Number(e.val_loss).toFixed(5)}`);
          }
        },
      });
      bar?.stop();
      if (this.json) this.context.stdout.write(JSON.stringify({ event: 'verified', model: r.model, max_difference: r.maxDifference }) + '\n');
      else if (!this.quiet) this.context.stdout.write(`wrote ${relative('.', r.model)} and ${relative('.', r.card)} (ONNX Runtime vs PyTorch on the card's test input: max |difference| ${r.maxDifference.toExponential(1)})\n`);
    } finally {
      bar?.stop();
      process.off('SIGINT', onSigint);
    }
    return 0;
  }
}
