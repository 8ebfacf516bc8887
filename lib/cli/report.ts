import { Command, Option } from 'clipanion';
import { relative } from 'node:path';
import { writeRunReport } from '../segment/report.js';
import { NucsegCommand } from './base.js';

export class ReportCommand extends NucsegCommand {
  static override paths = [['report']];
  static override usage = Command.Usage({
    description: 'Write one self-contained HTML page of a segmentation run: plate maps, QC flags, thumbnails, distributions',
    details: `
      Built from what \`nucseg segment\` wrote in the folder (summary.csv, run.json, the
      per-nucleus CSVs and, with --thumbnails, the thumbnails). Opens offline in any browser.
    `,
    examples: [
      ['Report on a run', 'nucseg report results/'],
      ['Segment with thumbnails and write the report in one go', 'nucseg segment plate/ --out results/ --report'],
    ],
  });

  folder = Option.String({ required: true, name: 'run folder' });
  out = Option.String('--out,-o', { description: 'The HTML file to write (default <run folder>/report.html)' });
  quiet = Option.Boolean('--quiet', false, { description: 'Print nothing but errors' });

  async run(): Promise<number> {
    const page = await writeRunReport(this.folder, { file: this.out });
    if (!this.quiet) this.context.stdout.write(`report written to ${relative('.', page)}\n`);
    return 0;
  }
}
