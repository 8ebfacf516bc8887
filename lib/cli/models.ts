import { relative } from 'node:path';
import { NucsegError } from '../util/errors.js';
import { Command, Option } from 'clipanion';
import { exportBioimageio } from '../bioimageio/export.js';
import { importBioimageio } from '../models/bioimageio-import.js';
import type { InferenceDevice } from '../models/onnx.js';
import { bundledModels, findModel } from '../models/registry.js';
import { verifyModel } from '../models/verify.js';
import { NucsegCommand } from './base.js';

export class ModelsListCommand extends NucsegCommand {
  static override paths = [['models', 'list']];
  static override usage = Command.Usage({ description: 'List the bundled models (and the classic one)' });
  async run(): Promise<number> {
    this.context.stdout.write('classic  (no weights: Otsu, distance-map seeds, watershed)\n');
    for (const n of bundledModels()) {
      const { card } = await findModel(n);
      const v = card.validation;
      const scores = Object.entries(v).map(([k, s]) => `${k} F1@0.5/0.7/0.9 ${s['f1@0.5'].toFixed(2)}/${s['f1@0.7'].toFixed(2)}/${s['f1@0.9'].toFixed(2)}`).join('; ');
      this.context.stdout.write(`${n}  (${card.architecture.type}; ${scores})\n`);
    }
    return 0;
  }
}

export class ModelsInfoCommand extends NucsegCommand {
  static override paths = [['models', 'info']];
  static override usage = Command.Usage({ description: "Print a model's card (without its test arrays)" });
  model = Option.String({ required: true });
  async run(): Promise<number> {
    if (this.model === 'classic') {
      this.context.stdout.write(`classic: the no-weights model (Gaussian smoothing, Otsu threshold, distance-map seeds, seeded watershed, area filters; sizes from the nucleus diameter, automatic by default). It has no card.\n`);
      return 0;
    }
    const { path, card } = await findModel(this.model);
    const { test, ...rest } = card;
    this.context.stdout.write(JSON.stringify({ path, ...rest, test: { input_shape: test.input_shape, tolerance: test.tolerance } }, null, 2) + '\n');
    return 0;
  }
}

export class ModelsVerifyCommand extends NucsegCommand {
  static override paths = [['models', 'verify']];
  static override usage = Command.Usage({ description: "Check a model against its card: sha256 and the card's test input/output pair" });
  model = Option.String({ required: true });
  async run(): Promise<number> {
    if (this.model === 'classic') throw new NucsegError("'classic' has no weights or card to verify (nucseg models verify checks ONNX models)");
    const r = await verifyModel(this.model);
    this.context.stdout.write(`${r.path}\n  sha256 ${r.sha256Matches ? 'matches the card' : 'DIFFERS from the card'}\n  test pair: ${r.error ? `could not run (${r.error})` : `max |difference| ${r.maxDifference.toExponential(2)} (tolerance ${r.tolerance})`}\n  ${r.ok ? 'OK' : 'FAILED'}\n`);
    return r.ok ? 0 : 1;
  }
}

/** A path as the user would type it: relative below the working folder, else as it is. */
function shown(path: string): string {
  const r = relative('.', path);
  return r && !r.startsWith('..') ? r : path;
}

export class ModelsExportCommand extends NucsegCommand {
  static override paths = [['models', 'export']];
  static override usage = Command.Usage({
    description: 'Package a model for the bioimage.io ecosystem (rdf.yaml, ONNX weights, test tensors, README with the post-processing, cover)',
    examples: [['Export the fast model with a cover made from a field', 'nucseg models export nuclei-fpn2ws-dsb-fast --format bioimageio --out fast.zip --cover field.tif']],
  });
  model = Option.String({ required: true });
  format = Option.String('--format', 'bioimageio', { description: 'Package format (bioimageio: model spec 0.5)' });
  out = Option.String('--out,-o', { description: 'The .zip to write' });
  cover = Option.String('--cover', { description: "A field image for the cover (segmented with the model); default: the card's test input" });
  device = Option.String('--device', 'auto', { description: 'Where the cover field is segmented: auto, cpu, cuda or webgpu' });
  async run(): Promise<number> {
    if (this.format !== 'bioimageio') throw new NucsegError(`models export: unknown --format '${this.format}' (bioimageio is the one there is)`);
    if (!this.out) throw new NucsegError('models export: missing --out (the .zip to write)');
    if (this.model === 'classic') throw new NucsegError("'classic' has no weights to package (nucseg models export packages ONNX models)");
    const r = await exportBioimageio(this.model, { out: this.out, cover: this.cover, device: this.device as InferenceDevice });
    this.context.stdout.write(`wrote ${shown(r.out)} (bioimage.io model spec ${String(r.rdf.format_version)}: ${r.files.join(', ')})\n`);
    return 0;
  }
}

export class ModelsImportCommand extends NucsegCommand {
  static override paths = [['models', 'import']];
  static override usage = Command.Usage({
    description: 'Unpack a bioimage.io model package (nucseg-exported, or FPN2-WS with distance and border outputs) into an .onnx file with its card',
    examples: [['Import a package into models/', 'nucseg models import fast.zip --out models']],
  });
  zip = Option.String({ required: true });
  out = Option.String('--out,-o', '.', { description: 'Folder to write <name>.onnx and <name>.card.json into (default: here)' });
  async run(): Promise<number> {
    const { path, card } = await importBioimageio(this.zip, { out: this.out });
    this.context.stdout.write(`wrote ${shown(path)} and its card (${card.name}; run it with --model ${shown(path)})\n`);
    return 0;
  }
}
