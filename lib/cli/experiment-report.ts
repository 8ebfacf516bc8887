import { Command, Option } from 'clipanion';
import { relative } from 'node:path';
import { writeExperimentReport } from '../experiment/report.js';
import { NucsegCommand } from './base.js';

export class ExperimentReportCommand extends NucsegCommand {
  static override paths = [['experiment', 'report']];
  static override usage = Command.Usage({
    description: "Write an experiment's report.html (per-factor F1 tables, F1 vs IoU, per-image F1, training curves)",
    details: 'The workflow of `nucseg experiment run` does this as its last rule; run it by hand on a finished experiment folder.',
    examples: [['Rebuild the report', 'nucseg experiment report exp/']],
  });

  folder = Option.String({ required: true, name: 'experiment folder' });
  quiet = Option.Boolean('--quiet', false, { description: 'Print nothing but errors' });

  async run(): Promise<number> {
    const page = await writeExperimentReport(this.folder);
    if (!this.quiet) this.context.stdout.write(`report written to ${relative('.', page) || page}\n`);
    return 0;
  }
}
