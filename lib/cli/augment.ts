import { Command, Option } from 'clipanion';
import { augment } from '../augment/augment.js';
import { loadConfig, type AugmentConfig } from '../augment/config.js';
import { contactSheet } from '../augment/preview.js';
import type { SetSpec } from '../augment/sources.js';
import type { RoiBatch } from '../kernels/augment.js';
import { writeFileAtomic } from '../util/atomic.js';
import { NucsegError } from '../util/errors.js';
import { createProgress } from '../util/progress.js';
import { NucsegCommand } from './base.js';
import { wholeNumber } from './parse.js';

export class AugmentCommand extends NucsegCommand {
  static override paths = [['augment']];
  static override usage = Command.Usage({
    description: 'Build a bootstrapped, augmented training set (ROIs + FPN2-WS and Mask R-CNN targets) in HDF5',
    details: `
      Each --set is a folder with images/ and labels/ of matching names (labels: label images,
      QuPath GeoJSON or ImageJ ROI zips, rasterized on the image's grid) (a cell type or
      experiment). Fields are scaled by each factor of the config's scales, then random
      overlapping ROIs are sampled, each with one geometric transform (flip, rotation by a
      multiple of 45°) and contrast, blur and noise by their probabilities. Targets: the
      instance labels, the per-nucleus normalized distance and the blurred border. The same
      inputs, config and seed give the same file for any --threads.
    `,
    examples: [
      ['The paper-style 35,000-ROI set from two sources', 'nucseg augment --set dsb=data/dsb2018-fluo/train --set u2os=data/bbbc039-small --rois 35000 --out train.h5 --preview sheet.png'],
      ['An ablation', 'nucseg augment --set mine=fields/ --rois 5000 --preset min-noise --out min-noise.h5'],
    ],
  });

  sets = Option.Array('--set', { required: true, description: "name=folder[:rois] (folder has images/ and labels/); repeatable" });
  rois = Option.String('--rois', '35000', { description: 'Total ROIs (sets without their own count share it equally)' });
  config = Option.String('--config', { description: 'JSON or YAML file of augmentation settings (see README)' });
  preset = Option.String('--preset', 'full', { description: 'full, none, min-blur, min-contrast, min-noise or min-scaling' });
  seed = Option.String('--seed', '0', { description: 'Random seed (whole number)' });
  threads = Option.String('--threads', { description: 'Native threads (default: all cores)' });
  out = Option.String('--out,-o', { required: true, description: 'Output .h5 file' });
  preview = Option.String('--preview', { description: 'Write a contact sheet PNG of the first ROIs (image | distance | border)' });
  roiSize = Option.String('--roi-size', { description: 'ROI edge in pixels (default 256)' });
  scales = Option.String('--scales', { description: 'Comma list of scale factors (default 0.333,0.667,1,1.333,2)' });
  compression = Option.String('--compression', '1', { description: 'gzip level 0-9 of the label and target datasets (0 = none: faster, ~5x larger)' });
  imageDtype = Option.String('--image-dtype', 'uint16', { description: 'uint16 (12-bit, scale-offset packed; image_scale attribute = 1/4095) or float32 (gzip)' });
  quiet = Option.Boolean('--quiet', false);
  json = Option.Boolean('--json', false, { description: 'Progress and result as JSON' });

  async run(): Promise<number> {
    const sets: SetSpec[] = this.sets.map((s) => {
      const m = /^([^=]+)=(.+?)(?::(\d+))?$/.exec(s);
      if (!m) throw new NucsegError(`--set must be name=folder[:rois], not '${s}'`);
      return { name: m[1], dir: m[2], rois: m[3] !== undefined ? Number(m[3]) : undefined };
    });
    const overrides: Partial<AugmentConfig> = {};
    if (this.roiSize) overrides.roi = wholeNumber(this.roiSize, '--roi-size', 16);
    if (this.scales) overrides.scales = this.scales.split(',').map(Number);
    const config = await loadConfig({ preset: this.preset, file: this.config, overrides });
    const rois = wholeNumber(this.rois, '--rois', 1);
    const seed = wholeNumber(this.seed, '--seed', 0);
    const threads = this.threads ? wholeNumber(this.threads, '--threads', 0) : undefined;
    const abort = new AbortController();
    const onSigint = () => abort.abort();
    process.on('SIGINT', onSigint);
    const progress = createProgress('augment', rois, this.quiet ? 'quiet' : this.json ? 'json' : 'auto');
    const keep: { batch: RoiBatch; index: number }[] = [];
    try {
      const r = await augment({
        sets,
        rois,
        config,
        seed,
        threads,
        out: this.out,
        compression: wholeNumber(this.compression, '--compression', 0),
        imageDtype: this.imageDtype as 'uint16',
        signal: abort.signal,
        onProgress: (done) => progress.update(done),
        onBatch: this.preview
          ? (first, b) => {
              // spread the preview over sets: take ROIs at regular steps through the run
              const step = Math.max(1, Math.floor(rois / 24));
              // copies: the writer reuses its batch buffers
              const px = config.roi * config.roi;
              const one = (a: Float32Array | Uint16Array, i: number) => a.slice(i * px, (i + 1) * px);
              for (let i = 0; i < b.labels.length / px; i++)
                if ((first + i) % step === 0 && keep.length < 24) keep.push({ batch: { image: one(b.image, i) as Float32Array, labels: one(b.labels, i) as Uint16Array, distance: one(b.distance, i) as Float32Array, border: one(b.border, i) as Float32Array }, index: 0 });
            }
          : undefined,
      });
      progress.stop();
      if (this.preview) await writeFileAtomic(this.preview, contactSheet(keep, config.roi));
      if (this.json) this.context.stdout.write(JSON.stringify({ out: r.out, rois: r.rois, perSet: r.perSet, seconds: r.seconds, fields: r.files.length }) + '\n');
      else if (!this.quiet) {
        const sets = Object.entries(r.perSet).map(([k, v]) => `${k}: ${v.train} train + ${v.validation} validation`).join('; ');
        this.context.stdout.write(`wrote ${r.rois} ROIs from ${r.files.length} fields to ${r.out} in ${r.seconds.toFixed(1)} s (${sets})\n`);
      }
    } finally {
      progress.stop();
      process.off('SIGINT', onSigint);
    }
    return 0;
  }
}
