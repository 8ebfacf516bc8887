import { NucsegError } from '../util/errors.js';
import { Command, Option } from 'clipanion';
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
